#include "client/io_threads.hpp"

#include <algorithm>
#include <chrono>

#include "client/detail/io_threads_state.hpp"

namespace latch::client {
namespace {

// How long destruction waits for the last queued handlers before stopping the io_context:
// a connection's last handlers finish in microseconds; this only bounds a bug.
constexpr std::chrono::seconds kDrainTimeout{10};

}  // namespace

IoThreads::IoThreads(unsigned threads) {
  threads = std::max(1u, threads);
  state_ = std::make_unique<detail::IoThreadsState>(threads);
  auto& s = *state_;
  s.work.emplace(boost::asio::make_work_guard(s.io));
  for (unsigned i = 0; i < threads; ++i) {
    s.threads.emplace_back([&s] {
      s.io.run();
      std::lock_guard lock(s.mutex);
      ++s.returned;
      s.allReturned.notify_all();
    });
  }
}

IoThreads::~IoThreads() {
  auto& s = *state_;
  s.work.reset();  // run() returns once nothing is queued or pending
  {
    std::unique_lock lock(s.mutex);
    if (!s.allReturned.wait_for(lock, kDrainTimeout,
                                [&s] { return s.returned == s.threads.size(); })) {
      s.io.stop();
    }
  }
  for (auto& thread : s.threads) thread.join();
}

unsigned IoThreads::size() const { return static_cast<unsigned>(state_->threads.size()); }

}  // namespace latch::client
