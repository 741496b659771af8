#include "auth/strict_json.hpp"

#include <string>

#include <gtest/gtest.h>

namespace latch::auth {
namespace {

AuthErrc errorOf(std::string_view text, StrictJsonLimits limits = {}) {
  auto r = parseStrictJson(text, limits);
  EXPECT_FALSE(r) << text;
  return r ? AuthErrc::Revoked : r.error().code;
}

TEST(StrictJson, ParsesObjectsArraysAndScalars) {
  auto r =
      parseStrictJson(R"({"a":[1,-2,3.5,true,null,"x"],"b":{"c":"d"},"e":18446744073709551615})");
  ASSERT_TRUE(r);
  const auto& o = r->as_object();
  EXPECT_EQ(o.at("a").as_array().size(), 6u);
  EXPECT_EQ(o.at("a").as_array()[1].as_int64(), -2);
  EXPECT_EQ(o.at("b").as_object().at("c").as_string(), "d");
  EXPECT_TRUE(o.at("e").is_uint64());
}

TEST(StrictJson, AcceptsWhitespaceAroundTokens) {
  EXPECT_TRUE(parseStrictJson(" {\r\n \"a\" :\t1 } "));
}

TEST(StrictJson, RejectsDuplicateTopLevelKeys) {
  EXPECT_EQ(errorOf(R"({"sub":"a","sub":"b"})"), AuthErrc::DuplicateKey);
}

TEST(StrictJson, RejectsDuplicateNestedKeys) {
  EXPECT_EQ(errorOf(R"({"a":{"b":1,"c":2,"b":3}})"), AuthErrc::DuplicateKey);
  EXPECT_EQ(errorOf(R"({"a":[{"x":1},{"y":1,"y":2}]})"), AuthErrc::DuplicateKey);
}

TEST(StrictJson, ComparesKeysAfterUnescaping) {
  EXPECT_EQ(errorOf(R"({"sub":"a","s\u0075b":"b"})"), AuthErrc::DuplicateKey);
}

TEST(StrictJson, AllowsTheSameKeyInSiblingObjects) {
  EXPECT_TRUE(parseStrictJson(R"({"a":{"k":1},"b":{"k":2},"k":[{"k":3},{"k":4}]})"));
}

TEST(StrictJson, RejectsInvalidUtf8) {
  EXPECT_EQ(errorOf("{\"a\":\"\xff\"}"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf("{\"\xc3\x28\":1}"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf("{\"a\":\"\xed\xa0\x80\"}"), AuthErrc::Malformed);  // encoded surrogate
}

TEST(StrictJson, RejectsLoneSurrogateEscapes) {
  EXPECT_EQ(errorOf(R"({"a":"\ud800"})"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf(R"({"a":"\udc00x"})"), AuthErrc::Malformed);
}

TEST(StrictJson, AcceptsSurrogatePairEscapes) {
  auto r = parseStrictJson(R"({"a":"\ud83d\ude00"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->as_object().at("a").as_string(), "\xf0\x9f\x98\x80");
}

TEST(StrictJson, LimitsDepth) {
  std::string ok(16, '[');
  ok += std::string(16, ']');
  EXPECT_TRUE(parseStrictJson(ok));
  std::string deep(17, '[');
  deep += std::string(17, ']');
  EXPECT_EQ(errorOf(deep), AuthErrc::Malformed);
}

TEST(StrictJson, LimitsSizeBeforeParsing) {
  EXPECT_EQ(errorOf("[1,2,3]", {.maxBytes = 6}), AuthErrc::TooLarge);
  EXPECT_TRUE(parseStrictJson("[1,2,3]", {.maxBytes = 7}));
}

TEST(StrictJson, RejectsNumbersThatOverflow) {
  EXPECT_EQ(errorOf(R"({"exp":1e400})"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf(R"({"exp":-1e400})"), AuthErrc::Malformed);
}

TEST(StrictJson, RejectsExtensionsAndTrailingData) {
  EXPECT_EQ(errorOf(R"({"a":1,})"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf(R"({"a":1} // c)"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf(R"({"a":1}{"b":2})"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf(R"({'a':1})"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf(R"({"a":NaN})"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf(""), AuthErrc::Malformed);
  EXPECT_EQ(errorOf("{"), AuthErrc::Malformed);
  EXPECT_EQ(errorOf(std::string_view("{}\0", 3)), AuthErrc::Malformed);
}

}  // namespace
}  // namespace latch::auth
