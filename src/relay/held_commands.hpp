#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace latch::hub {
class HubConnection;
}

namespace latch::relay {

// Commands sent with "queue": true to a device that is offline (SPEC section 5), waiting for
// it to connect or for their envelope's exp, in arrival order per device, with a cap per
// device, one per home (so one home's devices cannot fill the queue for the others) and one
// in all. Knows nothing of what a command is: `Command` is whatever the
// relay keeps for one. Every take*() hands each held command out once, so whoever takes it
// owns its single outcome. Thread-safe; never calls out while locked.
template <class Command>
class HeldCommands {
 public:
  struct Held {
    std::int64_t expMs = 0;  // the user's envelope exp, ms since the epoch
    // Who sent it, to drop it when that connection closes. Compared, never dereferenced.
    const hub::HubConnection* caller = nullptr;
    Command command;
  };

  enum class Admission {
    Held,
    DeviceFull,  // `maxPerDevice` already held for this device
    HomeFull,    // `maxPerHome` already held for the devices of this home
    AllFull,     // `maxTotal` already held in all
  };

  HeldCommands(std::size_t maxPerDevice, std::size_t maxTotal,
               std::size_t maxPerHome = std::numeric_limits<std::size_t>::max())
      : maxPerDevice_(maxPerDevice), maxPerHome_(maxPerHome), maxTotal_(maxTotal) {}

  // Holds `held` behind the device's earlier ones, or says which cap refused it (then
  // `held` is left unmoved, for the caller to finish). A device belongs to one home.
  Admission hold(const std::string& homeId, const std::string& deviceId, Held&& held) {
    std::lock_guard lock(mu_);
    auto it = byDevice_.find(deviceId);
    if ((it == byDevice_.end() ? 0 : it->second.queue.size()) >= maxPerDevice_) {
      return Admission::DeviceFull;
    }
    const auto home = byHome_.find(homeId);
    if (home != byHome_.end() && home->second >= maxPerHome_) return Admission::HomeFull;
    if (total_ >= maxTotal_) return Admission::AllFull;
    if (it == byDevice_.end()) it = byDevice_.emplace(deviceId, Queue{homeId, {}}).first;
    earliestExpMs_ = std::min(earliestExpMs_, held.expMs);
    it->second.queue.push_back(std::move(held));
    ++byHome_[it->second.home];
    ++total_;
    return Admission::Held;
  }

  // Everything held for the device, oldest first.
  std::vector<Held> takeForDevice(std::string_view deviceId) {
    std::vector<Held> out;
    std::lock_guard lock(mu_);
    const auto it = byDevice_.find(deviceId);
    if (it == byDevice_.end()) return out;
    out.assign(std::make_move_iterator(it->second.queue.begin()),
               std::make_move_iterator(it->second.queue.end()));
    total_ -= out.size();
    release(it->second.home, out.size());
    byDevice_.erase(it);
    return out;
  }

  // Everything whose exp is at or before `nowMs`: it may no longer run.
  std::vector<Held> takeExpired(std::int64_t nowMs) {
    return takeIf([nowMs](const Held& h) { return h.expMs <= nowMs; }, nowMs);
  }

  // Everything `caller` sent: nobody is left to tell the outcome to.
  std::vector<Held> takeFromCaller(const hub::HubConnection* caller) {
    return takeIf([caller](const Held& h) { return h.caller == caller; });
  }

  // Everything (shutdown).
  std::vector<Held> takeAll() {
    return takeIf([](const Held&) { return true; });
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return total_;
  }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
  struct Queue {
    std::string home;
    std::deque<Held> queue;
  };

  void release(const std::string& home, std::size_t n) {
    const auto it = byHome_.find(home);
    if (it == byHome_.end()) return;
    it->second -= std::min(it->second, n);
    if (it->second == 0) byHome_.erase(it);
  }

  // Takes what `match` selects. `nowMs` (expiry sweeps only) skips the scan while nothing
  // can have expired yet: the sweep runs on every tick, several times a second.
  template <class Match>
  std::vector<Held> takeIf(Match match, std::int64_t nowMs = kNever) {
    std::vector<Held> out;
    std::lock_guard lock(mu_);
    if (total_ == 0 || nowMs < earliestExpMs_) return out;
    std::int64_t earliest = kNever;
    for (auto it = byDevice_.begin(); it != byDevice_.end();) {
      auto& queue = it->second.queue;
      std::size_t taken = 0;
      for (auto h = queue.begin(); h != queue.end();) {
        if (match(*h)) {
          out.push_back(std::move(*h));
          h = queue.erase(h);
          ++taken;
        } else {
          earliest = std::min(earliest, h->expMs);
          ++h;
        }
      }
      release(it->second.home, taken);
      it = queue.empty() ? byDevice_.erase(it) : std::next(it);
    }
    total_ -= out.size();
    earliestExpMs_ = earliest;
    return out;
  }

  const std::size_t maxPerDevice_;
  const std::size_t maxPerHome_;
  const std::size_t maxTotal_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Queue, StringHash, std::equal_to<>> byDevice_;
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> byHome_;
  std::size_t total_ = 0;
  // No held command expires before this (a lower bound: takeForDevice leaves it as it was).
  std::int64_t earliestExpMs_ = kNever;
};

}  // namespace latch::relay
