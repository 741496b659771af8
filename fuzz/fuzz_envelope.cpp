// Fuzzes the relay's parsers of client input: the envelope wire form (strict fields, nonce,
// signature encoding, msg as JSON), its verification, the command message inside it and the
// nonce cache. Any input gives a value or a typed error, never a crash.
//
// The first byte picks the mode (the rest of the input is the mode's data):
//   even  raw: the data is one envelope as a client sends it, verified with the fixed
//         session key below. Only seeds signed with that key get past the signature.
//   odd   signed: the data is envelopes separated by 0x1e. The harness replaces each one's
//         "sig" with the signature of its fields under the fixed key, so every envelope
//         that parses gets past the signature, into the time checks, the command message and
//         the nonce cache (subject "alice" or "bob" by the nonce's first bit), at a clock that
//         advances by (first byte >> 1) seconds per envelope. A bad signature there, an envelope
//         verifying for another method, or a nonce the cache admits twice while its envelope lives
//         is a bug and aborts.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "auth/envelope.hpp"
#include "auth/nonce_cache.hpp"
#include "relay/command_message.hpp"

namespace {

using namespace latch;

constexpr std::int64_t kNowMillis = 1'764'405'600'000;
// The session key: 7 then 31 zero bytes (as before the modes; make-seeds.js signs with it).
constexpr std::array<std::uint8_t, 32> kKey = {7};
// 32 zero bytes in base64url: a well-formed "sig" for parseEnvelope, replaced once parsed.
constexpr std::string_view kPlaceholderSig = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

void fuzzRaw(std::string_view text) {
  (void)relay::parseCommandMessage(text);
  boost::system::error_code ec;
  const auto value = boost::json::parse(text, ec);
  if (ec) return;
  auto envelope = auth::parseEnvelope(value);
  if (!envelope) return;
  (void)auth::verifyEnvelope(kKey, "SendCommand", *envelope, kNowMillis);
  (void)relay::parseCommandMessage(envelope->msg);
}

// Small limits, so that a few envelopes reach the per-subject floor and the caps.
auth::NonceCacheOptions smallCache() {
  auth::NonceCacheOptions options;
  options.shards = 2;
  options.maxPerSubject = 3;
  options.maxPerHome = 4;
  options.maxEntries = 6;
  if (!options.validate().empty()) std::abort();
  return options;
}

class SignedRun {
 public:
  explicit SignedRun(std::int64_t stepMs) : stepMs_(stepMs), cache_(smallCache()) {}

  void admit(std::string_view record) {
    nowMs_ += stepMs_;
    monoMs_ += stepMs_;
    boost::system::error_code ec;
    auto wire = boost::json::parse(record, ec);
    if (ec) return;
    if (auto* o = wire.if_object()) (*o)["sig"] = kPlaceholderSig;
    auto envelope = auth::parseEnvelope(wire);
    if (!envelope) return;
    auth::signEnvelope(kKey, "SendCommand", *envelope);
    const auto verified = auth::verifyEnvelope(kKey, "SendCommand", *envelope, nowMs_);
    if (!verified && verified.error().code == auth::EnvelopeErrc::BadSignature) std::abort();
    const auto other = auth::verifyEnvelope(kKey, "Execute", *envelope, nowMs_);
    if (other || other.error().code != auth::EnvelopeErrc::BadSignature) std::abort();
    if (!verified) return;
    auto message = relay::parseCommandMessage(envelope->msg);
    if (!message) return;
    // The relay's order: membership and policy (not fuzzed here), then the nonce. Two
    // subjects, told apart by the nonce's first bit, so one input reaches both a subject's
    // window and a home's cap.
    const auto nonce = auth::nonceBytes(*envelope);
    const std::string_view subject = (nonce[0] & 1) == 0 ? "alice" : "bob";
    const auto verdict =
        cache_.check(message->home, subject, nonce, envelope->exp, nowMs_, monoMs_);
    if (verdict != auth::NonceCache::Verdict::Fresh) return;
    auto [it, inserted] = fresh_.try_emplace({message->home, subject, nonce}, envelope->exp);
    if (!inserted && it->second > nowMs_) std::abort();  // a replay was admitted
    it->second = envelope->exp;
  }

 private:
  const std::int64_t stepMs_;
  std::int64_t nowMs_ = kNowMillis;
  std::int64_t monoMs_ = 0;
  auth::NonceCache cache_;
  // Nonces the cache called fresh, by home and subject, with their envelope's exp.
  std::map<std::tuple<std::string, std::string_view, std::array<std::uint8_t, 16>>, std::int64_t>
      fresh_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((selector & 1) == 0) {
    fuzzRaw(input);
    return 0;
  }
  SignedRun run(std::int64_t{selector >> 1} * 1000);
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\x1e', start), input.size());
    run.admit(input.substr(start, end - start));
    start = end + 1;
  }
  return 0;
}
