#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace latch::relay {

struct RefusalBudgetOptions {
  // Refusals of one subject audited (and logged) per window; past it the subject's
  // connection is closed and further refusals in the window are only counted.
  std::size_t perWindow = 30;
  std::int64_t windowMs = 10'000;
  // Subjects tracked at once; when full the window that started first is ended early.
  std::size_t maxSubjects = 10'000;
};

// Keeps refused requests from costing disk without limit: each subject's refusals (denied,
// invalid, replayed) are audited up to a budget per window; past it they are counted, and
// one summary record per window says how many were not written. Times are monotonic
// milliseconds. Thread-safe.
class RefusalBudget {
 public:
  enum class Verdict {
    Audit,     // within the budget: audit and log it
    Exceeded,  // the first past the budget: audit it, and close the subject's connection
    Silent,    // later in the same window: neither audit nor log; close the connection
  };

  // The refusals a window did not write.
  struct Suppressed {
    std::string subject;
    std::size_t count = 0;
  };

  explicit RefusalBudget(RefusalBudgetOptions options = {}) : options_(options) {}

  Verdict note(std::string_view subject, std::int64_t nowMs);

  // The windows ended by `nowMs` that suppressed refusals, one summary each; ended windows
  // are forgotten.
  std::vector<Suppressed> takeEnded(std::int64_t nowMs);

  std::size_t size() const;

 private:
  struct Window {
    std::int64_t startMs = 0;
    std::size_t refusals = 0;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void endWindow(const std::string& subject, const Window& w);

  const RefusalBudgetOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Window, StringHash, std::equal_to<>> windows_;
  std::vector<Suppressed> ended_;  // windows ended early (eviction, a new window)
};

}  // namespace latch::relay
