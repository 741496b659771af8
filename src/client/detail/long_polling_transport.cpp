// The long-polling transport: GET polls on the hub path bring the server's records, the
// client's records go as POSTs (the HTTP Post half-transport), and a DELETE ends the
// connection (TransportProtocols.md, "Long Polling").
#include <algorithm>
#include <chrono>
#include <utility>

#include "client/detail/transport.hpp"

namespace latch::client::detail {

namespace {

namespace http = beast::http;
// Longer than the server's long-poll timeout (90 s by default), which answers an idle poll
// with an empty 200: a poll unanswered this long means the server is gone.
constexpr Millis kPollTimeout{100'000};
// A poll brings everything the server queued, up to its outbound backlog (1 MiB by
// default): a poll body may be this large even when messages are smaller.
constexpr std::size_t kMinPollBytes = 1024 * 1024;
// The answer to a DELETE is empty, or a short reason.
constexpr std::size_t kMaxDeleteAnswerBytes = 16 * 1024;

class LongPollingTransport final : public Transport {
 public:
  LongPollingTransport(const Endpoint& endpoint, std::size_t maxMessageBytes)
      : endpoint_(endpoint),
        poller_(endpoint),
        sender_(endpoint),
        maxPollBytes_(std::max(maxMessageBytes, kMinPollBytes)) {}

  // The first poll starts the transport on the server, which answers it at once (empty):
  // only then may the handshake be sent.
  asio::awaitable<ClientResult<void>> open(std::string connectionToken) override {
    target_ = hubTarget(endpoint_.server, connectionToken);
    auto first = co_await poll(endpoint_.openTimeout);
    if (!first) co_return first.error();
    ready_ = std::move(*first);
    co_return ClientResult<void>{};
  }

  asio::awaitable<ClientResult<std::string>> receive() override {
    if (!ready_.empty()) co_return std::exchange(ready_, std::string());
    for (;;) {
      auto records = co_await poll(kPollTimeout);
      // An empty 200: the poll timed out on the server; poll again.
      if (!records || !records->empty()) co_return records;
    }
  }

  asio::awaitable<ClientResult<void>> send(std::string records) override {
    co_return co_await postRecords(sender_, target_, std::move(records), endpoint_.openTimeout);
  }

  // The DELETE makes the server complete the poll in flight with 204 and drop the
  // connection. Its answer changes nothing: the transport ends either way.
  asio::awaitable<void> close() override {
    if (!aborted_ && !target_.empty()) {
      HttpRequest request;
      request.method = http::verb::delete_;
      request.target = target_;
      auto answer = co_await sender_.exchange(std::move(request), endpoint_.openTimeout,
                                              kMaxDeleteAnswerBytes);
      (void)answer;
    }
    abort();
  }

  void abort() override {
    aborted_ = true;
    poller_.abort();
    sender_.abort();
  }

 private:
  // One poll within `timeout`: the records it brought, empty when none yet. Closed on 204
  // (the server ended the connection).
  asio::awaitable<ClientResult<std::string>> poll(Millis timeout) {
    HttpRequest request;
    request.target = target_;
    auto response = co_await poller_.exchange(std::move(request), timeout, maxPollBytes_);
    if (!response) co_return response.error();
    if (response->status == 204) {
      co_return makeError(ClientErrc::Closed, "the server ended the long-polling connection");
    }
    if (response->status != 200) co_return httpStatusError("long polling", *response);
    co_return std::move(response->body);
  }

  const Endpoint& endpoint_;
  HttpClient poller_;  // the poll in flight
  HttpClient sender_;  // the POST or DELETE in flight
  std::size_t maxPollBytes_;
  std::string target_;
  std::string ready_;  // records the first poll brought (normally none)
  bool aborted_ = false;
};

}  // namespace

std::unique_ptr<Transport> makeLongPollingTransport(asio::any_io_executor /*executor*/,
                                                    const Endpoint& endpoint,
                                                    std::size_t maxMessageBytes) {
  return std::make_unique<LongPollingTransport>(endpoint, maxMessageBytes);
}

}  // namespace latch::client::detail
