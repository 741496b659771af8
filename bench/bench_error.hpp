#pragma once

#include "loadgen/load_error.hpp"

namespace latch::bench {

// latch-bench reports errors the way `latch bench` does.
using BenchErrc = loadgen::LoadErrc;
template <class T>
using BenchResult = loadgen::LoadResult<T>;

}  // namespace latch::bench
