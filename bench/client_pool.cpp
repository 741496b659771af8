#include "bench/client_pool.hpp"

#include <algorithm>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>

#include <fmt/format.h>

namespace latch::bench {

ClientPool::ClientPool(boost::asio::io_context& ioc, const WsTarget& target, RunControl& run,
                       std::size_t count, const RecordHandlerFactory& handlers)
    : ClientPool(
          ioc, [&target](std::size_t) -> const WsTarget& { return target; }, run, count, handlers,
          "connection") {}

ClientPool::ClientPool(boost::asio::io_context& ioc, std::span<const WsTarget> targets,
                       RunControl& run, const RecordHandlerFactory& handlers, std::string label)
    : ClientPool(
          ioc, [targets](std::size_t i) -> const WsTarget& { return targets[i]; }, run,
          targets.size(), handlers, std::move(label)) {}

ClientPool::ClientPool(boost::asio::io_context& ioc, const TargetOf& targetOf, RunControl& run,
                       std::size_t count, const RecordHandlerFactory& handlers, std::string label)
    : run_(run), label_(std::move(label)), timer_(boost::asio::make_strand(ioc)) {
  clients_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    HubClient::Callbacks callbacks;
    callbacks.onReady = [this] { onReady(); };
    callbacks.onRecord = handlers(i);
    callbacks.onEnd = [this, i](std::string_view error) { onEnd(i, error); };
    clients_.push_back(
        makeHubClient(boost::asio::make_strand(ioc), targetOf(i), std::move(callbacks)));
  }
}

void ClientPool::openAll(std::size_t parallel, std::chrono::milliseconds timeout,
                         std::function<void()> allReady) {
  allReady_ = std::move(allReady);
  if (clients_.empty()) return allReady_();
  armTimer(timeout, [this, timeout] {
    if (ready_.load() == clients_.size()) return;
    run_.fail(fmt::format("only {} of {} {}s were ready after {} s", ready_.load(), clients_.size(),
                          label_, timeout.count() / 1000));
  });
  const std::size_t first = std::min(std::max<std::size_t>(parallel, 1), clients_.size());
  for (std::size_t i = 0; i < first; ++i) openNext();
}

void ClientPool::openNext() {
  const std::size_t index = nextToOpen_.fetch_add(1);
  if (index < clients_.size()) clients_[index]->open();
}

void ClientPool::onReady() {
  if (ready_.fetch_add(1) + 1 == clients_.size()) {
    cancelTimer();
    allReady_();
  } else {
    openNext();
  }
}

void ClientPool::onEnd(std::size_t index, std::string_view error) {
  if (!closing_.load()) {
    run_.fail(
        fmt::format("{} {}: {}", label_, index, error.empty() ? std::string_view("ended") : error));
    return;
  }
  if (ended_.fetch_add(1) + 1 == clients_.size()) finishClosing();
}

void ClientPool::closeAll(std::chrono::milliseconds grace, std::function<void()> allClosed) {
  allClosed_ = std::move(allClosed);
  closing_.store(true);
  armTimer(grace, [this] { finishClosing(); });
  for (auto& client : clients_) client->close();
  if (clients_.empty()) finishClosing();
}

void ClientPool::finishClosing() {
  if (closeFinished_.exchange(true)) return;
  cancelTimer();
  allClosed_();
}

// The timer lives on its own strand: connections become ready and end on other threads.
void ClientPool::armTimer(std::chrono::milliseconds after, std::function<void()> onExpiry) {
  boost::asio::dispatch(timer_.get_executor(), [this, after, onExpiry = std::move(onExpiry)] {
    if (closeFinished_.load()) return;
    timer_.expires_after(after);
    timer_.async_wait([onExpiry](boost::system::error_code ec) {
      if (!ec) onExpiry();
    });
  });
}

void ClientPool::cancelTimer() {
  boost::asio::dispatch(timer_.get_executor(), [this] { timer_.cancel(); });
}

}  // namespace latch::bench
