#include "cli/token_command.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "auth/server_secrets.hpp"
#include "auth/token_issuer.hpp"
#include "cli/data_dir.hpp"
#include "cli/duration.hpp"
#include "common/wall_clock.hpp"

namespace latch::cli {
namespace {

struct IssueFlags {
  std::string subject;
  std::vector<std::string> roles;
  std::string ttl = "15m";
  std::string dataDir = "./latch-data";
  bool json = false;  // the token response is always JSON; accepted for symmetry
};

[[noreturn]] void fail(const std::string& message) {
  fmt::print(stderr, "latch token issue: {}\n", message);
  std::exit(1);
}

void runIssue(const IssueFlags& flags) {
  for (const auto& role : flags.roles) {
    if (role != "user" && role != "device" && role != "admin") {
      fail(fmt::format("unknown role '{}': use user, device or admin", role));
    }
  }
  const auto ttl = parseDurationSeconds(flags.ttl);
  if (!ttl) fail(fmt::format("bad --ttl '{}': use e.g. 900s, 15m, 2h", flags.ttl));
  if (auto problem = prepareDataDir(flags.dataDir); !problem.empty()) fail(problem);
  auto secrets = auth::loadServerSecrets(flags.dataDir);
  if (!secrets) fail(secrets.error().message);
  SystemWallClock clock;
  auth::TokenIssuer issuer(secrets->keys, secrets->envelopeSecret, "latch", "latch", clock);
  auto token = issuer.issue(flags.subject, flags.roles, *ttl);
  if (!token) fail(token.error().message);
  fmt::print("{}\n", auth::tokenResponseJson(*token));
}

}  // namespace

void addTokenCommand(CLI::App& app) {
  CLI::App* token = app.add_subcommand("token", "Mint tokens");
  token->require_subcommand(1);
  auto flags = std::make_shared<IssueFlags>();
  CLI::App* issue = token->add_subcommand("issue", "Mint an access token (development, operators)");
  issue->add_option("--sub", flags->subject, "Subject (user, device or operator id)")->required();
  issue->add_option("--role", flags->roles, "user, device or admin (repeatable)")->required();
  issue->add_option("--ttl", flags->ttl, "Lifetime, e.g. 900s, 15m, 2h (default 15m)");
  issue->add_option("--data", flags->dataDir, "Data directory (default ./latch-data)");
  issue->add_flag("--json", flags->json, "Print JSON (always on)");
  issue->callback([flags] { runIssue(*flags); });
}

}  // namespace latch::cli
