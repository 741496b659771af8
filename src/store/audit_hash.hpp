#pragma once

#include <string>

#include "store/audit_store.hpp"

namespace latch::store {

// The hash that chains `record` to its predecessor: lower-case hex SHA-256 over a domain tag,
// seq, timeMs, prevHash and every other field, each string prefixed with its length (8 bytes,
// big-endian) so that no two different records share an encoding. Ignores record.hash.
// Changing the encoding breaks every stored chain: give it a new domain tag instead.
std::string auditRecordHash(const AuditRecord& record);

}  // namespace latch::store
