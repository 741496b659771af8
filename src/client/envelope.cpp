#include "client/envelope.hpp"

#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace latch::client {

boost::json::object signMessage(const auth::SessionKeyBytes& key, std::string_view method,
                                const boost::json::value& message, std::int64_t nowMs,
                                std::chrono::milliseconds lifetime) {
  auth::Envelope envelope;
  envelope.iat = nowMs;
  envelope.exp = nowMs + lifetime.count();
  envelope.nonce = auth::newNonce();
  envelope.msg = boost::json::serialize(message);
  auth::signEnvelope(key, method, envelope);
  return auth::envelopeToJson(envelope);
}

Result<OpenedEnvelope, auth::EnvelopeErrc> openEnvelope(std::span<const auth::SessionKeyBytes> keys,
                                                        std::string_view method,
                                                        const boost::json::value& wire,
                                                        std::int64_t nowMs,
                                                        const auth::EnvelopeOptions& options) {
  auto envelope = auth::parseEnvelope(wire);
  if (!envelope) return envelope.error();
  std::optional<Error<auth::EnvelopeErrc>> failure;
  for (const auto& key : keys) {
    auto verified = auth::verifyEnvelope(key, method, *envelope, nowMs, options);
    if (verified) {
      failure.reset();
      break;
    }
    failure = verified.error();
    // Only a bad signature can be cured by another key; time checks fail for every key.
    if (failure->code != auth::EnvelopeErrc::BadSignature) break;
  }
  if (failure) return *failure;
  if (keys.empty()) return makeError(auth::EnvelopeErrc::BadSignature, "no session key");
  OpenedEnvelope out;
  boost::system::error_code ec;
  out.message = boost::json::parse(envelope->msg, ec);  // parseEnvelope checked it is JSON
  out.envelope = std::move(*envelope);
  return out;
}

std::int64_t wallClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace latch::client
