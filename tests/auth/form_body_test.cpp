#include "auth/form_body.hpp"

#include <gtest/gtest.h>

namespace latch::auth {
namespace {

TEST(FormBodyTest, DecodesPercentEscapesAndPlus) {
  auto form =
      FormBody::parse("grant_type=client_credentials&client_id=d_1&client_secret=a%2Bb+c%3D");
  ASSERT_TRUE(form);
  EXPECT_EQ(*form->get("grant_type"), "client_credentials");
  EXPECT_EQ(*form->get("client_id"), "d_1");
  EXPECT_EQ(*form->get("client_secret"), "a+b c=");
  EXPECT_FALSE(form->get("missing"));
}

TEST(FormBodyTest, EmptyValuesAndEmptyPairsAreFine) {
  auto form = FormBody::parse("a=&&b");
  ASSERT_TRUE(form);
  EXPECT_EQ(*form->get("a"), "");
  EXPECT_EQ(*form->get("b"), "");
  EXPECT_TRUE(FormBody::parse(""));
}

TEST(FormBodyTest, BrokenEncodingsAndRepeatsAreRefused) {
  for (const char* body : {"a=%", "a=%4", "a=%zz", "%zz=1", "=value", "a=1&a=2", "a=1&%61=2"}) {
    EXPECT_FALSE(FormBody::parse(body)) << body;
  }
}

TEST(FormBodyTest, TooManyParametersAreRefused) {
  std::string body;
  for (int i = 0; i < 33; ++i) body += "p" + std::to_string(i) + "=1&";
  EXPECT_FALSE(FormBody::parse(body, 32));
  EXPECT_TRUE(FormBody::parse(body, 33));
}

}  // namespace
}  // namespace latch::auth
