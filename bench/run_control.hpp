#pragma once

#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

namespace latch::bench {

// The outcome of a run shared by all its connections: the first failure stops the run.
// Thread-safe.
class RunControl {
 public:
  explicit RunControl(boost::asio::io_context& ioc) : ioc_(ioc) {}

  // Keeps `message` if it is the first failure, then stops the io_context.
  void fail(std::string message);

  // The first failure, if any.
  std::optional<std::string> failure() const;

 private:
  boost::asio::io_context& ioc_;
  mutable std::mutex mutex_;
  std::optional<std::string> failure_;
};

// Runs `ioc` on `threads` threads (this one included) until it stops or runs out of work.
void runOnThreads(boost::asio::io_context& ioc, unsigned threads);

}  // namespace latch::bench
