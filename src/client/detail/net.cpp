#include "client/detail/net.hpp"

#include <algorithm>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <fmt/format.h>

namespace latch::client::detail {

namespace {

namespace http = beast::http;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// The server's default request body limit (Limits::maxBodyBytes): larger batches are split.
constexpr std::size_t kMaxPostBytes = 1024 * 1024;
// The answer to a POST is empty, or a short reason.
constexpr std::size_t kMaxPostAnswerBytes = 16 * 1024;
constexpr char kRecordSeparator = '\x1e';

ClientError networkError(std::string_view what, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    return makeError(ClientErrc::Timeout, fmt::format("{}: timed out", what));
  }
  return makeError(ClientErrc::Network, fmt::format("{}: {}", what, ec.message()));
}

bool isIpAddress(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

template <class Stream>
asio::awaitable<ClientResult<HttpResponse>> exchangeOn(Stream& stream, const Endpoint& endpoint,
                                                       const HttpRequest& request,
                                                       std::size_t maxBody) {
  http::request<http::string_body> req{request.method, request.target, 11};
  req.set(http::field::host, endpoint.server.hostHeader);
  req.set(http::field::user_agent, "latch-client");
  req.set(http::field::connection, "close");
  if (request.withToken && endpoint.accessToken) {
    req.set(http::field::authorization, bearer(endpoint.accessToken()));
  }
  if (!request.contentType.empty()) req.set(http::field::content_type, request.contentType);
  req.body() = request.body;
  req.prepare_payload();
  auto [writeEc, written] = co_await http::async_write(stream, req, kUseTuple);
  if (writeEc) co_return networkError("sending the request", writeEc);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(maxBody);
  parser.header_limit(16 * 1024);
  auto [readEc, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  if (readEc == http::error::body_limit) {
    co_return makeError(ClientErrc::Protocol, "the server's response is too large");
  }
  if (readEc) co_return networkError("reading the response", readEc);
  auto response = parser.release();
  HttpResponse out;
  out.status = response.result_int();
  out.wwwAuthenticate = std::string(response[http::field::www_authenticate]);
  out.body = std::move(response.body());
  co_return out;
}

ClientError cancelledError() { return makeError(ClientErrc::Closed, "the request was cancelled"); }

// Points `slot` at the socket of an exchange while it is in flight.
class InFlight {
 public:
  InFlight(beast::tcp_stream*& slot, beast::tcp_stream& stream) : slot_(slot) { slot_ = &stream; }
  ~InFlight() { slot_ = nullptr; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  beast::tcp_stream*& slot_;
};

// The bytes of `records` that go in the next POST: as many whole records as fit in
// kMaxPostBytes, or the first record alone when it is larger (the server then refuses it).
std::size_t nextPostSize(std::string_view records) {
  if (records.size() <= kMaxPostBytes) return records.size();
  const auto last = records.rfind(kRecordSeparator, kMaxPostBytes - 1);
  if (last != std::string_view::npos) return last + 1;
  const auto first = records.find(kRecordSeparator);
  return first == std::string_view::npos ? records.size() : first + 1;
}

}  // namespace

ClientResult<std::shared_ptr<asio::ssl::context>> makeTlsContext(const TlsOptions& options) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (!options.caFile.empty()) {
    context->load_verify_file(options.caFile, ec);
    if (ec) {
      return makeError(ClientErrc::Tls,
                       fmt::format("cannot load CA file {}: {}", options.caFile, ec.message()));
    }
  } else {
    context->set_default_verify_paths(ec);
    if (ec) return makeError(ClientErrc::Tls, "cannot load the system's CA certificates");
  }
  context->set_verify_mode(options.verifyPeer ? asio::ssl::verify_peer : asio::ssl::verify_none);
  return context;
}

asio::awaitable<ClientResult<void>> connectTcp(beast::tcp_stream& stream, const ServerUrl& server,
                                               Millis timeout) {
  asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [resolveEc, results] = co_await resolver.async_resolve(server.host, server.port, kUseTuple);
  if (resolveEc) {
    co_return makeError(ClientErrc::Network,
                        fmt::format("cannot resolve {}: {}", server.host, resolveEc.message()));
  }
  stream.expires_after(timeout);
  auto [connectEc, connected] = co_await stream.async_connect(results, kUseTuple);
  if (connectEc)
    co_return networkError(fmt::format("connecting to {}", server.display()), connectEc);
  stream.expires_never();
  boost::system::error_code ignored;
  stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  co_return ClientResult<void>{};
}

asio::awaitable<ClientResult<void>> handshakeTls(TlsStream& stream, const ServerUrl& server,
                                                 bool verifyPeer, Millis timeout) {
  if (!isIpAddress(server.host) &&
      !SSL_set_tlsext_host_name(stream.native_handle(), server.host.c_str())) {
    co_return makeError(ClientErrc::Tls, "cannot set the TLS server name");
  }
  if (verifyPeer) stream.set_verify_callback(asio::ssl::host_name_verification(server.host));
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kUseTuple);
  beast::get_lowest_layer(stream).expires_never();
  if (ec) {
    if (ec == beast::error::timeout) co_return networkError("TLS handshake", ec);
    co_return makeError(ClientErrc::Tls, fmt::format("TLS handshake with {} failed: {}",
                                                     server.display(), ec.message()));
  }
  co_return ClientResult<void>{};
}

asio::awaitable<ClientResult<HttpResponse>> httpExchange(const Endpoint& endpoint,
                                                         HttpRequest request, Millis timeout,
                                                         std::size_t maxBody) {
  HttpClient client(endpoint);
  co_return co_await client.exchange(std::move(request), timeout, maxBody);
}

asio::awaitable<ClientResult<HttpResponse>> HttpClient::exchange(HttpRequest request,
                                                                 Millis timeout,
                                                                 std::size_t maxBody) {
  if (aborted_) co_return cancelledError();
  const auto openTimeout = std::min(timeout, endpoint_.openTimeout);
  beast::tcp_stream tcp(co_await asio::this_coro::executor);
  InFlight registered(inFlight_, tcp);
  auto connected = co_await connectTcp(tcp, endpoint_.server, openTimeout);
  if (aborted_) co_return cancelledError();
  if (!connected) co_return connected.error();
  if (!endpoint_.tls) {
    tcp.expires_after(timeout);
    auto response = co_await exchangeOn(tcp, endpoint_, request, maxBody);
    if (aborted_) co_return cancelledError();
    co_return response;
  }
  TlsStream tls(std::move(tcp), *endpoint_.tls);
  inFlight_ = &beast::get_lowest_layer(tls);
  auto handshake = co_await handshakeTls(tls, endpoint_.server, endpoint_.verifyPeer, openTimeout);
  if (aborted_) co_return cancelledError();
  if (!handshake) co_return handshake.error();
  beast::get_lowest_layer(tls).expires_after(timeout);
  auto response = co_await exchangeOn(tls, endpoint_, request, maxBody);
  if (aborted_) co_return cancelledError();
  // Connection: close: no TLS shutdown round trip is needed to trust the response.
  co_return response;
}

void HttpClient::abort() {
  aborted_ = true;
  if (inFlight_) inFlight_->close();
}

asio::awaitable<ClientResult<void>> postRecords(HttpClient& client, std::string target,
                                                std::string records, Millis timeout) {
  std::string_view rest(records);
  while (!rest.empty()) {
    HttpRequest request;
    request.method = http::verb::post;
    request.target = target;
    request.contentType = "text/plain;charset=UTF-8";
    const auto size = nextPostSize(rest);
    if (size == records.size()) {
      request.body = std::move(records);
      rest = {};
    } else {
      request.body = std::string(rest.substr(0, size));
      rest.remove_prefix(size);
    }
    auto response = co_await client.exchange(std::move(request), timeout, kMaxPostAnswerBytes);
    if (!response) co_return response.error();
    if (response->status != 200) co_return httpStatusError("sending to the hub", *response);
  }
  co_return ClientResult<void>{};
}

ClientError httpStatusError(std::string_view what, const HttpResponse& response) {
  std::string reason;
  if (!response.wwwAuthenticate.empty()) {
    const auto at = response.wwwAuthenticate.find("error_description=\"");
    if (at != std::string::npos) {
      const auto start = at + 19;
      reason =
          response.wwwAuthenticate.substr(start, response.wwwAuthenticate.find('"', start) - start);
    }
  }
  if (reason.empty()) {
    boost::system::error_code ec;
    const auto body = boost::json::parse(response.body, ec);
    if (!ec && body.is_object()) {
      for (const auto* key : {"error_description", "error"}) {
        const auto* field = body.as_object().if_contains(key);
        if (field && field->is_string()) {
          reason = std::string(field->as_string());
          break;
        }
      }
    }
  }
  if (reason.size() > 200) reason.resize(200);
  const auto message = reason.empty()
                           ? fmt::format("{}: HTTP {}", what, response.status)
                           : fmt::format("{}: HTTP {} ({})", what, response.status, reason);
  switch (response.status) {
    case 401:
      return makeError(ClientErrc::Unauthorized, message);
    case 403:
      return makeError(ClientErrc::Forbidden, message);
    default:
      return makeError(ClientErrc::Http, message);
  }
}

std::string bearer(std::string_view token) { return "Bearer " + std::string(token); }

}  // namespace latch::client::detail
