#include "store/audit_writer.hpp"

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
    AuditWriter writer(store, 2);
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

}  // namespace
}  // namespace latch::store
