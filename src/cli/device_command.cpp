#include "cli/device_command.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/manage_support.hpp"
#include "common/wall_clock.hpp"
#include "store/pat.hpp"

namespace latch::cli {
namespace {

struct AddFlags {
  std::string homeId;
  std::string name;
  std::vector<std::string> commands;
  std::vector<std::string> ownerOnly;
  std::vector<std::string> argRules;  // COMMAND=RULE
  StoreFlags store;
};

struct ListFlags {
  std::string homeId;
  StoreFlags store;
};

struct RevokeFlags {
  std::string deviceId;
  StoreFlags store;
};

boost::json::array jsonArray(const std::vector<std::string>& items) {
  return boost::json::array(items.begin(), items.end());
}

boost::json::object jsonObject(const std::map<std::string, ArgumentRule, std::less<>>& rules) {
  boost::json::object out;
  for (const auto& [command, rule] : rules) out[command] = rule.text();
  return out;
}

// `--args COMMAND=RULE` flags as a map; a flag without `=` ends the command with a clear line.
std::map<std::string, std::string> argRulesOf(const std::vector<std::string>& flags,
                                              const char* command) {
  std::map<std::string, std::string> out;
  for (const auto& flag : flags) {
    const auto eq = flag.find('=');
    if (eq == std::string::npos || eq == 0) {
      failCommand(command, "--args takes COMMAND=RULE, e.g. SET_TEMP=int");
    }
    if (!out.emplace(flag.substr(0, eq), flag.substr(eq + 1)).second) {
      failCommand(command, fmt::format("--args names {} twice", flag.substr(0, eq)));
    }
  }
  return out;
}

void runAdd(const AddFlags& flags) {
  constexpr const char* kCommand = "device add";
  const auto config = loadCommandConfig(flags.store.configFile, flags.store.dataDir, kCommand);
  auto db = openStoreOrFail(config, kCommand);
  // The PAT exists only in this process and on stdout: the store keeps its SHA-256.
  const std::string pat = store::generatePat();
  auto device =
      db.addDevice(flags.homeId, flags.name, flags.commands, flags.ownerOnly, store::hashPat(pat),
                   SystemWallClock().nowSeconds(), argRulesOf(flags.argRules, kCommand));
  if (!device) failCommand(kCommand, device.error().message);
  auditOrFail(
      db,
      store::AuditRecord{.kind = "device",
                         .homeId = device->homeId,
                         .deviceId = device->id,
                         .action = "add",
                         .outcome = "ok",
                         .detail = fmt::format("name={} commands={} owner-only={}", device->name,
                                               fmt::join(device->commands, ","),
                                               fmt::join(device->ownerOnly, ","))},
      kCommand);
  if (flags.store.json) {
    fmt::print(
        "{}\n",
        boost::json::serialize(boost::json::object{
            {"id", device->id}, {"home", device->homeId}, {"name", device->name}, {"pat", pat}}));
    return;
  }
  fmt::print("device {} added to home {}\n", device->id, device->homeId);
  fmt::print("pat {}\n", pat);
  fmt::print("The PAT is shown only this once; Latch keeps only its SHA-256.\n");
}

void runList(const ListFlags& flags) {
  constexpr const char* kCommand = "device list";
  const auto config = loadCommandConfig(flags.store.configFile, flags.store.dataDir, kCommand);
  auto db = openStoreOrFail(config, kCommand);
  std::optional<std::string_view> homeId;
  if (!flags.homeId.empty()) {
    if (auto home = db.findHome(flags.homeId); !home) failCommand(kCommand, home.error().message);
    homeId = flags.homeId;
  }
  auto devices = db.listDevices(homeId);
  if (!devices) failCommand(kCommand, devices.error().message);
  if (flags.store.json) {
    boost::json::array list;
    for (const auto& device : *devices) {
      list.push_back(boost::json::object{{"id", device.id},
                                         {"home", device.homeId},
                                         {"name", device.name},
                                         {"commands", jsonArray(device.commands)},
                                         {"ownerOnly", jsonArray(device.ownerOnly)},
                                         {"args", jsonObject(device.argRules)},
                                         {"revoked", device.revoked},
                                         {"createdAt", device.createdAt}});
    }
    fmt::print("{}\n", boost::json::serialize(boost::json::object{{"devices", std::move(list)}}));
    return;
  }
  for (const auto& device : *devices) {
    fmt::print("{}  {}  {}  commands={}{}{}\n", device.id, device.homeId, device.name,
               fmt::join(device.commands, ","),
               device.ownerOnly.empty()
                   ? std::string()
                   : fmt::format(" owner-only={}", fmt::join(device.ownerOnly, ",")),
               device.revoked ? "  (revoked)" : "");
  }
}

// Marks the device revoked (its PAT is refused) and revokes every token issued to it so far
// (device tokens have sub = device id): running servers close its connections.
void runRevoke(const RevokeFlags& flags) {
  constexpr const char* kCommand = "device revoke";
  const auto config = loadCommandConfig(flags.store.configFile, flags.store.dataDir, kCommand);
  auto db = openStoreOrFail(config, kCommand);
  auto device = db.findDevice(flags.deviceId);
  if (!device) failCommand(kCommand, device.error().message);
  const std::int64_t now = SystemWallClock().nowSeconds();
  if (auto r = db.revokeDevice(device->id, now); !r) failCommand(kCommand, r.error().message);
  if (auto r = db.revokeSubject(device->id, now, now); !r) {
    failCommand(kCommand, r.error().message);
  }
  auditOrFail(db,
              store::AuditRecord{.kind = "revocation",
                                 .homeId = device->homeId,
                                 .deviceId = device->id,
                                 .action = "revoke-device",
                                 .outcome = "revoked",
                                 .detail = fmt::format("name={} epoch={}", device->name, now)},
              kCommand);
  if (flags.store.json) {
    fmt::print(
        "{}\n",
        boost::json::serialize(boost::json::object{
            {"revoked", "device"}, {"id", device->id}, {"home", device->homeId}, {"epoch", now}}));
  } else {
    fmt::print("revoked device {}: its PAT is refused and its connections are closed\n",
               device->id);
  }
}

}  // namespace

void addDeviceCommand(CLI::App& app) {
  CLI::App* device = app.add_subcommand("device", "Provision, list and revoke devices");
  device->require_subcommand(1);

  auto addFlags = std::make_shared<AddFlags>();
  CLI::App* add =
      device->add_subcommand("add", "Provision a device; prints its id and PAT (only once)");
  add->add_option("HOME", addFlags->homeId, "The home's id")->required();
  add->add_option("NAME", addFlags->name, "The device's name (unique in its home)")->required();
  add->add_option("--commands", addFlags->commands, "Commands it accepts, e.g. OPEN_DOOR,LOCK_DOOR")
      ->required()
      ->delimiter(',');
  add->add_option("--owner-only", addFlags->ownerOnly, "Those of them only owners may send")
      ->delimiter(',');
  add->add_option("--args", addFlags->argRules,
                  "COMMAND=RULE: the arguments a command takes, e.g. SET_TEMP=int or "
                  "SET_MODE=one-of:heat|cool|off (repeatable; see the README)");
  addStoreFlags(*add, addFlags->store, "Print {\"id\",\"home\",\"name\",\"pat\"}");
  add->callback([addFlags] { runAdd(*addFlags); });

  auto listFlags = std::make_shared<ListFlags>();
  CLI::App* list = device->add_subcommand("list", "List devices (never their PATs)");
  list->add_option("--home", listFlags->homeId, "Only the devices of this home");
  addStoreFlags(*list, listFlags->store, "Print {\"devices\":[...]}");
  list->callback([listFlags] { runList(*listFlags); });

  auto revokeFlags = std::make_shared<RevokeFlags>();
  CLI::App* revoke =
      device->add_subcommand("revoke", "Refuse the device's PAT and cut its live connections");
  revoke->add_option("ID", revokeFlags->deviceId, "The device's id")->required();
  addStoreFlags(*revoke, revokeFlags->store);
  revoke->callback([revokeFlags] { runRevoke(*revokeFlags); });
}

}  // namespace latch::cli
