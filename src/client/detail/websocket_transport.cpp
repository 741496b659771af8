// The WebSockets transport: one upgrade to the hub path with the connection token; each
// text frame carries whole records.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <fmt/format.h>

#include "client/detail/transport.hpp"

namespace latch::client::detail {

namespace {

namespace websocket = beast::websocket;
namespace http = beast::http;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

template <class Next>
class WebSocketTransport final : public Transport {
 public:
  template <class... Args>
  WebSocketTransport(const Endpoint& endpoint, std::size_t maxMessageBytes, Args&&... args)
      : endpoint_(endpoint), ws_(std::forward<Args>(args)...), maxMessageBytes_(maxMessageBytes) {}

  asio::awaitable<ClientResult<void>> open(std::string connectionToken) override {
    auto connected =
        co_await connectTcp(beast::get_lowest_layer(ws_), endpoint_.server, endpoint_.openTimeout);
    if (!connected) co_return connected.error();
    if (aborted_) co_return abortedError();
    if constexpr (std::is_same_v<Next, TlsStream>) {
      auto handshake = co_await handshakeTls(ws_.next_layer(), endpoint_.server,
                                             endpoint_.verifyPeer, endpoint_.openTimeout);
      if (!handshake) co_return handshake.error();
      if (aborted_) co_return abortedError();
    }
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = endpoint_.openTimeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // the hub's server timeout rules
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    const std::string authorization = bearer(endpoint_.accessToken());
    ws_.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
      req.set(http::field::user_agent, "latch-client");
      req.set(http::field::authorization, authorization);
    }));
    ws_.read_message_max(maxMessageBytes_);
    websocket::response_type response;
    auto [ec] =
        co_await ws_.async_handshake(response, endpoint_.server.hostHeader,
                                     hubTarget(endpoint_.server, connectionToken), kUseTuple);
    if (ec) {
      if (response.result_int() != 0 && response.result_int() != 101) {
        HttpResponse answer;
        answer.status = response.result_int();
        answer.wwwAuthenticate = std::string(response[http::field::www_authenticate]);
        answer.body = response.body();
        co_return httpStatusError("WebSocket upgrade", answer);
      }
      co_return makeError(ClientErrc::Network, fmt::format("WebSocket upgrade: {}", ec.message()));
    }
    if (aborted_) co_return abortedError();
    ws_.text(true);
    co_return ClientResult<void>{};
  }

  asio::awaitable<ClientResult<std::string>> receive() override {
    buffer_.clear();
    auto [ec, n] = co_await ws_.async_read(buffer_, kUseTuple);
    if (ec == websocket::error::closed) {
      co_return makeError(ClientErrc::Closed, "the server closed the WebSocket");
    }
    if (ec == websocket::error::message_too_big) {
      co_return makeError(ClientErrc::Protocol, "the server sent a message that is too large");
    }
    if (ec) co_return makeError(ClientErrc::Network, fmt::format("WebSocket: {}", ec.message()));
    co_return beast::buffers_to_string(buffer_.cdata());
  }

  asio::awaitable<ClientResult<void>> send(std::string records) override {
    auto [ec, n] = co_await ws_.async_write(asio::buffer(records), kUseTuple);
    if (ec) co_return makeError(ClientErrc::Network, fmt::format("WebSocket: {}", ec.message()));
    co_return ClientResult<void>{};
  }

  asio::awaitable<void> close() override {
    if (!aborted_ && ws_.is_open()) {
      co_await ws_.async_close(websocket::close_code::normal, kUseTuple);
    }
    abort();
  }

  void abort() override {
    aborted_ = true;
    beast::get_lowest_layer(ws_).close();
  }

 private:
  // abort() may come while a step is resolving or connecting (a new socket would be opened
  // after it): each step checks.
  static ClientError abortedError() {
    return makeError(ClientErrc::Closed, "the WebSocket was aborted while opening");
  }

  const Endpoint& endpoint_;
  websocket::stream<Next> ws_;
  std::size_t maxMessageBytes_;
  beast::flat_buffer buffer_;
  bool aborted_ = false;
};

}  // namespace

std::unique_ptr<Transport> makeWebSocketTransport(asio::any_io_executor executor,
                                                  const Endpoint& endpoint,
                                                  std::size_t maxMessageBytes) {
  if (endpoint.tls) {
    return std::make_unique<WebSocketTransport<TlsStream>>(endpoint, maxMessageBytes, executor,
                                                           *endpoint.tls);
  }
  return std::make_unique<WebSocketTransport<beast::tcp_stream>>(endpoint, maxMessageBytes,
                                                                 executor);
}

}  // namespace latch::client::detail
