#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "client/connection_options.hpp"
#include "client/hub_connection.hpp"
#include "client/token_grant.hpp"
#include "loadgen/load_error.hpp"

namespace latch::loadgen {

// The client connections of one kind in a run ("user 3", "device 0", "connection 7"), each a
// client::HubConnection whose token provider always offers its provisioned token (a run is
// shorter than the token lives). Destroying the set stops them all. Not thread-safe: used
// from the run's own thread.
class ConnectionSet {
 public:
  // `options` must outlive the set. The connections run on `threads`, or each on a thread of
  // its own when it is null.
  ConnectionSet(const client::ConnectionOptions& options, std::string label,
                std::shared_ptr<client::IoThreads> threads)
      : options_(options), label_(std::move(label)), threads_(std::move(threads)) {}

  // A new connection, not started: register its handlers, then startAll().
  client::HubConnection& add(const client::TokenGrant& grant);

  // Starts every connection in order; the first failure, named ("device 2: ...").
  [[nodiscard]] LoadResult<void> startAll();

  // Stops them all and waits; says which one had ended on its own before, and why (empty if
  // none did).
  std::string stopAll();

  client::HubConnection& at(std::size_t i) { return *all_[i]; }
  std::size_t size() const { return all_.size(); }

 private:
  const client::ConnectionOptions& options_;
  const std::string label_;
  const std::shared_ptr<client::IoThreads> threads_;  // declared first: outlives the connections
  std::vector<std::unique_ptr<client::HubConnection>> all_;
};

// The I/O threads a run's connections share: `threads` of them, or none (null: a thread per
// connection, as `latch agent` runs) for 0.
std::shared_ptr<client::IoThreads> sharedIoThreads(unsigned threads);

}  // namespace latch::loadgen
