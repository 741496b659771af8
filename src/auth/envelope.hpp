#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "common/result.hpp"

// LATCH_BENCH_SKIP_ENVELOPE_SIGNATURE makes verifyEnvelope skip the signature check (every
// other check stays), to measure what the check costs. bench/CMakeLists.txt sets it on a copy
// of envelope.cpp linked into latch-bench-nosig-server alone, and fails the configure step
// if it reaches a library, `latch` or `latch-with-test-hooks`.
#if defined(LATCH_BENCH_SKIP_ENVELOPE_SIGNATURE) && defined(LATCH_TEST_HOOKS)
#error "LATCH_BENCH_SKIP_ENVELOPE_SIGNATURE is for latch-bench-nosig-server only"
#endif

namespace latch::auth {

// Why an envelope was refused. Each maps to a SendCommand outcome: Expired to "expired",
// the others to "invalid" (Replayed, from the nonce cache, to "replayed").
enum class EnvelopeErrc {
  Malformed,        // not an object; missing, unknown or mistyped field; bad nonce; msg not JSON
  BadSignature,     // the signature does not match (tampered, another method, another key)
  Expired,          // exp <= now
  IssuedInFuture,   // iat > now + skew
  LifetimeTooLong,  // exp - iat above the maximum, or exp <= iat
  Replayed,         // the nonce was already used by this subject
};

std::string_view envelopeErrorName(EnvelopeErrc code);

template <class T>
using EnvelopeResult = Result<T, EnvelopeErrc>;

// A signed envelope (SPEC section 5), as on the wire.
struct Envelope {
  std::int64_t iat = 0;  // milliseconds since the epoch
  std::int64_t exp = 0;
  std::string nonce;  // base64url of 128 random bits
  std::string msg;    // JSON text of the message
  std::string sig;    // base64url HMAC-SHA256
};

struct EnvelopeOptions {
  // Tolerated clock difference for iat (the signer's clock may run ahead a little).
  std::int64_t skewMs = 5'000;
  // Longest exp - iat accepted: a command is meant to run now, not later.
  std::int64_t maxLifetimeMs = 30'000;
};

// Reads the wire form strictly: exactly the fields iat, exp, nonce, msg, sig; integer times;
// a nonce of exactly 128 bits in canonical base64url; msg valid JSON text of at most
// `maxMsgBytes`; sig 32 bytes of canonical base64url. Malformed (with the reason) otherwise.
[[nodiscard]] EnvelopeResult<Envelope> parseEnvelope(const boost::json::value& wire,
                                                     std::size_t maxMsgBytes = 16 * 1024);

// "latch-env-v1|" + method + "|" + iat + "|" + exp + "|" + nonce + "|" + msg.
std::string envelopeSigningInput(std::string_view method, const Envelope& envelope);

// Fills envelope.sig for `method` with `key` (the session key bytes).
void signEnvelope(std::span<const std::uint8_t> key, std::string_view method, Envelope& envelope);

// Checks the signature (constant time), then the times against `nowMs`. Does not check the
// nonce for replays (that is the nonce cache's job, after this passes).
[[nodiscard]] EnvelopeResult<void> verifyEnvelope(std::span<const std::uint8_t> key,
                                                  std::string_view method, const Envelope& envelope,
                                                  std::int64_t nowMs,
                                                  const EnvelopeOptions& options = {});

// The wire form.
boost::json::object envelopeToJson(const Envelope& envelope);

// The 16 bytes of a parsed envelope's nonce (parseEnvelope checked it decodes to them).
std::array<std::uint8_t, 16> nonceBytes(const Envelope& envelope);

// A fresh 128-bit nonce.
std::string newNonce();

}  // namespace latch::auth
