#pragma once

#include <cstdint>
#include <span>

#include "store/change_log.hpp"

namespace latch::store {

// Receives a store's changes as they are committed, by any process (or any node).
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  // Changes in commit order, on the feed's thread; each names what to re-read. False when
  // they could not be applied (the store could not be read): the feed delivers them again.
  virtual bool onChanges(std::span<const StoreChange> changes) = 0;
  // Changes may have been missed (the feed fell behind the log, or lost its connection):
  // re-read everything. False when that failed: the feed asks again.
  virtual bool onResync() = 0;
};

// Tells a listener what changed in the store. The SQLite feed polls the change log; a
// PostgreSQL feed would LISTEN for NOTIFY, a cluster backplane would relay another node's.
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // Delivers every change after `cursor` (an AccessSnapshot's changeSeq) to `listener`, from
  // a thread of the feed's own, until stop(). `listener` must outlive the feed's run.
  [[nodiscard]] virtual StoreResult<void> start(ChangeListener& listener, std::uint64_t cursor) = 0;
  // Returns once no listener call is running or will start. Idempotent.
  virtual void stop() = 0;
  // Delivers what is committed now before returning, on the caller's thread: for a reader
  // that missed something that may have been written a moment ago (a device provisioned
  // and connecting at once). One cheap query when nothing is new; callers that arrive while
  // a read is under way share the next one. Thread-safe.
  virtual void catchUp() = 0;
};

}  // namespace latch::store
