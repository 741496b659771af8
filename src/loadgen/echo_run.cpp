#include "loadgen/echo_run.hpp"

#include <memory>
#include <string>
#include <vector>

#include <boost/json/string.hpp>

#include <fmt/format.h>

#include "loadgen/connection_set.hpp"
#include "loadgen/invoke_loop.hpp"
#include "loadgen/measured_window.hpp"
#include "loadgen/process_stats.hpp"
#include "loadgen/report_format.hpp"

namespace latch::loadgen {
namespace {

namespace json = boost::json;

// Echo's argument travels in one WebSocket message, which the server caps at 32 KiB.
constexpr std::size_t kMaxPayload = 16'000;

LoadResult<void> validate(const EchoOptions& o) {
  if (o.connections == 0) return makeError(LoadErrc::BadArgument, "--connections must be >= 1");
  if (o.payloadBytes > kMaxPayload) {
    return makeError(LoadErrc::BadArgument, "--payload must be at most 16000 bytes");
  }
  return validateRun(o.run, RunOptions::kMaxInflight);
}

struct EchoReport {
  std::string transport;
  Window window;
  LatencyHistogram latency;
  std::uint64_t sent = 0;
  std::uint64_t failed = 0;  // results that were not the payload, or errors
  std::string firstFailure;
};

void printReport(const EchoOptions& o, const EchoReport& r) {
  const auto& h = r.latency;
  const auto& w = r.window;
  const double rps = static_cast<double>(h.count()) / w.measuredSeconds;
  const double clientCpu = perEach(w.clientCpuMicros, h.count());
  std::string serverCpu;
  if (w.serverCpuMicros && h.count() > 0) {
    serverCpu = fmt::format("{:.2f}", perEach(*w.serverCpuMicros, h.count()));
  }
  if (o.run.json) {
    fmt::print(
        "{{\"mode\":\"echo\",\"client\":\"cpp\",\"server\":{},\"transport\":{},"
        "\"connections\":{},\"inflight\":{},\"threads\":{},\"client_threads\":{},"
        "\"payload_bytes\":{},\"warmup_s\":{:.3f},\"duration_s\":{:.3f},\"round_trips\":{},"
        "\"rps\":{:.1f},\"latency_us\":{},\"sent\":{},\"failed\":{},"
        "\"client_cpu_us_per_round_trip\":{:.2f}{}}}\n",
        jsonString(o.connection.server.display(o.connection.server.hubPath())),
        jsonString(r.transport), o.connections, o.run.inflight, o.run.threads, w.clientThreads,
        o.payloadBytes, o.run.warmUpSeconds, w.measuredSeconds, h.count(), rps, latencyJson(h),
        r.sent, r.failed, clientCpu,
        serverCpu.empty() ? "" : ",\"server_cpu_us_per_round_trip\":" + serverCpu);
    return;
  }
  fmt::print("echo: {} connection(s) x {} in flight over {}, {} byte payload, {}\n", o.connections,
             o.run.inflight, r.transport, o.payloadBytes, threadsText(o.run.threads));
  fmt::print("  {} round trips in {:.2f} s (after {:.1f} s warm-up): {:.0f} per second\n",
             h.count(), w.measuredSeconds, o.run.warmUpSeconds, rps);
  fmt::print("  {}\n", latencyText(h));
  fmt::print("  client CPU: {:.2f} us per round trip{}\n", clientCpu,
             serverCpu.empty() ? "" : "; server CPU: " + serverCpu + " us");
}

}  // namespace

LoadResult<void> runEcho(const EchoOptions& o) {
  if (auto r = validate(o); !r) return r;
  if (auto r = reserveFileDescriptors(o.connections); !r) return r;
  std::atomic<Phase> phase{Phase::WarmUp};
  std::atomic<std::int64_t> outstanding{0};
  std::vector<std::unique_ptr<InvokeLoop>> loops;
  client::ConnectionOptions options = o.connection;
  options.reconnect = false;
  ConnectionSet connections(options, "connection", sharedIoThreads(o.run.threads));

  auto payload = std::make_shared<const json::string>(std::string(o.payloadBytes, 'x'));
  const LoopCall echo{.method = "Echo",
                      .arguments = [payload] { return json::array{*payload}; },
                      .classify = [payload](const json::value& result) -> std::string_view {
                        return result.is_string() && result.get_string() == *payload ? "ok"
                                                                                     : "wrong echo";
                      }};
  for (std::size_t i = 0; i < o.connections; ++i) {
    loops.push_back(
        std::make_unique<InvokeLoop>(connections.add(o.grant), echo, phase, outstanding));
  }
  if (auto r = connections.startAll(); !r) return r;
  EchoReport report;
  report.transport = connections.at(0).transport();
  for (auto& loop : loops) loop->start(o.run.inflight);
  auto window = measureWindow(o.run, std::chrono::seconds(2), phase, outstanding);
  if (!window) return window.error();
  report.window = *window;
  const auto ended = connections.stopAll();
  for (const auto& loop : loops) {
    report.latency.merge(loop->histogram());
    report.sent += loop->sent();
    for (const auto& [status, count] : loop->outcomes()) {
      if (status == "ok") continue;
      report.failed += count;
      if (report.firstFailure.empty()) {
        report.firstFailure = fmt::format("{}: {}", status, loop->firstAnswers().at(status));
      }
    }
  }
  printReport(o, report);
  std::vector<std::string> wrong;
  if (report.failed > 0) {
    wrong.push_back(
        fmt::format("{} Echo call(s) failed; first {}", report.failed, report.firstFailure));
  }
  if (window->unanswered > 0) {
    wrong.push_back(fmt::format("{} Echo call(s) unanswered", window->unanswered));
  }
  if (!ended.empty()) wrong.push_back(ended);
  if (wrong.empty() && report.latency.count() == 0) {
    wrong.push_back("no round trip completed while measuring");
  }
  if (!wrong.empty())
    return makeError(LoadErrc::Protocol, fmt::format("{}", fmt::join(wrong, "; ")));
  return {};
}

}  // namespace latch::loadgen
