#include "client/envelope.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "auth/session_key.hpp"
#include "common/base64url.hpp"
#include "support/test_paths.hpp"

namespace latch::client {
namespace {

auth::SessionKeyBytes keyOf(std::uint8_t fill) {
  auth::SessionKeyBytes key;
  key.fill(fill);
  return key;
}

TEST(ClientEnvelopeTest, SignedMessagesVerifyOnTheServerSideForTheirMethodOnly) {
  const auto key = keyOf(7);
  boost::json::object message{{"home", "h_1"}, {"device", "d_1"}, {"command", "OPEN_DOOR"}};
  const auto wire = signMessage(key, "SendCommand", message, 1'000'000, std::chrono::seconds(10));
  auto envelope = auth::parseEnvelope(wire);
  ASSERT_TRUE(envelope) << envelope.error().message;
  EXPECT_EQ(envelope->iat, 1'000'000);
  EXPECT_EQ(envelope->exp, 1'010'000);
  EXPECT_TRUE(auth::verifyEnvelope(key, "SendCommand", *envelope, 1'000'001));
  EXPECT_FALSE(auth::verifyEnvelope(key, "PublishEvent", *envelope, 1'000'001));
  EXPECT_FALSE(auth::verifyEnvelope(keyOf(8), "SendCommand", *envelope, 1'000'001));
  // Two envelopes of the same message never share a nonce.
  EXPECT_NE(wire.at("nonce"), signMessage(key, "SendCommand", message, 1'000'000).at("nonce"));
}

TEST(ClientEnvelopeTest, OpensTheKnownAnswerVectorComputedByNode) {
  std::ifstream in(latch::testing::testdataDir() + "/envelope_vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  const auto vector = boost::json::parse(text.str()).at("vectors").at(0).as_object();
  const auto keyBytes = base64urlDecode(vector.at("sessionKey").as_string());
  ASSERT_TRUE(keyBytes && keyBytes->size() == 32);
  auth::SessionKeyBytes key;
  std::copy(keyBytes->begin(), keyBytes->end(), key.begin());
  const auto& wire = vector.at("envelope");
  const std::string method(vector.at("method").as_string());
  const auto iat = wire.at("iat").as_int64();
  const std::array keys{keyOf(1), key};  // the right key second: the previous key still works
  auto opened = openEnvelope(keys, method, wire, iat + 1);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->message.at("command"), "OPEN_DOOR");
  // Time checks fail whatever the key.
  auto late = openEnvelope(keys, method, wire, wire.at("exp").as_int64());
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, auth::EnvelopeErrc::Expired);
  auto wrongKeys = openEnvelope(std::array{keyOf(1), keyOf(2)}, method, wire, iat + 1);
  ASSERT_FALSE(wrongKeys);
  EXPECT_EQ(wrongKeys.error().code, auth::EnvelopeErrc::BadSignature);
  EXPECT_FALSE(openEnvelope({}, method, wire, iat + 1));
}

}  // namespace
}  // namespace latch::client
