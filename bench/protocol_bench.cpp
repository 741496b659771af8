// latch-micro-bench: the protocol layer's hot paths, in-process (Google Benchmark).
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>
#include <boost/json/value.hpp>

#include "protocol/hub_message.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/record_splitter.hpp"

namespace {

using namespace latch::protocol;

// An invocation as a home-automation client sends it: a target, a device id, an object.
constexpr std::string_view kInvocation =
    R"({"type":1,"invocationId":"1842","target":"SendCommand","arguments":["living-room/lamp-2",)"
    R"({"action":"set","brightness":75,"transition":0.5,"tags":["evening","scene-3"]}]})";

// The benchmark client's Echo call with its default 32-byte payload.
constexpr std::string_view kEchoInvocation =
    R"({"type":1,"invocationId":"1842","target":"Echo","arguments":["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]})";

void parseInvocation(benchmark::State& state, std::string_view text) {
  for (auto _ : state) {
    auto message = parseHubMessage(text);
    benchmark::DoNotOptimize(message);
    if (!message) state.SkipWithError("parse failed");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(state.iterations());
}

void BM_ParseInvocation(benchmark::State& state) { parseInvocation(state, kInvocation); }
BENCHMARK(BM_ParseInvocation);

void BM_ParseEchoInvocation(benchmark::State& state) { parseInvocation(state, kEchoInvocation); }
BENCHMARK(BM_ParseEchoInvocation);

// 100 invocations back to back, fed whole (range 0) or in chunks of range(0) bytes, as
// a transport delivers them: a record may straddle two chunks.
void BM_RecordSplitterFeed100(benchmark::State& state) {
  std::string buffer;
  for (int i = 0; i < 100; ++i) {
    buffer.append(kInvocation);
    buffer.push_back(kRecordSeparator);
  }
  const auto chunk = state.range(0) > 0 ? static_cast<std::size_t>(state.range(0)) : buffer.size();
  for (auto _ : state) {
    RecordSplitter splitter(32 * 1024);
    std::size_t records = 0;
    for (std::size_t at = 0; at < buffer.size(); at += chunk) {
      auto fed = splitter.feed(std::string_view(buffer).substr(at, chunk),
                               [&records](std::string_view record) {
                                 benchmark::DoNotOptimize(record.data());
                                 ++records;
                                 return true;
                               });
      if (!fed) state.SkipWithError("feed failed");
    }
    if (records != 100) state.SkipWithError("wrong record count");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * buffer.size()));
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_RecordSplitterFeed100)->Arg(0)->Arg(1460)->Arg(64);

// The Completion the server writes for each Echo call (string result), into a reused buffer.
void BM_WriteCompletionResultString(benchmark::State& state) {
  const boost::json::value result(std::string(32, 'x'));
  std::string out;
  for (auto _ : state) {
    out.clear();
    writeCompletionResult(out, "1842", result);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WriteCompletionResultString);

// A Completion carrying a small object, as a device-state query would return.
void BM_WriteCompletionResultObject(benchmark::State& state) {
  const boost::json::value result = {
      {"device", "living-room/lamp-2"}, {"on", true}, {"brightness", 75}, {"updated", 1700000000}};
  std::string out;
  for (auto _ : state) {
    out.clear();
    writeCompletionResult(out, "1842", result);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WriteCompletionResultObject);

}  // namespace
