#include "client/server_url.hpp"

#include <boost/url/parse.hpp>

#include <fmt/format.h>

namespace latch::client {

namespace {
constexpr std::string_view kHubPath = "/hubs/command";
}

std::string ServerUrl::hubPath() const { return basePath + std::string(kHubPath); }

std::string ServerUrl::display(std::string_view path) const {
  return fmt::format("{}://{}{}", tls ? "https" : "http", hostHeader, path);
}

ClientResult<ServerUrl> parseServerUrl(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return makeError(ClientErrc::BadUrl, "the server URL is not a valid absolute URL");
  const auto& url = *parsed;
  ServerUrl out;
  if (url.scheme() == "https") {
    out.tls = true;
  } else if (url.scheme() != "http") {
    return makeError(ClientErrc::BadUrl, "the server URL must start with http:// or https://");
  }
  if (url.has_userinfo() || url.has_query() || url.has_fragment()) {
    return makeError(ClientErrc::BadUrl,
                     "the server URL must not carry user info, a query or a fragment");
  }
  if (url.encoded_host().empty())
    return makeError(ClientErrc::BadUrl, "the server URL has no host");
  out.host = url.host_type() == boost::urls::host_type::ipv6
                 ? std::string(url.encoded_host_address())
                 : std::string(url.encoded_host());
  out.port = url.has_port() ? std::string(url.port()) : (out.tls ? "443" : "80");
  if (url.has_port() && url.port_number() == 0) {
    return makeError(ClientErrc::BadUrl, "the server URL has an invalid port");
  }
  out.hostHeader = std::string(url.encoded_authority());
  std::string path(url.encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.ends_with(kHubPath)) path.resize(path.size() - kHubPath.size());
  out.basePath = std::move(path);
  return out;
}

}  // namespace latch::client
