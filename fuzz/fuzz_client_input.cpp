// Fuzzes what the C++ client side reads from a server it may not trust: negotiate responses,
// token responses, server URLs, and the agent's checks of an Execute argument (envelope,
// signature, command message, seen-set). Any input gives a value or a typed error, never a
// crash.
//
// The first byte picks the mode (the rest of the input is the mode's data):
//   byte % 4 == 0  raw: the data is read as a negotiate response, a token response, a server
//                  URL and text to repair, and admitted as one Execute argument as it is.
//                  Only seeds signed with the fixed session key below pass the signature.
//   byte % 4 != 0  signed: the data is Execute arguments separated by 0x1e. The harness
//                  replaces each one's "sig" with the signature of its fields under the
//                  guard's newest session key (1), the one before (2) or a key the guard does
//                  not hold (3), then admits them in turn at a clock that advances by
//                  (first byte >> 2) seconds per envelope, so the command checks and the
//                  seen-set (replays, expiry, capacity) are fuzzed. A bad signature under a
//                  held key, an envelope admitted under a foreign key, or a nonce admitted
//                  twice while its envelope lives is a bug and aborts.
// A fresh guard per input: what one input leaves in the seen-set never changes the next.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "agent/execute_guard.hpp"
#include "agent/utf8.hpp"
#include "auth/envelope.hpp"
#include "client/detail/negotiation.hpp"
#include "client/server_url.hpp"
#include "client/token_grant.hpp"

namespace {

using namespace latch;

constexpr std::int64_t kNowMillis = 1'764'405'600'000;
// Small, so that a few envelopes fill the seen-set.
constexpr std::size_t kSeenCapacity = 4;
// 32 zero bytes in base64url: a well-formed "sig" for parseEnvelope, replaced once parsed.
constexpr std::string_view kPlaceholderSig = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

auth::SessionKeyBytes filledKey(std::uint8_t byte) {
  auth::SessionKeyBytes key{};
  key.fill(byte);
  return key;
}

// The session keys: the guard holds the previous and the newest; the foreign one never.
const auth::SessionKeyBytes kPrevious = filledKey(7);
const auth::SessionKeyBytes kNewest = filledKey(9);
const auth::SessionKeyBytes kForeign = filledKey(11);

// A device "d_1" with two commands, holding the previous and the newest session key.
class FuzzGuard : public agent::ExecuteGuard {
 public:
  FuzzGuard()
      : ExecuteGuard("d_1", {{"OPEN_DOOR", "/bin/true"}, {"LIGHT_ON", "/bin/true"}},
                     kSeenCapacity) {
    addSessionKey(kPrevious);
    addSessionKey(kNewest);
  }
};

void fuzzRaw(std::string_view text) {
  (void)client::detail::parseNegotiation(text);
  (void)client::parseTokenResponse(text);
  (void)client::parseServerUrl(text);
  (void)agent::toValidUtf8(text);
  boost::system::error_code ec;
  const auto value = boost::json::parse(text, ec);
  if (ec) return;
  FuzzGuard guard;
  // The raw seeds are signed with the previous key, so the fallback to it is covered too.
  (void)guard.admit(value, kNowMillis);
}

class SignedRun {
 public:
  SignedRun(int keyChoice, std::int64_t stepMs)
      : key_(keyChoice == 1   ? kNewest
             : keyChoice == 2 ? kPrevious
                              : kForeign),
        foreign_(keyChoice == 3),
        stepMs_(stepMs) {}

  void admit(std::string_view record) {
    nowMs_ += stepMs_;
    boost::system::error_code ec;
    auto wire = boost::json::parse(record, ec);
    if (ec) return;
    auto* o = wire.if_object();
    if (!o) return;
    (*o)["sig"] = kPlaceholderSig;
    auto envelope = auth::parseEnvelope(wire);
    if (envelope) {
      auth::signEnvelope(key_, "Execute", *envelope);
      (*o)["sig"] = envelope->sig;
    }
    const auto accepted = guard_.admit(wire, nowMs_);
    if (!accepted) {
      if (!foreign_ && accepted.error().message == "bad_signature") std::abort();
      return;
    }
    if (foreign_) std::abort();
    auto [it, inserted] = admitted_.try_emplace(accepted->nonce, accepted->expMs);
    if (!inserted && it->second > nowMs_) std::abort();  // a replay was admitted
    it->second = accepted->expMs;
  }

 private:
  const auth::SessionKeyBytes key_;
  const bool foreign_;
  const std::int64_t stepMs_;
  std::int64_t nowMs_ = kNowMillis;
  FuzzGuard guard_;
  std::map<std::string, std::int64_t> admitted_;  // nonce -> exp of each admitted envelope
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  if (selector % 4 == 0) {
    fuzzRaw(input);
    return 0;
  }
  SignedRun run(selector % 4, std::int64_t{selector >> 2} * 1000);
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\x1e', start), input.size());
    run.admit(input.substr(start, end - start));
    start = end + 1;
  }
  return 0;
}
