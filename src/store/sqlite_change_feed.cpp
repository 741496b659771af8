#include "store/sqlite_change_feed.hpp"

#include <spdlog/spdlog.h>

#include "store/outage_log.hpp"

namespace latch::store {

SqliteChangeFeed::SqliteChangeFeed(ChangeLog& log, const WallClock& clock,
                                   SqliteChangeFeedOptions options)
    : log_(log), clock_(clock), options_(options) {}

SqliteChangeFeed::~SqliteChangeFeed() { stop(); }

void SqliteChangeFeed::bind(ChangeListener& listener, std::uint64_t cursor) {
  listener_ = &listener;
  cursor_ = cursor;
}

StoreResult<void> SqliteChangeFeed::start(ChangeListener& listener, std::uint64_t cursor) {
  bind(listener, cursor);
  thread_ = std::thread([this] { run(); });
  return {};
}

void SqliteChangeFeed::catchUp() {
  if (!listener_) return;
  // A read that starts after this call began sees all it must: callers queued behind one
  // read share the next instead of each making their own.
  const auto asked = readsStarted_.load(std::memory_order_acquire);
  std::lock_guard lock(pollMu_);
  if (readsStarted_.load(std::memory_order_relaxed) != asked) return;
  (void)pollLocked();
}

StoreResult<std::size_t> SqliteChangeFeed::pollOnce() {
  std::lock_guard lock(pollMu_);
  return pollLocked();
}

StoreResult<std::size_t> SqliteChangeFeed::pollLocked() {
  readsStarted_.fetch_add(1, std::memory_order_release);
  auto changes = log_.changesSince(cursor_, options_.batch);
  if (!changes) return changes.error();
  if (!changes->empty() && changes->front().seq != cursor_ + 1) {
    // Pruned before this feed read it: whatever it said is lost, so re-read everything.
    spdlog::warn("store: the change log moved past this server; reloading");
    resyncDue_ = true;
  }
  if (resyncDue_) {
    // A reload reads everything up to now, these changes included.
    if (!listener_->onResync()) return makeError(StoreErrc::Failed, "reloading failed");
    resyncDue_ = false;
  } else if (!changes->empty() && !listener_->onChanges(*changes)) {
    return makeError(StoreErrc::Failed, "applying changes failed");
  }
  if (!changes->empty()) cursor_ = changes->back().seq;
  return changes->size();
}

void SqliteChangeFeed::run() {
  // While the log cannot be read, the copy in memory keeps serving what it last knew.
  OutageLog reads("store: cannot read the change log", "store: the change log is readable again");
  OutageLog checkpoints("store: cannot checkpoint", "store: checkpoints work again");
  auto nextPrune = std::chrono::steady_clock::now();
  auto nextCheckpoint = nextPrune;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto r = pollOnce();
    reads.note(r);
    const auto now = std::chrono::steady_clock::now();
    if (now >= nextPrune) {
      nextPrune = now + options_.pruneEvery;
      (void)log_.pruneChanges(clock_.nowSeconds() - options_.keep.count());
    }
    if (now >= nextCheckpoint) {
      nextCheckpoint = now + options_.checkpointEvery;
      checkpoints.note(log_.checkpoint());
    }
    lock.lock();
    // A full batch means more are waiting: read again at once.
    if (r && *r == options_.batch) continue;
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

void SqliteChangeFeed::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace latch::store
