// The relay mode: M devices and N users on one server; each user a closed loop of signed
// SendCommands to the device of its home, each device answering Execute after verifying the
// server's envelope. Reports commands per second, latency, outcomes and the audit log's count.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include "bench/bench_modes.hpp"
#include "bench/client_pool.hpp"
#include "bench/process_stats.hpp"
#include "bench/relay_audit.hpp"
#include "bench/relay_loops.hpp"
#include "bench/relay_setup.hpp"
#include "common/wall_clock.hpp"
#include "protocol/message_writer.hpp"

namespace latch::bench {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// The server refuses envelopes living longer than this (EnvelopeOptions::maxLifetimeMs).
constexpr double kMaxLifetimeSeconds = 30;
// How often the end of the run checks whether every command has been answered.
constexpr std::chrono::milliseconds kDrainPoll{10};
// Time for the connections to close once the run is over.
constexpr std::chrono::seconds kCloseGrace{3};

struct RelayReport {
  double setupSeconds = 0;
  double measuredSeconds = 0;
  LatencyHistogram latency;  // commands answered while measuring
  std::uint64_t sent = 0;    // every command sent, warm-up included
  std::int64_t unanswered = 0;
  std::map<std::string, std::uint64_t> outcomes;    // every command answered
  std::map<std::string, std::string> firstAnswers;  // of each status but "ok"
  std::uint64_t executed = 0;                       // Execute envelopes the devices verified
  std::uint64_t refused = 0;                        // ... and refused
  std::string firstRefusal;
  std::optional<std::uint64_t> serverCpuMicros;  // while measuring
  std::uint64_t clientCpuMicros = 0;             // this process's, while measuring
  std::optional<AuditCount> audit;

  std::uint64_t notOk() const {
    std::uint64_t n = 0;
    for (const auto& [status, count] : outcomes) {
      if (status != "ok") n += count;
    }
    return n;
  }
};

BenchResult<void> validate(const RelayOptions& o) {
  if (o.users == 0 || o.devices == 0) {
    return makeError(BenchErrc::BadArgument, "--users and --devices must be >= 1");
  }
  // A device nobody sends to would hear nothing, send nothing, and be closed by the server's
  // client timeout (30 s) in a long run.
  if (o.users < o.devices) {
    return makeError(BenchErrc::BadArgument, "--users must be >= --devices (a user per home)");
  }
  if (o.inflight == 0) return makeError(BenchErrc::BadArgument, "--inflight must be >= 1");
  if (o.threads == 0) return makeError(BenchErrc::BadArgument, "--threads must be >= 1");
  if (!(o.durationSeconds > 0) || !(o.warmUpSeconds >= 0) || !(o.auditWaitSeconds >= 0)) {
    return makeError(BenchErrc::BadArgument,
                     "--duration must be > 0, --warmup and --audit-wait >= 0");
  }
  if (o.dataDir.empty()) return makeError(BenchErrc::BadArgument, "--data is required");
  if (!(o.lifetimeSeconds >= 0.001 && o.lifetimeSeconds <= kMaxLifetimeSeconds)) {
    return makeError(BenchErrc::BadArgument, "--lifetime must be from 0.001 to 30 seconds");
  }
  return {};
}

// The hub URL as a WebSocket URL: http:// becomes ws://, ws:// stays.
BenchResult<std::string> webSocketUrl(const std::string& url) {
  if (url.starts_with("ws://")) return url;
  if (url.starts_with("http://")) return "ws://" + url.substr(7);
  return makeError(BenchErrc::BadArgument, "--url must be http:// or ws:// (TLS is not supported)");
}

// `hub` with the token in the query, as browsers send it.
WsTarget withToken(const WsTarget& hub, const std::string& token) {
  WsTarget target = hub;
  target.path += target.path.find('?') == std::string::npos ? "?" : "&";
  target.path += "access_token=" + token;  // a JWT is base64url and dots: nothing to escape
  return target;
}

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

double micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

std::string outcomesJson(const std::map<std::string, std::uint64_t>& outcomes) {
  std::string out = "{";
  for (const auto& [status, count] : outcomes) {
    if (out.size() > 1) out += ',';
    protocol::appendJsonString(out, status);
    out += fmt::format(":{}", count);
  }
  return out + "}";
}

std::string outcomesText(const std::map<std::string, std::uint64_t>& outcomes) {
  std::string out;
  for (const auto& [status, count] : outcomes) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", status, count);
  }
  return out.empty() ? "none" : out;
}

// `cpuPerCommand` negative: not measured.
void printJson(const RelayOptions& o, const RelayReport& r, double rps, double cpuPerCommand) {
  const auto& h = r.latency;
  std::string url;
  protocol::appendJsonString(url, o.url);
  std::string audit = "null";
  if (r.audit) {
    audit = fmt::format(
        "{{\"command_records\":{},\"at_first_look\":{},\"complete\":{},\"waited_ms\":{}}}",
        r.audit->found, r.audit->atFirstLook, r.audit->found == r.sent, r.audit->waited.count());
  }
  fmt::print(
      "{{\"mode\":\"relay\",\"url\":{},\"users\":{},\"devices\":{},\"inflight\":{},"
      "\"threads\":{},\"lifetime_s\":{:.3f},\"setup_s\":{:.3f},\"warmup_s\":{:.3f},\"duration_s\":{"
      ":.3f},"
      "\"commands\":{},\"rps\":{:.1f},\"latency_us\":{{\"p50\":{:.1f},\"p90\":{:.1f},"
      "\"p99\":{:.1f},\"p999\":{:.1f},\"max\":{:.1f},\"mean\":{:.1f}}},\"sent\":{},"
      "\"unanswered\":{},\"outcomes\":{},\"executed\":{},\"refused\":{},"
      "\"client_cpu_us_per_command\":{:.2f}{},\"audit\":{}}}\n",
      url, o.users, o.devices, o.inflight, o.threads, o.lifetimeSeconds, r.setupSeconds,
      o.warmUpSeconds, r.measuredSeconds, h.count(), rps, micros(h.percentile(0.5)),
      micros(h.percentile(0.9)), micros(h.percentile(0.99)), micros(h.percentile(0.999)),
      micros(h.max()), h.mean() / 1000.0, r.sent, r.unanswered, outcomesJson(r.outcomes),
      r.executed, r.refused,
      static_cast<double>(r.clientCpuMicros) / static_cast<double>(h.count()),
      cpuPerCommand >= 0 ? fmt::format(",\"server_cpu_us_per_command\":{:.2f}", cpuPerCommand) : "",
      audit);
}

void printReport(const RelayOptions& o, const RelayReport& r) {
  const auto& h = r.latency;
  const double rps = static_cast<double>(h.count()) / r.measuredSeconds;
  double cpuPerCommand = -1.0;  // not measured
  if (r.serverCpuMicros && h.count() > 0) {
    cpuPerCommand = static_cast<double>(*r.serverCpuMicros) / static_cast<double>(h.count());
  }
  if (o.json) return printJson(o, r, rps, cpuPerCommand);
  fmt::print(
      "relay: {} user(s) x {} in flight -> {} device(s), {:.1f} s envelopes, {} client "
      "thread(s); setup {:.1f} s\n",
      o.users, o.inflight, o.devices, o.lifetimeSeconds, o.threads, r.setupSeconds);
  fmt::print("  {} commands in {:.2f} s (after {:.1f} s warm-up): {:.0f} per second\n", h.count(),
             r.measuredSeconds, o.warmUpSeconds, rps);
  fmt::print(
      "  latency us: p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  p99.9 {:.1f}  max {:.1f}  mean {:.1f}\n",
      micros(h.percentile(0.5)), micros(h.percentile(0.9)), micros(h.percentile(0.99)),
      micros(h.percentile(0.999)), micros(h.max()), h.mean() / 1000.0);
  fmt::print("  outcomes of all {} sent: {}{}\n", r.sent, outcomesText(r.outcomes),
             r.unanswered ? fmt::format(", unanswered {}", r.unanswered) : "");
  fmt::print("  devices: {} Execute envelope(s) verified, {} refused\n", r.executed, r.refused);
  fmt::print("  client CPU: {:.2f} us per command",
             static_cast<double>(r.clientCpuMicros) / static_cast<double>(h.count()));
  if (cpuPerCommand >= 0) fmt::print("; server CPU: {:.2f} us", cpuPerCommand);
  fmt::print("\n");
  if (r.audit) {
    fmt::print(
        "  audit log: {} of {} command records ({} right after the run; {} ms, {} look(s))\n",
        r.audit->found, r.sent, r.audit->atFirstLook, r.audit->waited.count(), r.audit->looks);
  }
}

// Everything the run leaves wrong, in one line; empty when all went well.
std::string problems(const RelayReport& r) {
  std::vector<std::string> found;
  if (r.notOk() > 0) {
    std::vector<std::string> examples;
    for (const auto& [status, answer] : r.firstAnswers) {
      examples.push_back(fmt::format("first {}: {}", status, answer));
    }
    found.push_back(fmt::format("{} command(s) not ok ({}); {}", r.notOk(),
                                outcomesText(r.outcomes), fmt::join(examples, "; ")));
  }
  if (r.refused > 0) {
    found.push_back(fmt::format("{} Execute envelope(s) refused by devices; first: {}", r.refused,
                                r.firstRefusal));
  }
  if (r.unanswered > 0) found.push_back(fmt::format("{} command(s) unanswered", r.unanswered));
  if (r.audit && r.audit->found != r.sent) {
    found.push_back(fmt::format("the audit log holds {} command records for {} commands sent",
                                r.audit->found, r.sent));
  }
  return fmt::format("{}", fmt::join(found, "; "));
}

// Adds up what the users and devices counted.
void collect(const std::vector<std::unique_ptr<CommandLoop>>& users,
             const std::vector<std::unique_ptr<DeviceResponder>>& devices, RelayReport& report) {
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

BenchResult<AuditCount> countAudit(const RelayOptions& o, const std::string& latchPath,
                                   const RelayFixture& fixture, std::int64_t sinceMs,
                                   std::uint64_t sent) {
  std::vector<std::string> subjects;
  for (const auto& user : fixture.users) subjects.push_back(user.subject);
  return countCommandRecords(
      latchPath, o.dataDir, subjects, sinceMs, sent,
      std::chrono::milliseconds(static_cast<std::int64_t>(o.auditWaitSeconds * 1000)));
}

}  // namespace

BenchResult<void> runRelay(const RelayOptions& o) {
  if (auto r = validate(o); !r) return r;
  auto wsUrl = webSocketUrl(o.url);
  if (!wsUrl) return wsUrl.error();
  auto hub = resolveWsUrl(*wsUrl);
  if (!hub) return hub.error();
  RelaySetupOptions setup;
  setup.latchPath = o.latchPath.empty() ? defaultLatchPath() : o.latchPath;
  if (setup.latchPath.empty()) {
    return makeError(BenchErrc::BadArgument, "no latch CLI beside latch-bench: pass --latch");
  }
  setup.dataDir = o.dataDir;
  setup.homes = o.devices;
  setup.users = o.users;
  setup.tag = fmt::format("{}-{}", std::time(nullptr), ::getpid());
  if (auto r = reserveFileDescriptors(o.users + o.devices); !r) return r;

  RelayReport report;
  // Audit records are stamped with wall-clock milliseconds: this run's come after this.
  const std::int64_t startedAtMs = SystemWallClock().nowMillis();
  const auto setupStart = Clock::now();
  auto fixture = provisionRelay(setup, *hub);
  if (!fixture) return fixture.error();
  report.setupSeconds = std::chrono::duration<double>(Clock::now() - setupStart).count();

  std::vector<WsTarget> deviceTargets, userTargets;
  for (const auto& home : fixture->homes)
    deviceTargets.push_back(withToken(*hub, home.deviceToken));
  for (const auto& user : fixture->users) userTargets.push_back(withToken(*hub, user.token));

  asio::io_context ioc(static_cast<int>(o.threads));
  RunControl run(ioc);
  std::atomic<Phase> phase{Phase::WarmUp};
  std::atomic<std::int64_t> outstanding{0};
  std::vector<std::unique_ptr<DeviceResponder>> devices;
  for (std::size_t i = 0; i < fixture->homes.size(); ++i) {
    devices.push_back(std::make_unique<DeviceResponder>(i, fixture->homes[i].deviceKey, run));
  }
  std::vector<std::unique_ptr<CommandLoop>> users;
  const auto lifetimeMs = static_cast<std::int64_t>(o.lifetimeSeconds * 1000);
  for (std::size_t i = 0; i < fixture->users.size(); ++i) {
    const auto& user = fixture->users[i];
    const auto& home = fixture->homes[user.home];
    const std::string msg =
        boost::json::serialize(boost::json::object{{"home", home.id},
                                                   {"device", home.deviceId},
                                                   {"command", kBenchCommand},
                                                   {"args", boost::json::array{}}});
    users.push_back(std::make_unique<CommandLoop>(i, o.inflight, user.key, msg, lifetimeMs, phase,
                                                  outstanding, run));
  }
  ClientPool devicePool(
      ioc, deviceTargets, run,
      [&devices](std::size_t i) {
        return [d = devices[i].get()](std::string_view record) { d->onRecord(record); };
      },
      "device");
  for (std::size_t i = 0; i < devices.size(); ++i) devices[i]->bind(devicePool.client(i));
  ClientPool userPool(
      ioc, userTargets, run,
      [&users](std::size_t i) {
        return [u = users[i].get()](std::string_view record) { u->onRecord(record); };
      },
      "user");

  // warm-up, measure, then wait for the last answers (at most an envelope's lifetime) and
  // close the users, then the devices.
  asio::steady_timer timer(ioc);
  Clock::time_point measureStart, measureEnd, drainDeadline;
  std::uint64_t cpuStart = 0, cpuEnd = 0, clientCpuStart = 0, clientCpuEnd = 0;
  auto readCpu = [&](std::uint64_t& into) {
    if (!o.serverPid) return;
    auto used = cpuMicros(*o.serverPid);
    if (!used) return run.fail(used.error().message);
    into = *used;
  };
  std::function<void(boost::system::error_code)> drain = [&](boost::system::error_code ec) {
    if (ec) return;
    if (outstanding.load() > 0 && Clock::now() < drainDeadline) {
      timer.expires_after(kDrainPoll);
      return timer.async_wait(drain);
    }
    userPool.closeAll(kCloseGrace, [&] { devicePool.closeAll(kCloseGrace, [] {}); });
  };
  auto endMeasure = [&](boost::system::error_code ec) {
    if (ec) return;
    readCpu(cpuEnd);
    clientCpuEnd = selfCpuMicros();
    measureEnd = Clock::now();
    phase.store(Phase::Done);
    drainDeadline = measureEnd + std::chrono::milliseconds(lifetimeMs + 2000);
    drain({});
  };
  auto startMeasure = [&](boost::system::error_code ec) {
    if (ec) return;
    readCpu(cpuStart);
    clientCpuStart = selfCpuMicros();
    measureStart = Clock::now();
    phase.store(Phase::Measure);
    timer.expires_at(measureStart + seconds(o.durationSeconds));
    timer.async_wait(endMeasure);
  };
  devicePool.openAll(kDefaultParallelConnects, kOpenTimeout, [&] {
    userPool.openAll(kDefaultParallelConnects, kOpenTimeout, [&] {
      for (std::size_t i = 0; i < userPool.size(); ++i) {
        asio::post(userPool.client(i).executor(), [&, i] { users[i]->start(userPool.client(i)); });
      }
      timer.expires_after(seconds(o.warmUpSeconds));
      timer.async_wait(startMeasure);
    });
  });
  runOnThreads(ioc, o.threads);

  if (auto failure = run.failure()) return makeError(BenchErrc::Network, *failure);
  if (phase.load() != Phase::Done) return makeError(BenchErrc::Network, "the run did not finish");
  report.measuredSeconds = std::chrono::duration<double>(measureEnd - measureStart).count();
  report.unanswered = outstanding.load();
  collect(users, devices, report);
  if (o.serverPid) report.serverCpuMicros = cpuEnd - cpuStart;
  report.clientCpuMicros = clientCpuEnd - clientCpuStart;
  if (report.latency.count() == 0) {
    return makeError(BenchErrc::Protocol, "no command was answered while measuring");
  }
  if (o.checkAudit) {
    auto audit = countAudit(o, setup.latchPath, *fixture, startedAtMs, report.sent);
    if (!audit) return audit.error();
    report.audit = *audit;
  }
  printReport(o, report);
  if (auto wrong = problems(report); !wrong.empty()) {
    return makeError(BenchErrc::Protocol, wrong);
  }
  return {};
}

}  // namespace latch::bench
