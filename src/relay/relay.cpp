#include "relay/relay.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/session_key.hpp"
#include "common/argument_rules.hpp"
#include "common/logging.hpp"
#include "hub/hub_connection.hpp"
#include "relay/command_message.hpp"

namespace latch::relay {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string_view statusFor(auth::EnvelopeErrc code) {
  switch (code) {
    case auth::EnvelopeErrc::Expired:
      return "expired";
    case auth::EnvelopeErrc::Replayed:
      return "replayed";
    default:
      return "invalid";
  }
}

// What a device answered to Execute, if it is {"status": "ok"|"failed", "output": ...} with
// an output of at most `maxOutputBytes` of JSON.
std::optional<std::pair<std::string, value>> readDeviceResult(const value& result,
                                                              std::size_t maxOutputBytes) {
  const auto* o = result.if_object();
  if (!o) return std::nullopt;
  const auto* status = o->if_contains("status");
  if (!status || !status->is_string()) return std::nullopt;
  const std::string_view s(status->get_string().data(), status->get_string().size());
  if (s != "ok" && s != "failed") return std::nullopt;
  value output = nullptr;
  if (const auto* out = o->if_contains("output")) output = *out;
  if (boost::json::serialize(output).size() > maxOutputBytes) return std::nullopt;
  return std::make_pair(std::string(s), std::move(output));
}

}  // namespace

// One SendCommand from arrival to its single outcome: the Completion to the caller and the
// audit record are made exactly once, whichever path ends it. The Completion waits for the
// record's commit, so an outcome the caller saw is always in the audit log.
class Relay::CommandRun final : public store::AuditCallback,
                                public std::enable_shared_from_this<CommandRun> {
 public:
  CommandRun(Relay& relay, std::shared_ptr<hub::HubConnection> caller, hub::Completer done,
             store::AuditRecord record)
      : relay_(relay),
        caller_(std::move(caller)),
        done_(std::move(done)),
        record_(std::move(record)) {}

  store::AuditRecord& record() { return record_; }

  void finish(std::string_view status, value output, std::string_view detail = {}) {
    if (finished_.exchange(true)) return;
    result_ = object{{"status", status}, {"output", std::move(output)}};
    // The caller's own refusals count against its budget: past it, they are answered but
    // neither logged nor audited, and the caller's connection is closed.
    if (status == "denied" || status == "invalid" || status == "replayed") {
      if (const auto caller = caller_.lock(); caller && !relay_.refusalBudgetAllows(*caller)) {
        done_.result(result_);
        result_ = nullptr;
        return;
      }
    }
    record_.outcome = status;
    record_.detail = detail;
    // Refusals at warn; commands that ran at debug: the audit log already holds each one, and
    // a log line per command is a write per command on the hot path.
    const bool refused = status != "ok" && status != "failed";
    const auto level = refused ? spdlog::level::warn : spdlog::level::debug;
    if (spdlog::should_log(level)) {
      spdlog::log(level, "audit: command sub={} home={} device={} command={} outcome={}{}{}",
                  logField(record_.actor), logField(record_.homeId), logField(record_.deviceId),
                  logField(record_.action), status, detail.empty() ? "" : " reason=", detail);
    }
    relay_.audit_.commit(std::move(record_), shared_from_this());
  }

  void onAudited(bool) override {
    // Sent even if the store refused the record (logged by the writer): the command has
    // ended either way, and its caller must not wait for an outcome that cannot change.
    done_.result(result_);
    result_ = nullptr;
  }

 private:
  Relay& relay_;
  std::weak_ptr<hub::HubConnection> caller_;
  hub::Completer done_;
  store::AuditRecord record_;
  value result_;
  std::atomic<bool> finished_{false};
};

Relay::Relay(const AccessView& view, store::ChangeFeed* feed, store::AuditSink& audit,
             auth::NonceCache& nonces, std::span<const std::uint8_t> envelopeSecret,
             const WallClock& clock, RelayOptions options, ReplayMark* mark)
    : view_(view),
      feed_(feed),
      audit_(audit),
      nonces_(nonces),
      envelopeSecret_(envelopeSecret.begin(), envelopeSecret.end()),
      clock_(clock),
      options_(options),
      startedAtMs_(clock.nowMillis()),
      mark_(mark),
      held_(options.maxHeldPerDevice, options.maxHeldCommands, options.maxHeldPerHome),
      refusals_(options.refusals) {}

Relay::~Relay() {
  for (auto& h : held_.takeAll()) h.command.run->finish("offline", nullptr, "server_stopping");
}

std::optional<std::pair<std::string_view, std::string_view>> Relay::refuseReplay(
    std::string_view home, std::string_view subject, const auth::Envelope& envelope,
    std::int64_t nowMs) {
  // The nonce cache is in memory: whatever was signed before this process started may have
  // run already, and so may what an earlier run accepted with an iat in its future.
  if (envelope.iat < startedAtMs_ || (mark_ && envelope.iat <= mark_->previous())) {
    return std::pair{"replayed", "signed_before_start"};
  }
  const auto monoMs =
      std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  switch (nonces_.check(home, subject, auth::nonceBytes(envelope), envelope.exp, nowMs, monoMs)) {
    case auth::NonceCache::Verdict::Fresh:
      // Future-dated: the next run must refuse it too, so the mark covers it first.
      if (mark_ && envelope.iat > nowMs && !mark_->cover(envelope.iat)) {
        return std::pair{"denied", "replay_mark_unwritable"};
      }
      return std::nullopt;
    case auth::NonceCache::Verdict::Replayed:
      return std::pair{"replayed", "nonce_reused"};
    case auth::NonceCache::Verdict::Stale:
      return std::pair{"replayed", "older_than_window"};
    case auth::NonceCache::Verdict::CacheFull:
      return std::pair{"denied", "nonce_cache_full"};
  }
  return std::pair{"denied", "nonce_cache"};
}

void Relay::attach(hub::Hub& hub) {
  hub.setObserver(this);
  hub.add("SendCommand",
          [this](hub::CallContext& ctx, array& args, hub::Completer done) {
            sendCommand(ctx.caller, args, std::move(done));
          },
          {"user"});
  hub.add("PublishEvent",
          [this](hub::CallContext& ctx, array& args, hub::Completer done) {
            publishEvent(ctx.caller, args, std::move(done));
          },
          {"device"});
  hub.add("ListDevices",
          [this](hub::CallContext& ctx, array& args, hub::Completer done) {
            listDevices(ctx.caller, args, std::move(done));
          },
          {"user"});
}

boost::json::array Relay::homesOf(std::string_view subject) {
  array out;
  for (const auto& m : view_.membershipsOf(subject)) {
    object o;
    o["id"] = m.homeId;
    o["role"] = store::memberRoleName(m.role);
    out.push_back(std::move(o));
  }
  return out;
}

void Relay::sendCommand(const std::shared_ptr<hub::HubConnection>& caller, array& args,
                        hub::Completer done) {
  const auto principal = caller->principal();
  const std::int64_t nowMs = clock_.nowMillis();
  store::AuditRecord base;
  base.timeMs = nowMs;
  base.kind = "command";
  base.actor = principal ? principal->subject : "";
  base.connectionId = caller->id();
  base.action = "SendCommand";
  auto run = std::make_shared<CommandRun>(*this, caller, std::move(done), std::move(base));
  if (!principal) return run->finish("denied", nullptr, "no principal");
  // The audit log is behind: take no new command rather than queue records without bound.
  if (!audit_.admitting()) {
    return run->finish("failed", "The server is busy; try again shortly.", "audit_busy");
  }
  if (args.size() != 1) return run->finish("invalid", "SendCommand takes one envelope.", "arity");

  auto envelope = auth::parseEnvelope(args[0]);
  if (!envelope)
    return run->finish("invalid", value(envelope.error().message), "malformed_envelope");
  const auto userKey = auth::sessionKeyBytes(envelopeSecret_, principal->tokenId);
  if (auto ok = auth::verifyEnvelope(userKey, "SendCommand", *envelope, nowMs, options_.envelope);
      !ok) {
    return run->finish(statusFor(ok.error().code), value(ok.error().message),
                       auth::envelopeErrorName(ok.error().code));
  }
  auto message = parseCommandMessage(envelope->msg);
  if (!message) return run->finish("invalid", value(message.error().message), "malformed_message");
  auto& record = run->record();
  record.homeId = message->home;
  record.deviceId = message->device;
  record.action = message->command;

  // Membership first: a stranger learns nothing about the home's devices.
  const auto [role, device] = lookUp(message->home, principal->subject, message->device);
  if (!role) return run->finish("denied", "You are not a member of this home.", "not_member");
  if (!device || device->homeId != message->home || device->revoked) {
    return run->finish("denied", "This home has no such device.", "no_device");
  }
  if (!contains(device->commands, message->command)) {
    return run->finish("denied", "The device does not accept this command.", "not_accepted");
  }
  if (contains(device->ownerOnly, message->command) && *role != store::MemberRole::Owner) {
    return run->finish("denied", "Only an owner may send this command.", "owner_only");
  }
  if (auto problem = argumentProblem(*device, message->command, message->args)) {
    return run->finish("invalid", value("The arguments are refused: " + *problem + "."),
                       "bad_arguments");
  }
  // The nonce is consumed only now, by a member sending an allowed command: a stranger's
  // envelopes never take a place in the cache.
  if (auto refused = refuseReplay(message->home, principal->subject, *envelope, nowMs)) {
    const auto [status, reason] = *refused;
    return run->finish(
        status,
        status != "replayed" ? "The server's replay protection is full; try again shortly."
        : reason == "nonce_reused"
            ? "This envelope was already used; sign a new one."
            : "This envelope is older than the ones already checked; sign a new one.",
        reason);
  }
  const auto connection = directory_.device(device->id);
  if (connection && connection->principal()) {
    return dispatch(run, *connection, std::move(*message), envelope->exp);
  }
  if (!message->queue) return run->finish("offline", nullptr);
  hold(*caller, run, std::move(*message), envelope->exp);
}

std::optional<std::string> Relay::argumentProblem(const store::Device& device,
                                                  std::string_view command,
                                                  const boost::json::array& args) {
  if (args.empty() && device.argRules.empty()) return std::nullopt;  // the common case
  const auto texts = argumentTexts(args);
  const auto rule = device.argRules.find(command);
  return rule == device.argRules.end() ? defaultArgumentProblem(texts) : rule->second.check(texts);
}

bool Relay::catchUp() {
  // Not throttled: a member added a moment ago must not be refused because a stranger's
  // miss came first. A miss costs one indexed read of the change log, and misses arriving
  // together share one (the feed coalesces them).
  if (!feed_) return false;
  feed_->catchUp();
  return true;
}

std::pair<std::optional<store::MemberRole>, std::shared_ptr<const store::Device>> Relay::lookUp(
    std::string_view homeId, std::string_view subject, std::string_view deviceId) {
  auto role = view_.roleIn(homeId, subject);
  auto device = view_.device(deviceId);
  if ((!role || !device) && catchUp()) {
    role = view_.roleIn(homeId, subject);
    device = view_.device(deviceId);
  }
  return {role, std::move(device)};
}

void Relay::dispatch(const std::shared_ptr<CommandRun>& run, hub::HubConnection& device,
                     CommandMessage message, std::int64_t expMs) {
  const auto devicePrincipal = device.principal();
  if (!devicePrincipal) return run->finish("offline", nullptr);
  // Checked again here: a held command may have waited until after its exp.
  const std::int64_t nowMs = clock_.nowMillis();
  if (expMs <= nowMs) {
    return run->finish("expired", "The command expired before the device could run it.",
                       "expired_before_dispatch");
  }

  // Re-wrapped for the device, signed with its own session key, expiring no later.
  auth::Envelope forDevice;
  forDevice.iat = nowMs;
  forDevice.exp = expMs;
  forDevice.nonce = auth::newNonce();
  object msg;
  msg["home"] = message.home;
  msg["device"] = message.device;
  msg["command"] = message.command;
  msg["args"] = std::move(message.args);
  forDevice.msg = boost::json::serialize(msg);
  auth::signEnvelope(auth::sessionKeyBytes(envelopeSecret_, devicePrincipal->tokenId), "Execute",
                     forDevice);
  const auto timeout = std::min(Millis(expMs - nowMs), Millis(options_.maxExecuteTimeout));
  const std::size_t maxOutput = options_.maxOutputBytes;
  device.invokeClient(
      "Execute", array{auth::envelopeToJson(forDevice)}, timeout,
      [run, maxOutput](hub::HubResult<value> result) {
        if (!result) {
          switch (result.error().code) {
            case hub::HubErrc::Timeout:
              return run->finish("timeout", nullptr, "device_timeout");
            case hub::HubErrc::ConnectionClosed:
              return run->finish("failed", "The device disconnected.", "device_disconnected");
            case hub::HubErrc::Unavailable:
              return run->finish("failed", "The device has too many commands in flight.",
                                 "device_busy");
            default:
              return run->finish("failed", "The device reported an error.", "device_error");
          }
        }
        auto answer = readDeviceResult(*result, maxOutput);
        if (!answer) return run->finish("failed", "The device answered with garbage.", "garbage");
        run->finish(answer->first, std::move(answer->second));
      });
}

void Relay::hold(const hub::HubConnection& caller, const std::shared_ptr<CommandRun>& run,
                 CommandMessage message, std::int64_t expMs) {
  const std::string deviceId = message.device;
  using Admission = HeldCommands<HeldCommand>::Admission;
  const std::string homeId = message.home;
  switch (held_.hold(homeId, deviceId, {expMs, &caller, HeldCommand{run, std::move(message)}})) {
    case Admission::Held:
      break;
    case Admission::DeviceFull:
      return run->finish("offline", "The device is offline and its queue of commands is full.",
                         "queue_full_device");
    case Admission::HomeFull:
      return run->finish("offline", "The device is offline and its home's queue is full.",
                         "queue_full_home");
    case Admission::AllFull:
      return run->finish("offline", "The device is offline and the server's queue is full.",
                         "queue_full");
  }
  // The device may have connected since the lookup in sendCommand, its drain finding
  // nothing yet: look again now that the command is held.
  if (directory_.device(deviceId)) drain(deviceId);
}

void Relay::drain(std::string_view deviceId) {
  std::lock_guard lock(drainMu_);
  const auto connection = directory_.device(deviceId);
  if (!connection) return;  // offline again: what is held stays held
  for (auto& h : held_.takeForDevice(deviceId)) {
    dispatch(h.command.run, *connection, std::move(h.command.message), h.expMs);
  }
}

void Relay::onTick(SteadyTime now) {
  // One summary per window for the refusals that were not written one by one.
  const auto nowMono = std::chrono::duration_cast<Millis>(now.time_since_epoch()).count();
  lastTickMs_.store(nowMono, std::memory_order_relaxed);
  for (const auto& s : refusals_.takeEnded(nowMono)) {
    store::AuditRecord r;
    r.timeMs = clock_.nowMillis();
    r.kind = "denial";
    r.actor = s.subject;
    r.action = "refusals";
    r.outcome = "suppressed";
    r.detail = fmt::format("count={} reason=past_refusal_budget", s.count);
    audit_.record(std::move(r));
  }
  // exp is wall-clock time (it comes from the envelope), so the wall clock decides.
  for (auto& h : held_.takeExpired(clock_.nowMillis())) {
    h.command.run->finish("expired", "The device did not connect before the command expired.",
                          "queue_expired");
  }
}

void Relay::publishEvent(const std::shared_ptr<hub::HubConnection>& caller, array& args,
                         hub::Completer done) {
  const auto principal = caller->principal();
  const std::int64_t nowMs = clock_.nowMillis();
  auto refuse = [&](std::string_view status, std::string_view reason) {
    if (refusalBudgetAllows(*caller)) {
      spdlog::warn("audit: event refused device={} outcome={} reason={}",
                   logField(principal ? principal->subject : ""), status, reason);
      auto r = denial(*caller, "PublishEvent", status, reason);
      r.deviceId = r.actor;
      audit_.record(std::move(r));
    }
    object o;
    o["status"] = status;
    o["delivered"] = 0;
    done.result(o);
  };
  if (!principal) return refuse("denied", "no principal");
  if (args.size() != 1) return refuse("invalid", "arity");
  auto envelope = auth::parseEnvelope(args[0], options_.maxEventBytes);
  if (!envelope) return refuse("invalid", "malformed_envelope");
  const auto key = auth::sessionKeyBytes(envelopeSecret_, principal->tokenId);
  if (auto ok = auth::verifyEnvelope(key, "PublishEvent", *envelope, nowMs, options_.envelope);
      !ok) {
    return refuse(statusFor(ok.error().code), auth::envelopeErrorName(ok.error().code));
  }
  const auto device = view_.device(principal->subject);
  if (!device || device->revoked) return refuse("denied", "unknown_device");
  if (auto refused = refuseReplay(device->homeId, principal->subject, *envelope, nowMs)) {
    return refuse(refused->first, refused->second);
  }
  const auto members = view_.membersOf(device->homeId);
  boost::system::error_code ec;
  const value event = boost::json::parse(envelope->msg, ec);  // valid: parseEnvelope checked
  const array arguments{value(device->homeId), value(device->id), event};
  std::int64_t delivered = 0;
  for (const auto& member : members) {
    for (const auto& user : directory_.usersOf(member)) {
      if (user->sendInvocation("Event", arguments)) ++delivered;
    }
  }
  object o;
  o["status"] = "ok";
  o["delivered"] = delivered;
  done.result(o);
}

void Relay::listDevices(const std::shared_ptr<hub::HubConnection>& caller, array& args,
                        hub::Completer done) {
  const auto principal = caller->principal();
  if (!principal || args.size() != 1 || !args[0].is_string()) {
    return done.error("ListDevices takes one home id.");
  }
  const std::string homeId(args[0].get_string());
  if (!view_.roleIn(homeId, principal->subject)) {
    if (refusalBudgetAllows(*caller)) {
      spdlog::warn("audit: denied method=ListDevices sub={} home={} reason=not_member",
                   logField(principal->subject), logField(homeId));
      auto r = denial(*caller, "ListDevices", "denied", "not_member");
      r.homeId = homeId;
      audit_.record(std::move(r));
    }
    return done.error("Forbidden: you are not a member of this home.");
  }
  array out;
  for (const auto& d : view_.devicesOf(homeId)) {
    if (d->revoked) continue;
    object o;
    o["id"] = d->id;
    o["name"] = d->name;
    array commands, ownerOnly;
    for (const auto& c : d->commands) commands.emplace_back(c);
    for (const auto& c : d->ownerOnly) ownerOnly.emplace_back(c);
    o["commands"] = std::move(commands);
    o["ownerOnly"] = std::move(ownerOnly);
    o["online"] = directory_.device(d->id) != nullptr;
    out.push_back(std::move(o));
  }
  done.result(out);
}

void Relay::onConnected(const std::shared_ptr<hub::HubConnection>& connection) {
  const auto principal = connection->principal();
  if (!principal) return;
  if (principal->hasRole("device")) {
    // A device token proves a PAT: never throttled (a hub provisioned a moment ago).
    auto device = view_.device(principal->subject);
    if (!device && catchUp()) device = view_.device(principal->subject);
    if (!device || device->revoked) {
      spdlog::warn("audit: device connection refused sub={} reason=unknown_or_revoked",
                   logField(principal->subject));
      connection->close("Unknown or revoked device", false);
      return;
    }
    if (auto previous = directory_.setDevice(principal->subject, connection)) {
      // One connection per device: the newer one wins, the older one must not come back.
      previous->close("Replaced by a newer connection of this device", false);
    }
    drain(principal->subject);
  }
  if (principal->hasRole("user")) directory_.addUser(principal->subject, connection);
}

void Relay::onClosed(hub::HubConnection& connection) {
  const auto principal = connection.principal();
  if (!principal) return;
  // Nobody is left to hear the outcome: the command is dropped before it ever ran.
  for (auto& h : held_.takeFromCaller(&connection)) {
    h.command.run->finish("offline", nullptr, "caller_disconnected");
  }
  if (principal->hasRole("device")) directory_.removeDevice(principal->subject, connection);
  if (principal->hasRole("user")) directory_.removeUser(principal->subject, connection);
}

}  // namespace latch::relay

namespace latch::relay {

void Relay::onDenied(const std::shared_ptr<hub::HubConnection>& caller, std::string_view method,
                     std::string_view reason) {
  if (refusalBudgetAllows(*caller)) audit_.record(denial(*caller, method, "denied", reason));
}

bool Relay::refusalBudgetAllows(hub::HubConnection& caller) {
  const auto principal = caller.principal();
  const std::string_view subject = principal ? std::string_view(principal->subject) : caller.id();
  switch (refusals_.note(subject, lastTickMs_.load(std::memory_order_relaxed))) {
    case RefusalBudget::Verdict::Audit:
      return true;
    case RefusalBudget::Verdict::Exceeded: {
      spdlog::warn("audit: refusal budget exceeded sub={} connection={}: closed", logField(subject),
                   caller.id());
      auto r = denial(caller, "refusals", "closed", "refusal_budget_exceeded");
      audit_.record(std::move(r));
      caller.close("Too many refused requests.", false);
      return false;
    }
    case RefusalBudget::Verdict::Silent:
      caller.close("Too many refused requests.", false);
      return false;
  }
  return false;
}

store::AuditRecord Relay::denial(const hub::HubConnection& caller, std::string_view action,
                                 std::string_view outcome, std::string_view reason) const {
  const auto principal = caller.principal();
  store::AuditRecord r;
  r.timeMs = clock_.nowMillis();
  r.kind = "denial";
  r.actor = principal ? principal->subject : "";
  r.action = std::string(action);
  r.outcome = std::string(outcome);
  r.connectionId = caller.id();
  r.detail = std::string(reason);
  return r;
}

}  // namespace latch::relay
