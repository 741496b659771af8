#include "client/token_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "client/detail/net.hpp"

namespace latch::client {

namespace {

constexpr std::size_t kMaxTokenResponseBytes = 64 * 1024;

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [name, value] : fields) {
    if (!body.empty()) body += '&';
    body += boost::urls::encode(name, boost::urls::unreserved_chars);
    body += '=';
    body += boost::urls::encode(value, boost::urls::unreserved_chars);
  }
  return body;
}

}  // namespace

ClientResult<TokenGrant> requestToken(const ServerUrl& server, const TlsOptions& tls,
                                      const std::vector<std::pair<std::string, std::string>>& form,
                                      std::chrono::milliseconds timeout) {
  detail::Endpoint endpoint;
  endpoint.server = server;
  endpoint.verifyPeer = tls.verifyPeer;
  endpoint.openTimeout = timeout;
  if (server.tls) {
    auto context = detail::makeTlsContext(tls);
    if (!context) return context.error();
    endpoint.tls = *context;
  }
  detail::HttpRequest request;
  request.method = boost::beast::http::verb::post;
  request.target = server.basePath + "/auth/token";
  request.contentType = "application/x-www-form-urlencoded";
  request.body = formEncode(form);
  request.withToken = false;

  boost::asio::io_context io(1);
  auto future = boost::asio::co_spawn(
      io, detail::httpExchange(endpoint, std::move(request), timeout, kMaxTokenResponseBytes),
      boost::asio::use_future);
  io.run();
  auto response = future.get();
  if (!response) return response.error();
  if (response->status != 200) {
    auto error = detail::httpStatusError("token request", *response);
    // OAuth answers a refused client or grant with 400 invalid_grant or 401 invalid_client.
    if (response->status == 400 && response->body.find("invalid_grant") != std::string::npos) {
      error.code = ClientErrc::Unauthorized;
    }
    return error;
  }
  auto grant = parseTokenResponse(response->body);
  if (!grant) return makeError(ClientErrc::Protocol, grant.error().message);
  return grant;
}

ClientResult<TokenGrant> exchangePat(const ServerUrl& server, const TlsOptions& tls,
                                     const std::string& deviceId, const std::string& pat,
                                     std::chrono::milliseconds timeout) {
  return requestToken(
      server, tls,
      {{"grant_type", "client_credentials"}, {"client_id", deviceId}, {"client_secret", pat}},
      timeout);
}

}  // namespace latch::client
