#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "auth/revocation_list.hpp"
#include "common/wall_clock.hpp"
#include "store/revocation_store.hpp"

namespace latch::auth {

// Keeps a RevocationList in step with a RevocationStore: polls the store's revision every
// `interval` on its own thread and reloads the list when it changed, so a `latch token
// revoke` run by another process takes effect within one interval. The first load happens
// in start(), before any connection is accepted.
class RevocationWatcher {
 public:
  // All references must outlive the watcher; the store is used from the watcher's thread
  // only once start() returned.
  RevocationWatcher(store::RevocationStore& store, RevocationList& list, const WallClock& clock,
                    std::chrono::milliseconds interval);
  ~RevocationWatcher();

  // Loads the list once, then starts polling. An error (the store cannot be read) is for the
  // caller to report: a server must not run without its revocations.
  [[nodiscard]] store::StoreResult<void> start();

  // Reloads now if the store's revision moved. Called by the thread; public for tests.
  [[nodiscard]] store::StoreResult<bool> pollOnce();

  void stop();

 private:
  void run();

  store::RevocationStore& store_;
  RevocationList& list_;
  const WallClock& clock_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool loaded_ = false;
  std::thread thread_;
};

}  // namespace latch::auth
