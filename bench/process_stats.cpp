#include "bench/process_stats.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <string>

#include <fmt/format.h>

namespace latch::bench {

BenchResult<std::uint64_t> raiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return makeError(BenchErrc::System, fmt::format("getrlimit: {}", std::strerror(errno)));
  }
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      return makeError(BenchErrc::System, fmt::format("setrlimit: {}", std::strerror(errno)));
    }
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

BenchResult<void> reserveFileDescriptors(std::size_t needed) {
  constexpr std::size_t kMargin = 64;  // stdio, the resolver, /proc reads
  auto limit = raiseOpenFileLimit();
  if (!limit) return limit.error();
  if (needed + kMargin > *limit) {
    return makeError(BenchErrc::BadArgument,
                     fmt::format("{} connections need {} open files but the limit is {}", needed,
                                 needed + kMargin, *limit));
  }
  return {};
}

BenchResult<std::uint64_t> residentKiB(int pid) {
  const std::string path = fmt::format("/proc/{}/status", pid);
  std::ifstream in(path);
  if (!in) return makeError(BenchErrc::System, fmt::format("cannot read {}", path));
  constexpr std::string_view kKey = "VmRSS:";
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(kKey)) continue;
    const auto digits = line.find_first_of("0123456789");
    if (digits == std::string::npos) break;
    std::uint64_t kib = 0;
    const auto [end, ec] = std::from_chars(line.data() + digits, line.data() + line.size(), kib);
    if (ec != std::errc()) break;
    return kib;  // the kernel reports kB, meaning KiB
  }
  return makeError(BenchErrc::System, fmt::format("no VmRSS in {}", path));
}

}  // namespace latch::bench
