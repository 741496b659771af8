#pragma once
// Beast and Asio types of the transport layer. Included only by transport .cpp files.

#include <atomic>
#include <cstddef>
#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace latch::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// One accepted socket counted against Limits::maxSockets; moves along with the stream
// from the HTTP session to whichever link takes it over, and frees its place when dropped.
class SocketSlot {
 public:
  explicit SocketSlot(std::shared_ptr<std::atomic<std::size_t>> count) : count_(std::move(count)) {}
  SocketSlot(SocketSlot&&) = default;
  SocketSlot& operator=(SocketSlot&&) = default;
  ~SocketSlot() {
    if (count_) count_->fetch_sub(1);
  }

 private:
  std::shared_ptr<std::atomic<std::size_t>> count_;
};

// Shuts a stream down politely: TLS close_notify for TLS, FIN for TCP.
inline void shutdownStream(PlainStream& s) {
  beast::error_code ec;
  s.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace latch::transport
