#include "common/limits.hpp"

#include <gtest/gtest.h>

namespace latch {
namespace {

TEST(Limits, DefaultsAreValidAndMatchTheSpec) {
  const Limits l;
  EXPECT_EQ(l.validate(), "");
  EXPECT_EQ(l.handshakeTimeout, Millis(15000));
  EXPECT_EQ(l.keepAliveInterval, Millis(15000));
  EXPECT_EQ(l.clientTimeout, Millis(30000));
  EXPECT_EQ(l.maxMessageBytes, 32u * 1024);
  EXPECT_EQ(l.longPollTimeout, Millis(90000));
  EXPECT_EQ(l.maxBacklogBytes, 1024u * 1024);
}

TEST(Limits, RejectsClientTimeoutNotAboveKeepAlive) {
  Limits l;
  l.clientTimeout = l.keepAliveInterval;
  EXPECT_NE(l.validate().find("client_timeout_ms"), std::string::npos);
}

TEST(Limits, RejectsBacklogSmallerThanAMessage) {
  Limits l;
  l.maxBacklogBytes = l.maxMessageBytes - 1;
  EXPECT_NE(l.validate().find("max_backlog_bytes"), std::string::npos);
}

TEST(Limits, RejectsZeroConnections) {
  Limits l;
  l.maxConnections = 0;
  EXPECT_NE(l.validate(), "");
}

}  // namespace
}  // namespace latch
