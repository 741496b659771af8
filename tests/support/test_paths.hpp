#pragma once

#include <string>

namespace latch::testing {

// Where the test data lives. Only test_paths.cpp is compiled with these absolute paths, so a
// checkout in another folder recompiles that one file rather than every test (ccache).
std::string wycheproofDir();  // the public Wycheproof vectors, read in place from ../shared
std::string testdataDir();    // tests/testdata

}  // namespace latch::testing
