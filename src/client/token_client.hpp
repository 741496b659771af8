#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "client/client_error.hpp"
#include "client/connection_options.hpp"
#include "client/server_url.hpp"
#include "client/token_grant.hpp"

namespace latch::client {

// POSTs a form-encoded grant to the server's /auth/token and returns the token it answers.
// Unauthorized when the server refuses the credentials (invalid_client, invalid_grant): final,
// retrying will not help. Http for other statuses (429: retry later). Blocking; thread-safe.
[[nodiscard]] ClientResult<TokenGrant> requestToken(
    const ServerUrl& server, const TlsOptions& tls,
    const std::vector<std::pair<std::string, std::string>>& form,
    std::chrono::milliseconds timeout = std::chrono::seconds(15));

// A device's PAT for a device token (grant_type=client_credentials).
[[nodiscard]] ClientResult<TokenGrant> exchangePat(
    const ServerUrl& server, const TlsOptions& tls, const std::string& deviceId,
    const std::string& pat, std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace latch::client
