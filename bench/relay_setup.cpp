#include "bench/relay_setup.hpp"

#include <unistd.h>

#include <filesystem>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fmt/format.h>

#include "bench/http_post.hpp"
#include "bench/subprocess.hpp"
#include "common/base64url.hpp"

namespace latch::bench {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr std::string_view kTokenPath = "/auth/token";

// Runs `latch <args> --data DIR --json` and returns the one JSON object it prints.
BenchResult<json::object> runLatch(const RelaySetupOptions& o, std::vector<std::string> args) {
  const std::string what = fmt::format("latch {} {}", args.at(0), args.at(1));
  args.insert(args.begin(), o.latchPath);
  args.insert(args.end(), {"--data", o.dataDir, "--json"});
  auto run = runProcess(args);
  if (!run) return run.error();
  if (run->exitStatus != 0) {
    const std::string_view err(run->err);
    return makeError(BenchErrc::System,
                     fmt::format("{} exited with status {}: {}", what, run->exitStatus,
                                 err.substr(0, err.find('\n'))));
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(run->out, ec);
  if (ec || !parsed.is_object()) {
    return makeError(BenchErrc::Protocol, fmt::format("{} printed no JSON object", what));
  }
  return std::move(parsed.as_object());
}

BenchResult<std::string> stringField(const json::object& o, std::string_view key,
                                     std::string_view from) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string() || v->get_string().empty()) {
    return makeError(BenchErrc::Protocol, fmt::format("{} gave no \"{}\"", from, key));
  }
  return std::string(v->get_string());
}

// access_token and the decoded session_key of a token response.
BenchResult<std::pair<std::string, std::vector<std::uint8_t>>> tokenAndKey(
    const json::object& response, std::string_view from) {
  auto token = stringField(response, "access_token", from);
  if (!token) return token.error();
  auto key = stringField(response, "session_key", from);
  if (!key) return key.error();
  auto bytes = base64urlDecode(*key);
  if (!bytes || bytes->size() != 32) {
    return makeError(BenchErrc::Protocol, fmt::format("{} gave a malformed session_key", from));
  }
  return std::make_pair(std::move(*token), std::move(*bytes));
}

BenchResult<RelayHome> provisionHome(const RelaySetupOptions& o, const WsTarget& server,
                                     std::size_t index) {
  auto home = runLatch(
      o, {"home", "add", fmt::format("bench-{}-home-{}", o.tag, index), "--owner", "bench-owner"});
  if (!home) return home.error();
  RelayHome out;
  auto id = stringField(*home, "id", "latch home add");
  if (!id) return id.error();
  out.id = std::move(*id);
  auto device = runLatch(
      o, {"device", "add", out.id, "bench-device", "--commands", std::string(kBenchCommand)});
  if (!device) return device.error();
  auto deviceId = stringField(*device, "id", "latch device add");
  if (!deviceId) return deviceId.error();
  auto pat = stringField(*device, "pat", "latch device add");
  if (!pat) return pat.error();
  out.deviceId = std::move(*deviceId);
  auto body = postForm(
      server, kTokenPath,
      {{"grant_type", "client_credentials"}, {"client_id", out.deviceId}, {"client_secret", *pat}});
  if (!body) {
    return makeError(body.error().code,
                     body.error().message + " (is --data the running server's data directory?)");
  }
  boost::system::error_code ec;
  json::value response = json::parse(*body, ec);
  if (ec || !response.is_object()) {
    return makeError(BenchErrc::Protocol, "POST /auth/token answered no JSON object");
  }
  auto token = tokenAndKey(response.as_object(), "POST /auth/token");
  if (!token) return token.error();
  out.deviceToken = std::move(token->first);
  out.deviceKey = std::move(token->second);
  return out;
}

BenchResult<RelayUser> provisionUser(const RelaySetupOptions& o, const RelayFixture& fixture,
                                     std::size_t index) {
  RelayUser user;
  user.subject = fmt::format("bench-user-{}", index);
  user.home = index % fixture.homes.size();
  auto member = runLatch(
      o, {"home", "member", "add", fixture.homes[user.home].id, user.subject, "--role", "member"});
  if (!member) return member.error();
  auto issued = runLatch(
      o, {"token", "issue", "--sub", user.subject, "--role", "user", "--ttl", o.userTokenTtl});
  if (!issued) return issued.error();
  auto token = tokenAndKey(*issued, "latch token issue");
  if (!token) return token.error();
  user.token = std::move(token->first);
  user.key = std::move(token->second);
  return user;
}

}  // namespace

BenchResult<RelayFixture> provisionRelay(const RelaySetupOptions& o, const WsTarget& server) {
  if (o.homes == 0) return makeError(BenchErrc::BadArgument, "at least one home is needed");
  RelayFixture fixture;
  fixture.homes.reserve(o.homes);
  for (std::size_t i = 0; i < o.homes; ++i) {
    auto home = provisionHome(o, server, i);
    if (!home) return home.error();
    fixture.homes.push_back(std::move(*home));
  }
  fixture.users.reserve(o.users);
  for (std::size_t i = 0; i < o.users; ++i) {
    auto user = provisionUser(o, fixture, i);
    if (!user) return user.error();
    fixture.users.push_back(std::move(*user));
  }
  return fixture;
}

std::string defaultLatchPath() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const fs::path& candidate :
       {self.parent_path().parent_path() / "src" / "latch", self.parent_path() / "latch"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

}  // namespace latch::bench
