// Envelope verification next to the raw HMAC-SHA256 over the same bytes (the floor), and the
// nonce cache under one and two threads, with its memory per entry.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>

#include <benchmark/benchmark.h>
#include <openssl/hmac.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/envelope.hpp"
#include "auth/nonce_cache.hpp"
#include "auth/session_key.hpp"

namespace {

using latch::auth::Envelope;

constexpr std::int64_t kNow = 1'764'405'600'000;

const latch::auth::SessionKeyBytes& key() {
  static const auto k =
      latch::auth::sessionKeyBytes(std::array<std::uint8_t, 32>{1, 2, 3}, "bench-jti");
  return k;
}

Envelope envelope() {
  Envelope e;
  e.iat = kNow;
  e.exp = kNow + 10'000;
  e.nonce = latch::auth::newNonce();
  e.msg = R"({"home":"h_0Kk-ZesDJJusqf5xSwM7Lg","device":"d_FkX7DqucCHsrNEk9jsbsGA",)"
          R"("command":"OPEN_DOOR","args":[]})";
  latch::auth::signEnvelope(key(), "SendCommand", e);
  return e;
}

// What the server does per SendCommand: parse the wire form, then check signature and times.
void BM_EnvelopeParseAndVerify(benchmark::State& state) {
  const auto wire = boost::json::value(latch::auth::envelopeToJson(envelope()));
  for (auto _ : state) {
    auto e = latch::auth::parseEnvelope(wire);
    auto ok = latch::auth::verifyEnvelope(key(), "SendCommand", *e, kNow);
    if (!ok) state.SkipWithError("a valid envelope was refused");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_EnvelopeParseAndVerify);

void BM_EnvelopeVerify(benchmark::State& state) {
  const auto e = envelope();
  for (auto _ : state) {
    auto ok = latch::auth::verifyEnvelope(key(), "SendCommand", e, kNow);
    if (!ok) state.SkipWithError("a valid envelope was refused");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_EnvelopeVerify);

// The floor: one-shot HMAC-SHA256 over the same signing input, precomputed.
void BM_FloorHmacSha256SameBytes(benchmark::State& state) {
  const auto input = latch::auth::envelopeSigningInput("SendCommand", envelope());
  std::array<unsigned char, 32> mac{};
  for (auto _ : state) {
    unsigned int n = 0;
    HMAC(EVP_sha256(), key().data(), static_cast<int>(key().size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(), &n);
    benchmark::DoNotOptimize(mac);
  }
}
BENCHMARK(BM_FloorHmacSha256SameBytes);

// Inserting fresh nonces (the common case), envelopes expiring 30 s later, time moving on.
void BM_NonceCacheFresh(benchmark::State& state) {
  static latch::auth::NonceCache cache;
  static std::atomic<std::uint64_t> counter{0};
  const std::string subject = "user-" + std::to_string(state.thread_index() % 64);
  std::array<std::uint8_t, 16> nonce{};
  for (auto _ : state) {
    const std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
    std::memcpy(nonce.data(), &n, sizeof n);
    const std::int64_t now = kNow + static_cast<std::int64_t>(n / 1000);  // ~1000 a ms
    auto v = cache.check("home", subject, nonce, now + 30'000, now, now);
    if (v == latch::auth::NonceCache::Verdict::Replayed)
      state.SkipWithError("fresh nonce replayed");
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_NonceCacheFresh)->Threads(1)->Threads(2);

// A replay lookup: the nonce is already there.
void BM_NonceCacheReplay(benchmark::State& state) {
  latch::auth::NonceCache cache;
  std::array<std::uint8_t, 16> nonce{7};
  (void)cache.check("home", "alice", nonce, kNow + 30'000, kNow, kNow);
  for (auto _ : state) {
    auto v = cache.check("home", "alice", nonce, kNow + 30'000, kNow, kNow);
    if (v != latch::auth::NonceCache::Verdict::Replayed) state.SkipWithError("replay missed");
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_NonceCacheReplay);

// Memory per live entry: 100k entries, bytes as the cache counts them.
void BM_NonceCacheMemoryPerEntry(benchmark::State& state) {
  for (auto _ : state) {
    latch::auth::NonceCache cache;
    std::array<std::uint8_t, 16> nonce{};
    for (std::uint32_t i = 0; i < 100'000; ++i) {
      std::memcpy(nonce.data(), &i, sizeof i);
      (void)cache.check("home", "user-" + std::to_string(i % 1000), nonce, kNow + 30'000, kNow,
                        kNow);
    }
    state.counters["bytes_per_entry"] =
        static_cast<double>(cache.memoryBytes()) / static_cast<double>(cache.size());
  }
}
BENCHMARK(BM_NonceCacheMemoryPerEntry)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
