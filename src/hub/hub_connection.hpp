#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>

#include "auth/principal.hpp"
#include "common/clock.hpp"
#include "common/limits.hpp"
#include "common/wall_clock.hpp"
#include "hub/hub_error.hpp"
#include "protocol/hub_message.hpp"
#include "protocol/record_splitter.hpp"
#include "transport/connection_port.hpp"
#include "transport/transport_link.hpp"

namespace latch::hub {

class Hub;

// One logical SignalR connection, from negotiate to close, whichever transport carries it:
// the handshake, message dispatch, keep-alive, client timeout, client results and Close.
// Thread-safe: transports, timers and other connections may call it from any thread;
// onReceive() is never called concurrently with itself (transports serialize input).
class HubConnection final : public transport::ConnectionPort,
                            public std::enable_shared_from_this<HubConnection> {
 public:
  enum class State {
    Negotiated,   // created by negotiate; no transport yet
    Handshaking,  // a transport is attached; waiting for the handshake request
    Connected,    // handshake done; hub messages flow
    Closed,       // the transport has ended; nothing more is sent or received
  };

  using ClosedCallback = std::function<void(HubConnection&)>;

  // `onClosed` runs once, when the connection reaches Closed (the registry forgets it).
  // `principal` may be null only where no authentication is involved (unit tests).
  HubConnection(std::string id, std::string token, std::shared_ptr<const auth::Principal> principal,
                const Limits& limits, Hub& hub, const Clock& clock, const WallClock& wallClock,
                ClosedCallback onClosed);
  ~HubConnection();

  // `hook` runs once, when a transport first attaches (outside the connection's lock). Set
  // before the connection is shared.
  void onAttached(ClosedCallback hook) { onAttached_ = std::move(hook); }

  const std::string& id() const { return id_; }
  const std::string& token() const { return token_; }
  State state() const;
  std::optional<transport::TransportKind> transport() const;

  // Who holds the connection, per its current token.
  std::shared_ptr<const auth::Principal> principal() const;
  // Replaces the token's principal (in-band refresh): a new expiry deadline, roles re-read.
  void setPrincipal(std::shared_ptr<const auth::Principal> principal);

  // --- ConnectionPort: the transport side ---

  Attach attach(std::shared_ptr<transport::TransportLink> link) override;
  std::shared_ptr<transport::TransportLink> link() const override;
  bool ended() const override { return state() == State::Closed; }
  // Bytes from the client: handshake first, then hub messages.
  void onReceive(std::string_view bytes) override;
  bool tryBeginReceive() override { return !receiving_.exchange(true); }
  void endReceive() override { receiving_ = false; }
  void onInvalidInput(std::string_view reason) override { protocolError(reason); }
  // Restarts the client timeout.
  void noteClientActivity() override;
  // Fails pending client results and tells the registry. Idempotent.
  void onTransportClosed() override;

  // --- Hub side ---

  // Queues complete records. False when the connection is not connected or the backlog
  // overflowed (then the connection is aborted as a slow consumer).
  bool send(std::string_view records);
  // A server-to-client invocation that expects no response.
  bool sendInvocation(std::string_view target, const boost::json::array& arguments);
  // A server-to-client invocation whose client result arrives through `callback`, exactly
  // once: the result, the client's error, Timeout after `timeout`, or ConnectionClosed.
  void invokeClient(std::string_view target, const boost::json::array& arguments, Millis timeout,
                    ClientResultCallback callback);
  // Sends Close (with `error` and `allowReconnect` when given) and ends the transport once
  // what is queued is delivered. Idempotent.
  void close(std::optional<std::string_view> error, bool allowReconnect = false);
  // Ends the transport at once, without a Close message. Idempotent.
  void abort(std::string_view reason);
  // A request on this connection carried a revoked token. When the connection's own token
  // is revoked too, it closes now with "Token revoked" (the request, a poll, then carries
  // the Close) instead of at the next tick, and this is true; otherwise nothing changes.
  bool closeIfRevoked();

  // Deadlines: negotiate without transport, handshake timeout, keep-alive Ping, client
  // timeout, client-result timeouts, and the transport's own. Call periodically.
  void tick(SteadyTime now);

  // An invocation of this connection has finished (called by Completer).
  void invocationFinished(const std::optional<std::string>& invocationId);

 private:
  struct PendingResult {
    SteadyTime deadline;
    ClientResultCallback callback;
  };

  bool handleHandshake(std::string_view record);
  bool handleMessage(std::string_view record);
  void handleInvocation(protocol::InvocationMessage&& message);
  void handleCompletion(protocol::CompletionMessage&& message);
  // Close with an error for a peer that broke the protocol, logged once.
  void protocolError(std::string_view message);
  bool sendRaw(std::string_view records);
  // Ends the transport after what is queued, sending nothing more. Idempotent.
  void endTransport();
  void failAllPending(HubErrc code, std::string_view message);
  // Closes the connection when its token has expired ("Token expired", may reconnect) or
  // was revoked ("Token revoked", may not); sends TokenExpiring ahead of expiry. True when
  // the connection was closed.
  bool checkToken(bool connected);
  // Closes with "Token revoked" (no reconnect) and says so in the audit log, once.
  void closeRevoked(const auth::Principal& principal);
  std::int64_t nowTicks() const;

  const std::string id_;
  const std::string token_;
  const Limits& limits_;
  Hub& hub_;
  const Clock& clock_;
  const WallClock& wallClock_;
  ClosedCallback onClosed_;
  ClosedCallback onAttached_;
  const SteadyTime created_;

  mutable std::mutex mu_;
  State state_ = State::Negotiated;
  bool closing_ = false;
  std::shared_ptr<transport::TransportLink> link_;
  SteadyTime attachedAt_{};
  std::map<std::string, PendingResult, std::less<>> pending_;
  std::set<std::string, std::less<>> inflightIds_;
  std::size_t inflight_ = 0;
  std::uint64_t nextInvocationId_ = 1;
  std::shared_ptr<const auth::Principal> principal_;
  bool expiringSent_ = false;  // TokenExpiring sent for the current token
  // The revocation list generation the current token was last found unrevoked at.
  std::uint64_t revocationsChecked_ = 0;

  protocol::RecordSplitter splitter_;  // used by onReceive() only
  std::atomic<std::int64_t> lastSent_;
  std::atomic<std::int64_t> lastReceived_;
  std::atomic<bool> errorLogged_{false};
  std::atomic<bool> receiving_{false};
};

}  // namespace latch::hub
