#pragma once

#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "store/store_error.hpp"

namespace latch::store {

// Logs the outcome of an operation repeated on a timer (a poll, a checkpoint) once per
// outage: the first failure at error with its reason, the recovery at info, nothing while it
// keeps failing or keeps working. Not thread-safe: one per loop.
class OutageLog {
 public:
  // `failing`: "cannot read the change log"; `recovered`: "the change log is readable again".
  OutageLog(std::string failing, std::string recovered)
      : failing_(std::move(failing)), recovered_(std::move(recovered)) {}

  template <class T>
  void note(const StoreResult<T>& result) {
    if (!result && !down_) spdlog::error("{}: {}", failing_, result.error().message);
    if (result && down_) spdlog::info("{}", recovered_);
    down_ = !result;
  }

 private:
  std::string failing_;
  std::string recovered_;
  bool down_ = false;
};

}  // namespace latch::store
