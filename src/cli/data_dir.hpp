#pragma once

#include <string>

namespace latch::cli {

// Creates the data directory (and its parents) readable by its owner only. An existing
// directory must be Latch's own (empty, or holding latch.db or one of Latch's key files, and
// owned by this user) before it is made private: `--data /tmp` is refused, never chmod-ed.
// An empty string on success, else one line saying what failed.
std::string prepareDataDir(const std::string& dir);

}  // namespace latch::cli
