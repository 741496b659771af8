#include "common/digest.hpp"

#include <cstdlib>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace latch {
namespace {

EVP_MD* fetchedSha256() {
  static EVP_MD* const md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) std::abort();
    return m;
  }();
  return md;
}

EVP_MAC* fetchedHmac() {
  static EVP_MAC* const mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (m == nullptr) std::abort();
    return m;
  }();
  return mac;
}

// One digest context per thread, freed when the thread ends.
struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
};

// One HMAC-SHA256 context per thread; re-keyed by each call.
struct MacContext {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(fetchedHmac());
  bool digestSet = false;
  ~MacContext() { EVP_MAC_CTX_free(ctx); }
};

}  // namespace

Digest32 sha256Of(std::initializer_list<std::string_view> parts) {
  thread_local DigestContext local;
  Digest32 digest{};
  unsigned int size = 0;
  bool ok = local.ctx != nullptr && EVP_DigestInit_ex2(local.ctx, fetchedSha256(), nullptr) == 1;
  for (const auto part : parts) {
    ok = ok && EVP_DigestUpdate(local.ctx, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(local.ctx, digest.data(), &size) == 1 && size == digest.size();
  if (!ok) std::abort();
  return digest;
}

Digest32 hmacSha256(std::span<const std::uint8_t> key,
                    std::initializer_list<std::string_view> parts) {
  thread_local MacContext local;
  Digest32 mac{};
  std::size_t size = 0;
  bool ok = local.ctx != nullptr;
  if (ok && !local.digestSet) {
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    ok = EVP_MAC_init(local.ctx, key.data(), key.size(), params) == 1;
    local.digestSet = ok;
  } else {
    ok = ok && EVP_MAC_init(local.ctx, key.data(), key.size(), nullptr) == 1;
  }
  for (const auto part : parts) {
    ok = ok && EVP_MAC_update(local.ctx, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size()) == 1;
  }
  ok = ok && EVP_MAC_final(local.ctx, mac.data(), &size, mac.size()) == 1 && size == mac.size();
  if (!ok) std::abort();
  return mac;
}

}  // namespace latch
