#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/jws.hpp"
#include "auth/jwt_key.hpp"
#include "common/base64url.hpp"
#include "common/wall_clock.hpp"

namespace latch::auth::testing {

// A wall clock that shows whatever second the test sets.
class FakeWallClock final : public WallClock {
 public:
  explicit FakeWallClock(std::int64_t seconds) : millis_(seconds * 1000) {}
  std::int64_t nowMillis() const override { return millis_.load(); }
  void setSeconds(std::int64_t seconds) { millis_ = seconds * 1000; }

 private:
  std::atomic<std::int64_t> millis_;
};

inline std::span<const std::uint8_t> bytesOf(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline std::string textOf(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline std::string b64(std::string_view text) { return base64urlEncode(bytesOf(text)); }

inline std::vector<std::uint8_t> hexDecode(std::string_view hex) {
  std::vector<std::uint8_t> out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

// A compact JWS over exactly these header and payload texts (which may be malformed JSON,
// repeat members, name "none", ...), signed with `key` whatever the header says.
inline std::string makeToken(const JwtKey& key, std::string_view header, std::string_view payload) {
  std::string input = b64(header) + "." + b64(payload);
  auto sig = jwsSign(key, input);
  EXPECT_TRUE(sig) << (sig ? "" : sig.error().message);
  return input + "." + (sig ? base64urlEncode(*sig) : std::string());
}

inline std::string makeToken(const JwtKey& key, const boost::json::object& header,
                             const boost::json::object& payload) {
  return makeToken(key, boost::json::serialize(header), boost::json::serialize(payload));
}

// Keys generated once per test binary: RSA generation is slow.
inline const JwtKey& sharedKey(JwtAlgorithm alg) {
  static const auto make = [](std::string kid, JwtAlgorithm a) {
    auto k = JwtKey::generate(std::move(kid), a);
    if (!k) std::abort();
    return std::move(*k);
  };
  static const JwtKey hs256 = make("hs256", JwtAlgorithm::HS256);
  static const JwtKey es256 = make("es256", JwtAlgorithm::ES256);
  static const JwtKey eddsa = make("eddsa", JwtAlgorithm::EdDSA);
  static const JwtKey rs256 = make("rs256", JwtAlgorithm::RS256);
  switch (alg) {
    case JwtAlgorithm::ES256:
      return es256;
    case JwtAlgorithm::EdDSA:
      return eddsa;
    case JwtAlgorithm::RS256:
      return rs256;
    default:
      return hs256;
  }
}

}  // namespace latch::auth::testing
