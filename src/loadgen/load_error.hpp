#pragma once

#include "common/result.hpp"

namespace latch::loadgen {

// Why a load run could not start or did not finish.
enum class LoadErrc {
  BadArgument,  // a flag or URL that cannot be used
  System,       // the OS refused something (limits, /proc, a child process)
  Network,      // resolving, connecting, a connection dropped
  Protocol,     // the server answered something unexpected
};

template <class T>
using LoadResult = Result<T, LoadErrc>;

}  // namespace latch::loadgen
