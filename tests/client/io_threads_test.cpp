#include "client/io_threads.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "client/detail/io_threads_state.hpp"

namespace latch::client {
namespace {

namespace asio = boost::asio;

TEST(IoThreadsTest, RunsPostedWorkOnAllItsThreads) {
  IoThreads threads(2);
  EXPECT_EQ(threads.size(), 2u);
  std::mutex mutex;
  std::set<std::thread::id> seen;
  std::atomic<int> done{0};
  for (int i = 0; i < 200; ++i) {
    asio::post(threads.state().io, [&] {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      std::lock_guard lock(mutex);
      seen.insert(std::this_thread::get_id());
      ++done;
    });
  }
  while (done.load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen.contains(std::this_thread::get_id()));
}

TEST(IoThreadsTest, ZeroThreadsMeansOne) { EXPECT_EQ(IoThreads(0).size(), 1u); }

// A connection's last handlers may still be queued when its HubConnection is gone: the pool
// runs them before its threads end, including the ones they queue in turn.
TEST(IoThreadsTest, DestructionRunsWhatIsStillQueued) {
  std::atomic<int> ran{0};
  {
    IoThreads threads(1);
    auto strand = asio::make_strand(threads.state().io);
    asio::post(strand, [&] { std::this_thread::sleep_for(std::chrono::milliseconds(50)); });
    for (int i = 0; i < 10; ++i) {
      asio::post(strand, [&, strand] {
        ++ran;
        asio::post(strand, [&] { ++ran; });
      });
    }
  }
  EXPECT_EQ(ran.load(), 20);
}

// Work still pending when the pool goes (a timer about to fire) is waited for, not cut short:
// a connection's last timers complete (cancelled or expired) before its threads end.
TEST(IoThreadsTest, DestructionWaitsForPendingTimersThatComplete) {
  std::atomic<bool> fired{false};
  const auto started = std::chrono::steady_clock::now();
  {
    IoThreads threads(1);
    auto timer =
        std::make_shared<asio::steady_timer>(threads.state().io, std::chrono::milliseconds(100));
    timer->async_wait([&, timer](boost::system::error_code ec) { fired = !ec; });
  }
  EXPECT_TRUE(fired.load());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

}  // namespace
}  // namespace latch::client
