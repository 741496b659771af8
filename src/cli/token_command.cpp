#include "cli/token_command.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "auth/token_issuer.hpp"
#include "cli/config_loader.hpp"
#include "cli/data_dir.hpp"
#include "cli/duration.hpp"
#include "cli/manage_support.hpp"
#include "common/wall_clock.hpp"
#include "store/sqlite_store.hpp"

namespace latch::cli {
namespace {

struct IssueFlags {
  std::string subject;
  std::vector<std::string> roles;
  std::string ttl = "15m";
  std::string configFile;
  std::string dataDir;
  bool json = false;  // the token response is always JSON; accepted for symmetry
};

struct RevokeFlags {
  std::string tokenId;
  std::string subject;
  std::string configFile;
  std::string dataDir;
  bool json = false;
};

[[noreturn]] void fail(const std::string& message, const char* command = "issue") {
  failCommand(fmt::format("token {}", command), message);
}

// The configuration a token command runs with: the file, LATCH_* variables, then --data.
ServeConfig loadConfig(const std::string& configFile, const std::string& dataDir,
                       const char* command) {
  return loadCommandConfig(configFile, dataDir, fmt::format("token {}", command));
}

void runIssue(const IssueFlags& flags) {
  for (const auto& role : flags.roles) {
    if (role != "user" && role != "device" && role != "admin") {
      fail(fmt::format("unknown role '{}': use user, device or admin", role));
    }
  }
  const auto config = loadConfig(flags.configFile, flags.dataDir, "issue");
  const auto ttl = parseDurationSeconds(flags.ttl);
  if (!ttl) fail(fmt::format("bad --ttl '{}': use e.g. 900s, 15m, 2h", flags.ttl));
  if (*ttl > config.auth.maxTokenLifetimeSeconds) {
    fail(fmt::format("--ttl {} is longer than the maximum token lifetime ({} s)", flags.ttl,
                     config.auth.maxTokenLifetimeSeconds));
  }
  if (auto problem = prepareDataDir(config.dataDir); !problem.empty()) fail(problem);
  auto secrets = loadTokenKeys(config.auth, config.dataDir);
  if (!secrets) fail(secrets.error().message);
  SystemWallClock clock;
  auth::TokenIssuer issuer(secrets->keys, secrets->envelopeSecret, config.auth.issuer,
                           config.auth.audiences.front(), clock);
  auto token = issuer.issue(flags.subject, flags.roles, *ttl);
  if (!token) fail(token.error().message);
  // The record names the token by its jti: never the token or its session key.
  auto db = openStoreOrFail(config, "token issue");
  auditOrFail(db,
              store::AuditRecord{
                  .kind = "token",
                  .action = "issue",
                  .outcome = "issued",
                  .detail = fmt::format("sub={} roles={} jti={} exp={}", flags.subject,
                                        fmt::join(flags.roles, ","), token->jti, token->expiresAt)},
              "token issue");
  fmt::print("{}\n", auth::tokenResponseJson(*token));
}

// Writes the revocation to the store; running servers pick it up within a second and close
// the connections that hold a revoked token.
void runRevoke(const RevokeFlags& flags) {
  const auto failRevoke = [](const std::string& message) { fail(message, "revoke"); };
  if (flags.tokenId.empty() == flags.subject.empty())
    failRevoke("give exactly one of --jti, --sub");
  const auto config = loadConfig(flags.configFile, flags.dataDir, "revoke");
  auto db = openStoreOrFail(config, "token revoke");
  SystemWallClock clock;
  const std::int64_t now = clock.nowSeconds();
  if (!flags.tokenId.empty()) {
    // Long enough that any token with this jti has expired by then, however it was issued.
    const std::int64_t until =
        now + config.auth.maxTokenLifetimeSeconds + 2 * config.auth.clockSkewSeconds;
    if (auto r = db.revokeToken(flags.tokenId, until, now); !r) failRevoke(r.error().message);
    (void)db.purgeRevocations(now);
    auditOrFail(db,
                store::AuditRecord{.kind = "revocation",
                                   .action = "revoke-token",
                                   .outcome = "revoked",
                                   .detail = fmt::format("jti={} until={}", flags.tokenId, until)},
                "token revoke");
    if (flags.json) {
      fmt::print("{{\"revoked\":\"token\",\"jti\":{},\"until\":{}}}\n",
                 boost::json::serialize(boost::json::value(flags.tokenId)), until);
    } else {
      fmt::print("revoked token {}\n", flags.tokenId);
    }
    return;
  }
  if (auto r = db.revokeSubject(flags.subject, now, now); !r) failRevoke(r.error().message);
  auditOrFail(db,
              store::AuditRecord{.kind = "revocation",
                                 .action = "revoke-subject",
                                 .outcome = "revoked",
                                 .detail = fmt::format("sub={} epoch={}", flags.subject, now)},
              "token revoke");
  if (flags.json) {
    fmt::print("{{\"revoked\":\"subject\",\"sub\":{},\"epoch\":{}}}\n",
               boost::json::serialize(boost::json::value(flags.subject)), now);
  } else {
    fmt::print("revoked every token of {} issued until now\n", flags.subject);
  }
}

}  // namespace

void addTokenCommand(CLI::App& app) {
  CLI::App* token = app.add_subcommand("token", "Mint and revoke tokens");
  token->require_subcommand(1);
  auto flags = std::make_shared<IssueFlags>();
  CLI::App* issue = token->add_subcommand("issue", "Mint an access token (development, operators)");
  issue->add_option("--sub", flags->subject, "Subject (user, device or operator id)")->required();
  issue->add_option("--role", flags->roles, "user, device or admin (repeatable)")->required();
  issue->add_option("--ttl", flags->ttl, "Lifetime, e.g. 900s, 15m, 2h (default 15m)");
  issue->add_option("--config", flags->configFile, "TOML configuration file ([auth], data)");
  issue->add_option("--data", flags->dataDir, "Data directory (default ./latch-data)");
  issue->add_flag("--json", flags->json, "Print JSON (always on)");
  issue->callback([flags] { runIssue(*flags); });

  auto revokeFlags = std::make_shared<RevokeFlags>();
  CLI::App* revoke = token->add_subcommand(
      "revoke", "Revoke one token (--jti) or every token of a subject so far (--sub)");
  revoke->add_option("--jti", revokeFlags->tokenId, "The token's id (its jti claim)");
  revoke->add_option("--sub", revokeFlags->subject, "A subject: all its tokens issued until now");
  revoke->add_option("--config", revokeFlags->configFile, "TOML configuration file");
  revoke->add_option("--data", revokeFlags->dataDir, "Data directory (default ./latch-data)");
  revoke->add_flag("--json", revokeFlags->json, "Print one JSON object");
  revoke->callback([revokeFlags] { runRevoke(*revokeFlags); });
}

}  // namespace latch::cli
