#include "transport/request_target.hpp"

#include <gtest/gtest.h>

namespace latch::transport {
namespace {

TEST(RequestTarget, SplitsPathAndDecodesParameters) {
  auto t = parseRequestTarget("/hubs/command?id=a%2Bb&negotiateVersion=1&flag");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/hubs/command");
  EXPECT_EQ(*t->param("id"), "a+b");
  EXPECT_EQ(*t->param("negotiateVersion"), "1");
  EXPECT_EQ(*t->param("flag"), "");
  EXPECT_FALSE(t->param("missing"));
}

TEST(RequestTarget, RepeatedParameterCountsAsMissing) {
  auto t = parseRequestTarget("/hubs/command?id=a&id=b");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->param("id"));
}

TEST(RequestTarget, RefusesTargetsThatAreNotOriginForm) {
  EXPECT_FALSE(parseRequestTarget("http://example.com/x"));
  EXPECT_FALSE(parseRequestTarget("hubs/command"));
  EXPECT_FALSE(parseRequestTarget("/a b"));
  EXPECT_FALSE(parseRequestTarget("/x?id=%zz"));
}

}  // namespace
}  // namespace latch::transport
