// The Server-Sent Events transport: one long GET on the hub path carries the server's records
// as `data:` events; the client's records go as POSTs (the HTTP Post half-transport). The event
// stream is decoded as it arrives, so the transport holds at most one read's worth of it.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/format.h>

#include "client/detail/transport.hpp"

namespace latch::client::detail {

namespace {

namespace http = beast::http;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Body bytes taken from the parser at a time: one receive() returns about this much at most.
constexpr std::size_t kChunkBytes = 16 * 1024;
// Bytes read from the socket and not yet parsed, at most.
constexpr std::size_t kReadBufferBytes = 64 * 1024;
// The largest response header accepted.
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;
// The body of a refusal (401, 403, 404...) is read this far, for its reason.
constexpr std::size_t kMaxRefusalBytes = 16 * 1024;
// Field names longer than this are not "data": the rest of their line is skipped.
constexpr std::size_t kMaxFieldBytes = 16;

// Decodes an SSE event stream (WHATWG HTML, "Server-sent events") fed in pieces of any size:
// the values of `data` fields come out as they arrive, the lines of one event joined with
// "\n"; comments and other fields are dropped. Hub records delimit themselves, so event
// boundaries need not be kept. Holds at most a short field name between pieces.
class EventStreamDecoder {
 public:
  // Appends the data carried by `bytes` to `out`.
  void feed(std::string_view bytes, std::string& out) {
    std::size_t i = 0;
    while (i < bytes.size()) {
      const char c = bytes[i];
      if (afterCr_) {
        afterCr_ = false;
        if (c == '\n') {  // the LF of a CRLF
          ++i;
          continue;
        }
      }
      if (c == '\r' || c == '\n') {
        afterCr_ = c == '\r';
        endLine(out);
        ++i;
        continue;
      }
      switch (state_) {
        case State::LineStart:
          if (c == ':') {
            state_ = State::Skip;  // a comment
          } else {
            state_ = State::Field;
            field_.assign(1, c);
          }
          ++i;
          break;
        case State::Field:
          if (c == ':') {
            startValue(out);
            state_ = State::ValueStart;
          } else if (field_.size() < kMaxFieldBytes) {
            field_ += c;
          } else {
            state_ = State::Skip;
          }
          ++i;
          break;
        case State::ValueStart:
          state_ = State::Value;
          if (c == ' ') ++i;  // one space after the colon is not part of the value
          break;
        case State::Value:
        case State::Skip: {
          const auto end = std::min(bytes.find_first_of("\r\n", i), bytes.size());
          if (state_ == State::Value && isData_) out.append(bytes.substr(i, end - i));
          i = end;
          break;
        }
      }
    }
  }

 private:
  enum class State { LineStart, Field, ValueStart, Value, Skip };

  // The field name ended (with a colon, or with the line).
  void startValue(std::string& out) {
    isData_ = field_ == "data";
    if (!isData_) return;
    if (eventHasData_) out += '\n';
    eventHasData_ = true;
  }

  void endLine(std::string& out) {
    if (state_ == State::LineStart) {
      eventHasData_ = false;  // a blank line ends the event
    } else if (state_ == State::Field) {
      startValue(out);  // a field name alone: an empty value
    }
    state_ = State::LineStart;
    field_.clear();
    isData_ = false;
  }

  State state_ = State::LineStart;
  std::string field_;
  bool isData_ = false;        // the current line is a data field
  bool eventHasData_ = false;  // an earlier line of the current event was a data field
  bool afterCr_ = false;       // the last line ended with CR: an LF right after belongs to it
};

ClientError streamError(std::string_view what, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) {
    return makeError(ClientErrc::Timeout, fmt::format("Server-Sent Events: {}: timed out", what));
  }
  return makeError(ClientErrc::Network,
                   fmt::format("Server-Sent Events: {}: {}", what, ec.message()));
}

ClientError abortedError() { return makeError(ClientErrc::Closed, "the transport was closed"); }

ClientError endedError() {
  return makeError(ClientErrc::Closed, "the server ended the event stream");
}

template <class Stream>
class SseTransport final : public Transport {
 public:
  template <class... Args>
  explicit SseTransport(const Endpoint& endpoint, Args&&... args)
      : endpoint_(endpoint), stream_(std::forward<Args>(args)...), sender_(endpoint) {
    parser_.header_limit(kMaxHeaderBytes);
    // The stream lasts as long as the connection; memory stays bounded by kChunkBytes.
    parser_.body_limit(boost::none);
  }

  asio::awaitable<ClientResult<void>> open(std::string connectionToken) override {
    target_ = hubTarget(endpoint_.server, connectionToken);
    auto& socket = beast::get_lowest_layer(stream_);
    auto connected = co_await connectTcp(socket, endpoint_.server, endpoint_.openTimeout);
    if (aborted_) co_return abortedError();
    if (!connected) co_return connected.error();
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      auto handshake = co_await handshakeTls(stream_, endpoint_.server, endpoint_.verifyPeer,
                                             endpoint_.openTimeout);
      if (aborted_) co_return abortedError();
      if (!handshake) co_return handshake.error();
    }
    http::request<http::empty_body> request{http::verb::get, target_, 11};
    request.set(http::field::host, endpoint_.server.hostHeader);
    request.set(http::field::user_agent, "latch-client");
    request.set(http::field::accept, "text/event-stream");
    request.set(http::field::cache_control, "no-cache");
    request.set(http::field::authorization, bearer(endpoint_.accessToken()));
    socket.expires_after(endpoint_.openTimeout);
    auto [writeEc, written] = co_await http::async_write(stream_, request, kUseTuple);
    if (aborted_) co_return abortedError();
    if (writeEc) co_return streamError("sending the request", writeEc);
    offerChunk();
    auto [readEc, read] = co_await http::async_read_header(stream_, buffer_, parser_, kUseTuple);
    if (aborted_) co_return abortedError();
    if (readEc && readEc != http::error::need_buffer) {
      co_return streamError("reading the response", readEc);
    }
    if (parser_.get().result_int() != 200) co_return co_await refusal();
    if (parser_.get()[http::field::content_type].find("text/event-stream") ==
        beast::string_view::npos) {
      co_return makeError(ClientErrc::Protocol, "Server-Sent Events: not an event stream");
    }
    decoder_.feed(takenChunk(), ready_);
    socket.expires_never();  // from here the hub's server timeout watches the stream
    co_return ClientResult<void>{};
  }

  asio::awaitable<ClientResult<std::string>> receive() override {
    for (;;) {
      if (aborted_) co_return abortedError();
      if (!ready_.empty()) co_return std::exchange(ready_, std::string());
      if (ended_) co_return *ended_;
      if (parser_.is_done()) co_return endedError();
      offerChunk();
      auto [ec, n] = co_await http::async_read_some(stream_, buffer_, parser_, kUseTuple);
      decoder_.feed(takenChunk(), ready_);
      if (ec && ec != http::error::need_buffer) ended_ = readError(ec);
    }
  }

  asio::awaitable<ClientResult<void>> send(std::string records) override {
    co_return co_await postRecords(sender_, target_, std::move(records), endpoint_.openTimeout);
  }

  // The client ends an SSE connection by closing its stream (TransportProtocols.md): the
  // server takes any byte or EOF from it as the end. There is no DELETE for SSE.
  asio::awaitable<void> close() override {
    abort();
    co_return;
  }

  void abort() override {
    aborted_ = true;
    sender_.abort();
    beast::get_lowest_layer(stream_).close();
  }

 private:
  // Lets the parser put up to kChunkBytes of body into chunk_.
  void offerChunk() {
    parser_.get().body().data = chunk_.data();
    parser_.get().body().size = chunk_.size();
  }

  // The body bytes the last read put into chunk_.
  std::string_view takenChunk() const {
    return {chunk_.data(), chunk_.size() - parser_.get().body().size};
  }

  // The error for a response other than 200, with the reason from its head or body.
  asio::awaitable<ClientError> refusal() {
    HttpResponse answer;
    answer.status = parser_.get().result_int();
    answer.wwwAuthenticate = std::string(parser_.get()[http::field::www_authenticate]);
    answer.body = std::string(takenChunk());
    while (!aborted_ && !parser_.is_done() && answer.body.size() < kMaxRefusalBytes) {
      offerChunk();
      auto [ec, n] = co_await http::async_read_some(stream_, buffer_, parser_, kUseTuple);
      answer.body += takenChunk();
      if (ec && ec != http::error::need_buffer) break;
    }
    if (answer.body.size() > kMaxRefusalBytes) answer.body.resize(kMaxRefusalBytes);
    co_return httpStatusError("Server-Sent Events", answer);
  }

  ClientError readError(const boost::system::error_code& ec) const {
    // A close-delimited body: the server ends the stream by closing the connection, without
    // a TLS close_notify.
    if (ec == asio::error::eof || ec == http::error::end_of_stream ||
        ec == http::error::partial_message || ec == asio::ssl::error::stream_truncated) {
      return endedError();
    }
    return streamError("reading", ec);
  }

  const Endpoint& endpoint_;
  Stream stream_;  // the event stream's connection
  HttpClient sender_;
  std::string target_;
  beast::flat_buffer buffer_{kReadBufferBytes};
  http::response_parser<http::buffer_body> parser_;
  std::array<char, kChunkBytes> chunk_{};
  EventStreamDecoder decoder_;
  std::string ready_;                 // decoded data not yet returned by receive()
  std::optional<ClientError> ended_;  // how the stream ended, once it did
  bool aborted_ = false;
};

}  // namespace

// `maxMessageBytes` is not needed: the stream is passed on as it arrives, and the record
// splitter of the connection bounds each message.
std::unique_ptr<Transport> makeServerSentEventsTransport(asio::any_io_executor executor,
                                                         const Endpoint& endpoint,
                                                         std::size_t /*maxMessageBytes*/) {
  if (endpoint.tls) {
    return std::make_unique<SseTransport<TlsStream>>(endpoint, executor, *endpoint.tls);
  }
  return std::make_unique<SseTransport<beast::tcp_stream>>(endpoint, executor);
}

}  // namespace latch::client::detail
