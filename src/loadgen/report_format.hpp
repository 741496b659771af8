#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loadgen/latency_histogram.hpp"

namespace latch::loadgen {

// Pieces every `latch bench` report prints alike.

// `h` (nanoseconds) as {"p50":..,"p90":..,"p99":..,"p999":..,"max":..,"mean":..} in us.
std::string latencyJson(const LatencyHistogram& h);
// `h` as "latency us: p50 ..  p90 ..  p99 ..  p99.9 ..  max ..  mean ..".
std::string latencyText(const LatencyHistogram& h);
// `text` as a JSON string, quotes and escapes included.
std::string jsonString(std::string_view text);
// `micros` of CPU time per each of `count` answers; 0 when there were none.
double perEach(std::uint64_t micros, std::uint64_t count);
// How a report names the client threads: "2 shared client thread(s)", "a client thread per
// connection".
std::string threadsText(unsigned threads);

}  // namespace latch::loadgen
