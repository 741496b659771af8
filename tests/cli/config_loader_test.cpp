#include "cli/config_loader.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "cli/data_dir.hpp"
#include "support/temp_dir.hpp"

namespace latch::cli {
namespace {

class ConfigLoaderTest : public ::testing::Test {
 protected:
  Result<void, ConfigErrc> load(const std::string& toml) {
    const auto file = dir.file("latch.toml");
    std::ofstream(file) << toml;
    return applyConfigFile(file, config);
  }
  // The keys of `config` with a fresh data directory.
  auth::AuthResult<auth::ServerSecrets> keys() {
    EXPECT_EQ(prepareDataDir(dir.file("data")), "");
    return loadTokenKeys(config.auth, dir.file("data"));
  }
  testing::TempDir dir;
  ServeConfig config;
};

TEST_F(ConfigLoaderTest, AuthDefaultsAreLatchIssuerAndAudienceWithThirtySecondsSkew) {
  EXPECT_EQ(config.auth.issuer, "latch");
  EXPECT_EQ(config.auth.audiences, std::vector<std::string>{"latch"});
  EXPECT_EQ(config.auth.jwtOptions().clockSkewSeconds, 30);
  EXPECT_EQ(config.auth.authenticatorOptions().maxLifetimeSeconds, 24 * 3600);
}

TEST_F(ConfigLoaderTest, AuthTableSetsIssuerAudienceSkewLifetimeAndKeys) {
  ASSERT_TRUE(load(R"(
[auth]
issuer = "https://latch.example"
audience = "homes"
clock_skew_seconds = 5
max_token_lifetime_seconds = 3600
signing_key = "ed"
[[auth.keys]]
kid = "ed"
alg = "EdDSA"
private_key = "keys/ed.pem"
[[auth.keys]]
kid = "old"
alg = "ES256"
public_key = "/etc/latch/old.pub.pem"
)"));
  EXPECT_EQ(config.auth.issuer, "https://latch.example");
  EXPECT_EQ(config.auth.audiences, std::vector<std::string>{"homes"});
  EXPECT_EQ(config.auth.clockSkewSeconds, 5);
  EXPECT_EQ(config.auth.maxTokenLifetimeSeconds, 3600);
  EXPECT_EQ(config.auth.signingKid, "ed");
  ASSERT_EQ(config.auth.keys.size(), 2u);
  // Relative key paths are relative to the configuration file.
  EXPECT_EQ(config.auth.keys[0].path, dir.file("keys/ed.pem"));
  EXPECT_EQ(config.auth.keys[1].path, "/etc/latch/old.pub.pem");
}

TEST_F(ConfigLoaderTest, AuthMistakesAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"[auth]\nissuer = \"\"\n", "auth.issuer"},
      {"[auth]\naudience = []\n", "auth.audience"},
      {"[auth]\naudience = [1]\n", "auth.audience"},
      {"[auth]\nclock_skew_seconds = -1\n", "auth.clock_skew_seconds"},
      {"[auth]\nclock_skew_seconds = 3600\n", "auth.clock_skew_seconds"},
      {"[auth]\nmax_token_lifetime_seconds = 0\n", "auth.max_token_lifetime_seconds"},
      {"[auth]\nissuer_typo = \"x\"\n", "auth.issuer_typo"},
      {"[[auth.keys]]\nalg = \"EdDSA\"\nprivate_key = \"k\"\n", "auth.keys"},
      {"[[auth.keys]]\nkid = \"a\"\nalg = \"EdDSA\"\nprivate_key = \"k\"\npublic_key = \"p\"\n",
       "auth.keys"},
  };
  for (const auto& [toml, key] : cases) {
    ServeConfig fresh;
    config = fresh;
    auto r = load(toml);
    ASSERT_FALSE(r) << toml;
    EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
  }
}

TEST_F(ConfigLoaderTest, KeysThatCannotBeLoadedStopTheStartWithTheirKid) {
  ASSERT_TRUE(load("[[auth.keys]]\nkid = \"gone\"\nalg = \"EdDSA\"\nprivate_key = \"none.pem\"\n"));
  auto keys = this->keys();
  ASSERT_FALSE(keys);
  EXPECT_NE(keys.error().message.find("auth key 'gone'"), std::string::npos);
}

TEST_F(ConfigLoaderTest, AnHmacAlgorithmCannotBeConfiguredAsAKeyFile) {
  ASSERT_TRUE(load("[[auth.keys]]\nkid = \"h\"\nalg = \"HS256\"\nprivate_key = \"k.pem\"\n"));
  auto keys = this->keys();
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, auth::AuthErrc::UnsupportedAlgorithm);
}

TEST_F(ConfigLoaderTest, AnUnknownSigningKeyIsRefused) {
  ASSERT_TRUE(load("[auth]\nsigning_key = \"nope\"\n"));
  auto keys = this->keys();
  ASSERT_FALSE(keys);
  EXPECT_NE(keys.error().message.find("auth.signing_key"), std::string::npos);
}

}  // namespace
}  // namespace latch::cli
