#include "bench/ws_target.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>

#include <fmt/format.h>

namespace latch::bench {

BenchResult<WsTarget> resolveWsUrl(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return makeError(BenchErrc::BadArgument, fmt::format("'{}' is not a URL", url));
  if (parsed->scheme() != "ws") {
    return makeError(BenchErrc::BadArgument, "only ws:// URLs are supported");
  }
  if (!parsed->has_authority() || parsed->encoded_host().empty()) {
    return makeError(BenchErrc::BadArgument, fmt::format("'{}' has no host", url));
  }
  const std::string host = parsed->host_address();
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  const auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) {
    return makeError(BenchErrc::Network,
                     fmt::format("cannot resolve {}:{}: {}", host, port, ec.message()));
  }
  WsTarget target;
  target.endpoint = results.begin()->endpoint();
  target.host = std::string(parsed->encoded_host_and_port());
  target.path = std::string(parsed->encoded_target());
  if (target.path.empty()) target.path = "/";
  return target;
}

}  // namespace latch::bench
