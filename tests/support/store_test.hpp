#pragma once

#include <utility>

#include <gtest/gtest.h>

#include "store/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace latch::testing {

// A test with its own data directory and a way to open the store in it (as often as the test
// needs: each call is a new connection to the same latch.db, like another process would use).
class StoreTest : public ::testing::Test {
 protected:
  store::SqliteStore open() {
    auto store = store::SqliteStore::open(dir.file("latch.db"));
    EXPECT_TRUE(store) << (store ? "" : store.error().message);
    return std::move(*store);
  }

  TempDir dir;
};

}  // namespace latch::testing
