#include "hub/hub_connection.hpp"

#include <algorithm>
#include <cstddef>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/json/monotonic_resource.hpp>

#include "common/logging.hpp"
#include "hub/completer.hpp"
#include "hub/hub.hpp"
#include "protocol/handshake.hpp"
#include "protocol/message_writer.hpp"

namespace latch::hub {

HubConnection::HubConnection(std::string id, std::string token,
                             std::shared_ptr<const auth::Principal> principal, const Limits& limits,
                             Hub& hub, const Clock& clock, const WallClock& wallClock,
                             ClosedCallback onClosed)
    : id_(std::move(id)),
      token_(std::move(token)),
      limits_(limits),
      hub_(hub),
      clock_(clock),
      wallClock_(wallClock),
      onClosed_(std::move(onClosed)),
      created_(clock.now()),
      splitter_(limits.maxMessageBytes),
      lastSent_(created_.time_since_epoch().count()),
      lastReceived_(created_.time_since_epoch().count()) {
  principal_ = std::move(principal);
}

std::shared_ptr<const auth::Principal> HubConnection::principal() const {
  std::lock_guard lock(mu_);
  return principal_;
}

void HubConnection::setPrincipal(std::shared_ptr<const auth::Principal> principal) {
  std::lock_guard lock(mu_);
  principal_ = std::move(principal);
  expiringSent_ = false;
  revocationsChecked_ = 0;
}

bool HubConnection::checkToken(bool connected) {
  std::shared_ptr<const auth::Principal> p;
  bool notify = false;
  std::int64_t secondsLeft = 0;
  const std::int64_t nowMs = wallClock_.nowMillis();
  bool checkRevocation = false;
  const auth::RevocationList* revocations = hub_.revocations();
  const std::uint64_t generation = revocations ? revocations->generation() : 0;
  {
    std::lock_guard lock(mu_);
    p = principal_;
    if (!p) return false;
    if (revocations && revocationsChecked_ != generation) {
      checkRevocation = true;
      revocationsChecked_ = generation;
    }
    if (nowMs >= p->expiresAt * 1000) {
      // handled below, outside the lock
    } else if (connected && !expiringSent_) {
      // Warn a minute ahead, or a quarter of the lifetime for short tokens.
      const std::int64_t lifetime = p->issuedAt > 0 ? p->expiresAt - p->issuedAt : 240;
      const std::int64_t notice =
          std::min<std::int64_t>(60, std::max<std::int64_t>(1, lifetime / 4));
      if (nowMs >= (p->expiresAt - notice) * 1000) {
        expiringSent_ = true;
        notify = true;
        secondsLeft = (p->expiresAt * 1000 - nowMs + 999) / 1000;
      }
    }
  }
  if (checkRevocation && revocations->isRevoked(*p)) {
    closeRevoked(*p);
    return true;
  }
  if (p->expiresAt > 0 && nowMs >= p->expiresAt * 1000) {
    close("Token expired", true);
    return true;
  }
  if (notify) sendInvocation("TokenExpiring", boost::json::array{secondsLeft});
  return false;
}

void HubConnection::closeRevoked(const auth::Principal& principal) {
  {
    std::lock_guard lock(mu_);
    if (closing_ || state_ == State::Closed) return;
  }
  spdlog::warn("audit: token revoked sub={} connection={}", logField(principal.subject), id_);
  close("Token revoked", false);
}

bool HubConnection::closeIfRevoked() {
  const auth::RevocationList* revocations = hub_.revocations();
  const auto p = principal();
  if (!revocations || !p || !revocations->isRevoked(*p)) return false;
  closeRevoked(*p);
  return true;
}

HubConnection::~HubConnection() = default;

std::int64_t HubConnection::nowTicks() const { return clock_.now().time_since_epoch().count(); }

HubConnection::State HubConnection::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::shared_ptr<transport::TransportLink> HubConnection::link() const {
  std::lock_guard lock(mu_);
  return link_;
}

std::optional<transport::TransportKind> HubConnection::transport() const {
  std::lock_guard lock(mu_);
  if (!link_) return std::nullopt;
  return link_->kind();
}

HubConnection::Attach HubConnection::attach(std::shared_ptr<transport::TransportLink> link) {
  {
    std::lock_guard lock(mu_);
    if (state_ == State::Closed || closing_) return Attach::Closed;
    if (link_ || state_ != State::Negotiated) return Attach::AlreadyAttached;
    link_ = std::move(link);
    state_ = State::Handshaking;
    attachedAt_ = clock_.now();
    lastReceived_ = attachedAt_.time_since_epoch().count();
  }
  if (onAttached_) onAttached_(*this);  // runs once: only one attach gets here
  return Attach::Attached;
}

void HubConnection::onReceive(std::string_view bytes) {
  lastReceived_ = nowTicks();
  auto fed = splitter_.feed(bytes, [this](std::string_view record) {
    const State s = state();
    if (s == State::Handshaking) return handleHandshake(record);
    if (s == State::Connected) return handleMessage(record);
    return false;
  });
  if (!fed) protocolError(fed.error().message);
}

bool HubConnection::handleHandshake(std::string_view record) {
  auto request = protocol::parseHandshakeRequest(record);
  if (!request) {
    if (!errorLogged_.exchange(true)) {
      spdlog::info("connection {}: handshake refused: {}", id_, logField(request.error().message));
    }
    sendRaw(protocol::handshakeResponse(request.error().message));
    endTransport();
    return false;
  }
  {
    std::lock_guard lock(mu_);
    if (state_ != State::Handshaking || closing_) return false;
    state_ = State::Connected;
  }
  if (!sendRaw(protocol::handshakeResponse(std::nullopt))) return false;
  if (auto* observer = hub_.observer()) observer->onConnected(shared_from_this());
  return true;
}

bool HubConnection::handleMessage(std::string_view record) {
  protocol::ParseLimits parseLimits;
  parseLimits.maxInvocationIdBytes = limits_.maxInvocationIdBytes;
  // The message's values live only while it is handled (handlers copy what they keep), so
  // they come from a buffer on this stack instead of dozens of heap allocations per message.
  alignas(std::max_align_t) unsigned char scratch[4096];
  boost::json::monotonic_resource arena(scratch, sizeof scratch);
  auto parsed = protocol::parseHubMessage(record, parseLimits, &arena);
  if (!parsed) {
    protocolError(parsed.error().message);
    return false;
  }
  return std::visit(
      [this](auto&& m) -> bool {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, protocol::InvocationMessage>) {
          handleInvocation(std::move(m));
        } else if constexpr (std::is_same_v<T, protocol::CompletionMessage>) {
          handleCompletion(std::move(m));
        } else if constexpr (std::is_same_v<T, protocol::CloseMessage>) {
          // The client is leaving: end the transport without answering.
          endTransport();
          return false;
        }
        // Ping: lastReceived_ is already updated. StreamItem, CancelInvocation: this server
        // starts no streams and its methods are not cancellable, so there is nothing to
        // route them to; Ack and Sequence belong to stateful reconnect, never offered.
        return true;
      },
      std::move(*parsed));
}

void HubConnection::handleInvocation(protocol::InvocationMessage&& message) {
  // A token is checked on every call, not only when the connection opened.
  if (checkToken(true)) return;
  const std::optional<std::string>& id = message.invocationId;
  enum class Admit { Run, Busy, DuplicateId } admit;
  {
    std::lock_guard lock(mu_);
    if (id && inflightIds_.contains(*id)) {
      admit = Admit::DuplicateId;  // a protocol error (HubProtocol.md, Errors)
    } else if (inflight_ >= limits_.maxParallelInvocations) {
      admit = Admit::Busy;
    } else {
      admit = Admit::Run;
      ++inflight_;
      if (id) inflightIds_.insert(*id);
    }
  }
  if (admit == Admit::DuplicateId) {
    protocolError("Invocation id is already in use.");
    return;
  }
  if (admit == Admit::Busy) {
    if (id) {
      std::string out;
      protocol::writeCompletionError(out, *id, "Too many parallel invocations.");
      send(out);
    }
    return;
  }
  auto self = shared_from_this();
  Completer done(self, message.invocationId);
  hub_.dispatch(self, std::move(message), std::move(done));
}

void HubConnection::invocationFinished(const std::optional<std::string>& invocationId) {
  std::lock_guard lock(mu_);
  if (inflight_ > 0) --inflight_;
  if (invocationId) inflightIds_.erase(*invocationId);
}

void HubConnection::handleCompletion(protocol::CompletionMessage&& message) {
  ClientResultCallback callback;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(message.invocationId);
    if (it == pending_.end()) return;  // late (timed out) or unknown: nothing awaits it
    callback = std::move(it->second.callback);
    pending_.erase(it);
  }
  if (message.error) {
    callback(makeError(HubErrc::ClientError, *message.error));
  } else {
    callback(message.result ? std::move(*message.result) : boost::json::value(nullptr));
  }
}

bool HubConnection::sendRaw(std::string_view records) {
  std::shared_ptr<transport::TransportLink> link;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::Closed || !link_) return false;
    link = link_;
  }
  if (!link->send(records)) {
    abort("outbound backlog exceeded (slow consumer)");
    return false;
  }
  lastSent_ = nowTicks();
  return true;
}

bool HubConnection::send(std::string_view records) {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::Connected || closing_) return false;
  }
  return sendRaw(records);
}

bool HubConnection::sendInvocation(std::string_view target, const boost::json::array& arguments) {
  std::string out;
  protocol::writeInvocation(out, {}, target, arguments);
  return send(out);
}

void HubConnection::invokeClient(std::string_view target, const boost::json::array& arguments,
                                 Millis timeout, ClientResultCallback callback) {
  std::string id;
  std::optional<HubError> refused;
  {
    std::lock_guard lock(mu_);
    if (state_ != State::Connected || closing_) {
      refused = makeError(HubErrc::ConnectionClosed, "The connection is closed.");
    } else if (pending_.size() >= limits_.maxPendingClientResults) {
      refused = makeError(HubErrc::Unavailable, "Too many client results pending.");
    } else {
      id = std::to_string(nextInvocationId_++);
      // Bounded (a day), so no caller's timeout can overflow the deadline.
      const auto wait = std::clamp(timeout, Millis(0), Millis(24 * 3600 * 1000));
      pending_.emplace(id, PendingResult{clock_.now() + wait, std::move(callback)});
    }
  }
  if (refused) {
    callback(std::move(*refused));
    return;
  }
  std::string out;
  protocol::writeInvocation(out, id, target, arguments);
  if (send(out)) return;
  ClientResultCallback cb;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // already failed by the close
    cb = std::move(it->second.callback);
    pending_.erase(it);
  }
  cb(makeError(HubErrc::ConnectionClosed, "The connection is closed."));
}

void HubConnection::close(std::optional<std::string_view> error, bool allowReconnect) {
  std::shared_ptr<transport::TransportLink> link;
  bool connected;
  {
    std::lock_guard lock(mu_);
    if (closing_ || state_ == State::Closed) return;
    closing_ = true;
    link = link_;
    connected = state_ == State::Connected;
  }
  if (!link) {
    onTransportClosed();
    return;
  }
  if (connected) {
    std::string out;
    protocol::writeClose(out, error, allowReconnect);
    (void)link->send(out);
  }
  link->close();
}

void HubConnection::endTransport() {
  std::shared_ptr<transport::TransportLink> link;
  {
    std::lock_guard lock(mu_);
    if (closing_ || state_ == State::Closed) return;
    closing_ = true;
    link = link_;
  }
  if (link) {
    link->close();
  } else {
    onTransportClosed();
  }
}

void HubConnection::abort(std::string_view reason) {
  std::shared_ptr<transport::TransportLink> link;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::Closed) return;
    closing_ = true;
    link = link_;
  }
  if (!errorLogged_.exchange(true)) spdlog::info("connection {}: aborted: {}", id_, reason);
  if (link) {
    link->abort();
  } else {
    onTransportClosed();
  }
}

void HubConnection::protocolError(std::string_view message) {
  if (!errorLogged_.exchange(true)) {
    spdlog::info("connection {}: closed for a protocol error: {}", id_, logField(message));
  }
  close(message, false);
}

void HubConnection::noteClientActivity() { lastReceived_ = nowTicks(); }

void HubConnection::onTransportClosed() {
  bool wasConnected = false;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::Closed) return;
    wasConnected = state_ == State::Connected;
    state_ = State::Closed;
    closing_ = true;
    link_.reset();
  }
  failAllPending(HubErrc::ConnectionClosed, "The connection closed before the client answered.");
  if (wasConnected) {
    if (auto* observer = hub_.observer()) observer->onClosed(*this);
  }
  if (onClosed_) onClosed_(*this);
}

void HubConnection::failAllPending(HubErrc code, std::string_view message) {
  std::map<std::string, PendingResult, std::less<>> pending;
  {
    std::lock_guard lock(mu_);
    pending.swap(pending_);
  }
  for (auto& [id, p] : pending) p.callback(makeError(code, std::string(message)));
}

void HubConnection::tick(SteadyTime now) {
  State state;
  SteadyTime attachedAt;
  std::shared_ptr<transport::TransportLink> link;
  std::vector<ClientResultCallback> expired;
  {
    std::lock_guard lock(mu_);
    state = state_;
    attachedAt = attachedAt_;
    link = link_;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second.callback));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& cb : expired) cb(makeError(HubErrc::Timeout, "The client did not answer in time."));
  if (link) link->tick(now);

  if ((state == State::Handshaking || state == State::Connected) &&
      checkToken(state == State::Connected)) {
    return;
  }
  switch (state) {
    case State::Negotiated:
      if (now - created_ > limits_.negotiateTimeout) abort("no transport was started");
      break;
    case State::Handshaking:
      if (now - attachedAt > limits_.handshakeTimeout) {
        if (!errorLogged_.exchange(true)) spdlog::info("connection {}: handshake timed out", id_);
        sendRaw(protocol::handshakeResponse("Handshake was not received in time."));
        endTransport();
      }
      break;
    case State::Connected: {
      const SteadyTime lastReceived{SteadyTime::duration(lastReceived_.load())};
      const SteadyTime lastSent{SteadyTime::duration(lastSent_.load())};
      if (now - lastReceived > limits_.clientTimeout) {
        if (!errorLogged_.exchange(true)) spdlog::info("connection {}: client timed out", id_);
        close("Server timeout elapsed without receiving a message from the client.", false);
      } else if (now - lastSent >= limits_.keepAliveInterval) {
        std::string ping;
        protocol::writePing(ping);
        send(ping);
      }
      break;
    }
    case State::Closed:
      break;
  }
}

}  // namespace latch::hub
