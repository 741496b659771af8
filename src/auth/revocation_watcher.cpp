#include "auth/revocation_watcher.hpp"

#include "store/outage_log.hpp"

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
  // While the store cannot be read, the last list stays enforced.
  store::OutageLog reads("revocations: cannot read the store",
                         "revocations: the store is readable again");
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    reads.note(pollOnce());
    lock.lock();
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
