#include "transport/long_polling_link.hpp"

namespace latch::transport {

LongPollingLink::LongPollingLink(std::weak_ptr<ConnectionPort> connection, const Limits& limits,
                                 const Clock& clock)
    : connection_(std::move(connection)), limits_(limits), clock_(clock), lastPoll_(clock.now()) {}

void LongPollingLink::poll(Responder responder) {
  Responder replaced;
  int status = 0;
  std::string body;
  bool finishNow = false;
  {
    std::lock_guard lock(mu_);
    lastPoll_ = clock_.now();
    if (finished_) {
      status = 204;
    } else if (!queued_.empty()) {
      status = 200;
      body.swap(queued_);
      finishNow = closing_;  // the last records are on their way
    } else if (closing_) {
      status = 204;
      finishNow = true;
    } else {
      replaced = std::move(waiter_);
      waiter_ = std::move(responder);
      waiterDeadline_ = lastPoll_ + limits_.longPollTimeout;
    }
  }
  // The official clients send no Pings over long polling: the polls are their keep-alive.
  if (auto c = connection_.lock()) c->noteClientActivity();
  if (replaced) replaced(204, {});
  if (status != 0) responder(status, std::move(body));
  if (finishNow) finish();
}

bool LongPollingLink::send(std::string_view records) {
  Responder waiter;
  std::string body;
  {
    std::lock_guard lock(mu_);
    if (finished_ || closing_) return false;
    if (queued_.size() + records.size() > limits_.maxBacklogBytes) return false;
    queued_.append(records);
    if (!waiter_) return true;
    waiter = std::move(waiter_);
    waiter_ = nullptr;
    body.swap(queued_);
  }
  waiter(200, std::move(body));
  return true;
}

void LongPollingLink::close() {
  Responder waiter;
  std::string body;
  bool finishNow = false;
  {
    std::lock_guard lock(mu_);
    if (closing_ || finished_) return;
    closing_ = true;
    if (waiter_) {
      waiter = std::move(waiter_);
      waiter_ = nullptr;
      body.swap(queued_);
      finishNow = true;
    } else {
      finishNow = queued_.empty();
      // Otherwise the next poll takes the last records and finishes the link.
      lastPoll_ = clock_.now();
    }
  }
  if (waiter) waiter(body.empty() ? 204 : 200, std::move(body));
  if (finishNow) finish();
}

void LongPollingLink::abort() {
  Responder waiter;
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    closing_ = true;
    queued_.clear();
    waiter = std::move(waiter_);
    waiter_ = nullptr;
  }
  if (waiter) waiter(204, {});
  finish();
}

void LongPollingLink::tick(SteadyTime now) {
  Responder waiter;
  bool gone = false;
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    if (waiter_) {
      if (now >= waiterDeadline_) {
        waiter = std::move(waiter_);
        waiter_ = nullptr;
        lastPoll_ = now;
      }
    } else if (now - lastPoll_ > limits_.disconnectTimeout) {
      gone = true;  // the client stopped polling (or never took its last records)
    }
  }
  if (waiter) waiter(200, {});
  if (gone) abort();
}

void LongPollingLink::finish() {
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    closing_ = true;
  }
  if (auto c = connection_.lock()) c->onTransportClosed();
}

}  // namespace latch::transport
