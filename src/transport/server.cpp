#include "transport/server.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "transport/detail/links.hpp"
#include "transport/endpoint_handler.hpp"
#include "transport/hub_router.hpp"

namespace latch::transport {

struct Server::Impl {
  Impl(ServerOptions o, EndpointHandler& h, HttpHandler* plain)
      : options(std::move(o)),
        handler(h),
        http(plain),
        threads(options.threads ? options.threads
                                : std::max(1u, std::thread::hardware_concurrency())),
        ioc(static_cast<int>(threads)),
        acceptor(ioc),
        ctx{handler, http, options.limits, clock, options.allowedOrigins},
        sockets(std::make_shared<std::atomic<std::size_t>>(0)),
        ticker(ioc),
        signals(ioc, SIGINT, SIGTERM) {}

  Result<void, ServerErrc> start();
  void accept();
  void tick();
  void stop();

  ServerOptions options;
  EndpointHandler& handler;
  HttpHandler* http;
  SteadyClock clock;
  unsigned threads;
  asio::io_context ioc;
  std::optional<asio::ssl::context> tls;
  tcp::acceptor acceptor;
  RouterContext ctx;
  std::shared_ptr<std::atomic<std::size_t>> sockets;
  asio::steady_timer ticker;
  asio::signal_set signals;
  std::atomic<bool> stopping{false};
};

namespace {

// How often connection deadlines are checked: fine enough for every configured timeout.
Millis tickInterval(const Limits& limits) {
  return std::clamp(limits.keepAliveInterval / 4, Millis(20), Millis(250));
}

}  // namespace

Result<void, ServerErrc> Server::Impl::start() {
  if (auto problem = options.limits.validate(); !problem.empty()) {
    return makeError(ServerErrc::BadAddress, problem);
  }
  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return makeError(ServerErrc::BadAddress, fmt::format("'{}' is not an IP address", host));
  const bool useTls = !options.tlsCertFile.empty() || !options.tlsKeyFile.empty();
  if (useTls && (options.tlsCertFile.empty() || options.tlsKeyFile.empty())) {
    return makeError(ServerErrc::Tls, "TLS needs both a certificate and a key file");
  }
  if (!useTls && !address.is_loopback() && !options.insecureHttp) {
    return makeError(ServerErrc::InsecureHttp,
                     fmt::format("refusing plain HTTP on non-loopback address {}: configure "
                                 "TLS or pass --insecure-http",
                                 host));
  }
  if (useTls) {
    tls.emplace(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    tls->use_certificate_chain_file(options.tlsCertFile, ec);
    if (ec) return makeError(ServerErrc::Tls, "cannot load TLS certificate: " + ec.message());
    tls->use_private_key_file(options.tlsKeyFile, asio::ssl::context::pem, ec);
    if (ec) return makeError(ServerErrc::Tls, "cannot load TLS key: " + ec.message());
  }
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return makeError(ServerErrc::Bind,
                     fmt::format("cannot listen on {}:{}: {}", host, options.port, ec.message()));
  }
  accept();
  tick();
  signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) stop();
  });
  return {};
}

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (sockets->fetch_add(1) >= options.limits.maxSockets) {
        sockets->fetch_sub(1);
        beast::error_code ignored;
        socket.close(ignored);  // over the limit: refused before any byte is read
      } else {
        SocketSlot slot(sockets);
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // replies are small and awaited
        if (tls) {
          startTlsSession(std::move(socket), *tls, std::move(slot), ctx);
        } else {
          startPlainSession(std::move(socket), std::move(slot), ctx);
        }
      }
    }
    accept();
  });
}

void Server::Impl::tick() {
  handler.tick(clock.now());
  ticker.expires_after(tickInterval(options.limits));
  ticker.async_wait([this](beast::error_code ec) {
    if (!ec) tick();
  });
}

void Server::Impl::stop() {
  if (stopping.exchange(true)) return;
  asio::post(ioc, [this] {
    spdlog::info("shutting down");
    beast::error_code ignored;
    acceptor.close(ignored);
    signals.cancel();
    handler.shutdown();
    // Give the Close messages a moment to leave, then stop.
    ticker.cancel();
    auto grace = std::make_shared<asio::steady_timer>(ioc, std::chrono::milliseconds(300));
    grace->async_wait([this, grace](beast::error_code) { ioc.stop(); });
  });
}

Server::Server(ServerOptions options, EndpointHandler& handler, HttpHandler* http)
    : impl_(std::make_unique<Impl>(std::move(options), handler, http)) {}

Server::~Server() = default;

Result<void, ServerErrc> Server::start() { return impl_->start(); }

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

bool Server::tls() const { return impl_->tls.has_value(); }

void Server::run() {
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < impl_->threads; ++i) pool.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : pool) t.join();
  // Connections still open hold their transports (and sockets): release them while the
  // I/O context they belong to still exists.
  impl_->handler.abandonAll();
}

void Server::stop() { impl_->stop(); }

}  // namespace latch::transport
