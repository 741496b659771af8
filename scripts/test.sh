#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds Latch and its tests, and runs the
# whole suite: C++ unit tests (GoogleTest via CTest), then the interop tests with the
# official @microsoft/signalr client against the real server (Node's test runner).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
(cd build/release && ctest --output-on-failure --no-tests=error -j "$(nproc)")
LATCH_BIN="$PWD/build/release/src/latch-with-test-hooks" \
  node --test --test-concurrency=2 tests/interop/
