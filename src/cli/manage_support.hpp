#pragma once

#include <string>
#include <string_view>

#include <CLI/App.hpp>

#include "cli/command_failure.hpp"
#include "cli/config_loader.hpp"
#include "store/audit_store.hpp"
#include "store/sqlite_store.hpp"

// What the management commands (home, device, audit, token) share: their common flags, the
// one-line failure, the store they act on and the audit record of every change.
namespace latch::cli {

// The flags of every command that touches the data directory.
struct StoreFlags {
  std::string configFile;
  std::string dataDir;
  bool json = false;
};

// Adds --config, --data and --json (described by `jsonHelp`) to `command`.
void addStoreFlags(CLI::App& command, StoreFlags& flags,
                   const char* jsonHelp = "Print exactly one JSON object");

// The configuration a management command runs with: the TOML file, LATCH_* variables, then
// --data. Fails the command on a bad file or variable.
ServeConfig loadCommandConfig(const std::string& configFile, const std::string& dataDir,
                              std::string_view command);

// The store in the configured data directory (created, owner-only, if missing), or fails
// the command with the store's one-line reason.
store::SqliteStore openStoreOrFail(const ServeConfig& config, std::string_view command);

// Appends `record` (actor "cli" unless set, time now) to the audit log. The change it
// describes is already made: if the record cannot be written, fails the command saying so.
void auditOrFail(store::AuditStore& audit, store::AuditRecord record, std::string_view command);

// `text` as a JSON string literal, quotes included.
std::string jsonString(std::string_view text);

}  // namespace latch::cli
