#include "bench/hub_client.hpp"

#include <chrono>
#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include <fmt/format.h>

#include "protocol/record_splitter.hpp"

namespace latch::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

// Time allowed to connect and to complete the WebSocket upgrade (and its close).
constexpr std::chrono::seconds kOpenTimeout{30};
// Largest record accepted from the server; the server's own default limit is 32 KiB.
constexpr std::size_t kMaxRecordBytes = 16 * 1024 * 1024;
constexpr std::string_view kHandshake = "{\"protocol\":\"json\",\"version\":1}\x1e";

class WsHubClient final : public HubClient, public std::enable_shared_from_this<WsHubClient> {
 public:
  WsHubClient(asio::any_io_executor strand, const WsTarget& target, Callbacks callbacks)
      : strand_(strand),
        ws_(std::move(strand)),
        target_(target),
        callbacks_(std::move(callbacks)),
        splitter_(kMaxRecordBytes) {}

  void open() override {
    asio::dispatch(ws_.get_executor(), [self = shared_from_this()] { self->doConnect(); });
  }

  void send(std::string_view records) override {
    if (state_ != State::Ready && state_ != State::Handshaking) return;
    if (writing_) {
      queued_.append(records);
      return;
    }
    writing_ = true;
    inFlight_.assign(records);
    doWrite();
  }

  void close() override {
    asio::dispatch(ws_.get_executor(), [self = shared_from_this()] { self->onCloseRequested(); });
  }

  asio::any_io_executor executor() const override { return strand_; }

 private:
  enum class State { Idle, Connecting, Upgrading, Handshaking, Ready, Closing, Ended };

  void doConnect() {
    if (state_ != State::Idle) return;
    state_ = State::Connecting;
    beast::get_lowest_layer(ws_).expires_after(kOpenTimeout);
    beast::get_lowest_layer(ws_).async_connect(
        target_.endpoint, beast::bind_front_handler(&WsHubClient::onConnect, shared_from_this()));
  }

  void onConnect(beast::error_code ec) {
    if (ec) return end("connect", ec);
    if (state_ != State::Connecting) return;
    auto& tcp = beast::get_lowest_layer(ws_);
    tcp.expires_never();  // the WebSocket timeouts below take over
    tcp.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kOpenTimeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "latch-bench");
    }));
    state_ = State::Upgrading;
    ws_.async_handshake(target_.host, target_.path,
                        beast::bind_front_handler(&WsHubClient::onUpgrade, shared_from_this()));
  }

  void onUpgrade(beast::error_code ec) {
    if (ec) return end("WebSocket upgrade", ec);
    if (state_ != State::Upgrading) return;
    ws_.text(true);
    state_ = State::Handshaking;
    send(kHandshake);
    doRead();
  }

  void doRead() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsHubClient::onRead, shared_from_this()));
  }

  void onRead(beast::error_code ec, std::size_t n) {
    if (ec) return end("read", ec);
    const auto data = buffer_.cdata();
    const std::string_view text(static_cast<const char*>(data.data()), data.size());
    auto fed = splitter_.feed(text, [this](std::string_view record) { return onRecord(record); });
    buffer_.consume(n);
    if (!fed) return end(fed.error().message);
    if (state_ == State::Ended) return;
    doRead();
  }

  // False stops the splitter: the connection has ended.
  bool onRecord(std::string_view record) {
    if (state_ == State::Handshaking) {
      if (record != "{}") {
        end(fmt::format("handshake refused: {}", record.substr(0, 200)));
        return false;
      }
      state_ = State::Ready;
      callbacks_.onReady();
    } else if (state_ == State::Ready) {
      callbacks_.onRecord(record);
    }
    return state_ != State::Ended;
  }

  void doWrite() {
    ws_.async_write(asio::buffer(inFlight_),
                    beast::bind_front_handler(&WsHubClient::onWrite, shared_from_this()));
  }

  void onWrite(beast::error_code ec, std::size_t) {
    if (ec) return end("write", ec);
    if (!queued_.empty()) {
      inFlight_.swap(queued_);
      queued_.clear();
      return doWrite();
    }
    writing_ = false;
    if (closeRequested_ && state_ != State::Closing) doClose();
  }

  void onCloseRequested() {
    closeRequested_ = true;
    switch (state_) {
      case State::Idle:
      case State::Connecting:
      case State::Upgrading:
        // Still opening: there is nobody to say goodbye to yet.
        beast::get_lowest_layer(ws_).close();
        if (state_ == State::Idle) end("closed before opening");
        return;
      case State::Handshaking:
      case State::Ready:
        if (!writing_) doClose();
        return;
      case State::Closing:
      case State::Ended:
        return;
    }
  }

  void doClose() {
    state_ = State::Closing;
    // The pending read ends with websocket::error::closed once the server answers.
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {
      if (self->state_ != State::Ended) beast::get_lowest_layer(self->ws_).close();
    });
  }

  void end(std::string_view what, beast::error_code ec) {
    end(fmt::format("{}: {}", what, ec.message()));
  }

  void end(const std::string& error) {
    if (state_ == State::Ended) return;
    const bool asked = closeRequested_;
    state_ = State::Ended;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    callbacks_.onEnd(asked ? std::string_view() : std::string_view(error));
  }

  asio::any_io_executor strand_;
  websocket::stream<beast::tcp_stream> ws_;
  const WsTarget& target_;
  Callbacks callbacks_;
  protocol::RecordSplitter splitter_;
  beast::flat_buffer buffer_;
  std::string inFlight_;  // the frame being written
  std::string queued_;    // records sent while a write was in flight
  State state_ = State::Idle;
  bool writing_ = false;
  bool closeRequested_ = false;
};

}  // namespace

std::shared_ptr<HubClient> makeHubClient(asio::any_io_executor strand, const WsTarget& target,
                                         HubClient::Callbacks callbacks) {
  return std::make_shared<WsHubClient>(std::move(strand), target, std::move(callbacks));
}

}  // namespace latch::bench
