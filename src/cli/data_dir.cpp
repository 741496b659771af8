#include "cli/data_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

namespace latch::cli {
namespace {

// Files only Latch puts in a data directory: one of them marks the directory as Latch's.
constexpr std::array<std::string_view, 5> kLatchFiles = {"latch.db", "latch.db-wal", "envelope.key",
                                                         "jwt-hs256.key", "replay-mark"};

// Empty, or holding at least one of Latch's files.
bool looksLikeLatchs(const std::filesystem::path& dir, std::error_code& ec) {
  bool empty = true;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    empty = false;
    for (const auto name : kLatchFiles) {
      if (entry.path().filename() == name) return true;
    }
  }
  return empty && !ec;
}

}  // namespace

std::string prepareDataDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool existed = fs::exists(dir, ec);
  if (existed) {
    // An existing directory is made private only if it is Latch's own: `--data /tmp` or
    // `--data ~` must not change who may read them.
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return fmt::format("data directory {} is not a directory", dir);
    }
    if (st.st_uid != ::geteuid()) {
      return fmt::format("refusing data directory {}: it belongs to another user (uid {})", dir,
                         st.st_uid);
    }
    if (!looksLikeLatchs(dir, ec)) {
      if (ec) return fmt::format("cannot read data directory {}: {}", dir, ec.message());
      return fmt::format(
          "refusing data directory {}: it holds files that are not Latch's (no latch.db); "
          "choose a new or empty directory",
          dir);
    }
  } else {
    fs::create_directories(dir, ec);
    if (ec) return fmt::format("cannot create data directory {}: {}", dir, ec.message());
  }
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return fmt::format("cannot restrict data directory {}: {}", dir, ec.message());
  return {};
}

}  // namespace latch::cli
