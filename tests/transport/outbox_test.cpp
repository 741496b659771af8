#include "transport/outbox.hpp"

#include <gtest/gtest.h>

namespace latch::transport {
namespace {

TEST(Outbox, FirstPushWakesTheWriterLaterOnesDoNot) {
  Outbox o(100);
  EXPECT_EQ(o.push("a"), Outbox::Push::QueuedAndWake);
  EXPECT_EQ(o.push("b"), Outbox::Push::Queued);
  EXPECT_EQ(o.take(), "ab");
  // The writer is busy with "ab": new data waits for its next take().
  EXPECT_EQ(o.push("c"), Outbox::Push::Queued);
  EXPECT_EQ(o.take(), "c");
  EXPECT_EQ(o.take(), "");  // idle now
  EXPECT_EQ(o.push("d"), Outbox::Push::QueuedAndWake);
}

TEST(Outbox, RefusesBytesBeyondTheBound) {
  Outbox o(4);
  EXPECT_EQ(o.push("abc"), Outbox::Push::QueuedAndWake);
  EXPECT_EQ(o.push("de"), Outbox::Push::Overflow);
  EXPECT_EQ(o.queuedBytes(), 3u);
  EXPECT_EQ(o.push("d"), Outbox::Push::Queued);
  EXPECT_EQ(o.take(), "abcd");
  EXPECT_EQ(o.push("efgh"), Outbox::Push::Queued);  // room again once taken
}

TEST(Outbox, ClosedRefusesPushesButKeepsQueuedBytes) {
  Outbox o(10);
  (void)o.push("x");
  o.close();
  EXPECT_TRUE(o.closed());
  EXPECT_EQ(o.push("y"), Outbox::Push::Closed);
  EXPECT_EQ(o.take(), "x");
}

}  // namespace
}  // namespace latch::transport
