#include "client/token_grant.hpp"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "common/base64url.hpp"
#include "support/temp_dir.hpp"

namespace latch::client {
namespace {

std::string jwtWithPayload(std::string_view json) {
  const std::string_view header = R"({"alg":"HS256"})";
  auto enc = [](std::string_view s) {
    return base64urlEncode({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  };
  return enc(header) + "." + enc(json) + ".c2ln";
}

std::string responseWith(std::string_view token, std::string_view key) {
  return std::string(R"({"access_token":")") + std::string(token) +
         R"(","token_type":"Bearer","expires_in":900,"session_key":")" + std::string(key) + "\"}";
}

const std::string kKey = "9DI7W5f8yGuugSpuIYIcH49cmjtLxjBpov1ATGmA3Wc";

TEST(TokenGrantTest, ReadsTokenKeyAndExpiry) {
  auto grant =
      parseTokenResponse(responseWith(jwtWithPayload(R"({"sub":"a","exp":1764405600})"), kKey));
  ASSERT_TRUE(grant) << grant.error().message;
  EXPECT_EQ(grant->expiresAtMs, 1764405600000);
  EXPECT_EQ(base64urlEncode(grant->sessionKey), kKey);
}

TEST(TokenGrantTest, RefusesMissingOrMalformedFields) {
  const auto token = jwtWithPayload(R"({"exp":1})");
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"),
        std::string(R"({"session_key":")") + kKey + "\"}", responseWith(token, "short"),
        responseWith(token, kKey + "A"), responseWith("no-dots", kKey),
        responseWith(jwtWithPayload(R"({"sub":"a"})"), kKey),
        responseWith(jwtWithPayload(R"({"exp":"soon"})"), kKey)}) {
    auto grant = parseTokenResponse(bad);
    EXPECT_FALSE(grant) << bad;
    if (!grant) {
      EXPECT_EQ(grant.error().code, ClientErrc::BadInput);
    }
  }
}

TEST(TokenGrantTest, PrivateFilesMustNotBeReadableByOthers) {
  latch::testing::TempDir dir;
  const auto file = dir.file("pat");
  std::ofstream(file) << "latch_pat_secret\n";
  ::chmod(file.c_str(), 0600);
  auto content = readPrivateFile(file, 256);
  ASSERT_TRUE(content) << content.error().message;
  EXPECT_EQ(*content, "latch_pat_secret");

  for (mode_t mode : {0640, 0604, 0620, 0602}) {
    ::chmod(file.c_str(), mode);
    auto refused = readPrivateFile(file, 256);
    ASSERT_FALSE(refused) << std::oct << mode;
    EXPECT_NE(refused.error().message.find("chmod 600"), std::string::npos);
    EXPECT_EQ(refused.error().message.find("latch_pat_secret"), std::string::npos);
  }
  ::chmod(file.c_str(), 0600);
  EXPECT_FALSE(readPrivateFile(file, 4));  // over the size limit
  EXPECT_FALSE(readPrivateFile(dir.file("missing"), 256));
  EXPECT_FALSE(readPrivateFile(dir.path().string(), 256));  // not a regular file
}

}  // namespace
}  // namespace latch::client
