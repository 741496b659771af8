#include "store/audit_writer.hpp"

#include <spdlog/spdlog.h>

namespace latch::store {

AuditWriter::AuditWriter(AuditStore& store, std::size_t maxQueued)
    : store_(store), maxQueued_(maxQueued), thread_([this] { run(); }) {}

AuditWriter::~AuditWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void AuditWriter::record(AuditRecord record) {
  {
    std::unique_lock lock(mu_);
    if (queue_.size() < maxQueued_) {
      queue_.push_back(std::move(record));
      lock.unlock();
      wake_.notify_one();
      return;
    }
  }
  // The queue is full: this caller waits for the store rather than losing the record. The
  // queued records go first, to keep the order.
  flush();
  std::vector<AuditRecord> one;
  one.push_back(std::move(record));
  writeBatch(one);
}

void AuditWriter::flush() {
  std::unique_lock lock(mu_);
  wake_.notify_one();
  drained_.wait(lock, [this] { return queue_.empty() && writing_ == 0; });
}

void AuditWriter::writeBatch(std::vector<AuditRecord>& batch) {
  std::lock_guard lock(writeMu_);
  if (auto r = store_.appendAll(std::move(batch)); !r) {
    // The store refused (disk full, I/O error): say so loudly; the records are also in the log.
    spdlog::error("audit: cannot append to the store: {}", r.error().message);
  }
}

void AuditWriter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) break;
    std::vector<AuditRecord> batch;
    batch.reserve(std::min<std::size_t>(queue_.size(), 512));
    while (!queue_.empty() && batch.size() < 512) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    writing_ = batch.size();
    lock.unlock();
    writeBatch(batch);
    lock.lock();
    writing_ = 0;
    if (queue_.empty()) drained_.notify_all();
  }
  drained_.notify_all();
}

}  // namespace latch::store
