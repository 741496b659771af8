#include "relay/refusal_budget.hpp"

#include <gtest/gtest.h>

namespace latch::relay {
namespace {

using Verdict = RefusalBudget::Verdict;

TEST(RefusalBudgetTest, ASubjectIsAuditedUpToItsBudgetThenClosedThenCounted) {
  RefusalBudget budget({3, 1'000, 100});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(budget.note("mallory", i), Verdict::Audit);
  EXPECT_EQ(budget.note("mallory", 10), Verdict::Exceeded);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(budget.note("mallory", 20), Verdict::Silent);
  EXPECT_EQ(budget.note("alice", 20), Verdict::Audit);  // others keep their own budget
  EXPECT_TRUE(budget.takeEnded(999).empty());           // the window is still open
  const auto ended = budget.takeEnded(1'000);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].subject, "mallory");
  EXPECT_EQ(ended[0].count, 100u);
  EXPECT_EQ(budget.size(), 1u);  // alice's window, opened at 20, is still open
  EXPECT_EQ(budget.note("mallory", 1'001), Verdict::Audit);  // a new window
}

TEST(RefusalBudgetTest, AWindowEndedByTheNextRefusalIsStillSummarised) {
  RefusalBudget budget({1, 1'000, 100});
  EXPECT_EQ(budget.note("m", 0), Verdict::Audit);
  EXPECT_EQ(budget.note("m", 1), Verdict::Exceeded);
  EXPECT_EQ(budget.note("m", 2), Verdict::Silent);
  EXPECT_EQ(budget.note("m", 5'000), Verdict::Audit);
  const auto ended = budget.takeEnded(5'001);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].count, 1u);
}

TEST(RefusalBudgetTest, MemoryIsBoundedWhateverTheNumberOfSubjects) {
  RefusalBudget budget({1, 1'000'000, 10});
  for (int i = 0; i < 1000; ++i) {
    const auto s = "s" + std::to_string(i);
    budget.note(s, i);
    budget.note(s, i);
    budget.note(s, i);  // one suppressed each
  }
  EXPECT_LE(budget.size(), 10u);
  const auto ended = budget.takeEnded(0);
  EXPECT_LE(ended.size(), 10u);
  std::size_t total = 0;
  for (const auto& e : ended) total += e.count;
  EXPECT_EQ(total, 990u);  // every evicted window's suppressed refusal is counted
}

}  // namespace
}  // namespace latch::relay
