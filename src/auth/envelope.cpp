#include "auth/envelope.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "common/base64url.hpp"
#include "common/digest.hpp"
#include "common/random.hpp"

namespace latch::auth {
namespace {

Error<EnvelopeErrc> malformed(std::string why) {
  return makeError(EnvelopeErrc::Malformed, "Envelope " + std::move(why));
}

using Mac = std::array<std::uint8_t, 32>;

// The MAC over envelopeSigningInput(method, envelope), fed in parts (no copy of msg).
Mac macOf(std::span<const std::uint8_t> key, std::string_view method, const Envelope& envelope) {
  const fmt::format_int iat(envelope.iat), exp(envelope.exp);
  return hmacSha256(key, {"latch-env-v1|", method, "|", iat.c_str(), "|", exp.c_str(), "|",
                          envelope.nonce, "|", envelope.msg});
}

}  // namespace

std::string_view envelopeErrorName(EnvelopeErrc code) {
  switch (code) {
    case EnvelopeErrc::Malformed:
      return "malformed";
    case EnvelopeErrc::BadSignature:
      return "bad_signature";
    case EnvelopeErrc::Expired:
      return "expired";
    case EnvelopeErrc::IssuedInFuture:
      return "issued_in_future";
    case EnvelopeErrc::LifetimeTooLong:
      return "lifetime_too_long";
    case EnvelopeErrc::Replayed:
      return "replayed";
  }
  return "unknown";
}

EnvelopeResult<Envelope> parseEnvelope(const boost::json::value& wire, std::size_t maxMsgBytes) {
  const auto* o = wire.if_object();
  if (!o) return malformed("is not a JSON object.");
  Envelope e;
  int seen = 0;
  for (const auto& [key, value] : *o) {
    if (key == "iat" || key == "exp") {
      if (!value.is_int64() && !value.is_uint64()) {
        return malformed(fmt::format("\"{}\" is not an integer.", std::string_view(key)));
      }
      const auto v = value.is_int64() ? value.get_int64() : -1;
      if (v <= 0) return malformed(fmt::format("\"{}\" is out of range.", std::string_view(key)));
      (key == "iat" ? e.iat : e.exp) = v;
    } else if (key == "nonce" || key == "msg" || key == "sig") {
      if (!value.is_string()) {
        return malformed(fmt::format("\"{}\" is not a string.", std::string_view(key)));
      }
      const auto& s = value.get_string();
      (key == "nonce" ? e.nonce : key == "msg" ? e.msg : e.sig).assign(s.data(), s.size());
    } else {
      return malformed("has an unknown field.");
    }
    ++seen;
  }
  // boost::json keeps the last of duplicate keys; five distinct known keys must be present.
  if (seen != 5 || o->size() != 5) return malformed("needs exactly iat, exp, nonce, msg, sig.");
  const auto nonce = base64urlDecode(e.nonce);
  if (!nonce || nonce->size() != 16) return malformed("nonce is not 128 bits of base64url.");
  const auto sig = base64urlDecode(e.sig);
  if (!sig || sig->size() != 32) return malformed("sig is not an HMAC-SHA256 in base64url.");
  if (e.msg.size() > maxMsgBytes) return malformed("msg is too large.");
  boost::system::error_code ec;
  {
    // Checked, not kept: the parsed value lives in a buffer on this stack.
    alignas(std::max_align_t) unsigned char scratch[2048];
    boost::json::monotonic_resource arena(scratch, sizeof scratch);
    (void)boost::json::parse(e.msg, ec, &arena);
  }
  if (ec) return malformed("msg is not valid JSON text.");
  return e;
}

std::string envelopeSigningInput(std::string_view method, const Envelope& envelope) {
  return fmt::format("latch-env-v1|{}|{}|{}|{}|{}", method, envelope.iat, envelope.exp,
                     envelope.nonce, envelope.msg);
}

void signEnvelope(std::span<const std::uint8_t> key, std::string_view method, Envelope& envelope) {
  envelope.sig = base64urlEncode(macOf(key, method, envelope));
}

EnvelopeResult<void> verifyEnvelope(std::span<const std::uint8_t> key, std::string_view method,
                                    const Envelope& envelope, std::int64_t nowMs,
                                    const EnvelopeOptions& options) {
#ifndef LATCH_BENCH_SKIP_ENVELOPE_SIGNATURE  // see envelope.hpp
  const auto sig = base64urlDecode(envelope.sig);
  const Mac expected = macOf(key, method, envelope);
  if (!sig || sig->size() != expected.size() ||
      CRYPTO_memcmp(sig->data(), expected.data(), expected.size()) != 0) {
    return makeError(EnvelopeErrc::BadSignature, "Envelope signature does not match.");
  }
#endif
  if (envelope.exp <= envelope.iat || envelope.exp - envelope.iat > options.maxLifetimeMs) {
    return makeError(EnvelopeErrc::LifetimeTooLong, "Envelope lifetime exceeds the maximum.");
  }
  if (envelope.iat > nowMs + options.skewMs) {
    return makeError(EnvelopeErrc::IssuedInFuture, "Envelope is issued in the future.");
  }
  if (envelope.exp <= nowMs) return makeError(EnvelopeErrc::Expired, "Envelope has expired.");
  return {};
}

boost::json::object envelopeToJson(const Envelope& envelope) {
  return {{"iat", envelope.iat},
          {"exp", envelope.exp},
          {"nonce", envelope.nonce},
          {"msg", envelope.msg},
          {"sig", envelope.sig}};
}

std::string newNonce() { return randomId128(); }

std::array<std::uint8_t, 16> nonceBytes(const Envelope& envelope) {
  std::array<std::uint8_t, 16> out{};
  if (const auto bytes = base64urlDecode(envelope.nonce); bytes && bytes->size() == out.size()) {
    std::copy(bytes->begin(), bytes->end(), out.begin());
  }
  return out;
}

}  // namespace latch::auth
