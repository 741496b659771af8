#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.hpp"
#include "common/limits.hpp"
#include "transport/connection_port.hpp"
#include "transport/transport_link.hpp"

namespace latch::transport {

// The long-polling half-transport (TransportProtocols.md, "Long Polling"): outgoing records
// wait here until a poll takes them. A poll with nothing to take waits until data comes,
// the poll timeout passes (200, empty) or another poll replaces it (204). Holds no Asio
// state: each poll brings a Responder that writes its HTTP response. Thread-safe.
class LongPollingLink final : public TransportLink,
                              public std::enable_shared_from_this<LongPollingLink> {
 public:
  // Answers one poll: status 200 with the records (empty body: nothing yet), or 204 when
  // the connection is over. Called exactly once, possibly on another thread.
  using Responder = std::function<void(int status, std::string body)>;

  LongPollingLink(std::weak_ptr<ConnectionPort> connection, const Limits& limits,
                  const Clock& clock);

  // A poll from the client; answered at once when records are queued or the link is done.
  void poll(Responder responder);

  bool send(std::string_view records) override;
  void close() override;
  void abort() override;
  TransportKind kind() const override { return TransportKind::LongPolling; }
  // Poll timeout, and a client that stopped polling (disconnect timeout).
  void tick(SteadyTime now) override;

 private:
  // Finishes the link once: tells the connection its transport is gone.
  void finish();

  std::weak_ptr<ConnectionPort> connection_;
  const Limits& limits_;
  const Clock& clock_;

  std::mutex mu_;
  std::string queued_;
  Responder waiter_;
  SteadyTime waiterDeadline_{};
  SteadyTime lastPoll_{};
  bool closing_ = false;  // close(): deliver what is queued, then finish
  bool finished_ = false;
};

}  // namespace latch::transport
