#include "auth/revocation_list.hpp"

#include <mutex>

namespace latch::auth {

bool RevocationList::isRevoked(std::string_view subject, std::string_view tokenId,
                               std::int64_t issuedAt) const {
  std::shared_lock lock(mu_);
  if (!tokenId.empty() && tokenIds_.find(tokenId) != tokenIds_.end()) return true;
  const auto it = subjectEpochs_.find(subject);
  return it != subjectEpochs_.end() && issuedAt <= it->second;
}

void RevocationList::replace(const store::Revocations& revocations) {
  decltype(tokenIds_) tokenIds(revocations.tokenIds.begin(), revocations.tokenIds.end());
  decltype(subjectEpochs_) subjectEpochs(revocations.subjectEpochs.begin(),
                                         revocations.subjectEpochs.end());
  {
    std::unique_lock lock(mu_);
    tokenIds_.swap(tokenIds);
    subjectEpochs_.swap(subjectEpochs);
    revision_ = revocations.revision;
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

std::uint64_t RevocationList::revision() const {
  std::shared_lock lock(mu_);
  return revision_;
}

}  // namespace latch::auth
