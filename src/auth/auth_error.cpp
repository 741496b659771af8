#include "auth/auth_error.hpp"

namespace latch::auth {

std::string_view authErrorName(AuthErrc code) {
  switch (code) {
    case AuthErrc::Malformed:
      return "malformed";
    case AuthErrc::TooLarge:
      return "too_large";
    case AuthErrc::BadBase64:
      return "bad_base64";
    case AuthErrc::DuplicateKey:
      return "duplicate_key";
    case AuthErrc::UnsupportedAlgorithm:
      return "unsupported_algorithm";
    case AuthErrc::AlgorithmMismatch:
      return "algorithm_mismatch";
    case AuthErrc::UnknownKey:
      return "unknown_key";
    case AuthErrc::UnknownCritical:
      return "unknown_critical";
    case AuthErrc::ForbiddenHeader:
      return "forbidden_header";
    case AuthErrc::BadSignature:
      return "bad_signature";
    case AuthErrc::MissingExpiry:
      return "missing_expiry";
    case AuthErrc::Expired:
      return "expired";
    case AuthErrc::NotYetValid:
      return "not_yet_valid";
    case AuthErrc::IssuedInFuture:
      return "issued_in_future";
    case AuthErrc::WrongIssuer:
      return "wrong_issuer";
    case AuthErrc::WrongAudience:
      return "wrong_audience";
    case AuthErrc::MissingClaim:
      return "missing_claim";
    case AuthErrc::InvalidKey:
      return "invalid_key";
    case AuthErrc::Revoked:
      return "revoked";
    case AuthErrc::MissingToken:
      return "missing_token";
    case AuthErrc::LifetimeTooLong:
      return "lifetime_too_long";
    case AuthErrc::WrongType:
      return "wrong_type";
  }
  return "unknown";
}

}  // namespace latch::auth
