#include "agent/execute_guard.hpp"

#include <fmt/format.h>

#include "client/envelope.hpp"
#include "relay/command_message.hpp"

namespace latch::agent {

std::string_view refusalName(RefusalErrc code) {
  switch (code) {
    case RefusalErrc::Invalid:
      return "invalid";
    case RefusalErrc::Expired:
      return "expired";
    case RefusalErrc::Replayed:
      return "replayed";
    case RefusalErrc::WrongDevice:
      return "wrong_device";
    case RefusalErrc::NoHandler:
      return "no_handler";
    case RefusalErrc::BadArguments:
      return "bad_arguments";
    case RefusalErrc::Full:
      return "busy";
  }
  return "invalid";
}

ExecuteGuard::ExecuteGuard(std::string deviceId, std::map<std::string, std::string> handlers,
                           std::size_t seenCapacity, auth::EnvelopeOptions envelopeOptions,
                           const std::map<std::string, std::string>& argRules)
    : deviceId_(std::move(deviceId)),
      handlers_(std::move(handlers)),
      envelopeOptions_(envelopeOptions),
      seen_(seenCapacity) {
  for (const auto& [command, rule] : argRules) {
    if (auto parsed = ArgumentRule::parse(rule)) argRules_.emplace(command, std::move(*parsed));
  }
}

void ExecuteGuard::addSessionKey(const auth::SessionKeyBytes& key) {
  std::lock_guard lock(mutex_);
  if (!keys_.empty() && keys_.back() == key) return;
  keys_.push_back(key);
  if (keys_.size() > 2) keys_.erase(keys_.begin());
}

Result<AcceptedCommand, RefusalErrc> ExecuteGuard::admit(const boost::json::value& wire,
                                                         std::int64_t nowMs) {
  std::vector<auth::SessionKeyBytes> keys;
  {
    std::lock_guard lock(mutex_);
    // Newest first: the usual case needs one HMAC.
    keys.assign(keys_.rbegin(), keys_.rend());
  }
  auto opened = client::openEnvelope(keys, "Execute", wire, nowMs, envelopeOptions_);
  if (!opened) {
    const auto code = opened.error().code == auth::EnvelopeErrc::Expired ? RefusalErrc::Expired
                                                                         : RefusalErrc::Invalid;
    return makeError(code, std::string(auth::envelopeErrorName(opened.error().code)));
  }
  const auto& envelope = opened->envelope;
  auto message = relay::parseCommandMessage(envelope.msg);
  if (!message) return makeError(RefusalErrc::Invalid, message.error().message);
  if (message->device != deviceId_) {
    return makeError(RefusalErrc::WrongDevice, "the command is for another device");
  }
  const auto handler = handlers_.find(message->command);
  if (handler == handlers_.end()) {
    return makeError(RefusalErrc::NoHandler,
                     fmt::format("no handler for {} on this device", message->command));
  }
  auto argv = argumentTexts(message->args);
  const auto rule = argRules_.find(message->command);
  if (auto problem =
          rule == argRules_.end() ? defaultArgumentProblem(argv) : rule->second.check(argv)) {
    return makeError(RefusalErrc::BadArguments, "arguments refused: " + *problem);
  }
  // Last, so that a refused envelope does not use up room in the seen-set.
  switch (seen_.remember(auth::nonceBytes(envelope), envelope.exp, nowMs)) {
    case client::SeenNonces::Outcome::Seen:
      return makeError(RefusalErrc::Replayed, "this command was already executed");
    case client::SeenNonces::Outcome::Full:
      return makeError(RefusalErrc::Full, "too many recent commands");
    case client::SeenNonces::Outcome::Fresh:
      break;
  }
  AcceptedCommand out;
  out.command = std::move(message->command);
  out.home = std::move(message->home);
  out.args = std::move(message->args);
  out.argv = std::move(argv);
  out.handler = handler->second;
  out.expMs = envelope.exp;
  out.nonce = envelope.nonce;
  return out;
}

}  // namespace latch::agent
