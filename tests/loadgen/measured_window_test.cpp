#include "loadgen/measured_window.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace latch::loadgen {
namespace {

// A pacer may pass its check of the phase just before Done and send one more command: the
// window's stopSending hook runs after Done and before the drain, so the drain waits for that
// command instead of the run stopping its connection under it.
TEST(MeasureWindow, WhatIsSentWhileSendingStopsIsDrainedToo) {
  RunOptions run;
  run.durationSeconds = 0.05;
  run.warmUpSeconds = 0;
  std::atomic<Phase> phase{Phase::WarmUp};
  std::atomic<std::int64_t> outstanding{0};
  Phase phaseAtStop = Phase::WarmUp;
  std::thread answer;
  auto window = measureWindow(run, std::chrono::seconds(5), phase, outstanding, [&] {
    phaseAtStop = phase.load();
    outstanding.fetch_add(1);  // the late command, answered 100 ms later
    answer = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      outstanding.fetch_sub(1);
    });
  });
  const auto leftAtReturn = outstanding.load();
  answer.join();
  ASSERT_TRUE(window) << window.error().message;
  EXPECT_EQ(phaseAtStop, Phase::Done);
  EXPECT_EQ(window->unanswered, 0);
  EXPECT_EQ(leftAtReturn, 0);
}

}  // namespace
}  // namespace latch::loadgen
