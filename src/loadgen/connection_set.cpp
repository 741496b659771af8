#include "loadgen/connection_set.hpp"

#include <fmt/format.h>

namespace latch::loadgen {

client::HubConnection& ConnectionSet::add(const client::TokenGrant& grant) {
  client::TokenProvider tokens = [grant] {
    return client::ClientResult<client::TokenGrant>(grant);
  };
  all_.push_back(
      threads_ ? std::make_unique<client::HubConnection>(options_, std::move(tokens), threads_)
               : std::make_unique<client::HubConnection>(options_, std::move(tokens)));
  return *all_.back();
}

LoadResult<void> ConnectionSet::startAll() {
  for (std::size_t i = 0; i < all_.size(); ++i) {
    if (auto started = all_[i]->start(); !started) {
      return makeError(LoadErrc::Network,
                       fmt::format("{} {}: {}", label_, i, started.error().message));
    }
  }
  return {};
}

std::string ConnectionSet::stopAll() {
  for (auto& connection : all_) connection->stop();
  std::string first;
  for (std::size_t i = 0; i < all_.size(); ++i) {
    auto stopped = all_[i]->waitUntilStopped();
    if (!stopped && first.empty()) {
      first = fmt::format("{} {}'s connection ended: {}", label_, i, stopped.error().message);
    }
  }
  return first;
}

std::shared_ptr<client::IoThreads> sharedIoThreads(unsigned threads) {
  return threads == 0 ? nullptr : std::make_shared<client::IoThreads>(threads);
}

}  // namespace latch::loadgen
