#include "client/hub_connection.hpp"

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include "client/detail/io_threads_state.hpp"
#include "client/detail/negotiation.hpp"
#include "client/detail/transport.hpp"
#include "protocol/handshake.hpp"
#include "protocol/hub_message.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/record_splitter.hpp"

namespace latch::client {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using detail::Transport;
using SteadyTime = std::chrono::steady_clock::time_point;
using Done = std::function<void(ClientResult<json::value>)>;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kHandshake = "{\"protocol\":\"json\",\"version\":1}\x1e";
constexpr std::size_t kMaxNegotiateBytes = 64 * 1024;
constexpr std::size_t kMaxBatchBytes = 32 * 1024;

bool isFinal(const ClientError& error) {
  return error.code == ClientErrc::Unauthorized || error.code == ClientErrc::Forbidden ||
         error.code == ClientErrc::BadInput || error.code == ClientErrc::BadUrl ||
         error.code == ClientErrc::Tls;
}

}  // namespace

std::string_view connectionStatusName(ConnectionStatus status) {
  switch (status) {
    case ConnectionStatus::Connecting:
      return "connecting";
    case ConnectionStatus::Connected:
      return "connected";
    case ConnectionStatus::Reconnecting:
      return "reconnecting";
    case ConnectionStatus::Stopped:
      return "stopped";
  }
  return "unknown";
}

class HubConnection::Impl : public std::enable_shared_from_this<HubConnection::Impl> {
 public:
  Impl(ConnectionOptions options, TokenProvider tokens, detail::IoThreadsState& io)
      : options_(std::move(options)),
        tokens_(std::move(tokens)),
        strand_(asio::make_strand(io.io)),
        writeWake_(strand_),
        heartbeat_(strand_),
        refresh_(strand_),
        backoff_(strand_),
        splitter_(options_.maxMessageBytes) {
    endpoint_.server = options_.server;
    endpoint_.verifyPeer = options_.tls.verifyPeer;
    endpoint_.openTimeout = options_.openTimeout;
    endpoint_.accessToken = [this] { return grant_.accessToken; };
  }

  std::unordered_map<std::string, ResultHandler> resultHandlers;
  std::unordered_map<std::string, EventHandler> eventHandlers;
  StatusHandler statusHandler;

  ClientResult<void> start() {
    if (options_.server.tls) {
      auto context = detail::makeTlsContext(options_.tls);
      if (!context) return context.error();
      endpoint_.tls = *context;
    }
    auto started = startedPromise_.get_future();
    {
      std::lock_guard lock(mutex_);
      running_ = true;
    }
    // The completion handler keeps the connection alive until its coroutine has finished,
    // however soon the HubConnection goes.
    asio::co_spawn(strand_, run(), [self = shared_from_this()](std::exception_ptr) {});
    return started.get();
  }

  void invokeAsync(std::string_view method, json::array arguments, Done done) {
    {
      std::lock_guard lock(mutex_);
      if (stopped_ || !running_) {
        return done(makeError(ClientErrc::Closed, "the connection is not running"));
      }
    }
    asio::post(strand_, [self = shared_from_this(), method = std::string(method),
                         arguments = std::move(arguments), done = std::move(done)]() mutable {
      self->sendInvocation(method, arguments, std::move(done));
    });
  }

  void stop() {
    asio::post(strand_, [self = shared_from_this()] {
      self->stopRequested_ = true;
      self->backoff_.cancel();
      if (self->connected_ && !self->ended_) {
        self->closeRequested_ = true;
        self->writeWake_.cancel();
      }
    });
  }

  ClientResult<void> waitUntilStopped() {
    std::unique_lock lock(mutex_);
    stoppedCv_.wait(lock, [this] { return stopped_ || !running_; });
    if (stopError_) return *stopError_;
    return {};
  }

  TokenGrant grant() const {
    std::lock_guard lock(mutex_);
    return grantSnapshot_;
  }
  std::string transport() const {
    std::lock_guard lock(mutex_);
    return transportSnapshot_;
  }

  // Posts a client result back to the I/O thread, for the connection it was asked on.
  Reply makeReply(std::string invocationId) {
    return [weak = weak_from_this(), generation = generation_,
            id = std::move(invocationId)](ClientResult<json::value> result) {
      auto self = weak.lock();
      if (!self) return;
      asio::post(self->strand_, [weak, generation, id, result = std::move(result)] {
        auto impl = weak.lock();
        if (!impl || impl->generation_ != generation || !impl->connected_) return;
        std::string out;
        if (result) {
          protocol::writeCompletionResult(out, id, *result);
        } else {
          protocol::writeCompletionError(out, id, result.error().message);
        }
        impl->enqueue(std::move(out));
      });
    };
  }

 private:
  void sendInvocation(const std::string& method, const json::array& arguments, Done done) {
    if (!connected_) return done(makeError(ClientErrc::Closed, "not connected"));
    if (pending_.size() >= options_.maxPendingInvocations ||
        outboxBytes_ > options_.maxSendBacklogBytes) {
      return done(makeError(ClientErrc::Refused, "too many invocations in flight"));
    }
    auto id = std::to_string(nextInvocationId_++);
    std::string out;
    protocol::writeInvocation(out, id, method, arguments);
    pending_.emplace(std::move(id), std::move(done));
    enqueue(std::move(out));
  }

  asio::awaitable<void> run() {
    int attempt = 0;
    int authFailures = 0;
    bool everConnected = false;
    std::optional<ClientError> failure;
    while (!stopRequested_) {
      setStatus(everConnected ? ConnectionStatus::Reconnecting : ConnectionStatus::Connecting, "");
      failure.reset();
      auto grant = tokens_();
      if (!grant) {
        failure = grant.error();
        if (isFinal(*failure)) break;
      } else {
        setGrant(std::move(*grant));
        auto opened = co_await connect();
        if (opened) {
          attempt = 0;
          authFailures = 0;
          everConnected = true;
          reportStarted({});
          co_await session();
          failure = endReason_;
        } else {
          failure = opened.error();
          // A fresh token refused twice in a row: revoked, not a race with its expiry.
          if (isFinal(*failure) &&
              (failure->code != ClientErrc::Unauthorized || ++authFailures >= 2)) {
            break;
          }
        }
      }
      if (stopRequested_ || !options_.reconnect) break;
      const auto delay = backoffDelay(attempt++);
      setStatus(
          ConnectionStatus::Reconnecting,
          fmt::format("{} (retrying in {} ms)", failure ? failure->message : "", delay.count()));
      backoff_.expires_after(delay);
      co_await backoff_.async_wait(kUseTuple);
    }
    if (stopRequested_) failure.reset();
    finish(std::move(failure));
  }

  asio::awaitable<ClientResult<void>> connect() {
    std::optional<ClientError> last;
    std::optional<detail::Negotiation> negotiation;
    bool negotiated = false;
    for (const auto kind : options_.transports) {
      // A failed transport may have spent the connection: the next one negotiates afresh.
      if (!negotiation) {
        auto fresh = co_await negotiate();
        if (!fresh) co_return fresh.error();
        negotiation = std::move(*fresh);
        negotiated = true;
      }
      if (!negotiation->offers(transportName(kind))) continue;
      auto opened = co_await openTransport(kind, negotiation->connectionToken);
      if (opened) co_return ClientResult<void>{};
      negotiation.reset();
      last = opened.error();
      if (isFinal(*last)) break;
    }
    if (!last) {
      last = makeError(
          ClientErrc::Protocol,
          negotiated ? "the server offers none of the client's transports" : "no transport to try");
    }
    co_return *last;
  }

  asio::awaitable<ClientResult<detail::Negotiation>> negotiate() {
    detail::HttpRequest request;
    request.method = boost::beast::http::verb::post;
    request.target = options_.server.hubPath() + "/negotiate?negotiateVersion=1";
    auto response = co_await detail::httpExchange(endpoint_, std::move(request),
                                                  options_.openTimeout, kMaxNegotiateBytes);
    if (!response) co_return response.error();
    if (response->status != 200) co_return detail::httpStatusError("negotiate", *response);
    auto negotiation = detail::parseNegotiation(response->body);
    if (!negotiation) co_return negotiation.error();
    co_return negotiation;
  }

  std::unique_ptr<Transport> makeTransport(TransportKind kind) {
    switch (kind) {
      case TransportKind::WebSockets:
        return detail::makeWebSocketTransport(strand_, endpoint_, options_.maxMessageBytes);
      case TransportKind::ServerSentEvents:
        return detail::makeServerSentEventsTransport(strand_, endpoint_, options_.maxMessageBytes);
      case TransportKind::LongPolling:
        return detail::makeLongPollingTransport(strand_, endpoint_, options_.maxMessageBytes);
    }
    return nullptr;
  }

  // Opens one transport and runs the protocol handshake on it, within the open timeout.
  asio::awaitable<ClientResult<void>> openTransport(TransportKind kind, std::string token) {
    auto transport = makeTransport(kind);
    // The handler may already be queued when the deadline is cancelled: it must find out from
    // state it owns, not from this coroutine's frame, that the handshake is over.
    struct Deadline {
      bool done = false;
      bool timedOut = false;
    };
    auto state = std::make_shared<Deadline>();
    asio::steady_timer deadline(strand_, options_.openTimeout);
    deadline.async_wait([state, t = transport.get()](boost::system::error_code ec) {
      if (ec || state->done) return;
      state->timedOut = true;
      t->abort();
    });
    auto result = co_await handshake(*transport, std::move(token));
    state->done = true;
    deadline.cancel();
    if (!result && state->timedOut) {
      result = makeError(ClientErrc::Timeout,
                         fmt::format("{}: no handshake within {} ms", transportName(kind),
                                     options_.openTimeout.count()));
    }
    if (!result) {
      transport->abort();
      co_return result.error();
    }
    transport_ = std::move(transport);
    transportKind_ = kind;
    {
      // Before start() returns: a caller asks for the transport right after it.
      std::lock_guard lock(mutex_);
      transportSnapshot_ = std::string(transportName(kind));
    }
    co_return ClientResult<void>{};
  }

  asio::awaitable<ClientResult<void>> handshake(Transport& transport, std::string token) {
    auto opened = co_await transport.open(std::move(token));
    if (!opened) co_return opened.error();
    auto sent = co_await transport.send(std::string(kHandshake));
    if (!sent) co_return sent.error();
    splitter_ = protocol::RecordSplitter(options_.maxMessageBytes);
    leftover_.clear();
    std::optional<std::string> answer;
    while (!answer) {
      auto chunk = co_await transport.receive();
      if (!chunk) co_return chunk.error();
      auto fed = splitter_.feed(*chunk, [&](std::string_view record) {
        if (!answer) {
          answer = std::string(record);
        } else {
          leftover_.emplace_back(record);
        }
        return true;
      });
      if (!fed) co_return makeError(ClientErrc::Protocol, fed.error().message);
    }
    if (*answer != "{}") {
      co_return makeError(ClientErrc::Refused,
                          fmt::format("handshake refused: {}", answer->substr(0, 200)));
    }
    co_return ClientResult<void>{};
  }

  asio::awaitable<void> session() {
    using namespace asio::experimental::awaitable_operators;
    ++generation_;
    connected_ = true;
    ended_ = false;
    closeRequested_ = false;
    endReason_.reset();
    lastReceived_ = lastSent_ = std::chrono::steady_clock::now();
    setStatus(ConnectionStatus::Connected, transportName(transportKind_));
    scheduleRefresh();
    auto leftover = std::move(leftover_);
    leftover_.clear();
    for (const auto& record : leftover) {
      if (!handleRecord(record)) break;
    }
    if (!ended_) co_await (readLoop() || writeLoop() || heartbeatLoop());
    connected_ = false;
    refresh_.cancel();
    transport_->abort();
    transport_.reset();
    outbox_.clear();
    outboxBytes_ = 0;
    {
      std::lock_guard lock(mutex_);
      transportSnapshot_.clear();
    }
    auto pending = std::move(pending_);
    pending_.clear();
    const auto reason = endReason_ ? endReason_->message : std::string("the connection ended");
    for (auto& [id, done] : pending) done(makeError(ClientErrc::Closed, reason));
  }

  asio::awaitable<void> readLoop() {
    while (!ended_) {
      auto chunk = co_await transport_->receive();
      if (ended_) break;
      if (!chunk) {
        end(chunk.error());
        break;
      }
      lastReceived_ = std::chrono::steady_clock::now();
      auto fed =
          splitter_.feed(*chunk, [this](std::string_view record) { return handleRecord(record); });
      if (!fed) end(makeError(ClientErrc::Protocol, fed.error().message));
    }
  }

  asio::awaitable<void> writeLoop() {
    while (!ended_) {
      if (outbox_.empty()) {
        if (closeRequested_) {
          co_await transport_->close();
          end(makeError(ClientErrc::Closed, "stopped"));
          break;
        }
        writeWake_.expires_at(SteadyTime::max());
        co_await writeWake_.async_wait(kUseTuple);
        continue;
      }
      // Records go out batched, but a batch stays within what a server accepts as one
      // WebSocket message or POST body (Latch: twice its 32 KiB message limit).
      std::string batch = std::move(outbox_.front());
      outbox_.pop_front();
      while (!outbox_.empty() && batch.size() + outbox_.front().size() <= kMaxBatchBytes) {
        batch += outbox_.front();
        outbox_.pop_front();
      }
      outboxBytes_ -= batch.size();
      auto sent = co_await transport_->send(std::move(batch));
      if (ended_) break;
      if (!sent) {
        end(sent.error());
        break;
      }
      lastSent_ = std::chrono::steady_clock::now();
    }
  }

  asio::awaitable<void> heartbeatLoop() {
    const auto tick = std::clamp(std::min(options_.keepAliveInterval, options_.serverTimeout) / 4,
                                 std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
    while (!ended_) {
      heartbeat_.expires_after(tick);
      co_await heartbeat_.async_wait(kUseTuple);
      if (ended_) break;
      const auto now = std::chrono::steady_clock::now();
      if (now - lastReceived_ >= options_.serverTimeout) {
        end(makeError(ClientErrc::Timeout, fmt::format("no message from the server for {} ms",
                                                       options_.serverTimeout.count())));
        break;
      }
      if (now - lastSent_ >= options_.keepAliveInterval && outbox_.empty()) {
        std::string ping;
        protocol::writePing(ping);
        enqueue(std::move(ping));
      }
    }
  }

  // One message from the server; false when the connection ended because of it.
  bool handleRecord(std::string_view record) {
    if (ended_) return false;
    auto message = protocol::parseHubMessage(record);
    if (!message) {
      end(makeError(ClientErrc::Protocol,
                    fmt::format("bad message from the server: {}", message.error().message)));
      return false;
    }
    if (auto* invocation = std::get_if<protocol::InvocationMessage>(&*message)) {
      onInvocation(*invocation);
    } else if (auto* completion = std::get_if<protocol::CompletionMessage>(&*message)) {
      onCompletion(*completion);
    } else if (auto* close = std::get_if<protocol::CloseMessage>(&*message)) {
      end(makeError(ClientErrc::Closed,
                    close->error
                        ? fmt::format("the server closed the connection: {}", *close->error)
                        : std::string("the server closed the connection")));
      return false;
    }
    return !ended_;
  }

  void onInvocation(protocol::InvocationMessage& invocation) {
    if (invocation.target == "TokenExpiring") refreshSoon();
    if (invocation.invocationId) {
      auto handler = resultHandlers.find(invocation.target);
      if (handler == resultHandlers.end()) {
        std::string out;
        protocol::writeCompletionError(out, *invocation.invocationId,
                                       "Client didn't provide a result.");
        enqueue(std::move(out));
        return;
      }
      handler->second(std::move(invocation.arguments), makeReply(*invocation.invocationId));
      return;
    }
    auto handler = eventHandlers.find(invocation.target);
    if (handler != eventHandlers.end()) handler->second(invocation.arguments);
  }

  void onCompletion(protocol::CompletionMessage& completion) {
    auto it = pending_.find(completion.invocationId);
    if (it == pending_.end()) return;  // timed out and forgotten, or never ours
    auto done = std::move(it->second);
    pending_.erase(it);
    if (completion.error) return done(makeError(ClientErrc::Refused, *completion.error));
    done(completion.result ? std::move(*completion.result) : json::value(nullptr));
  }

  // In-band refresh at a fraction of the token's remaining lifetime.
  void scheduleRefresh() {
    const auto nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    const auto left = std::max<std::int64_t>(0, grant_.expiresAtMs - nowMs);
    const auto delay = std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(left) * options_.refreshAtFraction));
    refresh_.expires_after(delay);
    refresh_.async_wait(
        [self = shared_from_this(), generation = generation_](boost::system::error_code ec) {
          if (ec || generation != self->generation_ || !self->connected_) return;
          self->refreshNow();
        });
  }

  void refreshSoon() {
    if (refreshing_) return;
    refresh_.expires_after(std::chrono::milliseconds(0));
    refresh_.async_wait(
        [self = shared_from_this(), generation = generation_](boost::system::error_code ec) {
          if (ec || generation != self->generation_ || !self->connected_) return;
          self->refreshNow();
        });
  }

  void refreshNow() {
    if (refreshing_) return;
    auto grant = tokens_();
    if (!grant) {
      // The server closes the connection at expiry; reconnecting asks again.
      setStatus(ConnectionStatus::Connected,
                fmt::format("token refresh failed: {}", grant.error().message));
      return;
    }
    if (grant->accessToken == grant_.accessToken) return;  // nothing newer to offer
    refreshing_ = true;
    auto fresh = std::make_shared<TokenGrant>(std::move(*grant));
    json::array arguments{json::string(fresh->accessToken)};
    auto id = std::to_string(nextInvocationId_++);
    std::string out;
    protocol::writeInvocation(out, id, "RefreshToken", arguments);
    pending_.emplace(
        std::move(id), [this, fresh, generation = generation_](ClientResult<json::value> result) {
          refreshing_ = false;
          if (generation != generation_) return;
          if (!result) {
            setStatus(ConnectionStatus::Connected,
                      fmt::format("token refresh refused: {}", result.error().message));
            return;
          }
          setGrant(std::move(*fresh));
          scheduleRefresh();
        });
    enqueue(std::move(out));
  }

  void enqueue(std::string records) {
    outboxBytes_ += records.size();
    outbox_.push_back(std::move(records));
    writeWake_.cancel();
  }

  void end(ClientError reason) {
    if (ended_) return;
    ended_ = true;
    endReason_ = std::move(reason);
    if (transport_) transport_->abort();
    writeWake_.cancel();
    heartbeat_.cancel();
  }

  std::chrono::milliseconds backoffDelay(int attempt) {
    const auto base = options_.reconnectBaseDelay.count();
    const auto cap = options_.reconnectMaxDelay.count();
    const auto exponential = attempt >= 20 ? cap : std::min<std::int64_t>(cap, base << attempt);
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(exponential) * jitter(random_)));
  }

  void setGrant(TokenGrant grant) {
    grant_ = std::move(grant);
    std::lock_guard lock(mutex_);
    grantSnapshot_ = grant_;
  }

  void setStatus(ConnectionStatus status, std::string_view detail) {
    if (statusHandler) statusHandler(status, detail);
  }

  void reportStarted(ClientResult<void> result) {
    if (startReported_) return;
    startReported_ = true;
    startedPromise_.set_value(std::move(result));
  }

  // The connection has stopped for good: `error` says why (none after stop()).
  void finish(std::optional<ClientError> error) {
    reportStarted(error ? ClientResult<void>(*error)
                        : ClientResult<void>(makeError(ClientErrc::Closed, "stopped")));
    setStatus(ConnectionStatus::Stopped, error ? std::string_view(error->message) : "");
    std::lock_guard lock(mutex_);
    stopped_ = true;
    stopError_ = std::move(error);
    stoppedCv_.notify_all();
  }

  const ConnectionOptions options_;
  const TokenProvider tokens_;
  // Every handler of this connection runs on this strand, on one of its IoThreads.
  asio::strand<asio::io_context::executor_type> strand_;

  // Shared with other threads, under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable stoppedCv_;
  bool running_ = false;
  bool stopped_ = false;
  std::optional<ClientError> stopError_;
  TokenGrant grantSnapshot_;
  std::string transportSnapshot_;
  std::promise<ClientResult<void>> startedPromise_;
  bool startReported_ = false;

  // The I/O thread's own.
  detail::Endpoint endpoint_;
  TokenGrant grant_;
  std::unique_ptr<Transport> transport_;
  TransportKind transportKind_ = TransportKind::WebSockets;
  std::uint64_t generation_ = 0;
  bool connected_ = false;
  bool ended_ = false;
  bool stopRequested_ = false;
  bool closeRequested_ = false;
  bool refreshing_ = false;
  std::optional<ClientError> endReason_;
  std::deque<std::string> outbox_;
  std::size_t outboxBytes_ = 0;
  std::unordered_map<std::string, Done> pending_;
  std::uint64_t nextInvocationId_ = 1;
  SteadyTime lastReceived_{};
  SteadyTime lastSent_{};
  asio::steady_timer writeWake_;
  asio::steady_timer heartbeat_;
  asio::steady_timer refresh_;
  asio::steady_timer backoff_;
  protocol::RecordSplitter splitter_;
  std::vector<std::string> leftover_;
  std::mt19937 random_{std::random_device{}()};
};

HubConnection::HubConnection(ConnectionOptions options, TokenProvider tokens)
    : HubConnection(std::move(options), std::move(tokens), std::make_shared<IoThreads>(1)) {}

HubConnection::HubConnection(ConnectionOptions options, TokenProvider tokens,
                             std::shared_ptr<IoThreads> threads)
    : threads_(std::move(threads)),
      impl_(std::make_shared<Impl>(std::move(options), std::move(tokens), threads_->state())) {}

HubConnection::~HubConnection() {
  impl_->stop();
  (void)impl_->waitUntilStopped();
  // Handlers still queued hold the connection a moment longer and drop it on a pool thread;
  // a pool of its own then joins once they have run.
  impl_.reset();
  threads_.reset();
}

void HubConnection::onInvocation(std::string target, ResultHandler handler) {
  impl_->resultHandlers[std::move(target)] = std::move(handler);
}

void HubConnection::on(std::string target, EventHandler handler) {
  impl_->eventHandlers[std::move(target)] = std::move(handler);
}

void HubConnection::onStatus(StatusHandler handler) { impl_->statusHandler = std::move(handler); }

ClientResult<void> HubConnection::start() { return impl_->start(); }

void HubConnection::invokeAsync(std::string_view method, json::array arguments,
                                std::function<void(ClientResult<json::value>)> done) {
  impl_->invokeAsync(method, std::move(arguments), std::move(done));
}

ClientResult<json::value> HubConnection::invoke(std::string_view method, json::array arguments,
                                                std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<ClientResult<json::value>>>();
  auto future = promise->get_future();
  impl_->invokeAsync(method, std::move(arguments), [promise](ClientResult<json::value> result) {
    promise->set_value(std::move(result));
  });
  if (future.wait_for(timeout) != std::future_status::ready) {
    return makeError(ClientErrc::Timeout,
                     fmt::format("{}: no result within {} ms", method, timeout.count()));
  }
  return future.get();
}

void HubConnection::stop() { impl_->stop(); }

ClientResult<void> HubConnection::waitUntilStopped() { return impl_->waitUntilStopped(); }

TokenGrant HubConnection::grant() const { return impl_->grant(); }

std::string HubConnection::transport() const { return impl_->transport(); }

}  // namespace latch::client
