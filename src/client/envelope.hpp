#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "auth/envelope.hpp"
#include "auth/session_key.hpp"
#include "client/client_error.hpp"

namespace latch::client {

// The client side of SPEC section 5, the C++ twin of clients/js/latch-envelope.js.

// A signed envelope for `method` carrying `message` (its compact JSON text becomes msg): a
// fresh 128-bit nonce, iat = nowMs, exp = nowMs + lifetime. Thread-safe.
boost::json::object signMessage(const auth::SessionKeyBytes& key, std::string_view method,
                                const boost::json::value& message, std::int64_t nowMs,
                                std::chrono::milliseconds lifetime = std::chrono::seconds(10));

// What a verified envelope carried.
struct OpenedEnvelope {
  auth::Envelope envelope;
  boost::json::value message;  // msg, parsed
};

// Verifies an envelope received for `method` against any of `keys` (the current session key
// and, right after a refresh, the previous one): shape, signature, exp > now, iat not ahead,
// lifetime. Does not remember the nonce (see SeenNonces). The error says which check failed.
// Thread-safe.
[[nodiscard]] Result<OpenedEnvelope, auth::EnvelopeErrc> openEnvelope(
    std::span<const auth::SessionKeyBytes> keys, std::string_view method,
    const boost::json::value& wire, std::int64_t nowMs, const auth::EnvelopeOptions& options = {});

// Milliseconds since the epoch, from the system clock.
std::int64_t wallClockMillis();

}  // namespace latch::client
