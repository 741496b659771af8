#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace latch::client::detail {

// What IoThreads owns: the io_context, the guard that keeps run() going, the threads.
struct IoThreadsState {
  explicit IoThreadsState(unsigned threads) : io(static_cast<int>(threads)) {}

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::condition_variable allReturned;
  unsigned returned = 0;  // threads whose run() has returned, under mutex
};

}  // namespace latch::client::detail
