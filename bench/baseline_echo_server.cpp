// latch-bench-baseline: the least a SignalR server must do for `latch-bench echo` traffic, on
// Boost.Beast, as a yardstick for `latch serve`. It accepts a WebSocket on /hubs/command (any
// query, no authentication), answers the JSON protocol handshake with {}, and for each
// Invocation carrying an invocationId writes a Completion whose result is the first argument.
// Pings and other messages are ignored. No negotiate, no SSE or long polling, no hub, no
// tokens, no limits beyond Beast's own: whatever `latch serve` spends beyond this is the price
// of being a real server. See bench/README.md.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

constexpr std::string_view kHubPath = "/hubs/command";
constexpr char kRecordSeparator = '\x1e';
// Time allowed for the HTTP upgrade request, as a guard against idle sockets only.
constexpr std::chrono::seconds kRequestTimeout{30};
// Replies queued behind the write in flight before the connection is dropped: the echo
// client waits for each Completion, so this is never reached by the benchmark.
constexpr std::size_t kMaxQueuedBytes = 1024 * 1024;
// A record larger than this is refused (closes the connection), like latch's 32 KiB default.
constexpr std::size_t kMaxRecordBytes = 32 * 1024;

// One connection: HTTP upgrade request, WebSocket accept, then records until either side
// closes. All handlers run on the connection's strand; one write in flight.
class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : ws_(std::move(socket)) {}

  void run() {
    asio::dispatch(ws_.get_executor(),
                   beast::bind_front_handler(&Session::doReadRequest, shared_from_this()));
  }

 private:
  void doReadRequest() {
    beast::get_lowest_layer(ws_).expires_after(kRequestTimeout);
    http::async_read(beast::get_lowest_layer(ws_), buffer_, request_,
                     beast::bind_front_handler(&Session::onReadRequest, shared_from_this()));
  }

  void onReadRequest(beast::error_code ec, std::size_t) {
    if (ec) return;
    const std::string_view target = request_.target();
    const std::string_view path = target.substr(0, target.find('?'));
    if (path != kHubPath || !websocket::is_upgrade(request_)) return refuse();
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kMaxRecordBytes * 2);
    ws_.async_accept(request_, beast::bind_front_handler(&Session::onAccept, shared_from_this()));
  }

  // Anything but a WebSocket upgrade on the hub path: 404 and close.
  void refuse() {
    auto res = std::make_shared<http::response<http::empty_body>>(http::status::not_found,
                                                                  request_.version());
    res->keep_alive(false);
    res->prepare_payload();
    http::async_write(beast::get_lowest_layer(ws_), *res,
                      [self = shared_from_this(), res](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        beast::get_lowest_layer(self->ws_).socket().shutdown(
                            tcp::socket::shutdown_send, ignored);
                      });
  }

  void onAccept(beast::error_code ec) {
    if (ec) return;
    ws_.text(true);
    buffer_.clear();
    doRead();
  }

  void doRead() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Session::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, std::size_t) {
    if (ec) return;
    const auto data = buffer_.cdata();
    const std::string_view frame(static_cast<const char*>(data.data()), data.size());
    bool ok = true;
    if (partial_.empty()) {
      ok = feed(frame);
    } else {
      // A record split over frames (allowed by SignalR, never done by latch-bench).
      partial_.append(frame);
      std::string joined = std::move(partial_);
      partial_.clear();
      ok = feed(joined);
    }
    buffer_.consume(buffer_.size());
    if (!ok) return doClose();
    flush();
    doRead();
  }

  // Splits `text` into records, answers each; keeps an unterminated tail for the next frame.
  // False: the connection must close.
  bool feed(std::string_view text) {
    std::size_t start = 0;
    for (std::size_t end; (end = text.find(kRecordSeparator, start)) != std::string_view::npos;
         start = end + 1) {
      if (!onRecord(text.substr(start, end - start))) return false;
    }
    partial_.assign(text.substr(start));
    return partial_.size() <= kMaxRecordBytes && pending_.size() <= kMaxQueuedBytes;
  }

  bool onRecord(std::string_view record) {
    unsigned char scratch[4096];
    json::monotonic_resource memory(scratch);
    beast::error_code ec;
    const json::value message = json::parse(record, ec, &memory);
    const json::object* obj = ec ? nullptr : message.if_object();
    if (!obj) return false;
    if (!handshakeDone_) {
      const json::value* protocol = obj->if_contains("protocol");
      if (!protocol || !protocol->is_string() || protocol->get_string() != "json") return false;
      handshakeDone_ = true;
      pending_.append("{}\x1e");
      return true;
    }
    const json::value* type = obj->if_contains("type");
    if (!type || !type->is_int64()) return false;
    if (type->get_int64() == 7) return false;  // Close
    if (type->get_int64() != 1) return true;   // pings and the rest: nothing to answer
    const json::value* id = obj->if_contains("invocationId");
    if (!id || !id->is_string()) return true;  // fire-and-forget invocation
    const json::value* args = obj->if_contains("arguments");
    const json::array* array = args ? args->if_array() : nullptr;
    pending_.append(R"({"type":3,"invocationId":)");
    pending_.append(json::serialize(*id));
    pending_.append(R"(,"result":)");
    pending_.append(array && !array->empty() ? json::serialize(array->front()) : "null");
    pending_.append("}\x1e");
    return true;
  }

  // Starts a write of everything pending unless one is in flight (then onWrite does it).
  void flush() {
    if (writing_ || pending_.empty()) return;
    writing_ = true;
    out_.swap(pending_);
    pending_.clear();
    ws_.async_write(asio::buffer(out_),
                    beast::bind_front_handler(&Session::onWrite, shared_from_this()));
  }

  void onWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return;
    flush();
  }

  void doClose() {
    ws_.async_close(websocket::close_code::normal,
                    [self = shared_from_this()](beast::error_code) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::string partial_;  // an unterminated record from the previous frame
  std::string pending_;  // replies not yet handed to a write
  std::string out_;      // the frame being written
  bool writing_ = false;
  bool handshakeDone_ = false;
};

// Accepts connections, each on a strand of its own.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, tcp::acceptor acceptor)
      : ioc_(ioc), acceptor_(std::move(acceptor)) {}

  void run() { doAccept(); }

 private:
  void doAccept() {
    acceptor_.async_accept(asio::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::onAccept, shared_from_this()));
  }

  void onAccept(beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);  // as latch does: replies are small, awaited
      std::make_shared<Session>(std::move(socket))->run();
    }
    doAccept();
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
};

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "latch-bench-baseline: %s\n", why.c_str());
  std::exit(1);
}

// "HOST:PORT" or "[V6]:PORT" to an endpoint; exits on anything else.
tcp::endpoint parseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) fail("--listen must be HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port(listen.data() + colon + 1, listen.size() - colon - 1);
  unsigned short number = 0;
  const auto [end, perr] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (perr != std::errc() || end != port.data() + port.size()) fail("bad port in --listen");
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) fail("--listen needs a numeric address, not '" + host + "'");
  return {address, number};
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:5000";
  unsigned threads = 0;
  CLI::App app{"Bare WebSocket/SignalR echo server: a baseline for latch-bench echo"};
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: any)")->capture_default_str();
  app.add_option("--threads", threads, "I/O threads (0: one per core)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

  asio::io_context ioc(static_cast<int>(threads));
  const tcp::endpoint endpoint = parseListen(listen);
  tcp::acceptor acceptor(ioc);
  beast::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("cannot listen on " + listen + ": " + ec.message());
  const auto bound = acceptor.local_endpoint();
  const std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                   : bound.address().to_string();
  // The same line as `latch serve`, so scripts find the port the same way.
  std::printf("latch listening on http://%s:%u/hubs/command\n", host.c_str(), bound.port());
  std::fflush(stdout);

  std::make_shared<Listener>(ioc, std::move(acceptor))->run();
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&ioc](beast::error_code, int) { ioc.stop(); });

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
