#include "loadgen/invoke_loop.hpp"

#include <boost/json/serialize.hpp>

namespace latch::loadgen {
namespace {

namespace json = boost::json;

// How much of an unexpected result is kept to explain it.
constexpr std::size_t kAnswerExcerpt = 200;

}  // namespace

InvokeLoop::InvokeLoop(client::HubConnection& connection, LoopCall call,
                       const std::atomic<Phase>& phase, std::atomic<std::int64_t>& outstanding,
                       bool paced)
    : connection_(connection),
      call_(std::move(call)),
      phase_(phase),
      outstanding_(outstanding),
      paced_(paced) {}

void InvokeLoop::start(std::size_t inflight) {
  for (std::size_t i = 0; i < inflight; ++i) send(Clock::now());
}

void InvokeLoop::send(Clock::time_point sentAt) {
  auto arguments = call_.arguments();
  sent_.fetch_add(1, std::memory_order_relaxed);
  inFlight_.fetch_add(1, std::memory_order_relaxed);
  outstanding_.fetch_add(1);
  connection_.invokeAsync(
      call_.method, std::move(arguments),
      [this, sentAt](client::ClientResult<json::value> result) { onResult(result, sentAt); });
}

void InvokeLoop::onResult(const client::ClientResult<json::value>& result,
                          Clock::time_point sentAt) {
  const auto now = Clock::now();
  inFlight_.fetch_sub(1, std::memory_order_relaxed);
  if (!result) {
    count("error", result.error().message);
    // A Completion error is the server's answer: the connection still works. Anything else
    // (closed, timed out, backlog full) means it does not.
    if (result.error().code != client::ClientErrc::Refused) {
      alive_.store(false, std::memory_order_relaxed);
      outstanding_.fetch_sub(1);
      return;
    }
  } else if (const auto status = call_.classify(*result); status == "ok") {
    ++ok_;
  } else {
    count(status, json::serialize(*result));
  }
  if (phase_.load(std::memory_order_relaxed) == Phase::Measure) {
    histogram_.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - sentAt).count()));
  }
  // The next invocation counts as outstanding before this one stops counting: the run's end
  // never sees zero while a loop is still sending.
  if (!paced_ && phase_.load(std::memory_order_relaxed) != Phase::Done) send(Clock::now());
  outstanding_.fetch_sub(1);
}

void InvokeLoop::count(std::string_view status, std::string_view answer) {
  const std::string key(status);
  ++outcomes_[key];
  firstAnswers_.try_emplace(key, answer.substr(0, kAnswerExcerpt));
}

std::map<std::string, std::uint64_t> InvokeLoop::outcomes() const {
  auto all = outcomes_;
  if (ok_ > 0) all["ok"] = ok_;
  return all;
}

}  // namespace latch::loadgen
