#include "cli/data_dir.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace latch::cli {

std::string prepareDataDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fmt::format("cannot create data directory {}: {}", dir, ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return fmt::format("cannot restrict data directory {}: {}", dir, ec.message());
  return {};
}

}  // namespace latch::cli
