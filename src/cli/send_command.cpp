#include "cli/send_command.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include "cli/client_flags.hpp"
#include "cli/duration.hpp"
#include "cli/manage_support.hpp"
#include "client/envelope.hpp"
#include "client/hub_connection.hpp"

namespace latch::cli {
namespace {

namespace json = boost::json;

struct SendFlags {
  ClientFlags client;
  std::string tokenFile;
  std::string home;
  std::string device;
  std::string command;
  std::vector<std::string> args;
  std::string lifetime = "10s";
  bool queue = false;
  bool json = false;
};

[[noreturn]] void fail(std::string_view message) { failCommand("send", message); }

int runSend(const SendFlags& flags) {
  auto options = connectionOptionsOrFail(flags.client, "send");
  auto grant = client::readTokenFile(flags.tokenFile);
  if (!grant) fail(grant.error().message);
  const auto lifetime = parseDurationSeconds(flags.lifetime);
  if (!lifetime || *lifetime > 30) fail("bad --lifetime: use 1s to 30s (the server's maximum)");

  client::HubConnection connection(
      options, [grant = *grant] { return client::ClientResult<client::TokenGrant>(grant); });
  if (auto started = connection.start(); !started) fail(started.error().message);

  json::object message;
  message["home"] = flags.home;
  message["device"] = flags.device;
  message["command"] = flags.command;
  json::array args;
  for (const auto& arg : flags.args) args.emplace_back(arg);
  message["args"] = std::move(args);
  if (flags.queue) message["queue"] = true;
  const auto envelope =
      client::signMessage(connection.grant().sessionKey, "SendCommand", message,
                          client::wallClockMillis(), std::chrono::seconds(*lifetime));
  // The server answers by the envelope's exp at the latest; allow for the network on top.
  auto result =
      connection.invoke("SendCommand", json::array{envelope}, std::chrono::seconds(*lifetime + 15));
  connection.stop();
  if (!result) fail(result.error().message);
  const auto* object = result->if_object();
  const auto* status = object ? object->if_contains("status") : nullptr;
  if (!status || !status->is_string()) fail("the server's answer has no status");
  const bool ok = status->as_string() == "ok";
  if (flags.json) {
    std::puts(json::serialize(*result).c_str());
  } else {
    const auto* output = object->if_contains("output");
    std::string text;
    if (output && output->is_string()) {
      text = std::string(output->as_string());
    } else if (output && !output->is_null()) {
      text = json::serialize(*output);
    }
    while (!text.empty() && text.back() == '\n') text.pop_back();
    std::FILE* out = ok ? stdout : stderr;
    if (text.empty()) {
      fmt::print(out, "{}\n", std::string_view(status->as_string()));
    } else {
      fmt::print(out, "{}: {}\n", std::string_view(status->as_string()), text);
    }
  }
  return ok ? 0 : 1;
}

}  // namespace

void addSendCommand(CLI::App& app) {
  auto flags = std::make_shared<SendFlags>();
  CLI::App* send =
      app.add_subcommand("send", "Send a signed command to a device and print its outcome");
  addClientFlags(*send, flags->client);
  send->add_option("--token-file", flags->tokenFile,
                   "Token response JSON (latch token issue / POST /auth/token), mode 0600")
      ->required();
  send->add_option("--lifetime", flags->lifetime, "How long the command stays valid (at most 30s)");
  send->add_flag("--queue", flags->queue, "Wait for an offline device until the command expires");
  send->add_flag("--json", flags->json, "Print the server's answer as one JSON object");
  send->add_option("home", flags->home, "Home id")->required();
  send->add_option("device", flags->device, "Device id")->required();
  send->add_option("command", flags->command, "Command, e.g. OPEN_DOOR")->required();
  send->add_option("args", flags->args, "Arguments of the command");
  send->final_callback([flags] { std::exit(runSend(*flags)); });
}

}  // namespace latch::cli
