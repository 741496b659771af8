#pragma once

#include "common/result.hpp"

namespace latch::bench {

// Why a benchmark run could not start or did not finish.
enum class BenchErrc {
  BadArgument,  // a flag or URL that cannot be used
  System,       // the OS refused something (limits, /proc)
  Network,      // resolving, connecting, a connection dropped
  Protocol,     // the server answered something unexpected
};

template <class T>
using BenchResult = Result<T, BenchErrc>;

}  // namespace latch::bench
