#include "auth/envelope.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/session_key.hpp"
#include "support/test_paths.hpp"

namespace latch::auth {
namespace {

constexpr std::int64_t kNow = 1'764'405'605'000;  // inside the vector's validity

boost::json::object vector0() {
  std::ifstream in(latch::testing::testdataDir() + "/envelope_vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str()).at("vectors").at(0).as_object();
}

std::vector<std::uint8_t> secretOf(const boost::json::object& v) {
  const std::string hex(v.at("envelopeSecretHex").as_string());
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

class EnvelopeTest : public ::testing::Test {
 protected:
  EnvelopeTest()
      : v(vector0()),
        key(sessionKeyBytes(secretOf(v), std::string(v.at("jti").as_string()))),
        wire(v.at("envelope")) {}

  Envelope parsed() { return *parseEnvelope(wire); }

  boost::json::object v;
  SessionKeyBytes key;
  boost::json::value wire;
};

TEST_F(EnvelopeTest, SessionKeyMatchesTheIndependentComputation) {
  EXPECT_EQ(sessionKey(secretOf(v), std::string(v.at("jti").as_string())),
            v.at("sessionKey").as_string());
}

TEST_F(EnvelopeTest, KnownAnswerVectorVerifiesAndSignsIdentically) {
  auto e = parseEnvelope(wire);
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_TRUE(verifyEnvelope(key, "SendCommand", *e, kNow));
  Envelope copy = *e;
  copy.sig.clear();
  signEnvelope(key, "SendCommand", copy);
  EXPECT_EQ(copy.sig, e->sig);
  EXPECT_EQ(boost::json::value(envelopeToJson(*e)), wire);
}

TEST_F(EnvelopeTest, OneChangedByteOfMsgBreaksTheSignature) {
  auto e = parsed();
  e.msg[e.msg.find("OPEN")] = 'P';
  EXPECT_EQ(verifyEnvelope(key, "SendCommand", e, kNow).error().code, EnvelopeErrc::BadSignature);
}

TEST_F(EnvelopeTest, AnEnvelopeSignedForOneMethodIsInvalidForAnother) {
  EXPECT_EQ(verifyEnvelope(key, "PublishEvent", parsed(), kNow).error().code,
            EnvelopeErrc::BadSignature);
}

TEST_F(EnvelopeTest, AnotherConnectionsKeyDoesNotVerify) {
  const auto other = sessionKeyBytes(secretOf(v), "another-jti");
  EXPECT_EQ(verifyEnvelope(other, "SendCommand", parsed(), kNow).error().code,
            EnvelopeErrc::BadSignature);
}

TEST_F(EnvelopeTest, ExpiredAtExpAndAfter) {
  const auto e = parsed();
  EXPECT_TRUE(verifyEnvelope(key, "SendCommand", e, e.exp - 1));
  EXPECT_EQ(verifyEnvelope(key, "SendCommand", e, e.exp).error().code, EnvelopeErrc::Expired);
}

TEST_F(EnvelopeTest, IssuedTooFarAheadIsRefused) {
  const auto e = parsed();
  EXPECT_TRUE(verifyEnvelope(key, "SendCommand", e, e.iat - 5'000));
  EXPECT_EQ(verifyEnvelope(key, "SendCommand", e, e.iat - 5'001).error().code,
            EnvelopeErrc::IssuedInFuture);
}

TEST_F(EnvelopeTest, LifetimeAboveTheMaximumIsRefused) {
  Envelope e = parsed();
  e.exp = e.iat + 30'001;
  signEnvelope(key, "SendCommand", e);
  EXPECT_EQ(verifyEnvelope(key, "SendCommand", e, kNow).error().code,
            EnvelopeErrc::LifetimeTooLong);
  e.exp = e.iat;  // exp <= iat
  signEnvelope(key, "SendCommand", e);
  EXPECT_EQ(verifyEnvelope(key, "SendCommand", e, e.iat - 1).error().code,
            EnvelopeErrc::LifetimeTooLong);
}

TEST_F(EnvelopeTest, StrictParsingGivesADistinctReasonPerRule) {
  auto with = [&](const char* key, boost::json::value value) {
    auto o = wire.as_object();
    o[key] = std::move(value);
    return parseEnvelope(o);
  };
  auto without = [&](const char* key) {
    auto o = wire.as_object();
    o.erase(key);
    return parseEnvelope(o);
  };
  const std::pair<EnvelopeResult<Envelope>, const char*> cases[] = {
      {parseEnvelope(boost::json::value("text")), "not a JSON object"},
      {without("nonce"), "exactly iat, exp, nonce, msg, sig"},
      {with("extra", 1), "unknown field"},
      {with("iat", 1.5), "\"iat\" is not an integer"},
      {with("exp", "1764405610123"), "\"exp\" is not an integer"},
      {with("iat", -5), "out of range"},
      {with("nonce", "q6urq6urq6urq6urq6urq"), "nonce is not 128 bits"},
      {with("nonce", "q6urq6urq6urq6urq6urqx"), "nonce is not 128 bits"},  // stray low bits
      {with("nonce", "q6urq6urq6urq6urq6urqw=="), "nonce is not 128 bits"},
      {with("msg", "{not json"), "msg is not valid JSON"},
      {with("msg", 5), "\"msg\" is not a string"},
      {with("sig", "AAAA"), "sig is not an HMAC-SHA256"},
  };
  for (const auto& [result, reason] : cases) {
    ASSERT_FALSE(result) << reason;
    EXPECT_EQ(result.error().code, EnvelopeErrc::Malformed) << reason;
    EXPECT_NE(result.error().message.find(reason), std::string::npos) << result.error().message;
  }
}

TEST_F(EnvelopeTest, OversizedMsgIsRefusedBeforeParsing) {
  auto o = wire.as_object();
  o["msg"] = "\"" + std::string(20'000, 'a') + "\"";
  auto r = parseEnvelope(o, 16 * 1024);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("too large"), std::string::npos);
}

TEST_F(EnvelopeTest, NewNoncesAre128BitsAndDistinct) {
  const auto a = newNonce();
  EXPECT_EQ(a.size(), 22u);
  EXPECT_NE(a, newNonce());
}

}  // namespace
}  // namespace latch::auth
