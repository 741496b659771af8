// The Server-Sent Events half-transport: a long response carries the outgoing records as
// `data:` events; client-to-server records arrive as separate POSTs (hub_endpoint.cpp).
#include <memory>

#include <boost/asio/write.hpp>

#include "transport/detail/links.hpp"
#include "transport/detail/outbox_link.hpp"

namespace latch::transport {
namespace {

constexpr std::string_view kEventStreamHead =
    "HTTP/1.1 200 OK\r\n"
    "Server: latch\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-cache\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Accel-Buffering: no\r\n"
    "Connection: close\r\n";

// One SSE event carrying `records`. Records hold no line breaks (the writers escape them),
// but a break would end the event early, so any is turned into a new `data:` line.
void appendEvent(std::string& out, std::string_view records) {
  out += "data: ";
  for (const char c : records) {
    if (c == '\n' || c == '\r') {
      out += "\r\ndata: ";
    } else {
      out += c;
    }
  }
  out += "\r\n\r\n";
}

template <class Stream>
class SseLink final : public OutboxLink<SseLink<Stream>, Stream> {
  using Base = OutboxLink<SseLink<Stream>, Stream>;
  friend Base;

 public:
  SseLink(Stream&& stream, SocketSlot slot, std::shared_ptr<ConnectionPort> connection,
          const Limits& limits)
      : Base(std::move(stream), std::move(slot), std::move(connection), limits) {}

  void start(Request request, const std::vector<std::pair<std::string, std::string>>& headers) {
    if (!this->attachOrRefuse(this->stream(), request.version())) return;
    // Any byte or EOF from the client ends the stream: an SSE client only listens.
    this->stream().async_read_some(
        asio::buffer(probe_),
        [self = this->shared_from_this()](beast::error_code, std::size_t) { self->end(); });
    std::string head(kEventStreamHead);
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    head += "\r\n";
    this->writeRaw(std::move(head));
  }

  TransportKind kind() const override { return TransportKind::ServerSentEvents; }

 private:
  // OutboxLink's hooks.
  void frame(std::string records, std::string& out) {
    out.clear();
    appendEvent(out, records);
  }

  template <class Handler>
  void asyncWrite(asio::const_buffer bytes, Handler&& handler) {
    // A client that stops reading cannot hold the write forever.
    beast::get_lowest_layer(this->stream()).expires_after(this->limits().clientTimeout);
    asio::async_write(this->stream(), bytes, std::forward<Handler>(handler));
  }

  void onDrained() { end(); }  // a close-delimited body ends here
  void onWriteFailed() { end(); }

  void end() {
    this->closeSocket();
    this->finish();
  }

  char probe_[64];
};

}  // namespace

template <class Stream>
void startServerSentEvents(Stream stream, SocketSlot slot, Request request,
                           std::shared_ptr<ConnectionPort> connection, const Limits& limits,
                           const std::vector<std::pair<std::string, std::string>>& headers) {
  std::make_shared<SseLink<Stream>>(std::move(stream), std::move(slot), std::move(connection),
                                    limits)
      ->start(std::move(request), headers);
}

using HeaderVector = std::vector<std::pair<std::string, std::string>>;
template void startServerSentEvents<PlainStream>(PlainStream, SocketSlot, Request,
                                                 std::shared_ptr<ConnectionPort>, const Limits&,
                                                 const HeaderVector&);
template void startServerSentEvents<TlsStream>(TlsStream, SocketSlot, Request,
                                               std::shared_ptr<ConnectionPort>, const Limits&,
                                               const HeaderVector&);

}  // namespace latch::transport
