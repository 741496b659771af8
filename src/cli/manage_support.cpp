#include "cli/manage_support.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "cli/data_dir.hpp"
#include "common/wall_clock.hpp"

namespace latch::cli {

void addStoreFlags(CLI::App& command, StoreFlags& flags, const char* jsonHelp) {
  command.add_option("--config", flags.configFile, "TOML configuration file");
  command.add_option("--data", flags.dataDir, "Data directory (default ./latch-data)");
  command.add_flag("--json", flags.json, jsonHelp);
}

ServeConfig loadCommandConfig(const std::string& configFile, const std::string& dataDir,
                              std::string_view command) {
  ServeConfig config;
  if (!configFile.empty()) {
    if (auto r = applyConfigFile(configFile, config); !r) failCommand(command, r.error().message);
  }
  if (auto r = applyEnvironment(config); !r) failCommand(command, r.error().message);
  if (!dataDir.empty()) config.dataDir = dataDir;
  return config;
}

store::SqliteStore openStoreOrFail(const ServeConfig& config, std::string_view command) {
  if (auto problem = prepareDataDir(config.dataDir); !problem.empty()) {
    failCommand(command, problem);
  }
  auto store = store::SqliteStore::openInDataDir(config.dataDir);
  if (!store) failCommand(command, store.error().message);
  return std::move(*store);
}

void auditOrFail(store::AuditStore& audit, store::AuditRecord record, std::string_view command) {
  if (record.actor.empty()) record.actor = "cli";
  if (record.timeMs == 0) record.timeMs = SystemWallClock().nowMillis();
  if (auto r = audit.append(std::move(record)); !r) {
    failCommand(command, fmt::format("done, but its audit record could not be written: {}",
                                     r.error().message));
  }
}

std::string jsonString(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

}  // namespace latch::cli
