#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "support/test_paths.hpp"

namespace latch::auth::testing {

// One Wycheproof vector file (testvectors_v1 format), read in place. Null if missing.
inline boost::json::value loadWycheproof(const std::string& name) {
  std::ifstream in(latch::testing::wycheproofDir() + "/" + name, std::ios::binary);
  if (!in) return nullptr;
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

// Counts printed at the end of each Wycheproof test, so coverage is visible in the log.
struct VectorCounts {
  int run = 0;      // vectors whose expected result was checked
  int skipped = 0;  // vectors not applicable (reason in the test)
};

inline std::string str(const boost::json::value& v) {
  return std::string(v.as_string().data(), v.as_string().size());
}

}  // namespace latch::auth::testing
