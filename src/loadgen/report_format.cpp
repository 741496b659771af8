#include "loadgen/report_format.hpp"

#include <fmt/format.h>

#include "protocol/message_writer.hpp"

namespace latch::loadgen {
namespace {

double micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

}  // namespace

std::string latencyJson(const LatencyHistogram& h) {
  return fmt::format(
      "{{\"p50\":{:.1f},\"p90\":{:.1f},\"p99\":{:.1f},\"p999\":{:.1f},\"max\":{:.1f},"
      "\"mean\":{:.1f}}}",
      micros(h.percentile(0.5)), micros(h.percentile(0.9)), micros(h.percentile(0.99)),
      micros(h.percentile(0.999)), micros(h.max()), h.mean() / 1000.0);
}

std::string latencyText(const LatencyHistogram& h) {
  return fmt::format(
      "latency us: p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  p99.9 {:.1f}  max {:.1f}  mean {:.1f}",
      micros(h.percentile(0.5)), micros(h.percentile(0.9)), micros(h.percentile(0.99)),
      micros(h.percentile(0.999)), micros(h.max()), h.mean() / 1000.0);
}

std::string jsonString(std::string_view text) {
  std::string out;
  protocol::appendJsonString(out, text);
  return out;
}

double perEach(std::uint64_t micros, std::uint64_t count) {
  return count ? static_cast<double>(micros) / static_cast<double>(count) : 0.0;
}

std::string threadsText(unsigned threads) {
  return threads == 0 ? std::string("a client thread per connection")
                      : fmt::format("{} shared client thread(s)", threads);
}

}  // namespace latch::loadgen
