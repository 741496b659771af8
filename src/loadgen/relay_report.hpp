#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "loadgen/audit_count.hpp"
#include "loadgen/latency_histogram.hpp"
#include "loadgen/measured_window.hpp"
#include "loadgen/relay_run.hpp"

namespace latch::loadgen {

// What a relay run counted, added up over its users and devices.
struct RelayReport {
  std::string transport;  // the one the connections used
  double setupSeconds = 0;
  Window window;                                  // time and CPU measured, commands left unanswered
  LatencyHistogram latency;                       // commands answered while measuring
  std::optional<LatencyHistogram> sendLag;        // --rate: how late each left (Pacer::lag)
  std::uint64_t sent = 0;                         // every command sent, warm-up included
  std::map<std::string, std::uint64_t> outcomes;  // every command answered
  std::map<std::string, std::string> firstAnswers;  // of each status but "ok"
  std::uint64_t executed = 0;                       // Execute envelopes the devices admitted
  std::uint64_t refused = 0;                        // ... and refused
  std::string firstRefusal;
  std::optional<AuditCount> audit;

  std::uint64_t notOk() const;
};

// Prints the report: a few lines for people, or one JSON object with `options.json`.
void printRelayReport(const RelayOptions& options, const RelayReport& report);

// Everything the run left wrong, in one line; empty when all went well.
std::string relayProblems(const RelayReport& report);

}  // namespace latch::loadgen
