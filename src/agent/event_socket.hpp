#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "client/client_error.hpp"

namespace latch::agent {

// A line-oriented UNIX socket where programs on the hub hand the agent events to publish:
// each line a JSON object, each answered with one line of JSON. Only the agent's own user can
// connect (the socket is mode 0600). One client at a time, lines of at most 8 KiB (longer ones
// are answered with an error and the client is disconnected). Runs its own thread.
class EventSocket {
 public:
  // Answers one line (without its newline) with one line of JSON (without its newline).
  using Handler = std::function<std::string(std::string_view line)>;

  EventSocket() = default;
  ~EventSocket();
  EventSocket(const EventSocket&) = delete;
  EventSocket& operator=(const EventSocket&) = delete;

  // Creates the socket at `path` (replacing a stale socket file, refusing any other file)
  // and starts serving. BadInput with the reason when it cannot.
  [[nodiscard]] client::ClientResult<void> start(const std::string& path, Handler handler);

  // Stops serving and removes the socket file. Idempotent.
  void stop();

 private:
  void serve();
  void serveClient(int fd);

  std::string path_;
  Handler handler_;
  int listenFd_ = -1;
  int wakeFds_[2] = {-1, -1};
  std::thread thread_;
};

// `latch agent publish`: sends `line` to the agent's event socket at `path` and returns its
// one-line answer. Thread-safe.
[[nodiscard]] client::ClientResult<std::string> publishThroughSocket(const std::string& path,
                                                                     std::string_view line);

}  // namespace latch::agent
