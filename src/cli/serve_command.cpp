#include "cli/serve_command.hpp"

#include <chrono>
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "auth/auth_endpoints.hpp"
#include "auth/authenticator.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/nonce_cache.hpp"
#include "auth/revocation_list.hpp"
#include "auth/revocation_watcher.hpp"
#include "auth/token_endpoint.hpp"
#include "auth/token_issuer.hpp"
#include "cli/config_loader.hpp"
#include "cli/data_dir.hpp"
#include "common/logging.hpp"
#include "hub/builtin_methods.hpp"
#include "hub/hub.hpp"
#include "hub/signalr_endpoint.hpp"
#include "relay/relay.hpp"
#include "store/audit_writer.hpp"
#include "store/sqlite_change_feed.hpp"
#include "store/sqlite_store.hpp"
#include "transport/server.hpp"

namespace latch::cli {
namespace {

struct ServeFlags {
  std::string configFile;
  std::string dataDir;
  std::string listen;
  std::string tlsCert;
  std::string tlsKey;
  std::string logLevel;
  bool insecureHttp = false;
};

[[noreturn]] void fail(const std::string& message) {
  fmt::print(stderr, "latch serve: {}\n", message);
  std::exit(1);
}

void runServe(const ServeFlags& flags, void (*extraMethods)(hub::Hub&)) {
  ServeConfig config;
  // Precedence: embedded defaults, then the TOML file, then LATCH_* variables, then flags.
  if (!flags.configFile.empty()) {
    if (auto r = applyConfigFile(flags.configFile, config); !r) fail(r.error().message);
  }
  if (auto r = applyEnvironment(config); !r) fail(r.error().message);
  if (!flags.listen.empty()) {
    if (auto r = applyListen(flags.listen, config); !r) fail(r.error().message);
  }
  if (!flags.dataDir.empty()) config.dataDir = flags.dataDir;
  if (!flags.tlsCert.empty()) config.server.tlsCertFile = flags.tlsCert;
  if (!flags.tlsKey.empty()) config.server.tlsKeyFile = flags.tlsKey;
  if (!flags.logLevel.empty()) config.logLevel = flags.logLevel;
  if (flags.insecureHttp) config.server.insecureHttp = true;

  initLogging(config.logLevel);
  if (auto problem = prepareDataDir(config.dataDir); !problem.empty()) fail(problem);
  // First start creates the token key and the envelope secret (mode 0600).
  auto secrets = loadTokenKeys(config.auth, config.dataDir);
  if (!secrets) fail(secrets.error().message);
  if (auto problem = config.auth.jwtOptions().validate(); !problem.empty()) fail(problem);

  // Revocations written by `latch token revoke` (another process) reach live connections
  // within a poll interval plus a tick.
  auto store = store::SqliteStore::openInDataDir(config.dataDir);
  if (!store) fail(store.error().message);
  SystemWallClock wallClock;
  auth::RevocationList revocations;
  auth::RevocationWatcher watcher(*store, revocations, wallClock, std::chrono::milliseconds(500));
  if (auto r = watcher.start(); !r) fail(r.error().message);

  const auth::JwtVerifier verifier(config.auth.jwtOptions(), secrets->keys, wallClock);
  const auth::Authenticator authenticator(verifier, config.auth.authenticatorOptions(),
                                          &revocations);
  // Store connections: one for the token endpoint's reads, one for the audit writer (a write
  // waiting for the disk must not hold up a read), and one for the relay's in-memory view
  // of homes and devices, loaded now and kept current by the change feed on its own thread.
  auto relayStore = store::SqliteStore::openInDataDir(config.dataDir);
  if (!relayStore) fail(relayStore.error().message);
  auto auditStore = store::SqliteStore::openInDataDir(config.dataDir);
  if (!auditStore) fail(auditStore.error().message);
  auto viewStore = store::SqliteStore::openInDataDir(config.dataDir);
  if (!viewStore) fail(viewStore.error().message);
  relay::AccessView view(*viewStore, *viewStore, *viewStore);
  auto viewSeq = view.load();
  if (!viewSeq) fail(viewSeq.error().message);
  store::SqliteChangeFeed changeFeed(*viewStore, wallClock);
  if (auto r = changeFeed.start(view, *viewSeq); !r) fail(r.error().message);
  if (auto r = auditStore->leaveCheckpointsToOthers(); !r) fail(r.error().message);
  store::AuditWriter auditWriter(*auditStore);
  auth::NonceCache nonces;
  // "Once" across restarts: what earlier runs accepted with a future iat stays refused. A
  // damaged mark refuses whatever may have been signed within the skew of now.
  relay::RelayOptions relayOptions;
  relayOptions.refusals.perWindow = config.server.limits.refusalBudget;
  relayOptions.refusals.windowMs = config.server.limits.refusalWindow.count();
  auto replayMark = relay::ReplayMark::open(config.dataDir + "/replay-mark",
                                            wallClock.nowMillis() + relayOptions.envelope.skewMs);
  if (!replayMark) fail(replayMark.error().message);
  relay::Relay relay(view, &changeFeed, auditWriter, nonces, secrets->envelopeSecret, wallClock,
                     relayOptions, replayMark->get());

  // POST /auth/token and /.well-known/jwks.json.
  auto providers = loadOidcProviders(config.auth, wallClock);
  if (!providers) fail(providers.error().message);
  const auth::TokenIssuer tokenIssuer(secrets->keys, secrets->envelopeSecret, config.auth.issuer,
                                      config.auth.audiences.front(), wallClock);
  auth::TokenEndpointOptions tokenOptions;
  tokenOptions.tokenLifetimeSeconds = config.auth.tokenLifetimeSeconds;
  tokenOptions.maxSessionAgeSeconds = config.auth.maxSessionAgeSeconds;
  auth::TokenEndpoint tokenEndpoint(tokenIssuer, authenticator, *relayStore, auditWriter,
                                    std::move(*providers), wallClock, tokenOptions);
  auth::AuthEndpoints authEndpoints(secrets->keys, &tokenEndpoint);

  hub::Hub hub;
  hub.setRevocations(&revocations);
  relay.attach(hub);
  hub::registerBuiltinMethods(hub, authenticator,
                              [&relay](std::string_view sub) { return relay.homesOf(sub); });
  if (extraMethods) extraMethods(hub);

  SteadyClock clock;
  hub::SignalREndpoint endpoint(config.server.limits, hub, clock, authenticator, &wallClock);
  transport::Server server(config.server, endpoint, &authEndpoints);
  if (auto r = server.start(); !r) fail(r.error().message);
  const std::string scheme = server.tls() ? "https" : "http";
  // Tests and scripts read this line to learn the port.
  fmt::print("latch listening on {}://{}:{}/hubs/command\n", scheme,
             config.server.host.find(':') != std::string::npos ? "[" + config.server.host + "]"
                                                               : config.server.host,
             server.port());
  std::fflush(stdout);
  server.run();
}

}  // namespace

void addServeCommand(CLI::App& app, void (*extraMethods)(hub::Hub&)) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* serve = app.add_subcommand("serve", "Run the Latch server");
  serve->add_option("--config", flags->configFile, "TOML configuration file");
  serve->add_option("--data", flags->dataDir, "Data directory (default ./latch-data)");
  serve->add_option("--listen", flags->listen, "HOST:PORT to listen on (default 127.0.0.1:5000)");
  serve->add_option("--tls-cert", flags->tlsCert, "TLS certificate chain (PEM)");
  serve->add_option("--tls-key", flags->tlsKey, "TLS private key (PEM)");
  serve->add_option("--log-level", flags->logLevel, "trace, debug, info, warn, error");
  serve->add_flag("--insecure-http", flags->insecureHttp,
                  "Allow plain HTTP on a non-loopback address");
  serve->callback([flags, extraMethods] { runServe(*flags, extraMethods); });
}

}  // namespace latch::cli
