#include "bench/http_post.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

namespace latch::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

// RFC 3986 unreserved characters pass; everything else is %XX (valid form encoding).
void appendFormEncoded(std::string& out, std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
}

}  // namespace

BenchResult<std::string> postForm(const WsTarget& server, std::string_view path,
                                  const std::vector<std::pair<std::string, std::string>>& fields) {
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.socket().connect(server.endpoint, ec);
  if (ec) return makeError(BenchErrc::Network, fmt::format("POST {}: {}", path, ec.message()));

  http::request<http::string_body> request{http::verb::post, path, 11};
  request.set(http::field::host, server.host);
  request.set(http::field::user_agent, "latch-bench");
  request.set(http::field::content_type, "application/x-www-form-urlencoded");
  for (const auto& [name, value] : fields) {
    if (!request.body().empty()) request.body().push_back('&');
    appendFormEncoded(request.body(), name);
    request.body().push_back('=');
    appendFormEncoded(request.body(), value);
  }
  request.keep_alive(false);
  request.prepare_payload();
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(stream, buffer, response, ec);
  if (ec) return makeError(BenchErrc::Network, fmt::format("POST {}: {}", path, ec.message()));
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  if (response.result() != http::status::ok) {
    return makeError(BenchErrc::Protocol,
                     fmt::format("POST {}: HTTP {}: {}", path, response.result_int(),
                                 std::string_view(response.body()).substr(0, 200)));
  }
  return std::move(response.body());
}

}  // namespace latch::bench
