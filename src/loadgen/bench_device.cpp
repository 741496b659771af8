#include "loadgen/bench_device.hpp"

#include <map>

#include <boost/json/object.hpp>

#include "client/envelope.hpp"
#include "loadgen/relay_fixture.hpp"

namespace latch::loadgen {
namespace {

namespace json = boost::json;

// Nonces remembered until their envelope's exp: at 30 s envelopes and a few thousand
// commands a second per device, far more than a run needs; a full set refuses, visibly.
constexpr std::size_t kSeenCapacity = 1 << 18;

}  // namespace

BenchDevice::BenchDevice(std::string deviceId, const auth::SessionKeyBytes& key)
    : guard_(std::move(deviceId),
             std::map<std::string, std::string>{{std::string(kBenchCommand), "(latch bench)"}},
             kSeenCapacity) {
  guard_.addSessionKey(key);
}

void BenchDevice::attach(client::HubConnection& connection) {
  connection.onInvocation("Execute",
                          [this](json::array arguments, client::HubConnection::Reply reply) {
                            answer(arguments, reply);
                          });
}

void BenchDevice::answer(const json::array& arguments, const client::HubConnection::Reply& reply) {
  std::string refusal;
  if (arguments.size() != 1) {
    refusal = "Execute must carry one envelope";
  } else if (auto admitted = guard_.admit(arguments[0], client::wallClockMillis()); !admitted) {
    refusal = admitted.error().message;
  }
  if (refusal.empty()) {
    executed_.fetch_add(1, std::memory_order_relaxed);
    return reply(json::value(json::object{{"status", "ok"}, {"output", nullptr}}));
  }
  refused_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    if (firstRefusal_.empty()) firstRefusal_ = refusal;
  }
  reply(json::value(json::object{{"status", "failed"}, {"output", refusal}}));
}

std::string BenchDevice::firstRefusal() const {
  std::lock_guard lock(mutex_);
  return firstRefusal_;
}

}  // namespace latch::loadgen
