#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds Latch, and runs `latch serve` on
# its embedded defaults (127.0.0.1:5000, data in ./latch-data). Extra arguments go to serve.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release latch
exec build/release/src/latch serve "$@"
