#include "agent/agent.hpp"

#include <thread>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/utf8.hpp"
#include "client/envelope.hpp"
#include "client/token_client.hpp"
#include "store/pat.hpp"

namespace latch::agent {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxPatFileBytes = 256;
constexpr std::size_t kMaxReplyOutputBytes = 8 * 1024 - 64;

json::object answer(std::string_view status, std::string output) {
  json::object out;
  out["status"] = status;
  out["output"] = std::move(output);
  return out;
}

}  // namespace

Agent::Agent(AgentOptions options)
    : options_(std::move(options)),
      guard_(options_.deviceId, options_.handlers, options_.seenNonceCapacity, {},
             options_.argRules) {}

Agent::~Agent() {
  events_.stop();
  connection_.reset();
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return running_ == 0; });
}

client::ClientResult<client::TokenGrant> Agent::fetchToken() {
  auto grant = client::exchangePat(options_.server, options_.tls, options_.deviceId, pat_);
  if (grant) guard_.addSessionKey(grant->sessionKey);
  return grant;
}

int Agent::run() {
  auto pat = client::readPrivateFile(options_.patFile, kMaxPatFileBytes);
  if (!pat) {
    spdlog::error("{}", pat.error().message);
    return kExitFailure;
  }
  if (!store::looksLikePat(*pat)) {
    spdlog::error("{} does not hold a Latch PAT (latch_pat_ and 43 base64url characters)",
                  options_.patFile);
    return kExitFailure;
  }
  pat_ = std::move(*pat);

  client::ConnectionOptions connectionOptions;
  connectionOptions.server = options_.server;
  connectionOptions.tls = options_.tls;
  connectionOptions.transports = options_.transports;
  connectionOptions.reconnect = true;
  connection_ =
      std::make_unique<client::HubConnection>(connectionOptions, [this] { return fetchToken(); });
  connection_->onInvocation("Execute",
                            [this](json::array arguments, client::HubConnection::Reply reply) {
                              execute(std::move(arguments), std::move(reply));
                            });
  connection_->onStatus([this](client::ConnectionStatus status, std::string_view detail) {
    if (status == client::ConnectionStatus::Connected) {
      if (detail.empty() || detail.starts_with("token refresh")) {
        if (!detail.empty()) spdlog::warn("{}", detail);
        return;
      }
      spdlog::info("connected to {} as {} over {}", options_.server.display(), options_.deviceId,
                   detail);
    } else if (status != client::ConnectionStatus::Stopped && !detail.empty()) {
      spdlog::warn("{}: {}", client::connectionStatusName(status), detail);
    }
  });
  if (!options_.eventSocket.empty()) {
    auto listening = events_.start(options_.eventSocket,
                                   [this](std::string_view line) { return publish(line); });
    if (!listening) {
      spdlog::error("{}", listening.error().message);
      return kExitFailure;
    }
  }
  if (stopRequested_) return kExitOk;
  auto ended = connection_->start();
  if (ended) ended = connection_->waitUntilStopped();
  if (ended || stopRequested_) {
    spdlog::info("stopped");
    return kExitOk;
  }
  // With reconnect on, the connection only gives up for good on a final error: say what to fix.
  if (ended.error().code == client::ClientErrc::Unauthorized) {
    spdlog::error(
        "giving up: the server refused this device's credentials (revoked, or a wrong "
        "PAT or device id): {}",
        ended.error().message);
    return kExitRefused;
  }
  spdlog::error("giving up: {}", ended.error().message);
  return kExitFailure;
}

std::string Agent::publish(std::string_view line) {
  boost::system::error_code ec;
  auto event = json::parse(line, ec);
  if (ec || !event.is_object()) {
    return R"({"error":"an event is one JSON object on one line"})";
  }
  const auto envelope = client::signMessage(connection_->grant().sessionKey, "PublishEvent", event,
                                            client::wallClockMillis());
  auto result =
      connection_->invoke("PublishEvent", json::array{envelope}, std::chrono::seconds(15));
  if (!result) {
    spdlog::warn("event not published: {}", result.error().message);
    return json::serialize(json::object{{"error", result.error().message}});
  }
  spdlog::info("event published ({} bytes): {}", line.size(), json::serialize(*result));
  return json::serialize(*result);
}

void Agent::stop() {
  stopRequested_ = true;
  if (connection_) connection_->stop();
}

void Agent::execute(json::array arguments, client::HubConnection::Reply reply) {
  const auto nowMs = client::wallClockMillis();
  if (arguments.size() != 1) {
    spdlog::warn("execute refused: invalid (expected one envelope argument)");
    return reply(json::value(answer("failed", "refused by the device: invalid envelope")));
  }
  auto admitted = guard_.admit(arguments[0], nowMs);
  if (!admitted) {
    spdlog::warn("execute refused: {} ({})", refusalName(admitted.error().code),
                 admitted.error().message);
    return reply(json::value(
        answer("failed", fmt::format("refused by the device: {}", admitted.error().message))));
  }
  {
    std::lock_guard lock(mutex_);
    if (running_ >= options_.maxConcurrentHandlers) {
      spdlog::warn("execute {} refused: busy ({} handlers running)", admitted->command, running_);
      return reply(json::value(answer("failed", "refused by the device: busy")));
    }
    ++running_;
  }
  std::thread([this, command = std::move(*admitted), reply = std::move(reply)]() mutable {
    runCommand(std::move(command), std::move(reply));
    std::lock_guard lock(mutex_);
    --running_;
    idle_.notify_all();
  }).detach();
}

void Agent::runCommand(AcceptedCommand command, client::HubConnection::Reply reply) {
  const auto nonceTag = command.nonce.substr(0, 8);
  // The guard checked the arguments (no NUL, no control characters, the command's rule).
  std::vector<std::string> argv;
  argv.reserve(command.argv.size() + 1);
  if (options_.doubleDash) argv.emplace_back("--");
  for (auto& a : command.argv) argv.push_back(std::move(a));
  // Never past the envelope's exp: the caller's answer is due by then.
  auto limits = options_.limits;
  const auto left = std::chrono::milliseconds(command.expMs - client::wallClockMillis());
  limits.timeout = std::max(std::chrono::milliseconds(1), std::min(limits.timeout, left));
  const std::vector<std::string> environment = {
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "LATCH_COMMAND=" + command.command, "LATCH_HOME=" + command.home,
      "LATCH_DEVICE=" + options_.deviceId, "LATCH_EXP_MS=" + std::to_string(command.expMs)};
  const auto run = runHandler(command.handler, argv, environment, limits);
  std::string status = "failed";
  std::string output = toValidUtf8(run.output);
  std::string how;
  switch (run.end) {
    case HandlerRun::End::Exited:
      if (run.exitCode == 0) status = "ok";
      how = fmt::format("exit {}", run.exitCode);
      break;
    case HandlerRun::End::Signaled:
      how = "killed by a signal";
      break;
    case HandlerRun::End::TimedOut:
      how = fmt::format("timed out after {} ms", limits.timeout.count());
      output +=
          fmt::format("\n[latch agent: the handler timed out after {} ms]", limits.timeout.count());
      break;
    case HandlerRun::End::NotStarted:
      how = run.error;
      output = "the handler could not be started";
      break;
  }
  // The server passes back at most 8 KiB: cut at a character boundary rather than be refused.
  if (output.size() > kMaxReplyOutputBytes) {
    std::size_t cut = kMaxReplyOutputBytes;
    while (cut > 0 && (static_cast<unsigned char>(output[cut]) & 0xC0) == 0x80) --cut;
    output.resize(cut);
  }
  spdlog::info("execute {} [{}] args={} -> {} ({}, {} ms, {} bytes of output{})", command.command,
               nonceTag, command.args.size(), status, how, run.elapsed.count(), run.output.size(),
               run.truncated ? ", truncated" : "");
  reply(json::value(answer(status, std::move(output))));
}

}  // namespace latch::agent
