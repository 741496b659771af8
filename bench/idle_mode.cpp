// The idle mode: N connections that complete their handshake and then stay silent; reports
// how much resident memory the server spends on each.
#include <chrono>
#include <optional>
#include <variant>

#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>

#include "bench/bench_modes.hpp"
#include "bench/client_pool.hpp"
#include "common/logging.hpp"
#include "loadgen/process_stats.hpp"
#include "protocol/hub_message.hpp"
#include "protocol/message_writer.hpp"

namespace latch::bench {
namespace {

using loadgen::reserveFileDescriptors;
using loadgen::residentKiB;

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// The server's VmRSS at each step, in KiB.
struct MemoryReadings {
  std::uint64_t before = 0;
  std::uint64_t allOpen = 0;
  std::uint64_t settled = 0;
};

struct IdleReport {
  double openSeconds = 0;
  std::optional<MemoryReadings> memory;
};

// Reads the server's memory into `into` when a pid was given; a failed read fails the run.
void readMemory(const IdleOptions& o, RunControl& run, std::uint64_t& into) {
  if (!o.serverPid) return;
  auto kib = residentKiB(*o.serverPid);
  if (!kib) return run.fail(kib.error().message);
  into = *kib;
}

// A silent connection still hears Pings; anything else from the server is a problem.
void checkIdleRecord(RunControl& run, std::size_t index, std::string_view record) {
  auto message = protocol::parseHubMessage(record);
  if (message && std::holds_alternative<protocol::PingMessage>(*message)) return;
  if (message && std::holds_alternative<protocol::CloseMessage>(*message)) {
    const auto& error = std::get<protocol::CloseMessage>(*message).error;
    return run.fail(fmt::format("connection {}: server closed it: {}", index, error.value_or("")));
  }
  run.fail(fmt::format("connection {}: unexpected message: {}", index, record.substr(0, 200)));
}

double perConnection(std::uint64_t after, std::uint64_t before, std::size_t connections) {
  return (static_cast<double>(after) - static_cast<double>(before)) /
         static_cast<double>(connections);
}

void printReport(const IdleOptions& o, const IdleReport& r) {
  const double rate = static_cast<double>(o.connections) / r.openSeconds;
  if (o.json) {
    std::string url;
    // The URL carries the token (access_token): reported elided, as the server logs it.
    protocol::appendJsonString(url, redactTarget(o.url));
    std::string memory = "null";
    if (const auto& m = r.memory) {
      memory = fmt::format(
          "{{\"before_kib\":{},\"all_open_kib\":{},\"settled_kib\":{},\"settle_s\":{:.1f},"
          "\"kib_per_connection\":{:.2f},\"kib_per_connection_all_open\":{:.2f}}}",
          m->before, m->allOpen, m->settled, o.settleSeconds,
          perConnection(m->settled, m->before, o.connections),
          perConnection(m->allOpen, m->before, o.connections));
    }
    fmt::print(
        "{{\"mode\":\"idle\",\"url\":{},\"connections\":{},\"threads\":{},"
        "\"parallel_connects\":{},\"open_s\":{:.3f},\"opens_per_s\":{:.0f},\"server_rss\":{}}}\n",
        url, o.connections, o.threads, o.parallelConnects, r.openSeconds, rate, memory);
    return;
  }
  fmt::print(
      "idle: {} connections opened in {:.2f} s ({:.0f} per second, {} at once), {} client "
      "thread(s)\n",
      o.connections, r.openSeconds, rate, o.parallelConnects, o.threads);
  if (const auto& m = r.memory) {
    fmt::print("  server VmRSS: {} KiB before, {} KiB all open, {} KiB after {:.1f} s\n", m->before,
               m->allOpen, m->settled, o.settleSeconds);
    fmt::print("  per connection: {:.2f} KiB (all open: {:.2f} KiB)\n",
               perConnection(m->settled, m->before, o.connections),
               perConnection(m->allOpen, m->before, o.connections));
  } else {
    fmt::print("  server memory not measured (pass --server-pid)\n");
  }
}

}  // namespace

BenchResult<void> runIdle(const IdleOptions& o) {
  if (o.connections == 0) return makeError(BenchErrc::BadArgument, "--connections must be >= 1");
  if (o.threads == 0) return makeError(BenchErrc::BadArgument, "--threads must be >= 1");
  if (!(o.settleSeconds >= 0)) return makeError(BenchErrc::BadArgument, "--settle must be >= 0");
  auto target = resolveWsUrl(o.url);
  if (!target) return target.error();
  if (auto r = reserveFileDescriptors(o.connections); !r) return r;

  asio::io_context ioc(static_cast<int>(o.threads));
  RunControl run(ioc);
  MemoryReadings memory;
  readMemory(o, run, memory.before);
  if (auto failure = run.failure()) return makeError(BenchErrc::System, *failure);

  ClientPool pool(ioc, *target, run, o.connections, [&run](std::size_t i) {
    return [&run, i](std::string_view record) { checkIdleRecord(run, i, record); };
  });
  asio::steady_timer timer(ioc);
  const auto openStart = Clock::now();
  Clock::time_point openEnd;
  bool settled = false;
  pool.openAll(o.parallelConnects, kOpenTimeout, [&] {
    openEnd = Clock::now();
    readMemory(o, run, memory.allOpen);
    timer.expires_after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(o.settleSeconds)));
    timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      readMemory(o, run, memory.settled);
      settled = true;
      pool.closeAll(std::chrono::seconds(5), [] {});
    });
  });
  runOnThreads(ioc, o.threads);

  if (auto failure = run.failure()) return makeError(BenchErrc::Network, *failure);
  if (!settled) return makeError(BenchErrc::Network, "the run did not finish");
  IdleReport report;
  report.openSeconds = std::chrono::duration<double>(openEnd - openStart).count();
  if (o.serverPid) report.memory = memory;
  printReport(o, report);
  return {};
}

}  // namespace latch::bench
