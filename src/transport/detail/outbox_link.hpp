#pragma once
// The outgoing half shared by the links that own a stream (WebSockets, Server-Sent Events):
// records queue in a bounded Outbox and leave in batches, one write in flight on the
// stream's strand; close() delivers what is queued first, abort() drops it. Included only
// by transport .cpp files.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>

#include "common/limits.hpp"
#include "transport/connection_port.hpp"
#include "transport/detail/beast.hpp"
#include "transport/detail/links.hpp"
#include "transport/outbox.hpp"
#include "transport/transport_link.hpp"

namespace latch::transport {

// A TransportLink over an owned stream (`OwnedStream`: the stream the link writes to), with
// the outbox, the write loop and the refusal in one place. `Derived` (created by
// std::make_shared, befriending this class) supplies the transport's part, each called on
// the strand:
//   void frame(std::string records, std::string& out);  // `out` becomes the bytes to write
//   template <class Handler> void asyncWrite(asio::const_buffer bytes, Handler&& handler);
//   void onDrained();      // close() was asked and all that was queued is written
//   void onWriteFailed();  // a write failed: the link must end
// send(), close() and abort() are thread-safe; everything else runs on the strand.
template <class Derived, class OwnedStream>
class OutboxLink : public TransportLink, public std::enable_shared_from_this<Derived> {
 public:
  bool send(std::string_view records) final {
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

  void close() final {
    outbox_.close();
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closeRequested_ = true;
      if (!self->writing_) self->doWrite();
    });
  }

  void abort() final {
    outbox_.close();
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->closeSocket(); });
  }

 protected:
  // `stream` becomes the owned stream; `limits` must outlive the link.
  template <class Stream>
  OutboxLink(Stream&& stream, SocketSlot slot, std::shared_ptr<ConnectionPort> connection,
             const Limits& limits)
      : stream_(std::forward<Stream>(stream)),
        slot_(std::move(slot)),
        connection_(std::move(connection)),
        limits_(limits),
        outbox_(limits.maxBacklogBytes) {}

  // Binds this link to its connection: true when attached. When the connection already has
  // another transport, answers 409 on `httpLayer` (the stream's HTTP/1.1 layer), closes the
  // socket after it, lets the connection go and returns false.
  template <class HttpLayer>
  [[nodiscard]] bool attachOrRefuse(HttpLayer& httpLayer, unsigned version) {
    if (connection_->attach(this->shared_from_this()) == ConnectionPort::Attach::Attached) {
      return true;
    }
    auto response = std::make_shared<Response>(http::status::conflict, version);
    setCommonHeaders(*response);
    response->body() = "Connection already has a transport";
    response->keep_alive(false);
    response->prepare_payload();
    // A bare socket has no timer of its own: the answer is small enough for the socket buffer.
    auto& lowest = beast::get_lowest_layer(stream_);
    if constexpr (requires { lowest.expires_after(limits_.requestTimeout); }) {
      lowest.expires_after(limits_.requestTimeout);
    }
    http::async_write(httpLayer, *response,
                      [self = this->shared_from_this(), response](beast::error_code, std::size_t) {
                        self->closeSocket();
                      });
    connection_.reset();
    return false;
  }

  // Writes `bytes` (a response head, before any record) as the one write in flight; what
  // is queued meanwhile follows it.
  void writeRaw(std::string bytes) {
    pending_ = std::move(bytes);
    writePending();
  }

  // Ends the link once: refuses further records, writes nothing more and tells the
  // connection its transport is gone. Idempotent.
  void finish() {
    writesEnded_ = true;
    outbox_.close();
    if (connection_) {
      connection_->onTransportClosed();
      connection_.reset();
    }
  }

  void closeSocket() {
    auto& lowest = beast::get_lowest_layer(stream_);
    if constexpr (requires { lowest.socket(); }) {
      lowest.close();  // a tcp_stream: its timer too
    } else {
      beast::error_code ignored;
      lowest.close(ignored);
    }
  }

  OwnedStream& stream() { return stream_; }
  const Limits& limits() const { return limits_; }
  // The connection this link carries; null once the link finished or was refused.
  ConnectionPort* connection() const { return connection_.get(); }

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }

  // Writes the next batch unless a write is in flight or writing has ended. With nothing
  // queued after close(), writing ends and Derived::onDrained() runs.
  void doWrite() {
    if (writing_ || writesEnded_) return;
    std::string records = outbox_.take();
    if (records.empty()) {
      if (closeRequested_) {
        writesEnded_ = true;
        derived().onDrained();
      }
      return;
    }
    derived().frame(std::move(records), pending_);
    writePending();
  }

  void writePending() {
    writing_ = true;
    derived().asyncWrite(asio::buffer(pending_),
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                           self->writing_ = false;
                           if (ec) return self->onWriteFailed();
                           self->doWrite();
                         });
  }

  OwnedStream stream_;
  SocketSlot slot_;
  std::shared_ptr<ConnectionPort> connection_;  // reset by finish(): breaks the cycle
  const Limits& limits_;
  Outbox outbox_;
  std::string pending_;   // the bytes being written
  bool writing_ = false;  // strand-only state below
  bool closeRequested_ = false;
  bool writesEnded_ = false;
};

}  // namespace latch::transport
