#include "cli/audit_command.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/manage_support.hpp"

namespace latch::cli {
namespace {

struct ListFlags {
  std::string homeId;
  std::string limit;  // empty: every record
  StoreFlags store;
};

boost::json::object recordJson(const store::AuditRecord& r) {
  return boost::json::object{
      {"seq", r.seq},       {"timeMs", r.timeMs},     {"kind", r.kind},
      {"actor", r.actor},   {"home", r.homeId},       {"device", r.deviceId},
      {"action", r.action}, {"outcome", r.outcome},   {"connectionId", r.connectionId},
      {"detail", r.detail}, {"prevHash", r.prevHash}, {"hash", r.hash}};
}

// `text` with control characters replaced: records may hold text from untrusted clients,
// which must not drive the operator's terminal.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// One line per record: seq, UTC time, then only the fields that are set.
void printRecord(const store::AuditRecord& r) {
  const std::time_t seconds = static_cast<std::time_t>(r.timeMs / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::string line =
      fmt::format("{:>6}  {:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z  {} {} {} {}", r.seq,
                  utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                  utc.tm_sec, r.timeMs % 1000, r.kind, r.actor, r.action, r.outcome);
  if (!r.homeId.empty()) line += " home=" + r.homeId;
  if (!r.deviceId.empty()) line += " device=" + r.deviceId;
  if (!r.connectionId.empty()) line += " connection=" + r.connectionId;
  if (!r.detail.empty()) line += " (" + r.detail + ")";
  fmt::print("{}\n", printable(line));
}

void runList(const ListFlags& flags) {
  constexpr const char* kCommand = "audit list";
  std::size_t limit = SIZE_MAX;
  if (!flags.limit.empty()) {
    const auto* end = flags.limit.data() + flags.limit.size();
    const auto [ptr, ec] = std::from_chars(flags.limit.data(), end, limit);
    if (ec != std::errc() || ptr != end || limit == 0) {
      failCommand(kCommand, "--limit must be a whole number of records, at least 1");
    }
  }
  const auto config = loadCommandConfig(flags.store.configFile, flags.store.dataDir, kCommand);
  auto db = openStoreOrFail(config, kCommand);
  std::optional<std::string_view> homeId;
  if (!flags.homeId.empty()) homeId = flags.homeId;
  auto records = db.listAudit(homeId, limit);
  if (!records) failCommand(kCommand, records.error().message);
  if (flags.store.json) {
    boost::json::array list;
    for (const auto& record : *records) list.push_back(recordJson(record));
    fmt::print("{}\n", boost::json::serialize(boost::json::object{{"records", std::move(list)}}));
    return;
  }
  for (const auto& record : *records) printRecord(record);
}

void runVerify(const StoreFlags& flags) {
  constexpr const char* kCommand = "audit verify";
  const auto config = loadCommandConfig(flags.configFile, flags.dataDir, kCommand);
  auto db = openStoreOrFail(config, kCommand);
  auto verdict = db.verifyAudit();
  if (!verdict) failCommand(kCommand, verdict.error().message);
  if (flags.json) {
    fmt::print("{}\n", boost::json::serialize(boost::json::object{{"intact", verdict->intact},
                                                                  {"records", verdict->records},
                                                                  {"badSeq", verdict->badSeq},
                                                                  {"reason", verdict->reason}}));
    if (!verdict->intact) std::exit(1);
    return;
  }
  if (!verdict->intact) {
    failCommand(kCommand,
                fmt::format("audit log broken at record {}: {}", verdict->badSeq, verdict->reason));
  }
  fmt::print("audit log intact: {} records\n", verdict->records);
}

}  // namespace

void addAuditCommand(CLI::App& app) {
  CLI::App* audit = app.add_subcommand("audit", "Read and verify the audit log");
  audit->require_subcommand(1);

  auto listFlags = std::make_shared<ListFlags>();
  CLI::App* list = audit->add_subcommand("list", "Print audit records, oldest first");
  list->add_option("--home", listFlags->homeId, "Only the records about this home");
  list->add_option("--limit", listFlags->limit, "Only the newest N records");
  addStoreFlags(*list, listFlags->store, "Print {\"records\":[...]}");
  list->callback([listFlags] { runList(*listFlags); });

  auto verifyFlags = std::make_shared<StoreFlags>();
  CLI::App* verify = audit->add_subcommand(
      "verify", "Recompute the hash chain: exit 1 at the first edited, deleted or moved record");
  addStoreFlags(*verify, *verifyFlags,
                "Print {\"intact\",\"records\",\"badSeq\",\"reason\"} (exit 1 unless intact)");
  verify->callback([verifyFlags] { runVerify(*verifyFlags); });
}

}  // namespace latch::cli
