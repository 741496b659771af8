// SqliteStore as a DeviceStore: devices, their commands and PAT hashes.
#include "store/sqlite_store.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "common/argument_rules.hpp"
#include "common/random.hpp"
#include "store/validation.hpp"

namespace latch::store {
namespace {

constexpr const char* kDeviceColumns = "SELECT id, home_id, name, revoked, created_at FROM devices";

Device deviceFrom(const Statement& stmt) {
  Device device;
  device.id = stmt.text(0);
  device.homeId = stmt.text(1);
  device.name = stmt.text(2);
  device.revoked = stmt.int64(3) != 0;
  device.createdAt = stmt.int64(4);
  return device;
}

StoreError unknownDevice(std::string_view deviceId) {
  return makeError(StoreErrc::NotFound, fmt::format("unknown device {}", idForMessage(deviceId)));
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// `list` without repeats, in first-seen order.
std::vector<std::string> withoutRepeats(const std::vector<std::string>& list) {
  std::vector<std::string> out;
  for (const auto& item : list) {
    if (!contains(out, item)) out.push_back(item);
  }
  return out;
}

// Invalid unless every command is well formed, there is at least one and not too many, and
// every owner-only command is among them.
StoreResult<void> checkCommands(const std::vector<std::string>& commands,
                                const std::vector<std::string>& ownerOnly,
                                const std::map<std::string, std::string>& argRules) {
  if (commands.empty()) return makeError(StoreErrc::Invalid, "a device needs at least one command");
  if (commands.size() > kMaxCommandsPerDevice) {
    return makeError(StoreErrc::Invalid,
                     fmt::format("a device accepts at most {} commands", kMaxCommandsPerDevice));
  }
  for (const auto& list : {&commands, &ownerOnly}) {
    for (const auto& command : *list) {
      if (auto problem = commandProblem(command)) return makeError(StoreErrc::Invalid, *problem);
    }
  }
  for (const auto& command : ownerOnly) {
    if (!contains(commands, command)) {
      return makeError(
          StoreErrc::Invalid,
          fmt::format("owner-only command {} is not among the device's commands", command));
    }
  }
  for (const auto& [command, rule] : argRules) {
    if (auto problem = commandProblem(command)) return makeError(StoreErrc::Invalid, *problem);
    if (!contains(commands, command)) {
      return makeError(StoreErrc::Invalid,
                       fmt::format("command {} has an argument rule but is not among the "
                                   "device's commands",
                                   command));
    }
    std::string why;
    if (!ArgumentRule::parse(rule, &why)) {
      return makeError(StoreErrc::Invalid,
                       fmt::format("the argument rule of {}: {}", command, why));
    }
  }
  return {};
}

}  // namespace

StoreResult<void> SqliteStore::loadCommandsLocked(Device& device) {
  auto stmt = db_.prepare(
      "SELECT command, owner_only, COALESCE(arg_rule, '') FROM device_commands "
      "WHERE device_id = ?1 ORDER BY rowid");
  if (!stmt) return stmt.error();
  stmt->bind(1, device.id);
  return forEachRow(*stmt, [&](const Statement& row) {
    device.commands.push_back(row.text(0));
    if (row.int64(1) != 0) device.ownerOnly.push_back(row.text(0));
    // Checked when it was stored; a rule that no longer parses refuses every argument.
    if (auto text = row.text(2); !text.empty()) {
      auto rule = ArgumentRule::parse(text);
      device.argRules.emplace(row.text(0), rule ? std::move(*rule) : *ArgumentRule::parse("none"));
    }
  });
}

StoreResult<std::vector<Device>> SqliteStore::devicesLocked(Statement& stmt) {
  std::vector<Device> devices;
  if (auto r = forEachRow(stmt, [&](const Statement& row) { devices.push_back(deviceFrom(row)); });
      !r) {
    return r.error();
  }
  for (auto& device : devices) {
    if (auto r = loadCommandsLocked(device); !r) return r.error();
  }
  return devices;
}

StoreResult<Device> SqliteStore::addDevice(std::string_view homeId, std::string_view name,
                                           const std::vector<std::string>& commands,
                                           const std::vector<std::string>& ownerOnly,
                                           const PatHash& patHash, std::int64_t nowSeconds,
                                           const std::map<std::string, std::string>& argRules) {
  if (auto problem = nameProblem("device name", name)) {
    return makeError(StoreErrc::Invalid, *problem);
  }
  Device device{"d_" + randomId128(),
                std::string(homeId),
                std::string(name),
                withoutRepeats(commands),
                {},
                {},
                false,
                nowSeconds};
  if (auto r = checkCommands(device.commands, ownerOnly, argRules); !r) return r.error();
  for (const auto& [command, rule] : argRules) {
    device.argRules.emplace(command, *ArgumentRule::parse(rule));
  }
  // Owner-only commands in the device's order, as listDevices returns them.
  for (const auto& command : device.commands) {
    if (contains(ownerOnly, command)) device.ownerOnly.push_back(command);
  }

  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto home = homeLocked(homeId);
  if (!home) return home.error();
  if (!*home)
    return makeError(StoreErrc::NotFound, fmt::format("unknown home {}", idForMessage(homeId)));
  auto taken = db_.prepare("SELECT 1 FROM devices WHERE home_id = ?1 AND name = ?2");
  if (!taken) return taken.error();
  auto exists = taken->bind(1, homeId).bind(2, name).step();
  if (!exists) return exists.error();
  if (*exists) {
    return makeError(StoreErrc::Conflict, fmt::format("home {} already has a device named '{}'",
                                                      idForMessage(homeId), name));
  }
  auto insert = db_.prepare(
      "INSERT INTO devices (id, home_id, name, pat_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert) return insert.error();
  insert->bind(1, device.id).bind(2, homeId).bind(3, name).bindBlob(4, patHash).bind(5, nowSeconds);
  if (auto r = insert->run(); !r) return r.error();
  auto insertCommand = db_.prepare(
      "INSERT INTO device_commands (device_id, command, owner_only, arg_rule) "
      "VALUES (?1, ?2, ?3, NULLIF(?4, ''))");
  if (!insertCommand) return insertCommand.error();
  for (const auto& command : device.commands) {
    const std::int64_t isOwnerOnly = contains(device.ownerOnly, command) ? 1 : 0;
    const auto rule = device.argRules.find(command);
    const std::string ruleText = rule == device.argRules.end() ? "" : rule->second.text();
    insertCommand->reset();
    if (auto r = insertCommand->bind(1, device.id)
                     .bind(2, command)
                     .bind(3, isOwnerOnly)
                     .bind(4, ruleText)
                     .run();
        !r) {
      return r.error();
    }
  }
  if (auto r = recordChangeLocked(ChangeKind::Device, device.id, nowSeconds); !r) {
    return r.error();
  }
  if (auto r = tx->commit(); !r) return r.error();
  return device;
}

StoreResult<std::vector<Device>> SqliteStore::listDevices(std::optional<std::string_view> homeId) {
  std::lock_guard lock(mu_);
  auto stmt = homeId
                  ? db_.prepare(std::string(kDeviceColumns) + " WHERE home_id = ?1 ORDER BY rowid")
                  : db_.prepare(std::string(kDeviceColumns) + " ORDER BY rowid");
  if (!stmt) return stmt.error();
  if (homeId) stmt->bind(1, *homeId);
  return devicesLocked(*stmt);
}

StoreResult<Device> SqliteStore::findDevice(std::string_view deviceId) {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(std::string(kDeviceColumns) + " WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, deviceId);
  auto devices = devicesLocked(*stmt);
  if (!devices) return devices.error();
  if (devices->empty()) return unknownDevice(deviceId);
  return std::move(devices->front());
}

StoreResult<PatHash> SqliteStore::patHashOf(std::string_view deviceId) {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare("SELECT pat_hash FROM devices WHERE id = ?1");
  if (!stmt) return stmt.error();
  auto row = stmt->bind(1, deviceId).step();
  if (!row) return row.error();
  if (!*row) return unknownDevice(deviceId);
  const auto bytes = stmt->blob(0);
  PatHash hash{};
  if (bytes.size() != hash.size()) {
    return makeError(StoreErrc::Corrupt,
                     fmt::format("device {} has a malformed PAT hash", idForMessage(deviceId)));
  }
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

StoreResult<void> SqliteStore::revokeDevice(std::string_view deviceId, std::int64_t nowSeconds) {
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto stmt = db_.prepare(
      "UPDATE devices SET revoked = 1, revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, deviceId).bind(2, nowSeconds).run(); !r) return r;
  if (db_.changes() == 0) return unknownDevice(deviceId);
  if (auto r = recordChangeLocked(ChangeKind::Device, deviceId, nowSeconds); !r) return r;
  return tx->commit();
}

}  // namespace latch::store
