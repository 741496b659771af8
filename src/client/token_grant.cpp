#include "client/token_grant.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fmt/format.h>

#include "common/base64url.hpp"

namespace latch::client {

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxTokenFileBytes = 64 * 1024;

ClientError badInput(std::string message) {
  return makeError(ClientErrc::BadInput, std::move(message));
}

// The exp claim of a compact JWS, in seconds; nullopt when it cannot be read.
std::optional<std::int64_t> unverifiedExp(std::string_view token) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto payload = base64urlDecode(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  boost::system::error_code ec;
  const auto claims = json::parse(
      std::string_view(reinterpret_cast<const char*>(payload->data()), payload->size()), ec);
  if (ec || !claims.is_object()) return std::nullopt;
  const auto* exp = claims.as_object().if_contains("exp");
  if (!exp || !exp->is_int64()) return std::nullopt;
  return exp->as_int64();
}

}  // namespace

ClientResult<TokenGrant> parseTokenResponse(std::string_view text) {
  boost::system::error_code ec;
  const auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return badInput("the token response is not a JSON object");
  const auto& object = value.as_object();
  const auto* token = object.if_contains("access_token");
  const auto* key = object.if_contains("session_key");
  if (!token || !token->is_string() || token->as_string().empty()) {
    return badInput("the token response has no access_token");
  }
  if (!key || !key->is_string()) return badInput("the token response has no session_key");
  const auto keyBytes = base64urlDecode(key->as_string());
  TokenGrant grant;
  if (!keyBytes || keyBytes->size() != grant.sessionKey.size()) {
    return badInput("the token response's session_key is not 32 bytes of base64url");
  }
  std::copy(keyBytes->begin(), keyBytes->end(), grant.sessionKey.begin());
  grant.accessToken = std::string(token->as_string());
  const auto exp = unverifiedExp(grant.accessToken);
  if (!exp) return badInput("the access_token is not a JWT with an exp claim");
  grant.expiresAtMs = *exp * 1000;
  return grant;
}

ClientResult<std::string> readPrivateFile(const std::string& path, std::size_t maxBytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return badInput(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  struct stat st {};
  std::string content;
  std::string problem;
  if (::fstat(fd, &st) != 0) {
    problem = fmt::format("cannot stat {}: {}", path, std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    problem = fmt::format("{} is not a regular file", path);
  } else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    problem = fmt::format("{} is accessible by group or others (mode {:o}); chmod 600 it", path,
                          st.st_mode & 0777);
  } else if (static_cast<std::size_t>(st.st_size) > maxBytes) {
    problem = fmt::format("{} is larger than {} bytes", path, maxBytes);
  } else {
    content.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < content.size()) {
      const auto n = ::read(fd, content.data() + done, content.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    content.resize(done);
  }
  ::close(fd);
  if (!problem.empty()) return badInput(std::move(problem));
  while (!content.empty() && std::isspace(static_cast<unsigned char>(content.back()))) {
    content.pop_back();
  }
  return content;
}

ClientResult<TokenGrant> readTokenFile(const std::string& path) {
  auto text = readPrivateFile(path, kMaxTokenFileBytes);
  if (!text) return text.error();
  auto grant = parseTokenResponse(*text);
  if (!grant) return badInput(fmt::format("{}: {}", path, grant.error().message));
  return grant;
}

}  // namespace latch::client
