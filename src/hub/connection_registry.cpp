#include "hub/connection_registry.hpp"

#include <algorithm>
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

ConnectionRegistry::Admission ConnectionRegistry::admit(
    bool tokenIsId, std::shared_ptr<const auth::Principal> principal, std::string_view address,
    bool unattached) {
  std::string subject = principal ? principal->subject : std::string();
  const bool device = principal && principal->hasRole("device");
  std::string token = randomId128();
  auto connection = std::make_shared<HubConnection>(
      tokenIsId ? token : randomId128(), token, std::move(principal), limits_, hub_, clock_,
      wallClock_, [this](HubConnection& c) { remove(c.token()); });
  if (unattached) connection->onAttached([this](HubConnection& c) { attached(c.token()); });
  std::lock_guard lock(mu_);
  // A tenth of the connections is kept for devices: users filling the server cannot keep a
  // home hub off it.
  const std::size_t cap =
      device ? limits_.maxConnections : limits_.maxConnections - limits_.maxConnections / 10;
  if (byToken_.size() >= cap) return {nullptr, Refusal::Full};
  if (unattached && unattached_ >= limits_.maxUnattachedConnections) {
    return {nullptr, Refusal::Unattached};
  }
  const auto subjectCount = bySubject_.find(subject);
  if (!subject.empty() && subjectCount != bySubject_.end() &&
      subjectCount->second >= limits_.maxConnectionsPerSubject) {
    return {nullptr, Refusal::SubjectFull};
  }
  const auto addressCount = byAddress_.find(address);
  if (!address.empty() && addressCount != byAddress_.end() &&
      addressCount->second >= limits_.maxConnectionsPerAddress) {
    return {nullptr, Refusal::AddressFull};
  }
  if (!subject.empty()) ++bySubject_[subject];
  if (!address.empty()) ++byAddress_[std::string(address)];
  if (unattached) ++unattached_;
  byToken_.emplace(std::move(token),
                   Entry{connection, std::move(subject), std::string(address), unattached});
  return {std::move(connection), Refusal::None};
}

std::shared_ptr<HubConnection> ConnectionRegistry::find(std::string_view token) const {
  std::lock_guard lock(mu_);
  auto it = byToken_.find(std::string(token));
  return it == byToken_.end() ? nullptr : it->second.connection;
}

void ConnectionRegistry::release(Counts& counts, const std::string& key) {
  if (key.empty()) return;
  const auto it = counts.find(key);
  if (it != counts.end() && --it->second == 0) counts.erase(it);
}

void ConnectionRegistry::attached(const std::string& token) {
  std::lock_guard lock(mu_);
  auto it = byToken_.find(token);
  if (it == byToken_.end() || !it->second.unattached) return;
  it->second.unattached = false;
  --unattached_;
}

void ConnectionRegistry::remove(const std::string& token) {
  std::shared_ptr<HubConnection> last;  // destroyed outside the lock
  std::lock_guard lock(mu_);
  auto it = byToken_.find(token);
  if (it == byToken_.end()) return;
  auto& entry = it->second;
  last = std::move(entry.connection);
  release(bySubject_, entry.subject);
  release(byAddress_, entry.address);
  if (entry.unattached) --unattached_;
  byToken_.erase(it);
}

void ConnectionRegistry::tick(SteadyTime now) {
  std::vector<std::shared_ptr<HubConnection>> all;
  {
    std::lock_guard lock(mu_);
    all.reserve(byToken_.size());
    for (const auto& [token, e] : byToken_) all.push_back(e.connection);
  }
  for (const auto& c : all) c->tick(now);
  if (auto* observer = hub_.observer()) observer->onTick(now);
}

void ConnectionRegistry::closeAll(std::string_view error, bool allowReconnect) {
  std::vector<std::shared_ptr<HubConnection>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [token, e] : byToken_) all.push_back(e.connection);
  }
  for (const auto& c : all) c->close(error, allowReconnect);
}

ConnectionRegistry::~ConnectionRegistry() { abandonAll(); }

void ConnectionRegistry::abandonAll() {
  std::vector<std::shared_ptr<HubConnection>> all;
  {
    std::lock_guard lock(mu_);
    for (const auto& [token, e] : byToken_) all.push_back(e.connection);
  }
  for (const auto& c : all) c->onTransportClosed();
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return byToken_.size();
}

std::size_t ConnectionRegistry::unattached() const {
  std::lock_guard lock(mu_);
  return unattached_;
}

}  // namespace latch::hub
