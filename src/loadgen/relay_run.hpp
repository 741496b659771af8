#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "client/connection_options.hpp"
#include "loadgen/load_error.hpp"
#include "loadgen/run_options.hpp"

namespace latch::loadgen {

// `latch bench relay`: the whole product path, measured from the outside.
struct RelayOptions {
  // Where the server is, TLS and the transports to use: every user and device connection is
  // a client::HubConnection with these options (no reconnect: a dropped connection fails the
  // run).
  client::ConnectionOptions connection;
  std::string dataDir;           // the server's data directory (provisioned with the CLI)
  std::string latchPath;         // the latch CLI that provisions; empty: this program
  std::size_t users = 10;        // user connections, bench-<tag>-user-<i>, in home i % devices
  std::size_t devices = 10;      // homes, one device each, one connection per device
  double lifetimeSeconds = 10;   // exp - iat of each envelope (the server allows up to 30 s)
  bool checkAudit = true;        // count the run's command records in the audit log after
  double auditWaitSeconds = 30;  // how long the audit log may take to hold them all
  // Commands per second in all, sent on a schedule whatever the answers (an open loop, for
  // latency at a given load); 0: each user a closed loop of `run.inflight`.
  double rate = 0;
  // inflight: SendCommands outstanding per user (the server runs 8 at once per connection);
  // with `rate`, the most each user may have outstanding (a due command waits for room).
  RunOptions run;
};

// Provisions homes, devices and users with the latch CLI and POST /auth/token, connects the
// devices (each answers Execute after the agent's checks of its envelope) and the users (each
// a closed loop of signed SendCommands, or all paced at `rate`), prints commands per second,
// latency percentiles and the outcomes, then checks the audit log holds one record per command.
// Fails on any connection error, any answer but "ok", any envelope a device refuses, or missing
// audit records (after printing the report). Blocking.
[[nodiscard]] LoadResult<void> runRelay(const RelayOptions& options);

}  // namespace latch::loadgen
