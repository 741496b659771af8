#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/wall_clock.hpp"
#include "store/change_feed.hpp"

namespace latch::store {

struct SqliteChangeFeedOptions {
  // How often the change log is read: a change by another process reaches the listener
  // within this (one indexed query that usually returns nothing).
  std::chrono::milliseconds interval{100};
  // Most changes delivered per read; more wait for the next read, which comes at once.
  std::size_t batch = 1024;
  // Changes older than this are pruned from the log (readers are seconds behind at most).
  std::chrono::seconds keep{3600};
  // How often the feed prunes.
  std::chrono::seconds pruneEvery{60};
  // How often the feed checkpoints the store (ChangeLog::checkpoint).
  std::chrono::milliseconds checkpointEvery{1000};
};

// A ChangeFeed over a store's ChangeLog (SQLite: every process writes the same file, so
// reading the log is how a server hears of `latch device revoke` run elsewhere). Polls on a
// thread of its own; a gap in the log (the feed fell behind a prune) makes it resync.
class SqliteChangeFeed final : public ChangeFeed {
 public:
  // `log` is used from the feed's thread only once start() returned; both must outlive it.
  SqliteChangeFeed(ChangeLog& log, const WallClock& clock, SqliteChangeFeedOptions options = {});
  ~SqliteChangeFeed() override;

  StoreResult<void> start(ChangeListener& listener, std::uint64_t cursor) override;
  void stop() override;
  void catchUp() override;

  // Reads the log once and delivers what is new; how many changes. Called by the thread
  // and catchUp(); public so tests can step it (without start(), after bind()).
  [[nodiscard]] StoreResult<std::size_t> pollOnce();
  // Sets the listener and cursor without starting the thread (tests).
  void bind(ChangeListener& listener, std::uint64_t cursor);

 private:
  void run();
  // pollOnce() with pollMu_ held.
  StoreResult<std::size_t> pollLocked();

  ChangeLog& log_;
  const WallClock& clock_;
  const SqliteChangeFeedOptions options_;
  ChangeListener* listener_ = nullptr;
  std::uint64_t cursor_ = 0;
  bool resyncDue_ = false;  // the last resync failed
  std::mutex pollMu_;       // one pollOnce() at a time: the thread's or a catchUp()
  std::atomic<std::uint64_t> readsStarted_{0};  // changed under pollMu_
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace latch::store
