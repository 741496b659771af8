#pragma once

#include <string>

namespace latch::cli {

// Creates the data directory (and its parents) readable by its owner only. An empty
// string on success, else one line saying what failed.
std::string prepareDataDir(const std::string& dir);

}  // namespace latch::cli
