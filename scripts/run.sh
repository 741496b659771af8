#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds Latch, and runs the demo on the
# embedded defaults (scripts/demo.js): `latch serve` on 127.0.0.1:5000, a home with a front
# door, a device stand-in connected as its hub, the owner opening the door, a stranger
# refused, and the audit log. `scripts/run.sh serve [flags]` runs just the server instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release latch
if [ "${1:-}" = "serve" ]; then
  shift
  exec build/release/src/latch serve "$@"
fi
exec node scripts/demo.js build/release/src/latch
