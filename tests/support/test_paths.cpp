#include "support/test_paths.hpp"

#if !defined(LATCH_WYCHEPROOF_DIR) || !defined(LATCH_TESTDATA_DIR)
#error "LATCH_WYCHEPROOF_DIR and LATCH_TESTDATA_DIR must name the test data directories"
#endif

namespace latch::testing {

std::string wycheproofDir() { return LATCH_WYCHEPROOF_DIR; }
std::string testdataDir() { return LATCH_TESTDATA_DIR; }

}  // namespace latch::testing
