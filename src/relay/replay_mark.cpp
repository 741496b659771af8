#include "relay/replay_mark.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace latch::relay {
namespace {

// The mark as fixed-width decimal text and a newline: one small write at offset 0 that
// never changes the file's length.
constexpr std::size_t kWidth = 20;

// The mark in the file, or -1 if it is damaged; `empty` says the file is new.
std::int64_t readMark(int fd, bool& empty) {
  std::array<char, kWidth + 2> text{};
  const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  empty = n == 0;
  if (n != static_cast<ssize_t>(kWidth + 1) || text[kWidth] != '\n') return -1;
  const char* begin = text.data();
  while (begin < text.data() + kWidth && *begin == ' ') ++begin;
  std::int64_t mark = 0;
  const auto [end, ec] = std::from_chars(begin, text.data() + kWidth, mark);
  if (ec != std::errc() || end != text.data() + kWidth || mark < 0) return -1;
  return mark;
}

}  // namespace

Result<std::unique_ptr<ReplayMark>, ReplayMarkErrc> ReplayMark::open(const std::string& path,
                                                                     std::int64_t fallbackMs) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return makeError(ReplayMarkErrc::Io,
                     fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  bool empty = false;
  std::int64_t previous = readMark(fd, empty);
  if (empty) {
    previous = 0;
  } else if (previous < 0) {
    spdlog::warn("{} is damaged: envelopes signed before {} are refused", path, fallbackMs);
    previous = fallbackMs;
  }
  auto mark = std::unique_ptr<ReplayMark>(new ReplayMark(fd, previous));
  // Stored again at once, so a damaged file is repaired and a full disk shows now.
  if (::ftruncate(fd, kWidth + 1) != 0 || !mark->write(previous)) {
    return makeError(ReplayMarkErrc::Io,
                     fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  return mark;
}

ReplayMark::ReplayMark(int fd, std::int64_t previous)
    : fd_(fd), previous_(previous), stored_(previous) {}

ReplayMark::~ReplayMark() { ::close(fd_); }

bool ReplayMark::cover(std::int64_t iatMs) {
  if (iatMs <= stored_.load(std::memory_order_acquire)) return true;
  std::lock_guard lock(writeMu_);
  if (iatMs <= stored_.load(std::memory_order_acquire)) return true;  // raised meanwhile
  return write(iatMs + kStepMs);
}

bool ReplayMark::write(std::int64_t markMs) {
  const std::string text = fmt::format("{:>{}}\n", markMs, kWidth);
  if (::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
      ::fdatasync(fd_) != 0) {
    spdlog::error("the replay mark cannot be stored: {}", std::strerror(errno));
    return false;
  }
  stored_.store(markMs, std::memory_order_release);
  return true;
}

}  // namespace latch::relay
