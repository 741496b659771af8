#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_error.hpp"
#include "bench/ws_target.hpp"

namespace latch::bench {

// One provisioned home: its only device, with the device's token and session key.
struct RelayHome {
  std::string id;
  std::string deviceId;
  std::string deviceToken;              // from POST /auth/token (client_credentials)
  std::vector<std::uint8_t> deviceKey;  // its session key, decoded
};

// One user: a member of homes[home], with a token and session key from `latch token issue`.
struct RelayUser {
  std::string subject;
  std::size_t home = 0;
  std::string token;
  std::vector<std::uint8_t> key;
};

struct RelayFixture {
  std::vector<RelayHome> homes;
  std::vector<RelayUser> users;
};

struct RelaySetupOptions {
  std::string latchPath;  // the `latch` CLI
  std::string dataDir;    // the running server's data directory
  std::size_t homes = 1;  // one device each, accepting the command BENCH
  std::size_t users = 1;  // subjects bench-user-<i>, members of home i % homes
  std::string tag;        // makes this run's home names unique in a reused data directory
  std::string userTokenTtl = "1h";
};

// The command every device accepts and every user sends.
inline constexpr std::string_view kBenchCommand = "BENCH";

// Provisions homes, devices and memberships with the latch CLI on `dataDir`, exchanges each
// device's PAT for a token at `server`'s POST /auth/token, and mints the users' tokens with
// `latch token issue`. Blocking (it runs one process per step); call before the run. The
// first failing step is the error, with what the CLI or the server said.
[[nodiscard]] BenchResult<RelayFixture> provisionRelay(const RelaySetupOptions& options,
                                                       const WsTarget& server);

// The latch CLI built beside this latch-bench (build/<dir>/src/latch when latch-bench is
// build/<dir>/bench/latch-bench, or `latch` in the same directory); empty when neither exists.
std::string defaultLatchPath();

}  // namespace latch::bench
