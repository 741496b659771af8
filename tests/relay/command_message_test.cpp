#include "relay/command_message.hpp"

#include <gtest/gtest.h>

namespace latch::relay {
namespace {

TEST(CommandMessageTest, ReadsHomeDeviceCommandAndArgs) {
  auto m =
      parseCommandMessage(R"({"home":"h_1","device":"d_1","command":"SET_TEMP","args":[21,"C"]})");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->home, "h_1");
  EXPECT_EQ(m->device, "d_1");
  EXPECT_EQ(m->command, "SET_TEMP");
  EXPECT_EQ(m->args.size(), 2u);
  EXPECT_FALSE(m->queue);
}

TEST(CommandMessageTest, ArgsMayBeOmitted) {
  auto m = parseCommandMessage(R"({"home":"h","device":"d","command":"OPEN_DOOR"})");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->args.empty());
}

TEST(CommandMessageTest, EachBrokenRuleIsRefusedWithItsReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"nope", "not valid JSON"},
      {"[1]", "not a JSON object"},
      {R"({"home":"h","device":"d"})", "needs home, device and command"},
      {R"({"home":"h","device":"d","command":"open_door"})", "invalid command name"},
      {R"({"home":"h","device":"d","command":""})", "invalid command name"},
      {R"({"home":"","device":"d","command":"X"})", "invalid home or device id"},
      {R"({"home":1,"device":"d","command":"X"})", "must be strings"},
      {R"({"home":"h","device":"d","command":"X","args":{}})", "args must be an array"},
      {R"({"home":"h","device":"d","command":"X","queue":"yes"})", "queue must be a boolean"},
      {R"({"home":"h","device":"d","command":"X","sudo":true})", "unknown field"},
  };
  for (const auto& [text, reason] : cases) {
    auto m = parseCommandMessage(text);
    ASSERT_FALSE(m) << text;
    EXPECT_NE(m.error().message.find(reason), std::string::npos) << m.error().message;
  }
  EXPECT_FALSE(parseCommandMessage(R"({"home":")" + std::string(65, 'h') +
                                   R"(","device":"d","command":"X"})"));
  EXPECT_FALSE(isValidCommandName(std::string(65, 'A')));
  EXPECT_TRUE(isValidCommandName(std::string(64, 'A')));
}

}  // namespace
}  // namespace latch::relay
