// The echo mode: N connections, each a closed loop of Echo invocations; reports round trips
// per second and the latency distribution.
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>

#include "bench/bench_modes.hpp"
#include "bench/client_pool.hpp"
#include "bench/echo_loop.hpp"
#include "common/logging.hpp"
#include "loadgen/process_stats.hpp"
#include "protocol/message_writer.hpp"

namespace latch::bench {
namespace {

using loadgen::cpuMicros;
using loadgen::reserveFileDescriptors;
using loadgen::selfCpuMicros;

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct EchoReport {
  LatencyHistogram latency;
  double measuredSeconds = 0;
  std::optional<std::uint64_t> serverCpuMicros;  // the server's CPU time while measuring
  std::uint64_t clientCpuMicros = 0;             // this process's, while measuring
};

BenchResult<void> validate(const EchoOptions& o) {
  if (o.connections == 0) return makeError(BenchErrc::BadArgument, "--connections must be >= 1");
  if (o.inflight == 0) return makeError(BenchErrc::BadArgument, "--inflight must be >= 1");
  if (o.threads == 0) return makeError(BenchErrc::BadArgument, "--threads must be >= 1");
  if (!(o.durationSeconds > 0) || !(o.warmUpSeconds >= 0)) {
    return makeError(BenchErrc::BadArgument, "--duration must be > 0 and --warmup >= 0");
  }
  return {};
}

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

double micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

void printReport(const EchoOptions& o, const EchoReport& r) {
  const auto& h = r.latency;
  const double rps = static_cast<double>(h.count()) / r.measuredSeconds;
  // Negative: not measured.
  const double cpuPerRoundTrip =
      r.serverCpuMicros ? static_cast<double>(*r.serverCpuMicros) / static_cast<double>(h.count())
                        : -1.0;
  const double clientPerRoundTrip =
      static_cast<double>(r.clientCpuMicros) / static_cast<double>(h.count());
  if (o.json) {
    std::string url;
    // The URL carries the token (access_token): reported elided, as the server logs it.
    protocol::appendJsonString(url, redactTarget(o.url));
    fmt::print(
        "{{\"mode\":\"echo\",\"url\":{},\"connections\":{},\"inflight\":{},\"payload_bytes\":{},"
        "\"threads\":{},\"warmup_s\":{:.3f},\"duration_s\":{:.3f},\"round_trips\":{},"
        "\"rps\":{:.1f},\"latency_us\":{{\"p50\":{:.1f},\"p90\":{:.1f},\"p99\":{:.1f},"
        "\"p999\":{:.1f},\"max\":{:.1f},\"mean\":{:.1f}}},\"client_cpu_us_per_round_trip\":{:.2f}{}"
        "}}\n",
        url, o.connections, o.inflight, o.payloadBytes, o.threads, o.warmUpSeconds,
        r.measuredSeconds, h.count(), rps, micros(h.percentile(0.5)), micros(h.percentile(0.9)),
        micros(h.percentile(0.99)), micros(h.percentile(0.999)), micros(h.max()), h.mean() / 1000.0,
        clientPerRoundTrip,
        cpuPerRoundTrip >= 0
            ? fmt::format(",\"server_cpu_us_per_round_trip\":{:.2f}", cpuPerRoundTrip)
            : "");
    return;
  }
  fmt::print("echo: {} connection(s) x {} in flight, {}-byte payload, {} client thread(s)\n",
             o.connections, o.inflight, o.payloadBytes, o.threads);
  fmt::print("  {} round trips in {:.2f} s (after {:.1f} s warm-up): {:.0f} per second\n",
             h.count(), r.measuredSeconds, o.warmUpSeconds, rps);
  fmt::print(
      "  latency us: p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  p99.9 {:.1f}  max {:.1f}  mean {:.1f}\n",
      micros(h.percentile(0.5)), micros(h.percentile(0.9)), micros(h.percentile(0.99)),
      micros(h.percentile(0.999)), micros(h.max()), h.mean() / 1000.0);
  fmt::print("  client CPU: {:.2f} us per round trip", clientPerRoundTrip);
  if (cpuPerRoundTrip >= 0) fmt::print("; server CPU: {:.2f} us", cpuPerRoundTrip);
  fmt::print("\n");
}

}  // namespace

BenchResult<void> runEcho(const EchoOptions& o) {
  if (auto r = validate(o); !r) return r;
  auto target = resolveWsUrl(o.url);
  if (!target) return target.error();
  if (auto r = reserveFileDescriptors(o.connections); !r) return r;

  asio::io_context ioc(static_cast<int>(o.threads));
  RunControl run(ioc);
  std::atomic<Phase> phase{Phase::WarmUp};
  const std::string payload(o.payloadBytes, 'x');
  std::vector<std::unique_ptr<EchoLoop>> loops;
  loops.reserve(o.connections);
  for (std::size_t i = 0; i < o.connections; ++i) {
    loops.push_back(std::make_unique<EchoLoop>(i, o.inflight, payload, phase, run));
  }
  ClientPool pool(ioc, *target, run, o.connections, [&loops](std::size_t i) {
    return [loop = loops[i].get()](std::string_view record) { loop->onRecord(record); };
  });

  // The phases follow one another on this timer: warm-up, measure, close.
  asio::steady_timer timer(ioc);
  Clock::time_point measureStart;
  Clock::time_point measureEnd;
  std::uint64_t cpuStart = 0;
  std::uint64_t cpuEnd = 0;
  std::uint64_t clientCpuStart = 0;
  std::uint64_t clientCpuEnd = 0;
  auto readCpu = [&](std::uint64_t& into) {
    if (!o.serverPid) return;
    auto used = cpuMicros(*o.serverPid);
    if (!used) return run.fail(used.error().message);
    into = *used;
  };
  auto endMeasure = [&](boost::system::error_code ec) {
    if (ec) return;
    measureEnd = Clock::now();
    clientCpuEnd = selfCpuMicros();
    readCpu(cpuEnd);
    phase.store(Phase::Done);
    pool.closeAll(std::chrono::seconds(3), [] {});
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
  pool.openAll(kDefaultParallelConnects, kOpenTimeout, [&] {
    for (std::size_t i = 0; i < pool.size(); ++i) {
      asio::post(pool.client(i).executor(), [&, i] { loops[i]->start(pool.client(i)); });
    }
    timer.expires_after(seconds(o.warmUpSeconds));
    timer.async_wait(startMeasure);
  });
  runOnThreads(ioc, o.threads);

  if (auto failure = run.failure()) return makeError(BenchErrc::Network, *failure);
  if (phase.load() != Phase::Done) return makeError(BenchErrc::Network, "the run did not finish");
  EchoReport report;
  report.measuredSeconds = std::chrono::duration<double>(measureEnd - measureStart).count();
  for (const auto& loop : loops) report.latency.merge(loop->histogram());
  if (o.serverPid) report.serverCpuMicros = cpuEnd - cpuStart;
  report.clientCpuMicros = clientCpuEnd - clientCpuStart;
  if (report.latency.count() == 0) {
    return makeError(BenchErrc::Protocol, "no round trip completed while measuring");
  }
  printReport(o, report);
  return {};
}

}  // namespace latch::bench
