#include "common/argument_rules.hpp"

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace latch {
namespace {

using Args = std::vector<std::string>;

ArgumentRule rule(std::string_view text) {
  std::string why;
  auto r = ArgumentRule::parse(text, &why);
  EXPECT_TRUE(r) << text << ": " << why;
  return r ? *r : *ArgumentRule::parse("text...");
}

TEST(ArgumentRulesTest, TheDefaultPolicyRefusesControlCharactersAndCapsCountAndSize) {
  EXPECT_EQ(defaultArgumentProblem({"-rf", "--foo", "two words", "ünïcode"}), std::nullopt);
  for (const char* hostile : {"a\nb", "a\rb", "a\0b", "\x1b[31m", "tab\there", "del\x7f"}) {
    const std::string arg(hostile, std::string_view(hostile) == "a\0b" ? 3 : std::strlen(hostile));
    EXPECT_NE(defaultArgumentProblem({arg}), std::nullopt) << arg;
  }
  EXPECT_EQ(defaultArgumentProblem(Args(16, "x")), std::nullopt);
  EXPECT_EQ(*defaultArgumentProblem(Args(17, "x")), "at most 16 arguments");
  EXPECT_EQ(defaultArgumentProblem({std::string(256, 'x')}), std::nullopt);
  EXPECT_NE(defaultArgumentProblem({std::string(257, 'x')}), std::nullopt);
  EXPECT_NE(defaultArgumentProblem(Args(9, std::string(250, 'x'))), std::nullopt);  // > 2 KiB
}

TEST(ArgumentRulesTest, ShapesMatchWhatTheySay) {
  EXPECT_EQ(rule("int").check({"-42"}), std::nullopt);
  EXPECT_NE(rule("int").check({"4.2"}), std::nullopt);
  EXPECT_NE(rule("int").check({"--1"}), std::nullopt);
  EXPECT_NE(rule("int").check({""}), std::nullopt);
  EXPECT_NE(rule("int").check({"1234567890123456789"}), std::nullopt);  // 19 digits
  EXPECT_EQ(rule("number").check({"-4.25"}), std::nullopt);
  EXPECT_NE(rule("number").check({"4."}), std::nullopt);
  EXPECT_NE(rule("number").check({"1e9"}), std::nullopt);
  EXPECT_EQ(rule("word").check({"living-room.lamp_2"}), std::nullopt);
  EXPECT_NE(rule("word").check({"-rf"}), std::nullopt);
  EXPECT_NE(rule("word").check({"two words"}), std::nullopt);
  EXPECT_NE(rule("word").check({"a/b"}), std::nullopt);
  EXPECT_EQ(rule("one-of:heat|cool|off").check({"cool"}), std::nullopt);
  EXPECT_NE(rule("one-of:heat|cool|off").check({"warm"}), std::nullopt);
  EXPECT_NE(rule("one-of:heat|cool|off").check({"heat|cool"}), std::nullopt);
  EXPECT_EQ(rule("text").check({"anything at all"}), std::nullopt);
  EXPECT_NE(rule("text").check({"but\nnot this"}), std::nullopt);  // the default still holds
}

TEST(ArgumentRulesTest, TheCountIsExactUnlessTheLastShapeRepeats) {
  EXPECT_EQ(rule("none").check({}), std::nullopt);
  EXPECT_EQ(*rule("none").check({"x"}), "takes 0 arguments");
  EXPECT_EQ(rule("word, int").check({"kitchen", "21"}), std::nullopt);
  EXPECT_NE(rule("word, int").check({"kitchen"}), std::nullopt);
  EXPECT_NE(rule("word, int").check({"kitchen", "21", "x"}), std::nullopt);
  EXPECT_EQ(*rule("word,int").check({"kitchen", "hot"}), "argument 2 does not match the rule");
  EXPECT_EQ(*rule("int,word").check({"-rf", "x"}), "argument 1 does not match the rule");
  EXPECT_EQ(rule("word,int...").check({"kitchen"}), std::nullopt);
  EXPECT_EQ(rule("word,int...").check({"kitchen", "1", "2", "3"}), std::nullopt);
  EXPECT_NE(rule("word,int...").check({"kitchen", "1", "x"}), std::nullopt);
  EXPECT_NE(rule("word,int...").check({}), std::nullopt);
  EXPECT_NE(rule("int...").check(Args(17, "1")), std::nullopt);  // within the default caps
}

TEST(ArgumentRulesTest, BadRulesAreRefusedWithAReason) {
  for (const char* bad : {"regex:.*", "int,", "int...,word", "one-of:", "one-of:a||b", "one-of:-x",
                          "integer", "int\n"}) {
    std::string why;
    EXPECT_FALSE(ArgumentRule::parse(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  EXPECT_FALSE(ArgumentRule::parse(std::string(600, 'x')));
  std::string many = "int";
  for (int i = 0; i < 16; ++i) many += ",int";
  EXPECT_FALSE(ArgumentRule::parse(many));
}

TEST(ArgumentRulesTest, JsonArgumentsBecomeTheTextTheHandlerGets) {
  const auto args = boost::json::parse(R"(["a", 7, true, null, {"k": 1}])").as_array();
  EXPECT_EQ(argumentTexts(args), (Args{"a", "7", "true", "null", R"({"k":1})"}));
}

}  // namespace
}  // namespace latch
