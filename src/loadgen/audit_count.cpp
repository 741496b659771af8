#include "loadgen/audit_count.hpp"

#include <algorithm>
#include <thread>
#include <unordered_set>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fmt/format.h>

#include "loadgen/subprocess.hpp"

namespace latch::loadgen {
namespace {

namespace json = boost::json;

constexpr std::chrono::milliseconds kLookInterval{200};

LoadResult<std::uint64_t> lookOnce(const std::string& latchPath, const std::string& dataDir,
                                   const std::unordered_set<std::string>& subjects,
                                   std::int64_t sinceMs, std::uint64_t expected) {
  auto run = runProcess({latchPath, "audit", "list", "--data", dataDir, "--json", "--limit",
                         std::to_string(expected)});
  if (!run) return run.error();
  if (run->exitStatus != 0) {
    const std::string_view err(run->err);
    return makeError(LoadErrc::System, fmt::format("latch audit list exited with status {}: {}",
                                                   run->exitStatus, err.substr(0, err.find('\n'))));
  }
  boost::system::error_code ec;
  const json::value listing = json::parse(run->out, ec);
  const auto* object = ec ? nullptr : listing.if_object();
  const auto* records = object ? object->if_contains("records") : nullptr;
  if (!records || !records->is_array()) {
    return makeError(LoadErrc::Protocol, "latch audit list printed no {\"records\":[...]}");
  }
  std::uint64_t count = 0;
  for (const auto& record : records->get_array()) {
    const auto* r = record.if_object();
    const auto* kind = r ? r->if_contains("kind") : nullptr;
    const auto* actor = r ? r->if_contains("actor") : nullptr;
    const auto* time = r ? r->if_contains("timeMs") : nullptr;
    if (!kind || !actor || !time || !kind->is_string() || !actor->is_string() ||
        !time->is_int64()) {
      continue;
    }
    if (kind->get_string() == "command" && time->get_int64() >= sinceMs &&
        subjects.contains(std::string(actor->get_string()))) {
      ++count;
    }
  }
  return count;
}

}  // namespace

LoadResult<AuditCount> countCommandRecords(const std::string& latchPath, const std::string& dataDir,
                                           const std::vector<std::string>& subjects,
                                           std::int64_t sinceMs, std::uint64_t expected,
                                           std::chrono::milliseconds maxWait) {
  AuditCount result;
  if (expected == 0) return result;
  const std::unordered_set<std::string> actors(subjects.begin(), subjects.end());
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto count = lookOnce(latchPath, dataDir, actors, sinceMs, expected);
    if (!count) return count.error();
    if (result.looks++ == 0) result.atFirstLook = *count;
    result.found = *count;
    result.waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (result.found >= expected || result.waited >= maxWait) return result;
    std::this_thread::sleep_for(kLookInterval);
  }
}

}  // namespace latch::loadgen
