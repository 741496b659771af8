#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/limits.hpp"
#include "common/result.hpp"

namespace latch::transport {

class EndpointHandler;
class HttpHandler;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5000;  // 0 picks a free port (see Server::port())
  std::string tlsCertFile;    // PEM; with tlsKeyFile, serve HTTPS only
  std::string tlsKeyFile;
  bool insecureHttp = false;  // allow plain HTTP on a non-loopback address
  unsigned threads = 0;       // 0: one per core
  // Browser origins ("https://app.example") allowed cross-origin; all others get 403.
  std::vector<std::string> allowedOrigins;
  Limits limits;
};

enum class ServerErrc { BadAddress, InsecureHttp, Tls, Bind };
using ServerError = Error<ServerErrc>;

// The HTTP(S) server: accepts connections, serves the hub path (negotiate and the three
// transports) on behalf of an EndpointHandler and drives its deadlines. Boost.Asio and Beast
// stay behind this class.
class Server {
 public:
  // Serves the hub path through `handler` and every other path through `http` (null: 404).
  // Both must outlive the server.
  Server(ServerOptions options, EndpointHandler& handler, HttpHandler* http = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Checks the options, loads TLS material and binds the listening socket.
  [[nodiscard]] Result<void, ServerErrc> start();

  // The bound port (after start()).
  std::uint16_t port() const;
  bool tls() const;

  // Serves until stop() or SIGINT/SIGTERM; blocks. Thread pool of options.threads.
  void run();

  // Closes every connection (Close with allowReconnect) and makes run() return. Thread-safe.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace latch::transport
