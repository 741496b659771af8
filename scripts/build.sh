#!/usr/bin/env bash
# Builds Latch. Usage: scripts/build.sh [release|sanitize|fuzz] [ninja targets...]
#   release   optimized build with debug info, in build/release (default)
#   sanitize  AddressSanitizer + UndefinedBehaviorSanitizer, in build/sanitize
#   fuzz      clang + libFuzzer targets, in build/fuzz
set -euo pipefail
cd "$(dirname "$0")/.."
# Cache hits across checkouts in other folders (CI clones afresh).
export CCACHE_BASEDIR="$PWD"
kind=${1:-release}
[ $# -gt 0 ] && shift

case "$kind" in
  release)  dir=build/release;  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  sanitize) dir=build/sanitize; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATCH_SANITIZE=ON) ;;
  fuzz)     dir=build/fuzz;     flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATCH_FUZZ=ON -DLATCH_TESTS=OFF
                                       -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: $0 [release|sanitize|fuzz] [targets...]" >&2; exit 2 ;;
esac

if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
fi
# Two cores and heavy Boost headers: more parallel jobs only add memory pressure.
ninja -C "$dir" -j "$(nproc)" "$@"
