#include "cli/data_dir.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace latch::cli {
namespace {

namespace fs = std::filesystem;

fs::perms permsOf(const std::string& p) { return fs::status(p).permissions(); }

TEST(DataDirTest, ANewDirectoryIsCreatedPrivate) {
  testing::TempDir dir;
  const auto data = dir.file("a/b/data");
  EXPECT_EQ(prepareDataDir(data), "");
  EXPECT_EQ(permsOf(data), fs::perms::owner_all);
}

TEST(DataDirTest, AnEmptyOrLatchDirectoryIsMadePrivate) {
  testing::TempDir dir;
  for (const char* marker : {"", "latch.db", "jwt-hs256.key"}) {
    const auto data = dir.file(std::string("d") + marker);
    fs::create_directory(data);
    fs::permissions(data, fs::perms::all);
    if (*marker) std::ofstream(data + "/" + marker) << "x";
    EXPECT_EQ(prepareDataDir(data), "") << marker;
    EXPECT_EQ(permsOf(data), fs::perms::owner_all) << marker;
  }
}

// `--data /tmp`: a directory holding someone else's files is refused and left as it was.
TEST(DataDirTest, ADirectoryThatIsNotLatchsIsRefusedAndLeftAlone) {
  testing::TempDir dir;
  const auto shared = dir.file("shared");
  fs::create_directory(shared);
  fs::permissions(shared, fs::perms::all | fs::perms::sticky_bit);
  std::ofstream(shared + "/notes.txt") << "not latch";
  const auto problem = prepareDataDir(shared);
  EXPECT_NE(problem.find("refusing data directory"), std::string::npos) << problem;
  EXPECT_NE(problem.find("not Latch's"), std::string::npos) << problem;
  EXPECT_EQ(permsOf(shared), fs::perms::all | fs::perms::sticky_bit);
}

TEST(DataDirTest, AFileIsNotADataDirectory) {
  testing::TempDir dir;
  const auto file = dir.file("file");
  std::ofstream(file) << "x";
  EXPECT_NE(prepareDataDir(file).find("not a directory"), std::string::npos);
}

}  // namespace
}  // namespace latch::cli
