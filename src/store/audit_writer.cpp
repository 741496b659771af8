#include "store/audit_writer.hpp"

#include <spdlog/spdlog.h>

namespace latch::store {

AuditWriter::AuditWriter(AuditStore& store, AuditWriterOptions options)
    : store_(store), options_(options), thread_([this] { run(); }) {}

AuditWriter::~AuditWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void AuditWriter::record(AuditRecord record) { commit(std::move(record), nullptr); }

void AuditWriter::commit(AuditRecord record, std::shared_ptr<AuditCallback> then) {
  {
    std::unique_lock lock(mu_);
    if (queue_.size() < options_.hardCap) {
      const bool wasIdle = queue_.empty();
      queue_.push_back(Pending{std::move(record), std::move(then)});
      queued_.store(queue_.size(), std::memory_order_relaxed);
      lock.unlock();
      // The thread is busy writing (or lingering for more) otherwise, and takes the queue
      // when it is done.
      if (wasIdle) wake_.notify_one();
      return;
    }
  }
  // Far past the high-water mark: this caller waits for the store rather than losing the
  // record. The queued records go first, to keep the order.
  flush();
  std::vector<Pending> one;
  one.push_back(Pending{std::move(record), std::move(then)});
  writeBatch(one);
}

bool AuditWriter::admitting() const {
  return queued_.load(std::memory_order_relaxed) < options_.highWater;
}

void AuditWriter::flush() {
  std::unique_lock lock(mu_);
  wake_.notify_one();
  drained_.wait(lock, [this] { return queue_.empty() && writing_ == 0; });
}

std::size_t AuditWriter::batchesWritten() const {
  std::lock_guard lock(mu_);
  return batches_;
}

void AuditWriter::writeBatch(std::vector<Pending>& batch) {
  bool committed = true;
  {
    std::lock_guard lock(writeMu_);
    std::vector<AuditRecord> records;
    records.reserve(batch.size());
    for (auto& p : batch) records.push_back(std::move(p.record));
    if (auto r = store_.appendAll(std::move(records)); !r) {
      // The store refused (disk full, I/O error): say so loudly; the records are in the log.
      spdlog::error("audit: cannot append to the store: {}", r.error().message);
      committed = false;
    }
  }
  for (auto& p : batch) {
    if (p.then) p.then->onAudited(committed);
  }
}

void AuditWriter::run() {
  std::unique_lock lock(mu_);
  std::vector<Pending> batch;
  auto lastEnd = std::chrono::steady_clock::time_point{};
  std::size_t lastSize = 0;
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) break;
    // Several records in the last batch, or several waiting now: callers arrive together.
    const bool concurrent = lastSize > 1 || queue_.size() > 1;
    if (options_.linger.count() > 0 && concurrent && queue_.size() < options_.maxBatch &&
        std::chrono::steady_clock::now() - lastEnd < std::chrono::milliseconds(2)) {
      wake_.wait_for(lock, options_.linger,
                     [this] { return stopping_ || queue_.size() >= options_.maxBatch; });
    }
    batch.clear();
    while (!queue_.empty() && batch.size() < options_.maxBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    queued_.store(queue_.size(), std::memory_order_relaxed);
    writing_ = batch.size();
    lastSize = batch.size();
    lock.unlock();
    writeBatch(batch);
    lock.lock();
    writing_ = 0;
    ++batches_;
    lastEnd = std::chrono::steady_clock::now();
    if (queue_.empty()) drained_.notify_all();
  }
  drained_.notify_all();
}

}  // namespace latch::store
