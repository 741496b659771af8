#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "client/connection_options.hpp"
#include "client/server_url.hpp"
#include "client/token_grant.hpp"
#include "loadgen/load_error.hpp"

namespace latch::loadgen {

// One provisioned home: its only device, with the device's token and session key.
struct RelayHome {
  std::string id;
  std::string deviceId;
  client::TokenGrant device;  // from POST /auth/token (client_credentials)
};

// One user: a member of homes[home], with a token and session key from `latch token issue`.
struct RelayUser {
  std::string subject;
  std::size_t home = 0;
  client::TokenGrant grant;
};

struct RelayFixture {
  std::vector<RelayHome> homes;
  std::vector<RelayUser> users;
};

struct RelaySetupOptions {
  std::string latchPath;  // the `latch` CLI
  std::string dataDir;    // the running server's data directory
  std::size_t homes = 1;  // one device each, accepting the command BENCH
  std::size_t users = 1;  // subjects bench-<tag>-user-<i>, members of home i % homes
  std::string tag;        // makes this run's names unique in a reused data directory
  std::string userTokenTtl = "1h";
};

// The command every device accepts and every user sends.
inline constexpr std::string_view kBenchCommand = "BENCH";

// Provisions homes, devices and memberships with the latch CLI on `dataDir`, exchanges each
// device's PAT for a token at `server`'s POST /auth/token, and mints the users' tokens with
// `latch token issue`. Blocking (it runs one process per step); call before the run. The
// first failing step is the error, with what the CLI or the server said.
[[nodiscard]] LoadResult<RelayFixture> provisionRelay(const RelaySetupOptions& options,
                                                      const client::ServerUrl& server,
                                                      const client::TlsOptions& tls);

// This program's own path (/proc/self/exe): `latch bench` provisions with the `latch` it is.
std::string selfPath();

}  // namespace latch::loadgen
