// latch-bench-nosig-server: `latch serve` with the envelope signature check skipped, for
// `latch-bench relay` to measure what the check costs (bench/README.md). Benchmark only:
// it accepts forged commands. Built from the same libraries as `latch`, with a copy of
// src/auth/envelope.cpp compiled with LATCH_BENCH_SKIP_ENVELOPE_SIGNATURE (bench/CMakeLists.txt).
#include <array>
#include <cstdint>
#include <cstdio>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "auth/envelope.hpp"
#include "cli/serve_command.hpp"

#ifndef LATCH_BENCH_SKIP_ENVELOPE_SIGNATURE
#error "latch-bench-nosig-server is built with LATCH_BENCH_SKIP_ENVELOPE_SIGNATURE"
#endif

namespace {

// True when verifyEnvelope in this binary really skips the signature: an envelope signed with
// one key passes with another. If the linker took the library's envelope.o instead of this
// target's copy, the benchmark would silently measure the normal check twice.
bool signatureCheckSkipped() {
  const std::array<std::uint8_t, 32> signer{1};
  const std::array<std::uint8_t, 32> other{2};
  latch::auth::Envelope e;
  e.iat = 1'000;
  e.exp = 2'000;
  e.nonce = latch::auth::newNonce();
  e.msg = "{}";
  latch::auth::signEnvelope(signer, "SendCommand", e);
  return latch::auth::verifyEnvelope(other, "SendCommand", e, 1'500).has_value();
}

}  // namespace

int main(int argc, char** argv) {
  if (!signatureCheckSkipped()) {
    fmt::print(stderr, "latch-bench-nosig-server: the signature check is not skipped (link)\n");
    return 1;
  }
  fmt::print(stderr,
             "latch-bench-nosig-server: envelope signatures are NOT checked; benchmark only\n");
  CLI::App app{"latch serve without the envelope signature check (benchmark only)"};
  app.require_subcommand(1);
  latch::cli::addServeCommand(app, nullptr);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
