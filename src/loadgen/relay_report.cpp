#include "loadgen/relay_report.hpp"

#include <vector>

#include <fmt/format.h>

#include "loadgen/report_format.hpp"
#include "protocol/message_writer.hpp"

namespace latch::loadgen {
namespace {

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

// `serverCpu` empty: not measured.
void printJson(const RelayOptions& o, const RelayReport& r, double rps,
               const std::string& serverCpu) {
  const auto& h = r.latency;
  const auto& w = r.window;
  std::string audit = "null";
  if (r.audit) {
    audit = fmt::format(
        "{{\"command_records\":{},\"at_first_look\":{},\"complete\":{},\"waited_ms\":{}}}",
        r.audit->found, r.audit->atFirstLook, r.audit->found == r.sent, r.audit->waited.count());
  }
  fmt::print(
      "{{\"mode\":\"relay\",\"server\":{},\"transport\":{},\"users\":{},\"devices\":{},"
      "\"inflight\":{},\"rate\":{:.1f},\"threads\":{},\"client_threads\":{},\"lifetime_s\":{:.3f},"
      "\"setup_s\":{:.3f},\"warmup_s\":{:.3f},\"duration_s\":{:.3f},\"commands\":{},"
      "\"rps\":{:.1f},\"latency_us\":{},\"sent\":{},\"unanswered\":{},\"outcomes\":{},"
      "\"executed\":{},\"refused\":{},\"client_cpu_us_per_command\":{:.2f}{}{},\"audit\":{}}}\n",
      jsonString(o.connection.server.display(o.connection.server.hubPath())),
      jsonString(r.transport), o.users, o.devices, o.run.inflight, o.rate, o.run.threads,
      w.clientThreads, o.lifetimeSeconds, r.setupSeconds, o.run.warmUpSeconds, w.measuredSeconds,
      h.count(), rps, latencyJson(h), r.sent, w.unanswered, outcomesJson(r.outcomes), r.executed,
      r.refused, perEach(w.clientCpuMicros, h.count()),
      serverCpu.empty() ? "" : ",\"server_cpu_us_per_command\":" + serverCpu,
      r.sendLag ? ",\"send_lag_us\":" + latencyJson(*r.sendLag) : "", audit);
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
  const auto& w = r.window;
  const double rps = w.measuredSeconds > 0 ? static_cast<double>(h.count()) / w.measuredSeconds : 0;
  std::string serverCpu;
  if (w.serverCpuMicros && h.count() > 0) {
    serverCpu = fmt::format("{:.2f}", perEach(*w.serverCpuMicros, h.count()));
  }
  if (o.run.json) return printJson(o, r, rps, serverCpu);
  fmt::print(
      "relay: {} user(s) {} -> {} device(s) over {}, {:.1f} s envelopes, {}; setup {:.1f} s\n",
      o.users,
      o.rate > 0 ? fmt::format("paced at {:.0f} per second in all", o.rate)
                 : fmt::format("x {} in flight", o.run.inflight),
      o.devices, r.transport, o.lifetimeSeconds, threadsText(o.run.threads), r.setupSeconds);
  fmt::print("  {} commands in {:.2f} s (after {:.1f} s warm-up): {:.0f} per second\n", h.count(),
             w.measuredSeconds, o.run.warmUpSeconds, rps);
  fmt::print("  {}\n", latencyText(h));
  if (r.sendLag)
    fmt::print("  sent late by (the load generator's delay): {}\n", latencyText(*r.sendLag));
  fmt::print("  outcomes of all {} sent: {}{}\n", r.sent, outcomesText(r.outcomes),
             w.unanswered ? fmt::format(", unanswered {}", w.unanswered) : "");
  fmt::print("  devices: {} Execute envelope(s) admitted, {} refused\n", r.executed, r.refused);
  fmt::print("  client CPU: {:.2f} us per command{}\n", perEach(w.clientCpuMicros, h.count()),
             serverCpu.empty() ? "" : "; server CPU: " + serverCpu + " us");
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
  if (r.window.unanswered > 0) {
    found.push_back(fmt::format("{} command(s) unanswered", r.window.unanswered));
  }
  if (r.audit && r.audit->found != r.sent) {
    found.push_back(fmt::format("the audit log holds {} command records for {} commands sent",
                                r.audit->found, r.sent));
  }
  return fmt::format("{}", fmt::join(found, "; "));
}

}  // namespace latch::loadgen
