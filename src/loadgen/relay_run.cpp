// The relay run: M devices and N users on one server, every one a client::HubConnection;
// each user a closed loop of signed SendCommands to the device of its home, each device
// answering Execute after the agent's checks of the server's envelope. Reports commands per
// second, latency, outcomes and the audit log's count.
#include "loadgen/relay_run.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <fmt/format.h>

#include "client/envelope.hpp"
#include "common/wall_clock.hpp"
#include "loadgen/bench_device.hpp"
#include "loadgen/connection_set.hpp"
#include "loadgen/invoke_loop.hpp"
#include "loadgen/measured_window.hpp"
#include "loadgen/pacer.hpp"
#include "loadgen/process_stats.hpp"
#include "loadgen/relay_fixture.hpp"
#include "loadgen/relay_report.hpp"

namespace latch::loadgen {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// The server refuses envelopes living longer than this (EnvelopeOptions::maxLifetimeMs).
constexpr double kMaxLifetimeSeconds = 30;
// Beyond what one pacing thread can time.
constexpr double kMaxRate = 1'000'000;

LoadResult<void> validate(const RelayOptions& o) {
  if (o.users == 0 || o.devices == 0) {
    return makeError(LoadErrc::BadArgument, "--users and --devices must be >= 1");
  }
  // A device nobody sends to would hear nothing but pings; every home gets a user.
  if (o.users < o.devices) {
    return makeError(LoadErrc::BadArgument, "--users must be >= --devices (a user per home)");
  }
  if (!(o.auditWaitSeconds >= 0))
    return makeError(LoadErrc::BadArgument, "--audit-wait must be >= 0");
  if (!(o.rate >= 0 && o.rate <= kMaxRate)) {
    return makeError(LoadErrc::BadArgument, fmt::format("--rate must be from 0 to {}", kMaxRate));
  }
  if (o.dataDir.empty()) return makeError(LoadErrc::BadArgument, "--data is required");
  if (!(o.lifetimeSeconds >= 0.001 && o.lifetimeSeconds <= kMaxLifetimeSeconds)) {
    return makeError(LoadErrc::BadArgument, "--lifetime must be from 0.001 to 30 seconds");
  }
  return validateRun(o.run, RunOptions::kMaxInflight);
}

// SendCommand with a fresh envelope for `message` each time, judged by the answer's status.
LoopCall sendCommand(const auth::SessionKeyBytes& key, json::value message,
                     std::chrono::milliseconds lifetime) {
  auto msg = std::make_shared<const json::value>(std::move(message));
  return LoopCall{.method = "SendCommand",
                  .arguments =
                      [key, msg, lifetime] {
                        return json::array{client::signMessage(
                            key, "SendCommand", *msg, client::wallClockMillis(), lifetime)};
                      },
                  .classify = [](const json::value& answer) -> std::string_view {
                    const auto* object = answer.if_object();
                    const auto* status = object ? object->if_contains("status") : nullptr;
                    return status && status->is_string() ? std::string_view(status->get_string())
                                                         : std::string_view("no status");
                  }};
}

// Adds up what the users and devices counted; call once their connections have stopped.
void addUp(const std::vector<std::unique_ptr<InvokeLoop>>& users,
           const std::vector<std::unique_ptr<BenchDevice>>& devices, RelayReport& report) {
  for (const auto& user : users) {
    report.latency.merge(user->histogram());
    report.sent += user->sent();
    for (const auto& [status, count] : user->outcomes()) report.outcomes[status] += count;
    report.firstAnswers.insert(user->firstAnswers().begin(), user->firstAnswers().end());
  }
  for (const auto& device : devices) {
    report.executed += device->executed();
    report.refused += device->refused();
    if (report.firstRefusal.empty()) report.firstRefusal = device->firstRefusal();
  }
}

}  // namespace

LoadResult<void> runRelay(const RelayOptions& o) {
  if (auto r = validate(o); !r) return r;
  RelaySetupOptions setup;
  setup.latchPath = o.latchPath.empty() ? selfPath() : o.latchPath;
  if (setup.latchPath.empty()) return makeError(LoadErrc::System, "cannot find the latch CLI");
  setup.dataDir = o.dataDir;
  setup.homes = o.devices;
  setup.users = o.users;
  setup.tag = fmt::format("{}-{}", std::time(nullptr), ::getpid());
  if (auto r = reserveFileDescriptors(o.users + o.devices); !r) return r;

  RelayReport report;
  // Audit records are stamped with wall-clock milliseconds: this run's come after this.
  const std::int64_t startedAtMs = SystemWallClock().nowMillis();
  const auto setupStart = Clock::now();
  auto fixture = provisionRelay(setup, o.connection.server, o.connection.tls);
  if (!fixture) return fixture.error();

  // What the connections' handlers use is declared first, so that it outlives them: the
  // connections stop (and join their threads) before it goes, on every path out of here.
  std::atomic<Phase> phase{Phase::WarmUp};
  std::atomic<std::int64_t> outstanding{0};
  std::vector<std::unique_ptr<BenchDevice>> devices;
  std::vector<std::unique_ptr<InvokeLoop>> users;
  client::ConnectionOptions options = o.connection;
  options.reconnect = false;
  const auto threads = sharedIoThreads(o.run.threads);
  ConnectionSet deviceConnections(options, "device", threads);
  ConnectionSet userConnections(options, "user", threads);
  for (const auto& home : fixture->homes) {
    devices.push_back(std::make_unique<BenchDevice>(home.deviceId, home.device.sessionKey));
    devices.back()->attach(deviceConnections.add(home.device));
  }
  if (auto r = deviceConnections.startAll(); !r) return r;

  const auto lifetime =
      std::chrono::milliseconds(static_cast<std::int64_t>(o.lifetimeSeconds * 1000));
  for (const auto& user : fixture->users) {
    const auto& home = fixture->homes[user.home];
    json::value message = json::object{{"home", home.id},
                                       {"device", home.deviceId},
                                       {"command", kBenchCommand},
                                       {"args", json::array{}}};
    users.push_back(std::make_unique<InvokeLoop>(
        userConnections.add(user.grant),
        sendCommand(user.grant.sessionKey, std::move(message), lifetime), phase, outstanding,
        o.rate > 0));
  }
  if (auto r = userConnections.startAll(); !r) return r;
  report.setupSeconds = std::chrono::duration<double>(Clock::now() - setupStart).count();
  report.transport = userConnections.at(0).transport();

  // Warm up, measure, then wait for the last answers (at most an envelope's lifetime).
  std::optional<Pacer> pacer;
  if (o.rate > 0) {
    std::vector<InvokeLoop*> loops;
    for (auto& user : users) loops.push_back(user.get());
    pacer.emplace(o.rate, o.run.inflight, std::move(loops), phase);
  } else {
    for (auto& user : users) user->start(o.run.inflight);
  }
  // The pacer is joined before the drain: a command it sent as the window closed is waited
  // for like any other, not cut off by the connections' stop ("stopped").
  auto window = measureWindow(o.run, lifetime + std::chrono::seconds(2), phase, outstanding, [&] {
    if (pacer) report.sendLag = pacer->join();
  });
  if (!window) return window.error();
  report.window = *window;
  const auto userEnded = userConnections.stopAll();
  const auto deviceEnded = deviceConnections.stopAll();

  addUp(users, devices, report);
  if (o.checkAudit) {
    std::vector<std::string> subjects;
    for (const auto& user : fixture->users) subjects.push_back(user.subject);
    auto audit = countCommandRecords(
        setup.latchPath, o.dataDir, subjects, startedAtMs, report.sent,
        std::chrono::milliseconds(static_cast<std::int64_t>(o.auditWaitSeconds * 1000)));
    if (!audit) return audit.error();
    report.audit = *audit;
  }
  printRelayReport(o, report);
  auto wrong = relayProblems(report);
  for (const auto* ended : {&userEnded, &deviceEnded}) {
    if (!ended->empty()) wrong += (wrong.empty() ? "" : "; ") + *ended;
  }
  if (report.latency.count() == 0 && wrong.empty()) {
    wrong = "no command was answered while measuring";
  }
  if (!wrong.empty()) return makeError(LoadErrc::Protocol, wrong);
  return {};
}

}  // namespace latch::loadgen
