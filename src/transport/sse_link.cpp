// The Server-Sent Events half-transport: a long response carries the outgoing records as
// `data:` events; client-to-server records arrive as separate POSTs (hub_endpoint.cpp).
#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/write.hpp>

#include "transport/detail/links.hpp"
#include "transport/outbox.hpp"

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
class SseLink final : public TransportLink, public std::enable_shared_from_this<SseLink<Stream>> {
 public:
  SseLink(Stream&& stream, SocketSlot slot, std::shared_ptr<ConnectionPort> connection,
          const Limits& limits)
      : stream_(std::move(stream)),
        slot_(std::move(slot)),
        connection_(std::move(connection)),
        limits_(limits),
        outbox_(limits.maxBacklogBytes) {}

  void start(Request request, const std::vector<std::pair<std::string, std::string>>& headers) {
    if (connection_->attach(this->shared_from_this()) != ConnectionPort::Attach::Attached) {
      return refuse(request.version());
    }
    // Any byte or EOF from the client ends the stream: an SSE client only listens.
    stream_.async_read_some(asio::buffer(probe_),
                            [self = this->shared_from_this()](beast::error_code, std::size_t) {
                              beast::get_lowest_layer(self->stream_).close();
                              self->finish();
                            });
    pending_.assign(kEventStreamHead);
    for (const auto& [name, value] : headers) pending_ += name + ": " + value + "\r\n";
    pending_ += "\r\n";
    writeRaw();
  }

  bool send(std::string_view records) override {
    switch (outbox_.push(records)) {
      case Outbox::Push::Queued:
        return true;
      case Outbox::Push::QueuedAndWake:
        asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->doWrite(); });
        return true;
      case Outbox::Push::Overflow:
      case Outbox::Push::Closed:
        return false;
    }
    return false;
  }

  void close() override {
    outbox_.close();
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closeRequested_ = true;
      if (!self->writing_) self->doWrite();
    });
  }

  void abort() override {
    outbox_.close();
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      beast::get_lowest_layer(self->stream_).close();
    });
  }

  TransportKind kind() const override { return TransportKind::ServerSentEvents; }

 private:
  void refuse(unsigned version) {
    auto response = std::make_shared<Response>(http::status::conflict, version);
    setCommonHeaders(*response);
    response->body() = "Connection already has a transport";
    response->keep_alive(false);
    response->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(limits_.requestTimeout);
    http::async_write(stream_, *response,
                      [self = this->shared_from_this(), response](beast::error_code, std::size_t) {
                        beast::get_lowest_layer(self->stream_).close();
                      });
    connection_.reset();
  }

  void doWrite() {
    if (writing_ || finished_) return;
    const std::string records = outbox_.take();
    if (records.empty()) {
      if (closeRequested_) {
        beast::get_lowest_layer(stream_).close();  // a close-delimited body ends here
        finish();
      }
      return;
    }
    pending_.clear();
    appendEvent(pending_, records);
    writeRaw();
  }

  void writeRaw() {
    writing_ = true;
    // A client that stops reading cannot hold the write forever.
    beast::get_lowest_layer(stream_).expires_after(limits_.clientTimeout);
    asio::async_write(stream_, asio::buffer(pending_),
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) {
                          beast::get_lowest_layer(self->stream_).close();
                          return self->finish();
                        }
                        self->doWrite();
                      });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    outbox_.close();
    if (connection_) {
      connection_->onTransportClosed();
      connection_.reset();
    }
  }

  Stream stream_;
  SocketSlot slot_;
  std::shared_ptr<ConnectionPort> connection_;  // reset by finish(): breaks the cycle
  const Limits& limits_;
  Outbox outbox_;
  std::string pending_;  // the bytes being written
  char probe_[64];
  bool writing_ = false;  // strand-only state below
  bool closeRequested_ = false;
  bool finished_ = false;
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
