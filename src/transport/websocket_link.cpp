// The WebSockets transport: one socket carries both directions; each outgoing batch of
// records leaves as one text frame, with one write in flight and a bounded outbox.
#include <memory>

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <spdlog/spdlog.h>

#include "transport/detail/links.hpp"
#include "transport/outbox.hpp"

namespace latch::transport {
namespace {

namespace websocket = beast::websocket;

template <class Stream>
class WebSocketLink final : public TransportLink,
                            public std::enable_shared_from_this<WebSocketLink<Stream>> {
 public:
  WebSocketLink(Stream&& stream, SocketSlot slot, std::shared_ptr<ConnectionPort> connection,
                const Limits& limits)
      : ws_(std::move(stream)),
        slot_(std::move(slot)),
        connection_(std::move(connection)),
        limits_(limits),
        outbox_(limits.maxBacklogBytes) {}

  void start(Request request) {
    if (connection_->attach(this->shared_from_this()) != ConnectionPort::Attach::Attached) {
      return refuse(std::move(request));
    }
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = limits_.requestTimeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // the hub's keep-alive decides
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "latch"); }));
    // Frames may batch a few records; each record is held to maxMessageBytes by the hub.
    ws_.read_message_max(limits_.maxMessageBytes * 2 + 1024);
    ws_.async_accept(request,
                     beast::bind_front_handler(&WebSocketLink::onAccept, this->shared_from_this()));
  }

  bool send(std::string_view records) override {
    switch (outbox_.push(records)) {
      case Outbox::Push::Queued:
        return true;
      case Outbox::Push::QueuedAndWake:
        asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->doWrite(); });
        return true;
      case Outbox::Push::Overflow:
      case Outbox::Push::Closed:
        return false;
    }
    return false;
  }

  void close() override {
    outbox_.close();
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->closeRequested_ = true;
      if (!self->writing_) self->doWrite();
    });
  }

  void abort() override {
    outbox_.close();
    asio::post(ws_.get_executor(),
               [self = this->shared_from_this()] { beast::get_lowest_layer(self->ws_).close(); });
  }

  TransportKind kind() const override { return TransportKind::WebSockets; }

 private:
  void refuse(Request request) {
    auto response = std::make_shared<Response>(http::status::conflict, request.version());
    setCommonHeaders(*response);
    response->body() = "Connection already has a transport";
    response->keep_alive(false);
    response->prepare_payload();
    beast::get_lowest_layer(ws_).expires_after(limits_.requestTimeout);
    http::async_write(ws_.next_layer(), *response,
                      [self = this->shared_from_this(), response](beast::error_code, std::size_t) {
                        beast::get_lowest_layer(self->ws_).close();
                      });
    connection_.reset();
  }

  void onAccept(beast::error_code ec) {
    if (ec) return finish();
    doRead();
  }

  void doRead() {
    ws_.async_read(readBuffer_,
                   beast::bind_front_handler(&WebSocketLink::onRead, this->shared_from_this()));
  }

  void onRead(beast::error_code ec, std::size_t n) {
    if (ec) {
      if (ec != websocket::error::closed && ec != asio::error::eof &&
          ec != asio::error::operation_aborted) {
        spdlog::info("WebSocket ended: {}", ec.message());
      }
      return finish();
    }
    if (!ws_.got_text()) {
      readBuffer_.consume(n);
      connection_->onInvalidInput("Binary messages are not supported by the JSON protocol.");
      return doRead();
    }
    const auto data = readBuffer_.cdata();
    connection_->onReceive(std::string_view(static_cast<const char*>(data.data()), data.size()));
    readBuffer_.consume(n);
    doRead();
  }

  void doWrite() {
    if (writing_ || closing_) return;
    pending_ = outbox_.take();
    if (pending_.empty()) {
      if (closeRequested_) doClose();
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(pending_),
                    beast::bind_front_handler(&WebSocketLink::onWrite, this->shared_from_this()));
  }

  void onWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      beast::get_lowest_layer(ws_).close();  // the read loop then finishes the link
      return;
    }
    doWrite();
  }

  void doClose() {
    closing_ = true;
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](beast::error_code ec) {
                      if (ec) beast::get_lowest_layer(self->ws_).close();
                    });
  }

  void finish() {
    outbox_.close();
    if (connection_) {
      connection_->onTransportClosed();
      connection_.reset();
    }
  }

  websocket::stream<Stream> ws_;
  SocketSlot slot_;
  std::shared_ptr<ConnectionPort> connection_;  // reset by finish(): breaks the cycle
  const Limits& limits_;
  Outbox outbox_;
  beast::flat_buffer readBuffer_;
  std::string pending_;   // the batch being written
  bool writing_ = false;  // strand-only state below
  bool closeRequested_ = false;
  bool closing_ = false;
};

}  // namespace

template <class Stream>
void startWebSocket(Stream stream, SocketSlot slot, Request request,
                    std::shared_ptr<ConnectionPort> connection, const Limits& limits) {
  std::make_shared<WebSocketLink<Stream>>(std::move(stream), std::move(slot), std::move(connection),
                                          limits)
      ->start(std::move(request));
}

template void startWebSocket<PlainStream>(PlainStream, SocketSlot, Request,
                                          std::shared_ptr<ConnectionPort>, const Limits&);
template void startWebSocket<TlsStream>(TlsStream, SocketSlot, Request,
                                        std::shared_ptr<ConnectionPort>, const Limits&);

}  // namespace latch::transport
