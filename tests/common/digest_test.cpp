#include "common/digest.hpp"

#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "store/sha256.hpp"

namespace latch {
namespace {

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string hex(const Digest32& d) { return store::toHex(d); }

TEST(DigestTest, Sha256MatchesFips180Examples) {
  EXPECT_EQ(hex(sha256Of({"abc"})),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256Of({""})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Parts are hashed as their concatenation.
  EXPECT_EQ(sha256Of({"a", "", "bc"}), sha256Of({"abc"}));
}

TEST(DigestTest, HmacMatchesRfc4231AndIsReKeyedOnEveryCall) {
  const std::string jefe = "Jefe";
  const auto expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  EXPECT_EQ(hex(hmacSha256(bytes(jefe), {"what do ya want for nothing?"})), expected);
  // The thread's context is reused: another key in between must not leak into the next call.
  const std::string other(32, 'k');
  const auto withOther = hmacSha256(bytes(other), {"what do ya want for nothing?"});
  EXPECT_NE(hex(withOther), expected);
  EXPECT_EQ(hex(hmacSha256(bytes(jefe), {"what do ya ", "want for nothing?"})), expected);
}

TEST(DigestTest, EachThreadGetsTheSameAnswers) {
  const std::string jefe = "Jefe";
  std::string fromThread;
  std::thread([&] {
    fromThread = hex(hmacSha256(bytes(jefe), {"what do ya want for nothing?"}));
  }).join();
  EXPECT_EQ(fromThread, hex(hmacSha256(bytes(jefe), {"what do ya want for nothing?"})));
}

}  // namespace
}  // namespace latch
