#include "auth/revocation_watcher.hpp"

#include <spdlog/spdlog.h>

namespace latch::auth {

RevocationWatcher::RevocationWatcher(store::RevocationStore& store, RevocationList& list,
                                     const WallClock& clock, std::chrono::milliseconds interval)
    : store_(store), list_(list), clock_(clock), interval_(interval) {}

RevocationWatcher::~RevocationWatcher() { stop(); }

store::StoreResult<void> RevocationWatcher::start() {
  if (auto r = pollOnce(); !r) return r.error();
  thread_ = std::thread([this] { run(); });
  return {};
}

store::StoreResult<bool> RevocationWatcher::pollOnce() {
  auto revision = store_.revocationRevision();
  if (!revision) return revision.error();
  // Lapsed jti entries may stay in the list until the next change: they only name tokens
  // that have expired anyway.
  if (loaded_ && *revision == list_.revision()) return false;
  auto revocations = store_.loadRevocations(clock_.nowSeconds());
  if (!revocations) return revocations.error();
  list_.replace(*revocations);
  loaded_ = true;
  return true;
}

void RevocationWatcher::run() {
  bool failing = false;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    auto r = pollOnce();
    lock.lock();
    if (!r && !failing) {
      // Keep enforcing the last list; say so once, not every interval.
      spdlog::error("revocations: cannot read the store: {}", r.error().message);
    } else if (r && failing) {
      spdlog::info("revocations: the store is readable again");
    }
    failing = !r;
  }
}

void RevocationWatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace latch::auth
