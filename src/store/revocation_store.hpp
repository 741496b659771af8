#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store_error.hpp"

namespace latch::store {

// The revocations in force at some moment.
struct Revocations {
  std::uint64_t revision = 0;                                       // see revision()
  std::vector<std::string> tokenIds;                                // revoked jti values
  std::vector<std::pair<std::string, std::int64_t>> subjectEpochs;  // subject, epoch seconds
};

// Where revocations are kept: a jti deny-list, each entry until its token can no longer be
// valid, and per-subject epochs (tokens of the subject issued at or before the epoch are
// revoked). Implementations are thread-safe.
class RevocationStore {
 public:
  virtual ~RevocationStore() = default;

  // Denies the token with id `jti` until `untilSeconds` (a later call may extend it).
  [[nodiscard]] virtual StoreResult<void> revokeToken(std::string_view jti,
                                                      std::int64_t untilSeconds,
                                                      std::int64_t nowSeconds) = 0;

  // Revokes every token of `subject` issued at or before `epochSeconds`. An epoch never moves
  // back: a smaller one than the stored one changes nothing.
  [[nodiscard]] virtual StoreResult<void> revokeSubject(std::string_view subject,
                                                        std::int64_t epochSeconds,
                                                        std::int64_t nowSeconds) = 0;

  // A number that changes whenever revocations change (cheap: poll it).
  [[nodiscard]] virtual StoreResult<std::uint64_t> revocationRevision() = 0;

  // Every revocation still in force at `nowSeconds`.
  [[nodiscard]] virtual StoreResult<Revocations> loadRevocations(std::int64_t nowSeconds) = 0;

  // Forgets jti entries whose tokens expired before `nowSeconds`; how many were removed.
  [[nodiscard]] virtual StoreResult<std::int64_t> purgeRevocations(std::int64_t nowSeconds) = 0;
};

}  // namespace latch::store
