#include "bench/run_control.hpp"

#include <thread>
#include <vector>

namespace latch::bench {

void RunControl::fail(std::string message) {
  {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::move(message);
  }
  ioc_.stop();
}

std::optional<std::string> RunControl::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void runOnThreads(boost::asio::io_context& ioc, unsigned threads) {
  std::vector<std::thread> extra;
  for (unsigned i = 1; i < threads; ++i) extra.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : extra) t.join();
}

}  // namespace latch::bench
