#include "cli/config_loader.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace latch::cli {
namespace {

// The limits that can be configured, by their key in [limits] (and LATCH_LIMITS_<KEY>).
struct LimitOption {
  const char* key;
  Millis Limits::*millis = nullptr;
  std::size_t Limits::*count = nullptr;
};

constexpr LimitOption kLimitOptions[] = {
    {"handshake_timeout_ms", &Limits::handshakeTimeout},
    {"keepalive_interval_ms", &Limits::keepAliveInterval},
    {"client_timeout_ms", &Limits::clientTimeout},
    {"disconnect_timeout_ms", &Limits::disconnectTimeout},
    {"negotiate_timeout_ms", &Limits::negotiateTimeout},
    {"refusal_window_ms", &Limits::refusalWindow},
    {"long_poll_timeout_ms", &Limits::longPollTimeout},
    {"client_result_timeout_ms", &Limits::clientResultTimeout},
    {"request_timeout_ms", &Limits::requestTimeout},
    {"idle_timeout_ms", &Limits::idleTimeout},
    {"max_message_bytes", nullptr, &Limits::maxMessageBytes},
    {"max_backlog_bytes", nullptr, &Limits::maxBacklogBytes},
    {"max_connections", nullptr, &Limits::maxConnections},
    {"max_connections_per_subject", nullptr, &Limits::maxConnectionsPerSubject},
    {"max_connections_per_address", nullptr, &Limits::maxConnectionsPerAddress},
    {"max_unattached_connections", nullptr, &Limits::maxUnattachedConnections},
    {"refusal_budget", nullptr, &Limits::refusalBudget},
    {"max_sockets", nullptr, &Limits::maxSockets},
    {"max_parallel_invocations", nullptr, &Limits::maxParallelInvocations},
    {"max_pending_client_results", nullptr, &Limits::maxPendingClientResults},
    {"max_invocation_id_bytes", nullptr, &Limits::maxInvocationIdBytes},
    {"max_header_bytes", nullptr, &Limits::maxHeaderBytes},
    {"max_body_bytes", nullptr, &Limits::maxBodyBytes},
};

Error<ConfigErrc> badValue(std::string_view key, std::string_view why) {
  return makeError(ConfigErrc::Value, fmt::format("{}: {}", key, why));
}

Result<void, ConfigErrc> setLimit(const LimitOption& option, std::int64_t value, Limits& limits) {
  if (value < 0) return badValue(option.key, "must not be negative");
  if (option.millis) {
    limits.*option.millis = Millis(value);
  } else {
    limits.*option.count = static_cast<std::size_t>(value);
  }
  return {};
}

std::optional<std::int64_t> parseInt(std::string_view text) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A list of strings, or a single string as a one-element list.
Result<std::vector<std::string>, ConfigErrc> stringList(const toml::node& node,
                                                        std::string_view key) {
  std::vector<std::string> out;
  if (auto v = node.value<std::string>()) {
    out.push_back(*v);
    return out;
  }
  const toml::array* array = node.as_array();
  if (!array) return badValue(key, "must be a string or a list of strings");
  for (const auto& item : *array) {
    auto v = item.value<std::string>();
    if (!v) return badValue(key, "must be a string or a list of strings");
    out.push_back(*v);
  }
  return out;
}

struct SecondsSetting {
  std::int64_t* target;
  std::int64_t min;
  std::int64_t max;
};

// The whole-seconds settings of [auth], with their bounds.
std::optional<SecondsSetting> secondsSettingOf(std::string_view key, AuthConfig& auth) {
  if (key == "clock_skew_seconds") return SecondsSetting{&auth.clockSkewSeconds, 0, 300};
  if (key == "max_token_lifetime_seconds") {
    return SecondsSetting{&auth.maxTokenLifetimeSeconds, 1, 7 * 24 * 3600};
  }
  if (key == "token_lifetime_seconds") {
    return SecondsSetting{&auth.tokenLifetimeSeconds, 1, 24 * 3600};
  }
  if (key == "max_session_age_seconds") {
    return SecondsSetting{&auth.maxSessionAgeSeconds, 60, 90 * 24 * 3600};
  }
  return std::nullopt;
}

// [auth]: issuer, audience, clock_skew_seconds, max_token_lifetime_seconds, signing_key and
// [[auth.keys]] {kid, alg, private_key | public_key}; key paths relative to `baseDir`.
Result<void, ConfigErrc> applyAuthTable(const toml::table& table,
                                        const std::filesystem::path& baseDir, AuthConfig& auth) {
  for (const auto& [key, node] : table) {
    const std::string name = fmt::format("auth.{}", key.str());
    if (key == "issuer") {
      auto v = node.value<std::string>();
      if (!v || v->empty()) return badValue(name, "must be a non-empty string");
      auth.issuer = *v;
    } else if (key == "audience") {
      auto v = stringList(node, name);
      if (!v) return v.error();
      if (v->empty()) return badValue(name, "must name at least one audience");
      auth.audiences = std::move(*v);
    } else if (auto seconds = secondsSettingOf(key.str(), auth)) {
      auto v = node.value<std::int64_t>();
      if (!v || *v < seconds->min || *v > seconds->max) {
        return badValue(
            name, fmt::format("must be a whole number from {} to {}", seconds->min, seconds->max));
      }
      *seconds->target = *v;
    } else if (key == "oidc") {
      const toml::array* providers = node.as_array();
      if (!providers) return badValue(name, "must be an array of tables ([[auth.oidc]])");
      for (const auto& item : *providers) {
        const toml::table* p = item.as_table();
        if (!p) return badValue(name, "must be an array of tables ([[auth.oidc]])");
        OidcConfig oidc;
        oidc.name = (*p)["name"].value_or(std::string());
        oidc.issuer = (*p)["issuer"].value_or(std::string());
        const auto jwks = (*p)["jwks_file"].value<std::string>();
        const toml::node* audience = (*p)["audience"].node();
        if (oidc.name.empty() || oidc.issuer.empty() || !jwks || !audience) {
          return badValue(name, "each provider needs name, issuer, audience and jwks_file");
        }
        auto audiences = stringList(*audience, name);
        if (!audiences) return audiences.error();
        oidc.audiences = std::move(*audiences);
        oidc.jwksFile = (baseDir / std::filesystem::path(*jwks)).string();
        auth.oidc.push_back(std::move(oidc));
      }
    } else if (key == "signing_key") {
      auto v = node.value<std::string>();
      if (!v) return badValue(name, "must be the kid of a configured key");
      auth.signingKid = *v;
    } else if (key == "keys") {
      const toml::array* keys = node.as_array();
      if (!keys) return badValue(name, "must be an array of tables ([[auth.keys]])");
      for (const auto& item : *keys) {
        const toml::table* k = item.as_table();
        if (!k) return badValue(name, "must be an array of tables ([[auth.keys]])");
        KeyFileConfig key;
        key.kid = (*k)["kid"].value_or(std::string());
        key.alg = (*k)["alg"].value_or(std::string());
        const auto priv = (*k)["private_key"].value<std::string>();
        const auto pub = (*k)["public_key"].value<std::string>();
        if (key.kid.empty() || key.alg.empty() || priv.has_value() == pub.has_value()) {
          return badValue(name, "each key needs kid, alg and one of private_key, public_key");
        }
        key.path = (baseDir / std::filesystem::path(priv ? *priv : *pub)).string();
        auth.keys.push_back(std::move(key));
      }
    } else {
      return badValue(name, "unknown setting");
    }
  }
  return {};
}

}  // namespace

Result<void, ConfigErrc> applyListen(const std::string& listen, ServeConfig& config) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return badValue("listen", "expected HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto port = parseInt(std::string_view(listen).substr(colon + 1));
  if (host.empty() || !port || *port < 0 || *port > 65535) {
    return badValue("listen", "expected HOST:PORT with a port from 0 to 65535");
  }
  config.server.host = host;
  config.server.port = static_cast<std::uint16_t>(*port);
  return {};
}

Result<void, ConfigErrc> applyConfigFile(const std::string& path, ServeConfig& config) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return makeError(
        ConfigErrc::File,
        fmt::format("{}: {} (line {})", path, std::string(e.description()), e.source().begin.line));
  }
  if (auto v = table["listen"].value<std::string>()) {
    if (auto r = applyListen(*v, config); !r) return r;
  }
  if (auto v = table["data"].value<std::string>()) config.dataDir = *v;
  if (auto v = table["log_level"].value<std::string>()) config.logLevel = *v;
  if (auto v = table["insecure_http"].value<bool>()) config.server.insecureHttp = *v;
  if (auto v = table["threads"].value<std::int64_t>()) {
    if (*v < 0 || *v > 256) return badValue("threads", "must be from 0 to 256");
    config.server.threads = static_cast<unsigned>(*v);
  }
  if (const toml::array* origins = table["allowed_origins"].as_array()) {
    config.server.allowedOrigins.clear();
    for (const auto& o : *origins) {
      auto v = o.value<std::string>();
      if (!v) return badValue("allowed_origins", "must be a list of strings");
      config.server.allowedOrigins.push_back(*v);
    }
  }
  if (auto v = table["tls"]["cert"].value<std::string>()) config.server.tlsCertFile = *v;
  if (auto v = table["tls"]["key"].value<std::string>()) config.server.tlsKeyFile = *v;
  if (const toml::table* auth = table["auth"].as_table()) {
    const auto baseDir = std::filesystem::path(path).parent_path();
    if (auto r = applyAuthTable(*auth, baseDir, config.auth); !r) return r;
  }
  if (const toml::table* limits = table["limits"].as_table()) {
    for (const auto& [key, node] : *limits) {
      const LimitOption* option = nullptr;
      for (const auto& o : kLimitOptions) {
        if (key.str() == o.key) option = &o;
      }
      if (!option) return badValue(fmt::format("limits.{}", key.str()), "unknown setting");
      const auto value = node.value<std::int64_t>();
      if (!value) return badValue(option->key, "must be a whole number");
      if (auto r = setLimit(*option, *value, config.server.limits); !r) return r;
    }
  }
  return {};
}

Result<void, ConfigErrc> applyEnvironment(ServeConfig& config) {
  if (const char* v = std::getenv("LATCH_LISTEN")) {
    if (auto r = applyListen(v, config); !r) return r;
  }
  if (const char* v = std::getenv("LATCH_DATA")) config.dataDir = v;
  if (const char* v = std::getenv("LATCH_LOG_LEVEL")) config.logLevel = v;
  if (const char* v = std::getenv("LATCH_TLS_CERT")) config.server.tlsCertFile = v;
  if (const char* v = std::getenv("LATCH_TLS_KEY")) config.server.tlsKeyFile = v;
  if (const char* v = std::getenv("LATCH_ALLOWED_ORIGINS")) {
    config.server.allowedOrigins.clear();
    std::string_view rest(v);
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto item = rest.substr(0, comma);
      if (!item.empty()) config.server.allowedOrigins.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  for (const auto& option : kLimitOptions) {
    const std::string name = "LATCH_LIMITS_" + upper(option.key);
    if (const char* v = std::getenv(name.c_str())) {
      const auto value = parseInt(v);
      if (!value) return badValue(name, "must be a whole number");
      if (auto r = setLimit(option, *value, config.server.limits); !r) return r;
    }
  }
  return {};
}

}  // namespace latch::cli
