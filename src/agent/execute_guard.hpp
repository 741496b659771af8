#pragma once

#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "auth/envelope.hpp"
#include "auth/session_key.hpp"
#include "client/seen_nonces.hpp"
#include "common/argument_rules.hpp"
#include "common/result.hpp"

namespace latch::agent {

// A command the device may run: verified, fresh, for this device, with a handler.
struct AcceptedCommand {
  std::string command;
  std::string home;
  boost::json::array args;
  std::vector<std::string> argv;  // args as the handler gets them (after `--`, if used)
  std::string handler;            // its program
  std::int64_t expMs = 0;
  std::string nonce;
};

enum class RefusalErrc { Invalid, Expired, Replayed, WrongDevice, NoHandler, BadArguments, Full };

std::string_view refusalName(RefusalErrc code);

// The device side's checks of each Execute (SPEC section 5): the server's envelope verified
// with one of the device's recent session keys, not expired, its nonce never executed before,
// a well-formed command for this device, a local handler for it, and arguments that pass the
// command's argument rule (or the default argument policy). Thread-safe.
class ExecuteGuard {
 public:
  // `argRules` must parse (the caller checked them at start).
  ExecuteGuard(std::string deviceId, std::map<std::string, std::string> handlers,
               std::size_t seenCapacity, auth::EnvelopeOptions envelopeOptions = {},
               const std::map<std::string, std::string>& argRules = {});

  // Adds the session key of a new token; the one before stays valid too (an Execute signed
  // just before an in-band refresh may arrive just after it), older ones are dropped.
  void addSessionKey(const auth::SessionKeyBytes& key);

  // Checks one Execute argument at `nowMs`; on success its nonce is remembered, so the same
  // envelope is refused from then on.
  [[nodiscard]] Result<AcceptedCommand, RefusalErrc> admit(const boost::json::value& wire,
                                                           std::int64_t nowMs);

 private:
  const std::string deviceId_;
  const std::map<std::string, std::string> handlers_;
  std::map<std::string, ArgumentRule> argRules_;
  const auth::EnvelopeOptions envelopeOptions_;
  client::SeenNonces seen_;
  std::mutex mutex_;
  std::vector<auth::SessionKeyBytes> keys_;  // newest last, at most two
};

}  // namespace latch::agent
