#pragma once

#include <string>
#include <string_view>

#include "client/client_error.hpp"

namespace latch::client {

// Where a Latch server is: parsed from "http://host:port" or "https://host[:port]/base".
struct ServerUrl {
  bool tls = false;
  std::string host;        // name or address, without brackets
  std::string port;        // always set: 80/443 by default
  std::string hostHeader;  // the Host header: host[:port] as written
  std::string basePath;    // "" or "/base", no trailing slash

  // The hub's path (basePath + "/hubs/command").
  std::string hubPath() const;
  // "https://host:port" + path, for messages.
  std::string display(std::string_view path = {}) const;
};

// Parses an http(s) URL. A URL that already ends in /hubs/command names the same server.
// BadUrl for other schemes, user info, a query or a fragment. Thread-safe.
[[nodiscard]] ClientResult<ServerUrl> parseServerUrl(std::string_view url);

}  // namespace latch::client
