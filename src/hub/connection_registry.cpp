#include "hub/connection_registry.hpp"

#include <vector>

#include "common/random.hpp"
#include "hub/hub.hpp"

namespace latch::hub {

namespace {
const SystemWallClock kSystemWallClock;
}  // namespace

ConnectionRegistry::ConnectionRegistry(const Limits& limits, Hub& hub, const Clock& clock,
                                       const WallClock* wallClock)
    : limits_(limits),
      hub_(hub),
      clock_(clock),
      wallClock_(wallClock ? *wallClock : kSystemWallClock) {}

std::shared_ptr<HubConnection> ConnectionRegistry::create(
    bool tokenIsId, std::shared_ptr<const auth::Principal> principal) {
  std::string token = randomId128();
  auto connection = std::make_shared<HubConnection>(
      tokenIsId ? token : randomId128(), token, std::move(principal), limits_, hub_, clock_,
      wallClock_, [this](HubConnection& c) { remove(c.token()); });
  std::lock_guard lock(mu_);
  if (byToken_.size() >= limits_.maxConnections) return nullptr;
  byToken_.emplace(std::move(token), connection);
  return connection;
}

std::shared_ptr<HubConnection> ConnectionRegistry::find(std::string_view token) const {
  std::lock_guard lock(mu_);
  auto it = byToken_.find(std::string(token));
  return it == byToken_.end() ? nullptr : it->second;
}

void ConnectionRegistry::remove(const std::string& token) {
  std::shared_ptr<HubConnection> last;  // destroyed outside the lock
  std::lock_guard lock(mu_);
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return;
  last = std::move(it->second);
  byToken_.erase(it);
}

void ConnectionRegistry::tick(SteadyTime now) {
  std::vector<std::shared_ptr<HubConnection>> all;
  {
    std::lock_guard lock(mu_);
    all.reserve(byToken_.size());
    for (const auto& [token, c] : byToken_) all.push_back(c);
  }
  for (const auto& c : all) c->tick(now);
  if (auto* observer = hub_.observer()) observer->onTick(now);
}

void ConnectionRegistry::closeAll(std::string_view error, bool allowReconnect) {
  std::vector<std::shared_ptr<HubConnection>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [token, c] : byToken_) all.push_back(c);
  }
  for (const auto& c : all) c->close(error, allowReconnect);
}

ConnectionRegistry::~ConnectionRegistry() { abandonAll(); }

void ConnectionRegistry::abandonAll() {
  std::vector<std::shared_ptr<HubConnection>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [token, c] : byToken_) all.push_back(c);
  }
  for (const auto& c : all) c->onTransportClosed();
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return byToken_.size();
}

}  // namespace latch::hub
