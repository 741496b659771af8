// TEMPORARY (not to be committed): replaced by sse_transport.cpp and long_polling_transport.cpp.
#include "client/detail/transport.hpp"
namespace latch::client::detail {
namespace {
class Unavailable final : public Transport {
 public:
  asio::awaitable<ClientResult<void>> open(std::string) override {
    co_return makeError(ClientErrc::Network, "not available yet");
  }
  asio::awaitable<ClientResult<std::string>> receive() override {
    co_return makeError(ClientErrc::Closed, "x");
  }
  asio::awaitable<ClientResult<void>> send(std::string) override {
    co_return makeError(ClientErrc::Closed, "x");
  }
  asio::awaitable<void> close() override { co_return; }
  void abort() override {}
};
}  // namespace
std::unique_ptr<Transport> makeServerSentEventsTransport(asio::any_io_executor, const Endpoint&,
                                                         std::size_t) {
  return std::make_unique<Unavailable>();
}
std::unique_ptr<Transport> makeLongPollingTransport(asio::any_io_executor, const Endpoint&,
                                                    std::size_t) {
  return std::make_unique<Unavailable>();
}
}  // namespace latch::client::detail
