#include "relay/refusal_budget.hpp"

#include <algorithm>
#include <utility>

namespace latch::relay {

void RefusalBudget::endWindow(const std::string& subject, const Window& w) {
  if (w.refusals <= options_.perWindow + 1) return;
  const std::size_t suppressed = w.refusals - options_.perWindow - 1;
  // Bounded too: past maxSubjects summaries waiting, they are merged into one.
  if (ended_.size() >= options_.maxSubjects) {
    ended_.back().subject = "(several subjects)";
    ended_.back().count += suppressed;
    return;
  }
  ended_.push_back(Suppressed{subject, suppressed});
}

RefusalBudget::Verdict RefusalBudget::note(std::string_view subject, std::int64_t nowMs) {
  std::lock_guard lock(mu_);
  auto it = windows_.find(subject);
  if (it == windows_.end()) {
    if (windows_.size() >= options_.maxSubjects) {
      const auto oldest = std::min_element(
          windows_.begin(), windows_.end(),
          [](const auto& a, const auto& b) { return a.second.startMs < b.second.startMs; });
      endWindow(oldest->first, oldest->second);
      windows_.erase(oldest);
    }
    it = windows_.emplace(std::string(subject), Window{nowMs, 0}).first;
  } else if (nowMs - it->second.startMs >= options_.windowMs) {
    endWindow(it->first, it->second);
    it->second = Window{nowMs, 0};
  }
  const std::size_t n = ++it->second.refusals;
  if (n <= options_.perWindow) return Verdict::Audit;
  return n == options_.perWindow + 1 ? Verdict::Exceeded : Verdict::Silent;
}

std::vector<RefusalBudget::Suppressed> RefusalBudget::takeEnded(std::int64_t nowMs) {
  std::lock_guard lock(mu_);
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (nowMs - it->second.startMs >= options_.windowMs) {
      endWindow(it->first, it->second);
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
  return std::exchange(ended_, {});
}

std::size_t RefusalBudget::size() const {
  std::lock_guard lock(mu_);
  return windows_.size();
}

}  // namespace latch::relay
