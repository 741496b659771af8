#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <boost/json/array.hpp>

#include "auth/envelope.hpp"
#include "auth/nonce_cache.hpp"
#include "common/clock.hpp"
#include "common/wall_clock.hpp"
#include "hub/hub.hpp"
#include "relay/access_view.hpp"
#include "relay/command_message.hpp"
#include "relay/connection_directory.hpp"
#include "relay/held_commands.hpp"
#include "relay/refusal_budget.hpp"
#include "relay/replay_mark.hpp"
#include "store/audit_writer.hpp"

namespace latch::relay {

struct RelayOptions {
  auth::EnvelopeOptions envelope;
  // Longest wait for a device's Execute result, whatever the envelope allows.
  Millis maxExecuteTimeout = Millis(30'000);
  // Largest device output passed back to the caller; longer output is refused as garbage.
  std::size_t maxOutputBytes = 8 * 1024;
  // Largest event a device may publish (its JSON text).
  std::size_t maxEventBytes = 8 * 1024;
  // Commands with "queue": true held for one offline device; more get "offline" (queue
  // full). A hub back online runs them all at once: a burst its pending client results
  // (Limits::maxPendingClientResults, 64) must absorb. 0 turns queueing off.
  std::size_t maxHeldPerDevice = 32;
  // Commands held in all: each pins its message (up to 16 KiB) and its caller's invocation
  // until its exp (at most EnvelopeOptions::maxLifetimeMs away).
  std::size_t maxHeldCommands = 10'000;
  // Commands held for the devices of one home: one home cannot fill the queue for others.
  std::size_t maxHeldPerHome = 1'000;
  // Refusals (denied, invalid, replayed) audited per subject per window; past it the
  // caller's connection is closed and the rest of the window is counted, not written.
  RefusalBudgetOptions refusals;
};

// The product's rules on top of the hub (SPEC section 4): SendCommand from a user, checked
// envelope, membership and command policy, to the device's Execute and back with exactly one
// outcome and one audit record; PublishEvent from a device to the connected users of its
// home; ListDevices for members. Tracks which devices and users are online, and holds queued
// commands for offline devices until they connect or expire. Thread-safe.
class Relay final : public hub::ConnectionObserver {
 public:
  // Everything passed must outlive the relay. Envelopes signed before the relay was made
  // (iat before now) are refused as possible replays: the nonce cache starts empty; with a
  // `mark` (may be null), so are those at or before the mark earlier runs left, and the
  // mark is kept past every future-dated iat accepted. Homes,
  // members and devices are read from `view` only: no command waits on the store, except for
  // its audit record, which is committed before the caller hears the outcome.
  // `feed` (may be null) is asked to catch up when a home, member or device is not in the
  // view: it may have been written a moment ago, before the feed's next read.
  Relay(const AccessView& view, store::ChangeFeed* feed, store::AuditSink& audit,
        auth::NonceCache& nonces, std::span<const std::uint8_t> envelopeSecret,
        const WallClock& clock, RelayOptions options = {}, ReplayMark* mark = nullptr);
  // Commands still held get the outcome "offline" (server_stopping), audited.
  ~Relay() override;

  // Registers SendCommand, PublishEvent and ListDevices, and makes this the hub's observer.
  void attach(hub::Hub& hub);

  // [{"id", "name", "role"}] of the homes `subject` belongs to (for Whoami).
  boost::json::array homesOf(std::string_view subject);

  void onConnected(const std::shared_ptr<hub::HubConnection>& connection) override;
  void onClosed(hub::HubConnection& connection) override;
  void onDenied(const std::shared_ptr<hub::HubConnection>& caller, std::string_view method,
                std::string_view reason) override;
  // Held commands whose exp has passed get the outcome "expired".
  void onTick(SteadyTime now) override;

  const ConnectionDirectory& directory() const { return directory_; }
  // How many queued commands wait for their device.
  std::size_t heldCommands() const { return held_.size(); }

 private:
  class CommandRun;
  // A checked command waiting for its device.
  struct HeldCommand {
    std::shared_ptr<CommandRun> run;
    CommandMessage message;
  };

  // Why a verified envelope must still not run (a replay, or over a cap), or nullopt.
  // Checked last, after membership and policy: strangers cannot fill the cache.
  std::optional<std::pair<std::string_view, std::string_view>> refuseReplay(
      std::string_view home, std::string_view subject, const auth::Envelope& envelope,
      std::int64_t nowMs);

  // Counts a refusal by `caller` against its subject's budget: true if it is to be logged
  // and audited; past the budget the caller's connection is closed.
  bool refusalBudgetAllows(hub::HubConnection& caller);

  // Why `args` may not go to `device`'s handler for `command` (its argument rule, else the
  // default argument policy), or nullopt.
  static std::optional<std::string> argumentProblem(const store::Device& device,
                                                    std::string_view command,
                                                    const boost::json::array& args);

  // Asks the feed to deliver what is committed now. Whether there is a feed to ask.
  bool catchUp();
  // The caller's role in the home and the device, from the view, caught up once if either
  // is missing.
  std::pair<std::optional<store::MemberRole>, std::shared_ptr<const store::Device>> lookUp(
      std::string_view homeId, std::string_view subject, std::string_view deviceId);

  // The audit record of a refusal by `caller` (who, when, which connection).
  store::AuditRecord denial(const hub::HubConnection& caller, std::string_view action,
                            std::string_view outcome, std::string_view reason) const;

  void sendCommand(const std::shared_ptr<hub::HubConnection>& caller, boost::json::array& args,
                   hub::Completer done);
  void publishEvent(const std::shared_ptr<hub::HubConnection>& caller, boost::json::array& args,
                    hub::Completer done);
  void listDevices(const std::shared_ptr<hub::HubConnection>& caller, boost::json::array& args,
                   hub::Completer done);

  // Re-wraps a checked command for `device` and invokes Execute; "expired" instead once
  // `expMs` (the user's envelope exp) has passed.
  void dispatch(const std::shared_ptr<CommandRun>& run, hub::HubConnection& device,
                CommandMessage message, std::int64_t expMs);
  // Holds a checked command for its offline device, or finishes it "offline" (queue full).
  void hold(const hub::HubConnection& caller, const std::shared_ptr<CommandRun>& run,
            CommandMessage message, std::int64_t expMs);
  // Dispatches what is held for the device, oldest first, if it is online.
  void drain(std::string_view deviceId);

  const AccessView& view_;
  store::ChangeFeed* const feed_;
  store::AuditSink& audit_;
  auth::NonceCache& nonces_;
  std::vector<std::uint8_t> envelopeSecret_;
  const WallClock& clock_;
  const RelayOptions options_;
  const std::int64_t startedAtMs_;
  ReplayMark* const mark_;
  ConnectionDirectory directory_;
  HeldCommands<HeldCommand> held_;
  RefusalBudget refusals_;
  // Monotonic time of the last tick (ms): the refusal windows' clock, fine enough for them.
  std::atomic<std::int64_t> lastTickMs_{0};
  // One drain at a time: two drains racing for one device could reorder its commands.
  std::mutex drainMu_;
};

}  // namespace latch::relay
