#include "client/server_url.hpp"

#include <gtest/gtest.h>

namespace latch::client {
namespace {

TEST(ServerUrlTest, ReadsSchemeHostPortAndBase) {
  auto url = parseServerUrl("https://home.example:8443/latch/");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "home.example");
  EXPECT_EQ(url->port, "8443");
  EXPECT_EQ(url->hostHeader, "home.example:8443");
  EXPECT_EQ(url->hubPath(), "/latch/hubs/command");
}

TEST(ServerUrlTest, DefaultPortsAndAHubUrlNameTheSameServer) {
  auto plain = parseServerUrl("http://127.0.0.1/hubs/command");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->hubPath(), "/hubs/command");
  auto secure = parseServerUrl("https://example.org");
  ASSERT_TRUE(secure);
  EXPECT_EQ(secure->port, "443");
}

TEST(ServerUrlTest, Ipv6HostsLoseTheirBracketsButKeepThemInTheHostHeader) {
  auto url = parseServerUrl("http://[::1]:5000");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->hostHeader, "[::1]:5000");
}

TEST(ServerUrlTest, RefusesWhatCannotBeAServer) {
  for (const char* bad : {"ftp://example.org", "ws://example.org", "http://user:pw@example.org",
                          "http://example.org/?x=1", "http://example.org/#f", "example.org", "",
                          "http://", "http://example.org:0"}) {
    auto url = parseServerUrl(bad);
    EXPECT_FALSE(url) << bad;
    if (!url) {
      EXPECT_EQ(url.error().code, ClientErrc::BadUrl) << bad;
    }
  }
}

}  // namespace
}  // namespace latch::client
