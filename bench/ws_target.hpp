#pragma once

#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

#include "bench/bench_error.hpp"

namespace latch::bench {

// Where the benchmark connects: a resolved address and what the upgrade request names.
struct WsTarget {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host;  // the Host header: host[:port] as written in the URL
  std::string path;  // path and query of the upgrade request
};

// Parses a ws:// URL and resolves its host (blocking; call before the run starts). wss:// and
// other schemes are BadArgument; a host that does not resolve is Network.
[[nodiscard]] BenchResult<WsTarget> resolveWsUrl(std::string_view url);

}  // namespace latch::bench
