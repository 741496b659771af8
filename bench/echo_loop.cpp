#include "bench/echo_loop.hpp"

#include <charconv>
#include <variant>

#include <fmt/format.h>

#include "protocol/hub_message.hpp"
#include "protocol/record_splitter.hpp"

namespace latch::bench {

EchoLoop::EchoLoop(std::size_t index, std::size_t inflight, const std::string& payload,
                   const std::atomic<Phase>& phase, RunControl& run)
    : index_(index), payload_(payload), phase_(phase), run_(run), slots_(inflight) {
  for (std::size_t i = 0; i < slots_.size(); ++i) slots_[i].invocationId = i;
  out_.reserve(payload.size() + 128);
}

void EchoLoop::start(HubClient& client) {
  client_ = &client;
  for (std::size_t i = 0; i < slots_.size(); ++i) send(i);
}

void EchoLoop::send(std::size_t slot) {
  Slot& s = slots_[slot];
  char id[24];
  const auto [end, ec] = std::to_chars(id, id + sizeof id, s.invocationId);
  out_.assign(R"({"type":1,"invocationId":")");
  out_.append(id, end);
  out_.append(R"(","target":"Echo","arguments":[")");
  out_.append(payload_);
  out_.append("\"]}");
  out_.push_back(protocol::kRecordSeparator);
  s.outstanding = true;
  s.sentAt = Clock::now();
  client_->send(out_);
}

void EchoLoop::onRecord(std::string_view record) {
  const auto now = Clock::now();
  auto message = protocol::parseHubMessage(record);
  if (!message) return fail(fmt::format("unparsable message: {}", message.error().message));
  if (auto* completion = std::get_if<protocol::CompletionMessage>(&*message)) {
    if (completion->error) return fail(fmt::format("Echo failed: {}", *completion->error));
    const auto* result = completion->result ? completion->result->if_string() : nullptr;
    if (!result || result->size() != payload_.size()) return fail("Echo returned another value");
    return onCompletion(completion->invocationId, now);
  }
  if (std::holds_alternative<protocol::PingMessage>(*message)) return;
  if (auto* close = std::get_if<protocol::CloseMessage>(&*message)) {
    return fail(fmt::format("server closed the connection: {}", close->error.value_or("")));
  }
  fail(fmt::format("unexpected message: {}", record.substr(0, 200)));
}

void EchoLoop::onCompletion(std::string_view invocationId, Clock::time_point now) {
  std::uint64_t id = 0;
  const auto [end, ec] =
      std::from_chars(invocationId.data(), invocationId.data() + invocationId.size(), id);
  Slot* slot = ec == std::errc() ? &slots_[id % slots_.size()] : nullptr;
  if (!slot || !slot->outstanding || slot->invocationId != id) {
    return fail(fmt::format("Completion for unknown invocation '{}'", invocationId));
  }
  slot->outstanding = false;
  const Phase phase = phase_.load(std::memory_order_relaxed);
  if (phase == Phase::Measure) {
    histogram_.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - slot->sentAt).count()));
  }
  if (phase == Phase::Done) return;
  slot->invocationId += slots_.size();
  send(static_cast<std::size_t>(slot - slots_.data()));
}

void EchoLoop::fail(std::string_view why) {
  run_.fail(fmt::format("connection {}: {}", index_, why));
}

}  // namespace latch::bench
