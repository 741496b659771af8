#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/hub_client.hpp"
#include "bench/run_control.hpp"
#include "bench/ws_target.hpp"

namespace latch::bench {

// A fixed set of hub connections, each on its own strand: opened with bounded concurrency,
// closed together. A connection that fails or ends before closeAll() fails the run. The
// pool must outlive the io_context's run(); its methods may be called from any thread.
class ClientPool {
 public:
  // Gives connection `index`'s handler of hub messages (see HubClient::Callbacks::onRecord).
  using RecordHandlerFactory = std::function<std::function<void(std::string_view)>(std::size_t)>;

  // `count` connections to `target`, which must outlive the pool.
  ClientPool(boost::asio::io_context& ioc, const WsTarget& target, RunControl& run,
             std::size_t count, const RecordHandlerFactory& handlers);

  // One connection per target (each with its own token, say), connection i to targets[i]; the
  // targets must outlive the pool. `label` names the connections in failures ("user 3: ...").
  ClientPool(boost::asio::io_context& ioc, std::span<const WsTarget> targets, RunControl& run,
             const RecordHandlerFactory& handlers, std::string label);

  // Opens every connection, at most `parallel` opening at once; calls allReady once, on some
  // connection's strand, when all have completed their handshake. Fails the run if they
  // have not after `timeout` (a server that accepts but never answers).
  void openAll(std::size_t parallel, std::chrono::milliseconds timeout,
               std::function<void()> allReady);

  // Closes every connection; calls allClosed once when all have ended, or after `grace` even
  // if some have not.
  void closeAll(std::chrono::milliseconds grace, std::function<void()> allClosed);

  std::size_t size() const { return clients_.size(); }
  HubClient& client(std::size_t index) { return *clients_[index]; }

 private:
  using TargetOf = std::function<const WsTarget&(std::size_t)>;

  ClientPool(boost::asio::io_context& ioc, const TargetOf& targetOf, RunControl& run,
             std::size_t count, const RecordHandlerFactory& handlers, std::string label);

  void armTimer(std::chrono::milliseconds after, std::function<void()> onExpiry);
  void cancelTimer();
  void openNext();
  void onReady();
  void onEnd(std::size_t index, std::string_view error);
  void finishClosing();

  RunControl& run_;
  const std::string label_;
  std::vector<std::shared_ptr<HubClient>> clients_;
  std::function<void()> allReady_;
  std::function<void()> allClosed_;
  std::atomic<std::size_t> nextToOpen_{0};
  std::atomic<std::size_t> ready_{0};
  std::atomic<std::size_t> ended_{0};
  std::atomic<bool> closing_{false};
  std::atomic<bool> closeFinished_{false};
  boost::asio::steady_timer timer_;  // the open deadline, then the close grace; own strand
};

}  // namespace latch::bench
