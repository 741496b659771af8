#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>

#include "store/audit_store.hpp"

namespace latch::store {

// Where the relay reports what happened. Thread-safe; never blocks for long.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void record(AuditRecord record) = 0;
};

// Appends audit records to the store from its own thread, in batches, so that network
// threads never wait for a disk write. Nothing is dropped: when `maxQueued` records are
// waiting, record() writes synchronously instead (back-pressure on a store that cannot keep
// up). Records are appended in the order record() was called. flush()/the destructor write
// everything still queued.
class AuditWriter final : public AuditSink {
 public:
  AuditWriter(AuditStore& store, std::size_t maxQueued = 65536);
  ~AuditWriter() override;

  void record(AuditRecord record) override;

  // Returns once every record passed to record() before the call is in the store.
  void flush();

 private:
  void run();
  void writeBatch(std::vector<AuditRecord>& batch);

  AuditStore& store_;
  const std::size_t maxQueued_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<AuditRecord> queue_;
  std::size_t writing_ = 0;  // records taken by the thread, not yet written
  bool stopping_ = false;
  std::mutex writeMu_;  // one writer at a time keeps the order
  std::thread thread_;
};

}  // namespace latch::store
