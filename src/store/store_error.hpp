#pragma once

#include "common/result.hpp"

namespace latch::store {

// Why the store refused or failed. Messages say what went wrong in a line an operator can act
// on; they never contain secrets (PATs, tokens, keys).
enum class StoreErrc {
  OpenFailed,    // the database file cannot be opened or created
  Corrupt,       // the file is not a SQLite database, or it fails its integrity checks
  SchemaTooNew,  // written by a newer Latch: its schema version is unknown here
  Busy,          // another process held the database lock for too long
  Conflict,      // a uniqueness rule refused the write (duplicate name, id, ...)
  NotFound,      // the row the call names does not exist
  Invalid,       // the caller's input breaks a rule (bad name, empty list, ...)
  Failed,        // any other SQLite failure (I/O error, disk full, ...)
};

using StoreError = Error<StoreErrc>;

template <class T>
using StoreResult = Result<T, StoreErrc>;

}  // namespace latch::store
