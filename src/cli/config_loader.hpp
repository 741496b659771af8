#pragma once

#include <string>

#include "cli/auth_config.hpp"
#include "common/result.hpp"
#include "transport/server.hpp"

namespace latch::cli {

enum class ConfigErrc { File, Value };

// Everything `latch serve` runs with.
struct ServeConfig {
  transport::ServerOptions server;
  AuthConfig auth;
  std::string dataDir = "./latch-data";
  std::string logLevel = "info";
};

// Applies the TOML file at `path` (keys as in README "Configuration") over `config`.
Result<void, ConfigErrc> applyConfigFile(const std::string& path, ServeConfig& config);

// Applies LATCH_* environment variables over `config`.
Result<void, ConfigErrc> applyEnvironment(ServeConfig& config);

// Parses "HOST:PORT" (or "[v6]:PORT") into the server options.
Result<void, ConfigErrc> applyListen(const std::string& listen, ServeConfig& config);

}  // namespace latch::cli
