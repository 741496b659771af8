#include "bench/relay_loops.hpp"

#include <charconv>
#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include "auth/envelope.hpp"
#include "common/wall_clock.hpp"
#include "protocol/hub_message.hpp"
#include "protocol/message_writer.hpp"

namespace latch::bench {
namespace {

// Envelopes carry wall-clock times, as the server checks them.
std::int64_t wallNowMs() { return SystemWallClock().nowMillis(); }

// What a hub message is for a client that only expects Completions (and Execute, on devices):
// Pings and non-blocking invocations (TokenExpiring, Event) are ignored, a Close ends the run.
// Empty: handled; otherwise the reason to fail.
std::string checkOther(const protocol::HubMessage& message, std::string_view record) {
  if (std::holds_alternative<protocol::PingMessage>(message)) return {};
  if (const auto* invocation = std::get_if<protocol::InvocationMessage>(&message)) {
    if (!invocation->invocationId) return {};
  }
  if (const auto* close = std::get_if<protocol::CloseMessage>(&message)) {
    return fmt::format("server closed the connection: {}", close->error.value_or(""));
  }
  return fmt::format("unexpected message: {}", record.substr(0, 200));
}

}  // namespace

CommandLoop::CommandLoop(std::size_t index, std::size_t inflight, std::span<const std::uint8_t> key,
                         std::string msg, std::int64_t lifetimeMs, const std::atomic<Phase>& phase,
                         std::atomic<std::int64_t>& outstanding, RunControl& run)
    : index_(index),
      key_(key),
      msg_(std::move(msg)),
      lifetimeMs_(lifetimeMs),
      phase_(phase),
      outstanding_(outstanding),
      run_(run),
      slots_(inflight) {
  for (std::size_t i = 0; i < slots_.size(); ++i) slots_[i].invocationId = i;
  out_.reserve(msg_.size() + 512);
}

void CommandLoop::start(HubClient& client) {
  client_ = &client;
  for (std::size_t i = 0; i < slots_.size(); ++i) send(i);
}

void CommandLoop::send(std::size_t slot) {
  Slot& s = slots_[slot];
  auth::Envelope envelope;
  envelope.iat = wallNowMs();
  envelope.exp = envelope.iat + lifetimeMs_;
  envelope.nonce = auth::newNonce();
  envelope.msg = msg_;
  auth::signEnvelope(key_, "SendCommand", envelope);
  char id[24];
  const auto [end, ec] = std::to_chars(id, id + sizeof id, s.invocationId);
  out_.clear();
  protocol::writeInvocation(out_, std::string_view(id, end - id), "SendCommand",
                            boost::json::array{auth::envelopeToJson(envelope)});
  s.outstanding = true;
  ++sent_;
  outstanding_.fetch_add(1, std::memory_order_relaxed);
  s.sentAt = Clock::now();
  client_->send(out_);
}

void CommandLoop::onRecord(std::string_view record) {
  const auto now = Clock::now();
  auto message = protocol::parseHubMessage(record);
  if (!message) return fail(fmt::format("unparsable message: {}", message.error().message));
  const auto* completion = std::get_if<protocol::CompletionMessage>(&*message);
  if (!completion) {
    if (auto why = checkOther(*message, record); !why.empty()) fail(why);
    return;
  }
  if (completion->error) return onCompletion(completion->invocationId, "error", record, now);
  const auto* result = completion->result ? completion->result->if_object() : nullptr;
  const auto* status = result ? result->if_contains("status") : nullptr;
  if (!status || !status->is_string()) {
    return onCompletion(completion->invocationId, "garbage", record, now);
  }
  const auto& s = status->get_string();
  onCompletion(completion->invocationId, std::string_view(s.data(), s.size()), record, now);
}

void CommandLoop::onCompletion(std::string_view invocationId, std::string_view status,
                               std::string_view record, Clock::time_point now) {
  std::uint64_t id = 0;
  const auto [end, ec] =
      std::from_chars(invocationId.data(), invocationId.data() + invocationId.size(), id);
  Slot* slot = ec == std::errc() ? &slots_[id % slots_.size()] : nullptr;
  if (!slot || !slot->outstanding || slot->invocationId != id) {
    return fail(fmt::format("Completion for unknown invocation '{}'", invocationId));
  }
  slot->outstanding = false;
  outstanding_.fetch_sub(1, std::memory_order_relaxed);
  if (status == "ok") {
    ++ok_;
  } else {
    const auto [it, first] = outcomes_.try_emplace(std::string(status), 0);
    ++it->second;
    if (first) firstAnswers_.emplace(it->first, record.substr(0, 300));
  }
  const Phase phase = phase_.load(std::memory_order_relaxed);
  if (phase == Phase::Measure) {
    histogram_.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - slot->sentAt).count()));
  }
  if (phase == Phase::Done) return;
  slot->invocationId += slots_.size();
  send(static_cast<std::size_t>(slot - slots_.data()));
}

std::map<std::string, std::uint64_t> CommandLoop::outcomes() const {
  auto all = outcomes_;
  if (ok_ > 0) all["ok"] += ok_;
  return all;
}

void CommandLoop::fail(std::string_view why) { run_.fail(fmt::format("user {}: {}", index_, why)); }

DeviceResponder::DeviceResponder(std::size_t index, std::span<const std::uint8_t> key,
                                 RunControl& run)
    : index_(index),
      key_(key),
      run_(run),
      okResult_(boost::json::object{{"status", "ok"}, {"output", nullptr}}) {}

void DeviceResponder::onRecord(std::string_view record) {
  auto message = protocol::parseHubMessage(record);
  if (!message) {
    return run_.fail(
        fmt::format("device {}: unparsable message: {}", index_, message.error().message));
  }
  const auto* invocation = std::get_if<protocol::InvocationMessage>(&*message);
  if (!invocation || !invocation->invocationId || invocation->target != "Execute") {
    if (auto why = checkOther(*message, record); !why.empty()) {
      run_.fail(fmt::format("device {}: {}", index_, why));
    }
    return;
  }
  std::string refusal;
  if (invocation->arguments.size() != 1) {
    refusal = "Execute takes one envelope";
  } else if (auto envelope = auth::parseEnvelope(invocation->arguments[0]); !envelope) {
    refusal = envelope.error().message;
  } else if (auto ok = auth::verifyEnvelope(key_, "Execute", *envelope, wallNowMs()); !ok) {
    refusal = ok.error().message;
  }
  out_.clear();
  if (refusal.empty()) {
    ++executed_;
    protocol::writeCompletionResult(out_, *invocation->invocationId, okResult_);
  } else {
    ++refused_;
    if (firstRefusal_.empty()) firstRefusal_ = refusal;
    protocol::writeCompletionResult(out_, *invocation->invocationId,
                                    boost::json::object{{"status", "failed"}, {"output", refusal}});
  }
  client_->send(out_);
}

}  // namespace latch::bench
