#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "auth/principal.hpp"
#include "store/revocation_store.hpp"

namespace latch::auth {

// The revocations a server enforces, in memory: every check is a hash lookup. Replaced
// whole when the store changes (RevocationWatcher). Thread-safe.
class RevocationList {
 public:
  // True if the token (its subject, jti and iat in seconds) is revoked: its jti is on the
  // deny-list, or its subject has a revocation epoch at or after its iat. A token without
  // iat (0) predates any epoch.
  bool isRevoked(std::string_view subject, std::string_view tokenId, std::int64_t issuedAt) const;
  bool isRevoked(const Principal& p) const { return isRevoked(p.subject, p.tokenId, p.issuedAt); }

  // Installs `revocations` in place of the current list.
  void replace(const store::Revocations& revocations);

  // Grows by one with every replace(): a holder that checked a token at generation G need
  // not check it again while the generation is still G. Starts at 0 (nothing loaded).
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // The store revision last installed.
  std::uint64_t revision() const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  mutable std::shared_mutex mu_;
  std::unordered_set<std::string, StringHash, std::equal_to<>> tokenIds_;
  std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> subjectEpochs_;
  std::uint64_t revision_ = 0;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace latch::auth
