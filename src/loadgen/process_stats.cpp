#include "loadgen/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

namespace latch::loadgen {

LoadResult<std::uint64_t> raiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return makeError(LoadErrc::System, fmt::format("getrlimit: {}", std::strerror(errno)));
  }
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      return makeError(LoadErrc::System, fmt::format("setrlimit: {}", std::strerror(errno)));
    }
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

LoadResult<void> reserveFileDescriptors(std::size_t needed) {
  constexpr std::size_t kMargin = 64;  // stdio, the resolver, /proc reads
  auto limit = raiseOpenFileLimit();
  if (!limit) return limit.error();
  if (needed + kMargin > *limit) {
    return makeError(LoadErrc::BadArgument,
                     fmt::format("{} connections need {} open files but the limit is {}", needed,
                                 needed + kMargin, *limit));
  }
  return {};
}

LoadResult<std::uint64_t> residentKiB(int pid) {
  const std::string path = fmt::format("/proc/{}/status", pid);
  std::ifstream in(path);
  if (!in) return makeError(LoadErrc::System, fmt::format("cannot read {}", path));
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
  return makeError(LoadErrc::System, fmt::format("no VmRSS in {}", path));
}

std::uint64_t selfCpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto micros = [](const timeval& t) {
    return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(t.tv_usec);
  };
  return micros(usage.ru_utime) + micros(usage.ru_stime);
}

std::uint64_t selfThreadCount() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("Threads:")) continue;
    std::uint64_t count = 0;
    std::istringstream(line.substr(8)) >> count;
    return count;
  }
  return 0;
}

LoadResult<std::uint64_t> cpuMicros(int pid) {
  const std::string path = fmt::format("/proc/{}/stat", pid);
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return makeError(LoadErrc::System, fmt::format("cannot read {}", path));
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return makeError(LoadErrc::System, "bad " + path);
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  std::uint64_t ticks = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number < 14) continue;  // 14: utime, 15: stime
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec != std::errc()) return makeError(LoadErrc::System, "bad " + path);
    ticks += value;
  }
  const long perSecond = ::sysconf(_SC_CLK_TCK);
  if (perSecond <= 0) return makeError(LoadErrc::System, "sysconf(_SC_CLK_TCK) failed");
  return ticks * 1'000'000 / static_cast<std::uint64_t>(perSecond);
}

}  // namespace latch::loadgen
