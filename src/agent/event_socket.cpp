#include "agent/event_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace latch::agent {

namespace {

constexpr std::size_t kMaxLineBytes = 8 * 1024;
// A client that sends nothing for this long is disconnected (it would block the others).
constexpr int kClientIdleMs = 10'000;

client::ClientError badInput(std::string message) {
  return makeError(client::ClientErrc::BadInput, std::move(message));
}

std::optional<sockaddr_un> addressOf(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) return std::nullopt;
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

bool writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void tooLong(int fd) {
  writeAll(fd, fmt::format("{{\"error\":\"an event line may hold at most {} bytes\"}}\n",
                           kMaxLineBytes));
}

}  // namespace

EventSocket::~EventSocket() { stop(); }

client::ClientResult<void> EventSocket::start(const std::string& path, Handler handler) {
  const auto address = addressOf(path);
  if (!address) return badInput(fmt::format("bad event socket path '{}'", path));
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return badInput(fmt::format("{} exists and is not a socket: not replacing it", path));
    }
    ::unlink(path.c_str());
  }
  listenFd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listenFd_ < 0)
    return badInput(fmt::format("cannot create a socket: {}", std::strerror(errno)));
  // Created owner-only: no window in which others could connect.
  const mode_t old = ::umask(0177);
  const int bound =
      ::bind(listenFd_, reinterpret_cast<const sockaddr*>(&*address), sizeof *address);
  ::umask(old);
  if (bound != 0 || ::listen(listenFd_, 8) != 0 || ::pipe2(wakeFds_, O_CLOEXEC) != 0) {
    const std::string reason = std::strerror(errno);
    stop();
    return badInput(fmt::format("cannot listen on {}: {}", path, reason));
  }
  path_ = path;
  handler_ = std::move(handler);
  thread_ = std::thread([this] { serve(); });
  return {};
}

void EventSocket::stop() {
  if (thread_.joinable()) {
    const char wake = 'x';
    (void)!::write(wakeFds_[1], &wake, 1);
    thread_.join();
  }
  for (int* fd : {&listenFd_, &wakeFds_[0], &wakeFds_[1]}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

void EventSocket::serve() {
  for (;;) {
    pollfd fds[2] = {{listenFd_, POLLIN, 0}, {wakeFds_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const int client = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    serveClient(client);
    ::close(client);
  }
}

void EventSocket::serveClient(int fd) {
  std::string buffer;
  char chunk[4096];
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wakeFds_[0], POLLIN, 0}};
    const int ready = ::poll(fds, 2, kClientIdleMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0 || fds[1].revents != 0) return;
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    buffer.append(chunk, static_cast<std::size_t>(n));
    for (auto end = buffer.find('\n'); end != std::string::npos; end = buffer.find('\n')) {
      const std::string line = buffer.substr(0, end);
      buffer.erase(0, end + 1);
      if (line.size() > kMaxLineBytes) return tooLong(fd);
      if (!writeAll(fd, handler_(line) + "\n")) return;
    }
    if (buffer.size() > kMaxLineBytes) return tooLong(fd);
  }
}

client::ClientResult<std::string> publishThroughSocket(const std::string& path,
                                                       std::string_view line) {
  const auto address = addressOf(path);
  if (!address) return badInput(fmt::format("bad event socket path '{}'", path));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return badInput(fmt::format("cannot create a socket: {}", std::strerror(errno)));
  std::string answer;
  std::string problem;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
    problem = fmt::format("cannot reach the agent at {}: {}", path, std::strerror(errno));
  } else if (!writeAll(fd, std::string(line) + "\n")) {
    problem = "the agent closed the event socket";
  } else {
    char chunk[4096];
    while (answer.find('\n') == std::string::npos && answer.size() <= 64 * 1024) {
      const auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      answer.append(chunk, static_cast<std::size_t>(n));
    }
    const auto end = answer.find('\n');
    if (end == std::string::npos) {
      problem = "the agent did not answer";
    } else {
      answer.resize(end);
    }
  }
  ::close(fd);
  if (!problem.empty()) return makeError(client::ClientErrc::Network, std::move(problem));
  return answer;
}

}  // namespace latch::agent
