#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/audit_store.hpp"

namespace latch::store {

// Told when a record has reached the store.
class AuditCallback {
 public:
  virtual ~AuditCallback() = default;
  // On the writer's thread, right after the transaction holding the record: `committed` is
  // false if the store refused it (disk full, I/O error; the record is in the log).
  virtual void onAudited(bool committed) = 0;
};

// Where the relay reports what happened. Thread-safe; never waits for the disk, except past
// a hard cap (see AuditWriterOptions).
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Appends `record` later, in call order.
  virtual void record(AuditRecord record) = 0;
  // The same, then `then->onAudited()` once it is committed.
  virtual void commit(AuditRecord record, std::shared_ptr<AuditCallback> then) = 0;
  // False while the records waiting are past the high-water mark: the disk is not keeping
  // up, and new work that would add records should be refused.
  virtual bool admitting() const = 0;
};

struct AuditWriterOptions {
  // Records per transaction at most: one commit covers everything that arrived meanwhile.
  std::size_t maxBatch = 1024;
  // admitting() turns false at this many waiting records (about 300 bytes each).
  std::size_t highWater = 16'384;
  // Past this many, record() and commit() write on the caller's thread instead of queueing:
  // back-pressure rather than unbounded memory or a lost record. Unreachable while callers
  // honour admitting(): each command holds an invocation slot until its record commits.
  std::size_t hardCap = 65'536;
  // Under load (the previous batch held several records and ended less than 2 ms ago), how
  // long the writer waits for more records before committing a batch smaller than maxBatch:
  // fewer, larger transactions (each costs about ten system calls) for at most this much more
  // latency. A record that arrives alone after a batch of one is committed at once: one caller
  // at a time gains nothing from the wait, which costs it far more than `linger` (a timed
  // sleep and a wake-up; on a virtual machine several hundred microseconds).
  std::chrono::microseconds linger{200};
};

// Appends audit records to the store from its own thread with group commit: one transaction
// per batch of whatever is waiting, in call order, so network threads never wait for a disk
// write and the disk sees one commit however many commands arrived meanwhile. flush() and the
// destructor write everything still queued.
class AuditWriter final : public AuditSink {
 public:
  explicit AuditWriter(AuditStore& store, AuditWriterOptions options = {});
  ~AuditWriter() override;

  void record(AuditRecord record) override;
  void commit(AuditRecord record, std::shared_ptr<AuditCallback> then) override;
  bool admitting() const override;

  // Returns once every record passed before the call is in the store and its callback ran.
  void flush();
  // Transactions written so far (for tests and figures).
  std::size_t batchesWritten() const;

 private:
  struct Pending {
    AuditRecord record;
    std::shared_ptr<AuditCallback> then;
  };

  void run();
  void writeBatch(std::vector<Pending>& batch);

  AuditStore& store_;
  const AuditWriterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<Pending> queue_;
  // queue_.size(), readable without the lock: admitting() is asked once per command.
  std::atomic<std::size_t> queued_{0};
  std::size_t writing_ = 0;  // records taken by the thread, not yet written
  std::size_t batches_ = 0;
  bool stopping_ = false;
  std::mutex writeMu_;  // one writer at a time keeps the order
  std::thread thread_;
};

}  // namespace latch::store
