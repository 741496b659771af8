#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_error.hpp"

namespace latch::store {

// Longest text field of an audit record: longer ones are cut (at a UTF-8 boundary) so that a
// huge untrusted command name still leaves its record.
inline constexpr std::size_t kMaxAuditFieldBytes = 512;

// One audit record. Never holds a token, PAT or key: only ids, names and outcomes.
struct AuditRecord {
  std::int64_t seq = 0;      // assigned by the store, 1, 2, 3, ...
  std::int64_t timeMs = 0;   // milliseconds since the epoch
  std::string kind;          // "command", "denial", "token", "revocation", "device", "home"
  std::string actor;         // the subject that acted (user, device, or "cli")
  std::string homeId;        // empty when not about a home
  std::string deviceId;      // empty when not about a device
  std::string action;        // the command or method name, or what was done
  std::string outcome;       // "ok", "denied", "offline", ... or "issued", "revoked"
  std::string connectionId;  // empty outside a connection
  std::string detail;        // a short free text (reason); never a secret
  std::string prevHash;      // hex SHA-256 of the previous record ("" for the first)
  std::string hash;          // hex SHA-256 over prevHash and this record's fields
};

struct AuditVerdict {
  bool intact = true;
  std::int64_t records = 0;  // how many records were checked
  std::int64_t badSeq = 0;   // the first record that breaks the chain (0 if intact)
  std::string reason;        // why it breaks ("hash mismatch", "gap after 41", ...)
};

// The append-only, hash-chained audit log. Thread-safe.
class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends `record` (seq, prevHash and hash are set by the store; text fields are capped at
  // kMaxAuditFieldBytes) and returns its seq. Writers in several processes share one chain.
  [[nodiscard]] virtual StoreResult<std::int64_t> append(AuditRecord record) = 0;
  // Appends several records in one transaction (the writer thread's batches).
  [[nodiscard]] virtual StoreResult<void> appendAll(std::vector<AuditRecord> records) = 0;
  // Records in seq order, optionally only those of one home: the newest `limit` of them
  // (SIZE_MAX for all).
  [[nodiscard]] virtual StoreResult<std::vector<AuditRecord>> listAudit(
      std::optional<std::string_view> homeId, std::size_t limit) = 0;
  // Recomputes the chain in seq order and reports its first break: an edited, deleted or
  // reordered record, or missing newest records (the stored head names the last one).
  [[nodiscard]] virtual StoreResult<AuditVerdict> verifyAudit() = 0;
};

}  // namespace latch::store
