#include "auth/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "common/base64url.hpp"
#include "common/random.hpp"

namespace latch::auth {
namespace {

AuthError fileError(const std::string& path, std::string_view what) {
  return makeError(AuthErrc::InvalidKey, fmt::format("{}: {}", path, what));
}

AuthResult<std::vector<std::uint8_t>> readSecret(const std::string& path, std::size_t bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fileError(path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fileError(path, "not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    return fileError(path, "readable by group or others; run chmod 600 on it");
  }
  char buffer[256];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n <= 0) return fileError(path, "empty or unreadable");
  std::string_view text(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  auto decoded = base64urlDecode(text);
  std::memset(buffer, 0, sizeof buffer);
  if (!decoded || decoded->size() < bytes) {
    return fileError(path, fmt::format("must hold at least {} bytes as base64url", bytes));
  }
  return std::move(*decoded);
}

}  // namespace

AuthResult<std::vector<std::uint8_t>> loadOrCreateSecret(const std::string& path,
                                                         std::size_t bytes) {
  std::vector<std::uint8_t> secret(bytes);
  secureRandom(secret);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return readSecret(path, bytes);
    return fileError(path, std::strerror(errno));
  }
  const std::string line = base64urlEncode(secret) + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    ::unlink(path.c_str());
    return fileError(path, "could not be written");
  }
  return secret;
}

}  // namespace latch::auth
