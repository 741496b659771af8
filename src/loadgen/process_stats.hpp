#pragma once

#include <cstddef>
#include <cstdint>

#include "loadgen/load_error.hpp"

namespace latch::loadgen {

// Raises this process's open-file limit (RLIMIT_NOFILE) to its hard limit. Returns the new
// soft limit, or System when the limit cannot be read or set.
[[nodiscard]] LoadResult<std::uint64_t> raiseOpenFileLimit();

// Raises the open-file limit as above and checks that `needed` more descriptors fit under it
// (a margin is kept for the process's own files). BadArgument or System otherwise.
[[nodiscard]] LoadResult<void> reserveFileDescriptors(std::size_t needed);

// The resident set size (VmRSS in /proc/<pid>/status) of process `pid`, in KiB; System
// when the process does not exist or the file cannot be read.
[[nodiscard]] LoadResult<std::uint64_t> residentKiB(int pid);

// The CPU time process `pid` has used so far, user and system (utime + stime in
// /proc/<pid>/stat), in microseconds, at the kernel's clock-tick resolution (usually 10 ms).
// System when the process does not exist or the file cannot be read.
[[nodiscard]] LoadResult<std::uint64_t> cpuMicros(int pid);

// The CPU time this process (all its threads, not its children) has used so far, user and
// system, in microseconds.
std::uint64_t selfCpuMicros();

// The threads this process runs now (Threads in /proc/self/status); 0 if unreadable.
std::uint64_t selfThreadCount();

}  // namespace latch::loadgen
