#include "cli/home_command.hpp"

#include <memory>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/manage_support.hpp"
#include "common/wall_clock.hpp"

namespace latch::cli {
namespace {

struct AddFlags {
  std::string name;
  std::string owner;
  StoreFlags store;
};

struct MemberFlags {
  std::string homeId;
  std::string subject;
  std::string role;
  StoreFlags store;
};

void runAdd(const AddFlags& flags) {
  constexpr const char* kCommand = "home add";
  const auto config = loadCommandConfig(flags.store.configFile, flags.store.dataDir, kCommand);
  auto db = openStoreOrFail(config, kCommand);
  auto home = db.createHome(flags.name, flags.owner, SystemWallClock().nowSeconds());
  if (!home) failCommand(kCommand, home.error().message);
  auditOrFail(
      db,
      store::AuditRecord{.kind = "home",
                         .homeId = home->id,
                         .action = "create",
                         .outcome = "ok",
                         .detail = fmt::format("name={} owner={}", home->name, home->owner)},
      kCommand);
  if (flags.store.json) {
    fmt::print("{}\n", boost::json::serialize(boost::json::object{
                           {"id", home->id}, {"name", home->name}, {"owner", home->owner}}));
  } else {
    fmt::print("{}\n", home->id);
  }
}

void runList(const StoreFlags& flags) {
  constexpr const char* kCommand = "home list";
  const auto config = loadCommandConfig(flags.configFile, flags.dataDir, kCommand);
  auto db = openStoreOrFail(config, kCommand);
  auto homes = db.listHomes();
  if (!homes) failCommand(kCommand, homes.error().message);
  if (flags.json) {
    boost::json::array list;
    for (const auto& home : *homes) {
      list.push_back(boost::json::object{{"id", home.id},
                                         {"name", home.name},
                                         {"owner", home.owner},
                                         {"createdAt", home.createdAt}});
    }
    fmt::print("{}\n", boost::json::serialize(boost::json::object{{"homes", std::move(list)}}));
    return;
  }
  for (const auto& home : *homes)
    fmt::print("{}  {}  (owner {})\n", home.id, home.name, home.owner);
}

void runMemberAdd(const MemberFlags& flags) {
  constexpr const char* kCommand = "home member add";
  const auto role = store::parseMemberRole(flags.role);
  if (!role) failCommand(kCommand, "unknown role: use --role owner or --role member");
  const auto config = loadCommandConfig(flags.store.configFile, flags.store.dataDir, kCommand);
  auto db = openStoreOrFail(config, kCommand);
  if (auto r = db.setMember(flags.homeId, flags.subject, *role, SystemWallClock().nowSeconds());
      !r) {
    failCommand(kCommand, r.error().message);
  }
  const auto roleName = std::string(store::memberRoleName(*role));
  auditOrFail(
      db,
      store::AuditRecord{.kind = "home",
                         .homeId = flags.homeId,
                         .action = "member-add",
                         .outcome = "ok",
                         .detail = fmt::format("subject={} role={}", flags.subject, roleName)},
      kCommand);
  if (flags.store.json) {
    fmt::print("{}\n",
               boost::json::serialize(boost::json::object{
                   {"home", flags.homeId}, {"subject", flags.subject}, {"role", roleName}}));
  } else {
    fmt::print("{} is now {} of home {}\n", flags.subject,
               *role == store::MemberRole::Owner ? "an owner" : "a member", flags.homeId);
  }
}

}  // namespace

void addHomeCommand(CLI::App& app) {
  CLI::App* home = app.add_subcommand("home", "Create homes and manage their members");
  home->require_subcommand(1);

  auto addFlags = std::make_shared<AddFlags>();
  CLI::App* add = home->add_subcommand("add", "Create a home; prints its id");
  add->add_option("NAME", addFlags->name, "The home's name (unique per owner)")->required();
  add->add_option("--owner", addFlags->owner, "The subject (token sub) who owns it")->required();
  addStoreFlags(*add, addFlags->store, "Print {\"id\",\"name\",\"owner\"}");
  add->callback([addFlags] { runAdd(*addFlags); });

  auto listFlags = std::make_shared<StoreFlags>();
  CLI::App* list = home->add_subcommand("list", "List every home");
  addStoreFlags(*list, *listFlags, "Print {\"homes\":[...]}");
  list->callback([listFlags] { runList(*listFlags); });

  CLI::App* member = home->add_subcommand("member", "Manage a home's members");
  member->require_subcommand(1);
  auto memberFlags = std::make_shared<MemberFlags>();
  CLI::App* memberAdd =
      member->add_subcommand("add", "Add a member to a home, or change a member's role");
  memberAdd->add_option("HOME", memberFlags->homeId, "The home's id")->required();
  memberAdd->add_option("SUB", memberFlags->subject, "The member's subject (token sub)")
      ->required();
  memberAdd->add_option("--role", memberFlags->role, "owner or member")->required();
  addStoreFlags(*memberAdd, memberFlags->store);
  memberAdd->callback([memberFlags] { runMemberAdd(*memberFlags); });
}

}  // namespace latch::cli
