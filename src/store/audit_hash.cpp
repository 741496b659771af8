#include "store/audit_hash.hpp"

#include <cstdint>
#include <string_view>

#include "store/sha256.hpp"

namespace latch::store {
namespace {

constexpr std::string_view kDomainTag = "latch-audit-v1";

void appendU64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void appendField(std::string& out, std::string_view field) {
  appendU64(out, field.size());
  out.append(field);
}

}  // namespace

std::string auditRecordHash(const AuditRecord& record) {
  std::string encoded;
  encoded.reserve(256);
  appendField(encoded, kDomainTag);
  appendU64(encoded, static_cast<std::uint64_t>(record.seq));
  appendU64(encoded, static_cast<std::uint64_t>(record.timeMs));
  for (std::string_view field :
       {std::string_view(record.prevHash), std::string_view(record.kind),
        std::string_view(record.actor), std::string_view(record.homeId),
        std::string_view(record.deviceId), std::string_view(record.action),
        std::string_view(record.outcome), std::string_view(record.connectionId),
        std::string_view(record.detail)}) {
    appendField(encoded, field);
  }
  return toHex(sha256(encoded));
}

}  // namespace latch::store
