// The server as a whole, in-process on a free loopback port, driven by raw sockets and
// Beast clients: HTTP hardening, negotiate, the WebSocket path, TLS.
#include "transport/server.hpp"

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>

#include "hub/builtin_methods.hpp"
#include "hub/hub.hpp"
#include "hub/signalr_endpoint.hpp"
#include "support/test_auth.hpp"

namespace latch::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// Tokens for every test of this file.
testing::TestAuth& testAuth() {
  static testing::TestAuth auth;
  auth.wall.setSeconds(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
  return auth;
}

class RunningServer {
 public:
  explicit RunningServer(ServerOptions options) : limits_(options.limits) {
    hub::registerBuiltinMethods(hub_, *testAuth().authenticator);
    hub::registerTestMethodsForTest(hub_);
    endpoint_ = std::make_unique<hub::SignalREndpoint>(limits_, hub_, clock_,
                                                       *testAuth().authenticator, &testAuth().wall);
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(std::move(options), *endpoint_);
    auto started = server_->start();
    EXPECT_TRUE(started) << (started ? "" : started.error().message);
    if (started) thread_ = std::thread([this] { server_->run(); });
  }
  ~RunningServer() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return server_->port(); }

 private:
  Limits limits_;
  SteadyClock clock_;
  hub::Hub hub_;
  std::unique_ptr<hub::SignalREndpoint> endpoint_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

ServerOptions fastOptions() {
  ServerOptions o;
  o.limits.requestTimeout = Millis(400);
  o.limits.idleTimeout = Millis(400);
  o.limits.maxHeaderBytes = 2048;
  o.limits.maxBodyBytes = 64 * 1024;
  return o;
}

tcp::socket connectTo(asio::io_context& ioc, std::uint16_t port) {
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return s;
}

// Writes raw bytes and reads until the server closes; returns everything it sent.
std::string rawExchange(std::uint16_t port, std::string_view bytes) {
  asio::io_context ioc;
  auto s = connectTo(ioc, port);
  beast::error_code ignored;  // the server may answer and close before it has read it all
  asio::write(s, asio::buffer(bytes), ignored);
  std::string out;
  beast::error_code ec;
  char buf[4096];
  for (;;) {
    const auto n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

// `bearer` "": no Authorization header.
http::response<http::string_body> request(std::uint16_t port, http::verb verb, std::string target,
                                          std::string body = {},
                                          std::string bearer = testAuth().token("alice")) {
  asio::io_context ioc;
  beast::tcp_stream stream(connectTo(ioc, port));
  http::request<http::string_body> req(verb, target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  req.body() = std::move(body);
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res;
}

TEST(Server, RefusesPlainHttpOnANonLoopbackAddress) {
  hub::Hub hub;
  SteadyClock clock;
  ServerOptions o;
  o.host = "0.0.0.0";
  o.port = 0;
  hub::SignalREndpoint endpoint(o.limits, hub, clock, *testAuth().authenticator);
  Server server(o, endpoint);
  auto r = server.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ServerErrc::InsecureHttp);
}

TEST(Server, AllowsPlainHttpOnANonLoopbackAddressWhenAskedExplicitly) {
  hub::Hub hub;
  SteadyClock clock;
  ServerOptions o;
  o.host = "0.0.0.0";
  o.port = 0;
  o.insecureHttp = true;
  hub::SignalREndpoint endpoint(o.limits, hub, clock, *testAuth().authenticator);
  Server server(o, endpoint);
  EXPECT_TRUE(server.start());
}

TEST(Server, RefusesHalfATlsConfiguration) {
  hub::Hub hub;
  SteadyClock clock;
  ServerOptions o;
  o.port = 0;
  o.tlsCertFile = "/nonexistent.pem";
  hub::SignalREndpoint endpoint(o.limits, hub, clock, *testAuth().authenticator);
  Server server(o, endpoint);
  auto r = server.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ServerErrc::Tls);
}

TEST(Server, RefusesInvalidLimits) {
  hub::Hub hub;
  SteadyClock clock;
  ServerOptions o;
  o.port = 0;
  o.limits.maxConnections = 0;
  hub::SignalREndpoint endpoint(o.limits, hub, clock, *testAuth().authenticator);
  Server server(o, endpoint);
  EXPECT_FALSE(server.start());
}

TEST(Server, NegotiatesOverHttp) {
  RunningServer s(fastOptions());
  auto res = request(s.port(), http::verb::post, "/hubs/command/negotiate?negotiateVersion=1");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  auto doc = boost::json::parse(res.body()).as_object();
  EXPECT_EQ(doc.at("negotiateVersion").as_int64(), 1);
  EXPECT_TRUE(doc.contains("connectionToken"));
}

TEST(Server, AnswersUnknownPathsAndMethods) {
  RunningServer s(fastOptions());
  EXPECT_EQ(request(s.port(), http::verb::get, "/nope").result(), http::status::not_found);
  EXPECT_EQ(request(s.port(), http::verb::get, "/hubs/command/negotiate").result(),
            http::status::method_not_allowed);
  EXPECT_EQ(request(s.port(), http::verb::put, "/hubs/command?id=x").result(),
            http::status::method_not_allowed);
}

TEST(Server, TransportsNeedAKnownConnectionToken) {
  RunningServer s(fastOptions());
  EXPECT_EQ(request(s.port(), http::verb::get, "/hubs/command").result(),
            http::status::bad_request);
  EXPECT_EQ(request(s.port(), http::verb::post, "/hubs/command", "x").result(),
            http::status::bad_request);
  EXPECT_EQ(request(s.port(), http::verb::get, "/hubs/command?id=unknown").result(),
            http::status::not_found);
  EXPECT_EQ(request(s.port(), http::verb::post, "/hubs/command?id=unknown", "x").result(),
            http::status::not_found);
  EXPECT_EQ(request(s.port(), http::verb::delete_, "/hubs/command?id=unknown").result(),
            http::status::not_found);
}

TEST(Server, TheConnectionIdDoesNotOpenTheConnection) {
  RunningServer s(fastOptions());
  auto doc = boost::json::parse(
      request(s.port(), http::verb::post, "/hubs/command/negotiate?negotiateVersion=1").body());
  const std::string id(doc.at("connectionId").as_string());
  EXPECT_EQ(request(s.port(), http::verb::get, "/hubs/command?id=" + id).result(),
            http::status::not_found);
}

TEST(Server, MalformedHttpGets400AndClose) {
  RunningServer s(fastOptions());
  const std::string out = rawExchange(s.port(), "GARBAGE\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
}

TEST(Server, OversizedHeadersGet431) {
  RunningServer s(fastOptions());
  const std::string out = rawExchange(s.port(), "GET /hubs/command HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                                    std::string(4096, 'a') + "\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out.substr(0, 40);
}

TEST(Server, OversizedBodyGets413) {
  RunningServer s(fastOptions());
  // Refused on the declared length, before any body byte is read. (The body is not sent:
  // bytes left unread when the server closes would reset the connection and could discard
  // the answer before the test reads it.)
  const std::string out = rawExchange(
      s.port(), "POST /hubs/command?id=x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out.substr(0, 40);
}

TEST(Server, SlowClientIsCutOffAtTheRequestTimeout) {
  RunningServer s(fastOptions());
  asio::io_context ioc;
  auto sock = connectTo(ioc, s.port());
  asio::write(sock, asio::buffer(std::string_view("GET /hubs/command HTTP/1.1\r\nHo")));
  const auto start = std::chrono::steady_clock::now();
  char buf[64];
  beast::error_code ec;
  sock.read_some(asio::buffer(buf), ec);  // blocks until the server gives up
  EXPECT_TRUE(ec);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Server, IdleKeepAliveConnectionIsClosed) {
  RunningServer s(fastOptions());
  asio::io_context ioc;
  auto sock = connectTo(ioc, s.port());
  char buf[64];
  beast::error_code ec;
  sock.read_some(asio::buffer(buf), ec);
  EXPECT_TRUE(ec);
}

TEST(Server, SocketsBeyondTheLimitAreClosedAtOnce) {
  ServerOptions o = fastOptions();
  o.limits.maxSockets = 2;
  o.limits.idleTimeout = Millis(5000);
  RunningServer s(o);
  asio::io_context ioc;
  auto a = connectTo(ioc, s.port());
  auto b = connectTo(ioc, s.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let both be accepted
  auto c = connectTo(ioc, s.port());
  char buf[16];
  beast::error_code ec;
  c.read_some(asio::buffer(buf), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

// A WebSocket client speaking the hub protocol by hand.
class WsClient {
 public:
  WsClient(std::uint16_t port, const std::string& target,
           const std::string& bearer = testAuth().token("alice"))
      : ws_(ioc_) {
    auto& sock = beast::get_lowest_layer(ws_);
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([bearer](websocket::request_type& req) {
      if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
    }));
    ws_.handshake("127.0.0.1", target);
  }
  void send(std::string_view text) { ws_.write(asio::buffer(text)); }
  std::string read() {
    beast::flat_buffer b;
    ws_.read(b);
    return beast::buffers_to_string(b.data());
  }
  websocket::stream<tcp::socket>& ws() { return ws_; }

 private:
  asio::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
};

TEST(Server, WebSocketWithoutNegotiateSpeaksTheHubProtocol) {
  RunningServer s(fastOptions());
  WsClient c(s.port(), "/hubs/command");
  c.send("{\"protocol\":\"json\",\"version\":1}\x1e");
  EXPECT_EQ(c.read(), "{}\x1e");
  c.send("{\"type\":1,\"invocationId\":\"1\",\"target\":\"Echo\",\"arguments\":[\"hi\"]}\x1e");
  EXPECT_EQ(c.read(), "{\"type\":3,\"invocationId\":\"1\",\"result\":\"hi\"}\x1e");
}

TEST(Server, SecondWebSocketForOneConnectionGets409) {
  RunningServer s(fastOptions());
  auto doc = boost::json::parse(
      request(s.port(), http::verb::post, "/hubs/command/negotiate?negotiateVersion=1").body());
  const std::string token(doc.at("connectionToken").as_string());
  WsClient first(s.port(), "/hubs/command?id=" + token);
  try {
    WsClient second(s.port(), "/hubs/command?id=" + token);
    FAIL() << "second WebSocket was accepted";
  } catch (const beast::system_error& e) {
    EXPECT_EQ(e.code(), websocket::error::upgrade_declined);
  }
  first.send("{\"protocol\":\"json\",\"version\":1}\x1e");
  EXPECT_EQ(first.read(), "{}\x1e");
}

TEST(Server, InvalidUtf8FrameClosesTheWebSocket) {
  RunningServer s(fastOptions());
  WsClient c(s.port(), "/hubs/command");
  c.send("{\"protocol\":\"json\",\"version\":1}\x1e");
  EXPECT_EQ(c.read(), "{}\x1e");
  c.send("{\"type\":6,\"x\":\"\xff\xfe\"}\x1e");
  beast::flat_buffer b;
  beast::error_code ec;
  c.ws().read(b, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(c.ws().reason().code, websocket::close_code::bad_payload);
}

TEST(Server, ServesTlsWithTheConfiguredCertificate) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("latch-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string();
  const std::string key = (dir / "key.pem").string();
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
      "-keyout " +
      key + " -out " + cert + " -subj /CN=localhost -days 1 >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  ServerOptions o = fastOptions();
  o.tlsCertFile = cert;
  o.tlsKeyFile = key;
  RunningServer s(o);

  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(cert);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.port()));
  stream.handshake(asio::ssl::stream_base::client);
  http::request<http::string_body> req(http::verb::post,
                                       "/hubs/command/negotiate?negotiateVersion=1", 11);
  req.set(http::field::host, "localhost");
  req.set(http::field::authorization, "Bearer " + testAuth().token("alice"));
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result(), http::status::ok);

  // Plain HTTP to the TLS port gets nothing useful.
  const std::string out = rawExchange(s.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(out.find("HTTP/1.1 200"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Server, NegotiateWithoutAValidTokenGets401WithAReason) {
  RunningServer s(fastOptions());
  auto none =
      request(s.port(), http::verb::post, "/hubs/command/negotiate?negotiateVersion=1", "", "");
  EXPECT_EQ(none.result(), http::status::unauthorized);
  EXPECT_EQ(none[http::field::www_authenticate],
            "Bearer error=\"invalid_token\", error_description=\"missing_token\"");
  auto& auth = testAuth();
  const std::string expired = auth.token("alice", {"user"}, 1);
  auth.wall.advanceMillis(5000);
  auto old = request(s.port(), http::verb::post, "/hubs/command/negotiate?negotiateVersion=1", "",
                     expired);
  EXPECT_EQ(old.result(), http::status::unauthorized);
  EXPECT_NE(old[http::field::www_authenticate].find("expired"), beast::string_view::npos);
  EXPECT_EQ(old.body().find(expired), std::string::npos);
}

TEST(Server, AnotherSubjectsTokenWithAStolenConnectionTokenGets403) {
  RunningServer s(fastOptions());
  auto doc = boost::json::parse(
      request(s.port(), http::verb::post, "/hubs/command/negotiate?negotiateVersion=1").body());
  const std::string token(doc.at("connectionToken").as_string());
  const std::string mallory = testAuth().token("mallory");
  EXPECT_EQ(request(s.port(), http::verb::get, "/hubs/command?id=" + token, "", mallory).result(),
            http::status::forbidden);
  EXPECT_EQ(
      request(s.port(), http::verb::post, "/hubs/command?id=" + token, "{}\x1e", mallory).result(),
      http::status::forbidden);
  EXPECT_EQ(request(s.port(), http::verb::get, "/hubs/command?id=" + token, "", "").result(),
            http::status::unauthorized);
  // The owner still can.
  EXPECT_EQ(request(s.port(), http::verb::get, "/hubs/command?id=" + token).result(),
            http::status::ok);
}

TEST(Server, TokenInTheQueryStringIsAcceptedOnHubPaths) {
  RunningServer s(fastOptions());
  const std::string token = testAuth().token("alice");
  auto res = request(s.port(), http::verb::post,
                     "/hubs/command/negotiate?negotiateVersion=1&access_token=" + token, "", "");
  EXPECT_EQ(res.result(), http::status::ok);
}

}  // namespace
}  // namespace latch::transport
