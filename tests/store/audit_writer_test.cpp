#include "store/audit_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/store_test.hpp"

namespace latch::store {
namespace {

class AuditWriterTest : public testing::StoreTest {};

AuditRecord numbered(int thread, int i) {
  AuditRecord r;
  r.timeMs = 1'764'405'600'000 + i;
  r.kind = "command";
  r.actor = "t" + std::to_string(thread);
  r.action = std::to_string(i);
  r.outcome = "ok";
  return r;
}

// A tiny queue forces the back-pressure path (the caller writes itself) under two threads:
// every record lands, each thread's in its own order, and the chain stays intact.
TEST_F(AuditWriterTest, NothingIsDroppedWhenTheQueueIsFull) {
  auto store = open();
  {
    AuditWriter writer(store, {.maxBatch = 16, .highWater = 1, .hardCap = 2});
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&writer, t] {
        for (int i = 0; i < 300; ++i) writer.record(numbered(t, i));
      });
    }
    for (auto& th : threads) th.join();
    writer.flush();
  }
  auto records = store.listAudit(std::nullopt, SIZE_MAX);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 600u);
  int next[2] = {0, 0};
  for (const auto& r : *records) {
    const int t = r.actor == "t0" ? 0 : 1;
    EXPECT_EQ(r.action, std::to_string(next[t]++));
  }
  EXPECT_TRUE(store.verifyAudit()->intact);
}

TEST_F(AuditWriterTest, DestroyingTheWriterWritesWhatIsQueued) {
  auto store = open();
  {
    AuditWriter writer(store);
    for (int i = 0; i < 100; ++i) writer.record(numbered(0, i));
  }
  EXPECT_EQ(store.listAudit(std::nullopt, SIZE_MAX)->size(), 100u);
}

// Each callback runs after its record's transaction: the record is in the store by then.
class SeesItsRecord final : public AuditCallback {
 public:
  SeesItsRecord(AuditStore& store, std::string action)
      : store_(store), action_(std::move(action)) {}
  void onAudited(bool committed) override {
    auto records = store_.listAudit(std::nullopt, SIZE_MAX);
    found = committed && records &&
            std::any_of(records->begin(), records->end(),
                        [&](const AuditRecord& r) { return r.action == action_; });
    calls++;
  }
  bool found = false;
  int calls = 0;

 private:
  AuditStore& store_;
  std::string action_;
};

// Holds the writer's thread in its callback until the test lets it go: what is recorded
// meanwhile queues up, as when the disk is slow.
class Holder final : public AuditCallback {
 public:
  void onAudited(bool) override {
    entered.set_value();
    release.get_future().wait();
  }
  std::promise<void> entered;
  std::promise<void> release;
};

TEST_F(AuditWriterTest, CallbacksRunOnceTheirRecordIsCommittedAndWaitingOnesShareATransaction) {
  auto store = open();
  std::vector<std::shared_ptr<SeesItsRecord>> callbacks;
  std::size_t batches = 0;
  {
    AuditWriter writer(store);
    auto holder = std::make_shared<Holder>();
    writer.commit(numbered(9, 0), holder);
    holder->entered.get_future().wait();
    for (int i = 0; i < 2000; ++i) {
      char action[16];
      std::snprintf(action, sizeof action, "%05d", i);
      auto r = numbered(0, i);
      r.action = action;
      callbacks.push_back(std::make_shared<SeesItsRecord>(store, action));
      writer.commit(std::move(r), callbacks.back());
    }
    EXPECT_EQ(callbacks.front()->calls, 0);
    holder->release.set_value();
    writer.flush();
    batches = writer.batchesWritten();
  }
  for (const auto& c : callbacks) {
    EXPECT_EQ(c->calls, 1);
    EXPECT_TRUE(c->found);
  }
  // The held one, then 2000 in transactions of at most 1024.
  EXPECT_EQ(batches, 3u);
  EXPECT_TRUE(store.verifyAudit()->intact);
}

TEST_F(AuditWriterTest, AdmittingTurnsFalseAtTheHighWaterMark) {
  auto store = open();
  AuditWriter writer(store, {.maxBatch = 4, .highWater = 3, .hardCap = 100});
  auto holder = std::make_shared<Holder>();
  writer.commit(numbered(9, 0), holder);
  holder->entered.get_future().wait();
  EXPECT_TRUE(writer.admitting());
  for (int i = 0; i < 3; ++i) writer.record(numbered(0, i));
  EXPECT_FALSE(writer.admitting());
  holder->release.set_value();
  writer.flush();
  EXPECT_TRUE(writer.admitting());
  EXPECT_EQ(store.listAudit(std::nullopt, SIZE_MAX)->size(), 4u);
}

// Under load (several records waiting just after a batch) the writer waits for more before
// committing: the two that queued behind a held batch and five more arriving 5 ms apart, far
// slower than a commit, share one transaction.
TEST_F(AuditWriterTest, UnderLoadTheWriterLingersForMoreRecords) {
  auto store = open();
  AuditWriter writer(store, {.linger = std::chrono::milliseconds(200)});
  auto holder = std::make_shared<Holder>();
  writer.commit(numbered(9, 0), holder);
  holder->entered.get_future().wait();
  writer.record(numbered(0, 0));
  writer.record(numbered(0, 1));
  holder->release.set_value();
  for (int i = 2; i < 7; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(i == 2 ? 1 : 5));
    writer.record(numbered(0, i));
  }
  writer.flush();
  // The held one, then the seven together.
  EXPECT_EQ(writer.batchesWritten(), 2u);
  EXPECT_EQ(store.listAudit(std::nullopt, SIZE_MAX)->size(), 8u);
}

// One caller at a time (each record arrives alone after a batch of one) never waits for the
// linger: four records, each flushed alone, take about one commit each, not 200 ms each.
TEST_F(AuditWriterTest, ARecordArrivingAloneAfterABatchOfOneIsNotHeldBack) {
  auto store = open();
  AuditWriter writer(store, {.linger = std::chrono::milliseconds(200)});
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    writer.record(numbered(0, i));
    writer.flush();
  }
  EXPECT_EQ(writer.batchesWritten(), 4u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
}

TEST_F(AuditWriterTest, WithoutLingerEachRecordThatArrivesAloneIsCommittedAtOnce) {
  auto store = open();
  AuditWriter writer(store, {.linger = std::chrono::microseconds(0)});
  for (int i = 0; i < 4; ++i) {
    writer.record(numbered(0, i));
    writer.flush();
  }
  EXPECT_EQ(writer.batchesWritten(), 4u);
}

}  // namespace
}  // namespace latch::store
