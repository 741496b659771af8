// latch-client-bench: round trips per second of the C++ client library (src/client) against a
// running server with test hooks: one connection keeps `--window` Echo invocations in flight
// for `--duration` seconds. bench/client_compare.js runs it next to the official JavaScript
// client doing the same, in the same run.
//
//   latch-client-bench --server http://127.0.0.1:PORT --token-file alice.json
//       [--transport WebSockets] [--window 1] [--duration 5] [--payload 16]
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <boost/json/string.hpp>

#include "client/hub_connection.hpp"

namespace {

using namespace latch::client;
using Clock = std::chrono::steady_clock;

struct Flags {
  std::string server;
  std::string tokenFile;
  std::string transport = "WebSockets";
  int window = 1;
  double duration = 5;
  int payload = 16;
};

// Keeps `window` invocations in flight until the deadline; counts completed round trips.
class ClosedLoop {
 public:
  ClosedLoop(HubConnection& connection, std::string payload, Clock::time_point deadline)
      : connection_(connection), payload_(std::move(payload)), deadline_(deadline) {}

  void start(int window) {
    inFlight_ = window;
    for (int i = 0; i < window; ++i) next();
  }

  // The number of round trips, once every invocation has ended; nullopt after an error.
  std::optional<long> wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return inFlight_ == 0; });
    if (!error_.empty()) {
      std::fprintf(stderr, "latch-client-bench: %s\n", error_.c_str());
      return std::nullopt;
    }
    return completed_.load();
  }

 private:
  void next() {
    connection_.invokeAsync("Echo", boost::json::array{boost::json::string(payload_)},
                            [this](ClientResult<boost::json::value> result) { onResult(result); });
  }

  void onResult(const ClientResult<boost::json::value>& result) {
    if (!result || !result->is_string() || result->as_string().size() != payload_.size()) {
      std::lock_guard lock(mutex_);
      if (error_.empty()) error_ = result ? "unexpected Echo result" : result.error().message;
      return finishOne();
    }
    ++completed_;
    if (Clock::now() < deadline_) return next();
    std::lock_guard lock(mutex_);
    finishOne();
  }

  void finishOne() {
    if (--inFlight_ == 0) done_.notify_all();
  }

  HubConnection& connection_;
  const std::string payload_;
  const Clock::time_point deadline_;
  std::atomic<long> completed_{0};
  std::mutex mutex_;
  std::condition_variable done_;
  int inFlight_ = 0;
  std::string error_;
};

int run(const Flags& flags) {
  auto server = parseServerUrl(flags.server);
  if (!server)
    return std::fprintf(stderr, "latch-client-bench: %s\n", server.error().message.c_str()), 2;
  auto grant = readTokenFile(flags.tokenFile);
  if (!grant)
    return std::fprintf(stderr, "latch-client-bench: %s\n", grant.error().message.c_str()), 2;
  ConnectionOptions options;
  options.server = *server;
  bool known = false;
  for (auto kind :
       {TransportKind::WebSockets, TransportKind::ServerSentEvents, TransportKind::LongPolling}) {
    if (flags.transport == transportName(kind)) {
      options.transports = {kind};
      known = true;
    }
  }
  if (!known) return std::fprintf(stderr, "latch-client-bench: unknown transport\n"), 2;
  HubConnection connection(options, [grant = *grant] { return ClientResult<TokenGrant>(grant); });
  if (auto started = connection.start(); !started) {
    return std::fprintf(stderr, "latch-client-bench: %s\n", started.error().message.c_str()), 1;
  }
  // Warm up (connection, allocator, server caches) before the measured window.
  for (int i = 0; i < 100; ++i) {
    if (!connection.invoke("Echo", boost::json::array{"warm"})) return 1;
  }
  const auto started = Clock::now();
  ClosedLoop loop(connection, std::string(static_cast<std::size_t>(flags.payload), 'x'),
                  started + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(flags.duration)));
  loop.start(flags.window);
  const auto roundTrips = loop.wait();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  connection.stop();
  if (!roundTrips) return 1;
  fmt::print(
      "{{\"client\":\"cpp\",\"transport\":\"{}\",\"window\":{},\"roundTrips\":{},"
      "\"seconds\":{:.3f},\"perSecond\":{:.0f}}}\n",
      flags.transport, flags.window, *roundTrips, seconds,
      static_cast<double>(*roundTrips) / seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Round trips per second of the C++ client library"};
  Flags flags;
  app.add_option("--server", flags.server, "Server URL")->required();
  app.add_option("--token-file", flags.tokenFile, "Token response JSON, mode 0600")->required();
  app.add_option("--transport", flags.transport, "WebSockets, ServerSentEvents or LongPolling");
  app.add_option("--window", flags.window, "Invocations in flight")->check(CLI::Range(1, 1000));
  app.add_option("--duration", flags.duration, "Seconds to measure")->check(CLI::Range(0.1, 600.0));
  app.add_option("--payload", flags.payload, "Bytes of the echoed string")
      ->check(CLI::Range(0, 16000));
  CLI11_PARSE(app, argc, argv);
  return run(flags);
}
