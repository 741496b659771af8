// The WebSockets transport: one socket carries both directions; each outgoing batch of
// records leaves as one text frame, with one write in flight and a bounded outbox.
#include <chrono>
#include <memory>
#include <type_traits>

#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <spdlog/spdlog.h>

#include "transport/detail/links.hpp"
#include "transport/detail/outbox_link.hpp"

namespace latch::transport {
namespace {

namespace websocket = beast::websocket;

template <class Stream>
class WebSocketLink final : public OutboxLink<WebSocketLink<Stream>, websocket::stream<Stream>> {
  using Base = OutboxLink<WebSocketLink<Stream>, websocket::stream<Stream>>;
  friend Base;

 public:
  WebSocketLink(Stream&& stream, SocketSlot slot, std::shared_ptr<ConnectionPort> connection,
                const Limits& limits)
      : Base(std::move(stream), std::move(slot), std::move(connection), limits) {}

  void start(Request request) {
    auto& ws = this->stream();
    if (!this->attachOrRefuse(ws.next_layer(), request.version())) return;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = this->limits().requestTimeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // the hub's keep-alive decides
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "latch"); }));
    // Frames may batch a few records; each record is held to maxMessageBytes by the hub.
    ws.read_message_max(this->limits().maxMessageBytes * 2 + 1024);
    ws.async_accept(request,
                    beast::bind_front_handler(&WebSocketLink::onAccept, this->shared_from_this()));
  }

  TransportKind kind() const override { return TransportKind::WebSockets; }

 private:
  // OutboxLink's hooks: each batch of records leaves as one text frame.
  void frame(std::string records, std::string& out) { out = std::move(records); }

  template <class Handler>
  void asyncWrite(asio::const_buffer bytes, Handler&& handler) {
    this->stream().text(true);
    this->stream().async_write(bytes, std::forward<Handler>(handler));
  }

  void onDrained() {
    this->stream().async_close(websocket::close_code::normal,
                               [self = this->shared_from_this()](beast::error_code ec) {
                                 if (ec) self->closeSocket();
                               });
  }

  void onWriteFailed() { this->closeSocket(); }  // the read loop then finishes the link

  void onAccept(beast::error_code ec) {
    if (ec) return this->finish();
    doRead();
  }

  void doRead() {
    this->stream().async_read(
        readBuffer_, beast::bind_front_handler(&WebSocketLink::onRead, this->shared_from_this()));
  }

  // An idle connection waits for its next message with a small buffer: a read started on an
  // empty flat_buffer reserves 1.5 KiB (Beast's frame size) for as long as it waits, which
  // was a fifth of an idle connection's memory. A connection whose last two messages came
  // less than kBusyGap apart reads straight into the buffer it keeps, as before.
  static constexpr std::chrono::milliseconds kBusyGap{1000};
  static constexpr std::size_t kIdleReadBytes = 64;

  void awaitMessage() {
    readBuffer_.shrink_to_fit();  // empty: frees it
    this->stream().async_read_some(
        readBuffer_, kIdleReadBytes,
        beast::bind_front_handler(&WebSocketLink::onMessageBegins, this->shared_from_this()));
  }

  // The first bytes of a message (or all of a short one) are in readBuffer_.
  void onMessageBegins(beast::error_code ec, std::size_t) {
    if (ec || this->stream().is_message_done()) return onRead(ec, 0);
    doRead();  // the rest of the message, appended
  }

  // A whole message is in readBuffer_ (unless `ec`).
  void onRead(beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec != websocket::error::closed && ec != asio::error::eof &&
          ec != asio::error::operation_aborted) {
        spdlog::info("WebSocket ended: {}", ec.message());
      }
      return this->finish();
    }
    const std::size_t n = readBuffer_.size();
    if (!this->stream().got_text()) {
      readBuffer_.consume(n);
      this->connection()->onInvalidInput("Binary messages are not supported by the JSON protocol.");
      return doRead();
    }
    const auto data = readBuffer_.cdata();
    this->connection()->onReceive(
        std::string_view(static_cast<const char*>(data.data()), data.size()));
    readBuffer_.consume(n);
    const auto now = std::chrono::steady_clock::now();
    const bool busy = now - lastMessage_ < kBusyGap;
    lastMessage_ = now;
    if (busy) return doRead();
    awaitMessage();
  }

  beast::flat_buffer readBuffer_;
  std::chrono::steady_clock::time_point lastMessage_{};
};

}  // namespace

template <class Stream>
void startWebSocket(Stream stream, SocketSlot slot, Request request,
                    std::shared_ptr<ConnectionPort> connection, const Limits& limits) {
  if constexpr (std::is_same_v<Stream, PlainStream>) {
    // Past the upgrade the WebSocket stream keeps its own timer: a plain connection carries the
    // bare socket, without tcp_stream's timer state (about 0.5 KiB per idle connection).
    std::make_shared<WebSocketLink<asio::ip::tcp::socket>>(
        std::move(stream).release_socket(), std::move(slot), std::move(connection), limits)
        ->start(std::move(request));
  } else {
    std::make_shared<WebSocketLink<Stream>>(std::move(stream), std::move(slot),
                                            std::move(connection), limits)
        ->start(std::move(request));
  }
}

template void startWebSocket<PlainStream>(PlainStream, SocketSlot, Request,
                                          std::shared_ptr<ConnectionPort>, const Limits&);
template void startWebSocket<TlsStream>(TlsStream, SocketSlot, Request,
                                        std::shared_ptr<ConnectionPort>, const Limits&);

}  // namespace latch::transport
