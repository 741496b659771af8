// HTTP/1.1 sessions: read a request with bounded size and time, route it, answer it, and
// hand the stream over to a WebSocket or Server-Sent Events link when the route says so.
#include <memory>
#include <optional>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <spdlog/spdlog.h>

#include "common/logging.hpp"
#include "transport/detail/links.hpp"
#include "transport/hub_router.hpp"

namespace latch::transport {
namespace {

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  template <class... StreamArgs>
  HttpSession(SocketSlot slot, RouterContext& ctx, StreamArgs&&... args)
      : stream_(std::forward<StreamArgs>(args)...), slot_(std::move(slot)), ctx_(ctx) {
    beast::error_code ec;
    const auto peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remoteAddress_ = peer.address().to_string();
  }

  void run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&HttpSession::onStart, this->shared_from_this()));
  }

 private:
  void onStart() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(ctx_.limits.requestTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return;  // not TLS, or gave up: nothing to answer
                                self->doRead();
                              });
    } else {
      doRead();
    }
  }

  // Waits for the first byte of the next request (idle timeout), then reads the whole
  // request (request timeout): a slow client cannot hold the socket longer than that.
  void doRead() {
    if (buffer_.size() > 0) return readRequest();
    beast::get_lowest_layer(stream_).expires_after(ctx_.limits.idleTimeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->doClose();
                              self->buffer_.commit(n);
                              self->readRequest();
                            });
  }

  void readRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_.limits.maxHeaderBytes));
    parser_->body_limit(ctx_.limits.maxBodyBytes);
    beast::get_lowest_layer(stream_).expires_after(ctx_.limits.requestTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::onRead, this->shared_from_this()));
  }

  void onRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return doClose();
    if (ec == http::error::body_limit) return refuse(http::status::payload_too_large);
    if (ec == http::error::header_limit) {
      return refuse(http::status::request_header_fields_too_large);
    }
    if (ec && ec.category() == http::make_error_code(http::error::end_of_stream).category()) {
      return refuse(http::status::bad_request);  // malformed HTTP
    }
    if (ec) return doClose();  // timeout or network error: nobody to answer
    Request request = parser_->release();
    parser_.reset();
    spdlog::debug("{} {}", std::string(request.method_string()),
                  redactTarget(std::string_view(request.target().data(), request.target().size())));
    Routed routed = routeRequest(request, ctx_, remoteAddress_);
    cors_ = std::move(routed.corsHeaders);
    std::visit([&](auto&& a) { handle(std::move(a), std::move(request)); },
               std::move(routed.action));
  }

  void handle(Reply&& reply, Request&& request) {
    sendReply(std::move(reply), request.version(), request.keep_alive());
  }

  void handle(WaitPoll&& wait, Request&& request) {
    beast::get_lowest_layer(stream_).expires_never();
    const unsigned version = request.version();
    const bool keepAlive = request.keep_alive();
    wait.link->poll(
        [self = this->shared_from_this(), version, keepAlive](int status, std::string body) {
          asio::post(self->stream_.get_executor(),
                     [self, version, keepAlive, status, body = std::move(body)]() mutable {
                       self->sendReply(Reply{status, std::move(body)}, version, keepAlive);
                     });
        });
  }

  void handle(UpgradeWebSocket&& upgrade, Request&& request) {
    beast::get_lowest_layer(stream_).expires_never();
    startWebSocket(std::move(stream_), std::move(slot_), std::move(request),
                   std::move(upgrade.connection), ctx_.limits);
  }

  void handle(StartSse&& sse, Request&& request) {
    beast::get_lowest_layer(stream_).expires_never();
    startServerSentEvents(std::move(stream_), std::move(slot_), std::move(request),
                          std::move(sse.connection), ctx_.limits, cors_);
  }

  // Answers a request that could not be read, then closes.
  void refuse(http::status status) {
    cors_.clear();
    sendReply(Reply{static_cast<int>(status), std::string(http::obsolete_reason(status))}, 11,
              false);
  }

  void sendReply(Reply&& reply, unsigned version, bool keepAlive) {
    auto response = std::make_shared<Response>(static_cast<http::status>(reply.status), version);
    setCommonHeaders(*response);
    response->set(http::field::content_type, reply.contentType);
    for (const auto& [name, value] : reply.headers) response->set(name, value);
    for (const auto& [name, value] : cors_) response->set(name, value);
    response->body() = std::move(reply.body);
    response->keep_alive(keepAlive);
    response->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(ctx_.limits.requestTimeout);
    http::async_write(
        stream_, *response,
        [self = this->shared_from_this(), response](beast::error_code ec, std::size_t) {
          if (ec) return;
          if (response->need_eof()) return self->doClose();
          self->doRead();
        });
  }

  void doClose() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      shutdownStream(stream_);
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(1));  // in all
      drain();
    }
  }

  // Reads and drops what the client still sends after our FIN, for a bounded time: closing
  // with unread bytes would reset the connection and could destroy the answer (a 413 or 431)
  // before the client reads it.
  void drain() {
    stream_.async_read_some(asio::buffer(drainBuffer_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->drain();
                            });
  }

  char drainBuffer_[512];
  Stream stream_;
  SocketSlot slot_;
  RouterContext& ctx_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HeaderList cors_;  // of the request being answered
  std::string remoteAddress_;
};

}  // namespace

void startPlainSession(tcp::socket socket, SocketSlot slot, RouterContext& ctx) {
  std::make_shared<HttpSession<PlainStream>>(std::move(slot), ctx, std::move(socket))->run();
}

void startTlsSession(tcp::socket socket, asio::ssl::context& tls, SocketSlot slot,
                     RouterContext& ctx) {
  std::make_shared<HttpSession<TlsStream>>(std::move(slot), ctx, std::move(socket), tls)->run();
}

}  // namespace latch::transport
