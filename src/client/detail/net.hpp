#pragma once

// Connection helpers for the client's transports (Asio and Beast live here and in the .cpp
// files of src/client only).

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "client/client_error.hpp"
#include "client/connection_options.hpp"
#include "client/server_url.hpp"

namespace latch::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Millis = std::chrono::milliseconds;

// The TLS context for `options`: TLS 1.2 or newer, peer verification with the system's CAs or
// options.caFile. Tls error when the CA file cannot be loaded.
[[nodiscard]] ClientResult<std::shared_ptr<asio::ssl::context>> makeTlsContext(
    const TlsOptions& options);

// Resolves and connects `stream` to the server, within `timeout`.
asio::awaitable<ClientResult<void>> connectTcp(beast::tcp_stream& stream, const ServerUrl& server,
                                               Millis timeout);

// Sets SNI and host name verification, then runs the TLS client handshake within `timeout`.
asio::awaitable<ClientResult<void>> handshakeTls(TlsStream& stream, const ServerUrl& server,
                                                 bool verifyPeer, Millis timeout);

// What every transport needs to reach the server.
struct Endpoint {
  ServerUrl server;
  std::shared_ptr<asio::ssl::context> tls;  // null for http://
  bool verifyPeer = true;
  Millis openTimeout{15'000};
  // The current access token (it changes with RefreshToken); called on the I/O thread.
  std::function<std::string()> accessToken;
};

struct HttpRequest {
  beast::http::verb method = beast::http::verb::get;
  std::string target;
  std::string body;
  std::string contentType;
  bool withToken = true;  // send Authorization: Bearer <current token>
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::string wwwAuthenticate;
};

// One request on a fresh connection (Connection: close); the response body is capped at
// `maxBody` bytes (Protocol error beyond). `timeout` covers the whole exchange.
asio::awaitable<ClientResult<HttpResponse>> httpExchange(const Endpoint& endpoint,
                                                         HttpRequest request, Millis timeout,
                                                         std::size_t maxBody);

// HTTP exchanges on fresh connections (Connection: close), one at a time, that another
// coroutine on the same thread can end at once: the polls and POSTs of the HTTP transports.
// The caller owns it, so the connection in flight stays reachable for abort(). Not
// thread-safe (the endpoint's I/O thread only); `endpoint` must outlive it.
class HttpClient {
 public:
  explicit HttpClient(const Endpoint& endpoint) : endpoint_(endpoint) {}
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // As httpExchange(); connect and TLS handshake get at most the endpoint's open timeout.
  // Closed once abort() was called, also for an exchange that abort() interrupted.
  asio::awaitable<ClientResult<HttpResponse>> exchange(HttpRequest request, Millis timeout,
                                                       std::size_t maxBody);

  // Closes the connection of the exchange in flight, if any, and makes every later exchange
  // fail at once with Closed. Idempotent.
  void abort();

 private:
  const Endpoint& endpoint_;
  beast::tcp_stream* inFlight_ = nullptr;  // the socket of the exchange in flight
  bool aborted_ = false;
};

// POSTs `records` (whole records, each ending with the record separator) to `target`, the
// HTTP Post half-transport: one request, or several split between records when they exceed
// the server's default body limit. Each must be answered 200 within `timeout`; the first
// failure ends the sending.
asio::awaitable<ClientResult<void>> postRecords(HttpClient& client, std::string target,
                                                std::string records, Millis timeout);

// The error for an unexpected HTTP status: Unauthorized for 401 (with the server's reason
// from WWW-Authenticate or an OAuth error body), Forbidden for 403, Http otherwise.
ClientError httpStatusError(std::string_view what, const HttpResponse& response);

// "Bearer " + token.
std::string bearer(std::string_view token);

}  // namespace latch::client::detail
