#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/protocol_error.hpp"

namespace latch::protocol {

// Highest negotiate protocol version this server speaks.
inline constexpr int kMaxNegotiateVersion = 1;

// The negotiate version to use for the client's `negotiateVersion` query value: absent
// means 0; a value above the maximum gets the maximum; anything that is not a
// non-negative whole number is InvalidValue.
ProtocolResult<int> chooseNegotiateVersion(std::optional<std::string_view> requested);

// The JSON body of a successful negotiate response. Version 0 has no connectionToken: the
// connection id is then what transports send as `id`. Offers all three transports and
// never `useStatefulReconnect` (not implemented yet).
std::string negotiateResponse(int version, std::string_view connectionId,
                              std::string_view connectionToken);

// The JSON body of a negotiate response that refuses the connection.
std::string negotiateError(std::string_view error);

}  // namespace latch::protocol
