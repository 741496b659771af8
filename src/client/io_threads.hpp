#pragma once

#include <memory>

namespace latch::client {

namespace detail {
struct IoThreadsState;
}

// Threads that run the I/O of client connections. Every HubConnection runs on one: by default
// a pool of its own with one thread; connections given the same pool share its threads (a load
// generator, a gateway), which saves a thread and a context switch per message each.
//
// The threads start at construction. Destruction lets every handler still queued run (a
// connection's last ones may outlive the HubConnection by a moment), then joins the threads;
// destroy the connections using the pool first, and never destroy the pool from one of its
// own threads (a handler). Thread-safe.
class IoThreads {
 public:
  explicit IoThreads(unsigned threads = 1);
  ~IoThreads();
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  unsigned size() const;

  // For the connections' implementation (the io_context lives in the .cpp).
  detail::IoThreadsState& state() { return *state_; }

 private:
  std::unique_ptr<detail::IoThreadsState> state_;
};

}  // namespace latch::client
