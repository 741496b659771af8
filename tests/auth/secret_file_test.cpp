#include "auth/secret_file.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "auth/server_secrets.hpp"

namespace latch::auth {
namespace {

class SecretFileTest : public ::testing::Test {
 protected:
  SecretFileTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("latch-secret-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~SecretFileTest() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(SecretFileTest, CreatesAnOwnerOnlyFileAndReadsItBack) {
  auto first = loadOrCreateSecret(path("k"), 32);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(path("k").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto second = loadOrCreateSecret(path("k"), 32);
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
}

TEST_F(SecretFileTest, TwoSecretsDiffer) {
  EXPECT_NE(*loadOrCreateSecret(path("a"), 32), *loadOrCreateSecret(path("b"), 32));
}

TEST_F(SecretFileTest, RefusesAFileOthersCanRead) {
  ASSERT_TRUE(loadOrCreateSecret(path("k"), 32));
  ::chmod(path("k").c_str(), 0644);
  auto r = loadOrCreateSecret(path("k"), 32);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("chmod 600"), std::string::npos);
}

TEST_F(SecretFileTest, RefusesMalformedOrShortSecretsWithoutQuotingThem) {
  {
    std::ofstream(path("bad")) << "not base64!!\n";
    ::chmod(path("bad").c_str(), 0600);
  }
  auto r = loadOrCreateSecret(path("bad"), 32);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find("not base64"), std::string::npos);
  {
    std::ofstream(path("short")) << "AAAA\n";
    ::chmod(path("short").c_str(), 0600);
  }
  EXPECT_FALSE(loadOrCreateSecret(path("short"), 32));
}

TEST_F(SecretFileTest, ServerSecretsAreCreatedOnceAndSignWithTheHs256Key) {
  auto first = loadServerSecrets(dir_.string());
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_NE(first->keys.current(), nullptr);
  EXPECT_EQ(first->keys.current()->kid(), kHs256Kid);
  EXPECT_EQ(first->envelopeSecret.size(), 32u);
  auto second = loadServerSecrets(dir_.string());
  ASSERT_TRUE(second);
  EXPECT_EQ(first->envelopeSecret, second->envelopeSecret);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "jwt-hs256.key"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "envelope.key"));
}

}  // namespace
}  // namespace latch::auth
