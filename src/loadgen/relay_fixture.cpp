#include "loadgen/relay_fixture.hpp"

#include <filesystem>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fmt/format.h>

#include "client/token_client.hpp"
#include "loadgen/subprocess.hpp"

namespace latch::loadgen {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

// Runs `latch <args> --data DIR --json` and returns the one JSON object it prints.
LoadResult<json::object> runLatch(const RelaySetupOptions& o, std::vector<std::string> args) {
  const std::string what = fmt::format("latch {} {}", args.at(0), args.at(1));
  args.insert(args.begin(), o.latchPath);
  args.insert(args.end(), {"--data", o.dataDir, "--json"});
  auto run = runProcess(args);
  if (!run) return run.error();
  if (run->exitStatus != 0) {
    const std::string_view err(run->err);
    return makeError(LoadErrc::System, fmt::format("{} exited with status {}: {}", what,
                                                   run->exitStatus, err.substr(0, err.find('\n'))));
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(run->out, ec);
  if (ec || !parsed.is_object()) {
    return makeError(LoadErrc::Protocol, fmt::format("{} printed no JSON object", what));
  }
  return std::move(parsed.as_object());
}

LoadResult<std::string> stringField(const json::object& o, std::string_view key,
                                    std::string_view from) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string() || v->get_string().empty()) {
    return makeError(LoadErrc::Protocol, fmt::format("{} gave no \"{}\"", from, key));
  }
  return std::string(v->get_string());
}

LoadResult<RelayHome> provisionHome(const RelaySetupOptions& o, const client::ServerUrl& server,
                                    const client::TlsOptions& tls, std::size_t index) {
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
  auto grant = client::exchangePat(server, tls, out.deviceId, *pat);
  if (!grant) {
    return makeError(LoadErrc::Network,
                     fmt::format("POST /auth/token for the bench device: {} (is --data the "
                                 "running server's data directory?)",
                                 grant.error().message));
  }
  out.device = std::move(*grant);
  return out;
}

LoadResult<RelayUser> provisionUser(const RelaySetupOptions& o, const RelayFixture& fixture,
                                    std::size_t index) {
  RelayUser user;
  user.subject = fmt::format("bench-{}-user-{}", o.tag, index);
  user.home = index % fixture.homes.size();
  auto member = runLatch(
      o, {"home", "member", "add", fixture.homes[user.home].id, user.subject, "--role", "member"});
  if (!member) return member.error();
  auto issued = runLatch(
      o, {"token", "issue", "--sub", user.subject, "--role", "user", "--ttl", o.userTokenTtl});
  if (!issued) return issued.error();
  auto grant = client::parseTokenResponse(json::serialize(*issued));
  if (!grant) {
    return makeError(LoadErrc::Protocol,
                     fmt::format("latch token issue: {}", grant.error().message));
  }
  user.grant = std::move(*grant);
  return user;
}

}  // namespace

LoadResult<RelayFixture> provisionRelay(const RelaySetupOptions& o, const client::ServerUrl& server,
                                        const client::TlsOptions& tls) {
  if (o.homes == 0) return makeError(LoadErrc::BadArgument, "at least one home is needed");
  RelayFixture fixture;
  fixture.homes.reserve(o.homes);
  for (std::size_t i = 0; i < o.homes; ++i) {
    auto home = provisionHome(o, server, tls, i);
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

std::string selfPath() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.string();
}

}  // namespace latch::loadgen
