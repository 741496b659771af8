#include "agent/handler_runner.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "agent/utf8.hpp"
#include "support/temp_dir.hpp"

namespace latch::agent {
namespace {

std::string script(const latch::testing::TempDir& dir, const std::string& name,
                   const std::string& body) {
  const auto file = dir.file(name);
  std::ofstream(file) << "#!/bin/sh\n" << body;
  ::chmod(file.c_str(), 0700);
  return file;
}

TEST(HandlerRunnerTest, RunsWithArgvAndEnvironmentAndCapturesBothStreams) {
  latch::testing::TempDir dir;
  const auto program =
      script(dir, "h.sh", "echo \"$# [$1] [$2] $LATCH_COMMAND\"\necho oops >&2\nexit 4\n");
  auto run = runHandler(program, {"a b", "$(id)"}, {"LATCH_COMMAND=OPEN_DOOR"}, {});
  ASSERT_EQ(run.end, HandlerRun::End::Exited) << run.error;
  EXPECT_EQ(run.exitCode, 4);
  EXPECT_EQ(run.output, "2 [a b] [$(id)] OPEN_DOOR\noops\n");
  EXPECT_FALSE(run.truncated);
}

TEST(HandlerRunnerTest, OutputBeyondTheLimitIsDroppedWithoutBlockingTheHandler) {
  latch::testing::TempDir dir;
  const auto program =
      script(dir, "big.sh", "head -c 1000000 /dev/zero | tr '\\0' x\necho done >&2\n");
  HandlerLimits limits;
  limits.maxOutputBytes = 100;
  auto run = runHandler(program, {}, {}, limits);
  ASSERT_EQ(run.end, HandlerRun::End::Exited);
  EXPECT_EQ(run.exitCode, 0);
  EXPECT_EQ(run.output, std::string(100, 'x'));
  EXPECT_TRUE(run.truncated);
}

TEST(HandlerRunnerTest, AHangingHandlerAndWhatItStartedAreKilledAtTheTimeout) {
  latch::testing::TempDir dir;
  const auto pidFile = dir.file("child.pid");
  const auto program =
      script(dir, "hang.sh", "sleep 60 &\necho $! > '" + pidFile + "'\necho started\nwait\n");
  HandlerLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  auto run = runHandler(program, {}, {"PATH=/usr/bin:/bin"}, limits);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(run.end, HandlerRun::End::TimedOut);
  EXPECT_EQ(run.output, "started\n");
  pid_t child = 0;
  std::ifstream(pidFile) >> child;
  ASSERT_GT(child, 0);
  // The background sleep was in the handler's process group: it is gone too (maybe a zombie
  // of init for a moment).
  for (int i = 0; i < 100 && ::kill(child, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::ifstream status("/proc/" + std::to_string(child) + "/status");
  std::string line;
  bool alive = false;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0) alive = line.find('Z') == std::string::npos;
  }
  EXPECT_FALSE(alive);
}

TEST(HandlerRunnerTest, AProgramThatCannotStartSaysWhy) {
  auto run = runHandler("/nonexistent/handler", {}, {}, {});
  EXPECT_EQ(run.end, HandlerRun::End::NotStarted);
  EXPECT_NE(run.error.find("/nonexistent/handler"), std::string::npos);
}

TEST(Utf8Test, InvalidSequencesBecomeReplacementCharacters) {
  EXPECT_EQ(toValidUtf8("plain"), "plain");
  EXPECT_EQ(toValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91");
  EXPECT_EQ(toValidUtf8("a\xFF"
                        "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(toValidUtf8("\xC3"), "\xEF\xBF\xBD");                                  // cut short
  EXPECT_EQ(toValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(toValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
}

}  // namespace
}  // namespace latch::agent
