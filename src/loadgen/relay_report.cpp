#include "loadgen/relay_report.hpp"

#include <vector>

#include <fmt/format.h>

#include "loadgen/connection_set.hpp"
#include "protocol/message_writer.hpp"

namespace latch::loadgen {
namespace {

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

double perCommand(std::uint64_t micros, std::uint64_t commands) {
  return commands ? static_cast<double>(micros) / static_cast<double>(commands) : 0.0;
}

// `cpuPerCommand` negative: not measured.
void printJson(const RelayOptions& o, const RelayReport& r, double rps, double cpuPerCommand) {
  const auto& h = r.latency;
  std::string server;
  protocol::appendJsonString(server, o.connection.server.display(o.connection.server.hubPath()));
  std::string transport;
  protocol::appendJsonString(transport, r.transport);
  std::string audit = "null";
  if (r.audit) {
    audit = fmt::format(
        "{{\"command_records\":{},\"at_first_look\":{},\"complete\":{},\"waited_ms\":{}}}",
        r.audit->found, r.audit->atFirstLook, r.audit->found == r.sent, r.audit->waited.count());
  }
  fmt::print(
      "{{\"mode\":\"relay\",\"server\":{},\"transport\":{},\"users\":{},\"devices\":{},"
      "\"inflight\":{},\"threads\":{},\"lifetime_s\":{:.3f},\"setup_s\":{:.3f},\"warmup_s\":{:.3f},"
      "\"duration_s\":{:.3f},\"commands\":{},\"rps\":{:.1f},\"latency_us\":{{\"p50\":{:.1f},"
      "\"p90\":{:.1f},\"p99\":{:.1f},\"p999\":{:.1f},\"max\":{:.1f},\"mean\":{:.1f}}},"
      "\"sent\":{},\"unanswered\":{},\"outcomes\":{},\"executed\":{},\"refused\":{},"
      "\"client_cpu_us_per_command\":{:.2f}{},\"audit\":{}}}\n",
      server, transport, o.users, o.devices, o.inflight, o.threads, o.lifetimeSeconds,
      r.setupSeconds, o.warmUpSeconds, r.measuredSeconds, h.count(), rps, micros(h.percentile(0.5)),
      micros(h.percentile(0.9)), micros(h.percentile(0.99)), micros(h.percentile(0.999)),
      micros(h.max()), h.mean() / 1000.0, r.sent, r.unanswered, outcomesJson(r.outcomes),
      r.executed, r.refused, perCommand(r.clientCpuMicros, h.count()),
      cpuPerCommand >= 0 ? fmt::format(",\"server_cpu_us_per_command\":{:.2f}", cpuPerCommand) : "",
      audit);
}

}  // namespace

std::uint64_t RelayReport::notOk() const {
  std::uint64_t n = 0;
  for (const auto& [status, count] : outcomes) {
    if (status != "ok") n += count;
  }
  return n;
}

void printRelayReport(const RelayOptions& o, const RelayReport& r) {
  const auto& h = r.latency;
  const double rps = r.measuredSeconds > 0 ? static_cast<double>(h.count()) / r.measuredSeconds : 0;
  double cpuPerCommand = -1.0;  // not measured
  if (r.serverCpuMicros && h.count() > 0) cpuPerCommand = perCommand(*r.serverCpuMicros, h.count());
  if (o.json) return printJson(o, r, rps, cpuPerCommand);
  fmt::print(
      "relay: {} user(s) x {} in flight -> {} device(s) over {}, {:.1f} s envelopes, {}; setup "
      "{:.1f} s\n",
      o.users, o.inflight, o.devices, r.transport, o.lifetimeSeconds, threadsText(o.threads),
      r.setupSeconds);
  fmt::print("  {} commands in {:.2f} s (after {:.1f} s warm-up): {:.0f} per second\n", h.count(),
             r.measuredSeconds, o.warmUpSeconds, rps);
  fmt::print(
      "  latency us: p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  p99.9 {:.1f}  max {:.1f}  mean {:.1f}\n",
      micros(h.percentile(0.5)), micros(h.percentile(0.9)), micros(h.percentile(0.99)),
      micros(h.percentile(0.999)), micros(h.max()), h.mean() / 1000.0);
  fmt::print("  outcomes of all {} sent: {}{}\n", r.sent, outcomesText(r.outcomes),
             r.unanswered ? fmt::format(", unanswered {}", r.unanswered) : "");
  fmt::print("  devices: {} Execute envelope(s) admitted, {} refused\n", r.executed, r.refused);
  fmt::print("  client CPU: {:.2f} us per command", perCommand(r.clientCpuMicros, h.count()));
  if (cpuPerCommand >= 0) fmt::print("; server CPU: {:.2f} us", cpuPerCommand);
  fmt::print("\n");
  if (r.audit) {
    fmt::print(
        "  audit log: {} of {} command records ({} right after the run; {} ms, {} look(s))\n",
        r.audit->found, r.sent, r.audit->atFirstLook, r.audit->waited.count(), r.audit->looks);
  }
}

std::string relayProblems(const RelayReport& r) {
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

}  // namespace latch::loadgen
