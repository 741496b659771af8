#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "common/result.hpp"

namespace latch::relay {

enum class ReplayMarkErrc { Io };

// Keeps "once" across restarts. The nonce cache lives in memory, so a restarted server must
// refuse every envelope an earlier run may have accepted: those signed before the restart
// (iat before the start) and those an earlier run accepted with an iat still in the future
// (a client's clock ahead, within the allowed skew). This file, `replay-mark` in the data
// directory, holds a time at or after the iat of every future-dated envelope ever accepted;
// a new run refuses envelopes with iat at or before it. Raising it waits for the disk
// (write and fdatasync), but only when an envelope's iat is beyond the stored mark, and the
// mark is raised a step past that iat, so clients whose clocks run ahead cost one write per
// step (a second), and clients whose clocks do not cost none. Thread-safe.
class ReplayMark {
 public:
  static constexpr std::int64_t kStepMs = 1'000;

  // Opens (creating) the file; reads the mark earlier runs left (0 if none). An unreadable
  // or damaged mark reads as `fallbackMs`: the caller passes a time past which nothing an
  // earlier run accepted can still be live.
  static Result<std::unique_ptr<ReplayMark>, ReplayMarkErrc> open(const std::string& path,
                                                                  std::int64_t fallbackMs);
  ~ReplayMark();
  ReplayMark(const ReplayMark&) = delete;
  ReplayMark& operator=(const ReplayMark&) = delete;

  // What earlier runs left: every envelope they accepted had iat at or before this, or
  // before this run started.
  std::int64_t previous() const { return previous_; }

  // Makes sure the stored mark is at or after `iatMs` before it returns. False if the disk
  // refused (the envelope must then not run).
  bool cover(std::int64_t iatMs);

  // The mark stored now.
  std::int64_t stored() const { return stored_.load(std::memory_order_acquire); }

 private:
  ReplayMark(int fd, std::int64_t previous);
  bool write(std::int64_t markMs);

  const int fd_;
  const std::int64_t previous_;
  std::atomic<std::int64_t> stored_;
  std::mutex writeMu_;
};

}  // namespace latch::relay
