#!/usr/bin/env bash
# Builds Latch. Usage: scripts/build.sh [release|sanitize|fuzz|aarch64] [ninja targets...]
#   release   optimized build with debug info, in build/release (default)
#   sanitize  AddressSanitizer + UndefinedBehaviorSanitizer, in build/sanitize
#   fuzz      clang + libFuzzer targets, in build/fuzz
#   aarch64   cross-compiled for a Raspberry Pi (64-bit), in build/aarch64; no tests or
#             benchmarks. Installs the cross toolchain first (scripts/setup-aarch64.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Cache hits across checkouts in other folders (CI clones afresh).
export CCACHE_BASEDIR="$PWD"
# With debug info ccache hashes the build directory too; CI clones afresh into another
# folder, so leave it out (the objects' DW_AT_comp_dir may then name another checkout).
export CCACHE_NOHASHDIR=1
kind=${1:-release}
[ $# -gt 0 ] && shift

case "$kind" in
  release)  dir=build/release;  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  # Sanitizer and fuzz builds: -O1 and line tables only (what their reports need); full debug
  # info made Beast-heavy files take minutes each to assemble on two cores.
  sanitize) dir=build/sanitize; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATCH_SANITIZE=ON
                                       "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG") ;;
  fuzz)     dir=build/fuzz;     flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATCH_FUZZ=ON -DLATCH_TESTS=OFF
                                       -DCMAKE_CXX_COMPILER=clang++
                                       "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG") ;;
  aarch64)  scripts/setup-aarch64.sh
            dir=build/aarch64;  flags=(-DCMAKE_BUILD_TYPE=Release -DLATCH_TESTS=OFF
                                       "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG"
                                       -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.toolchain.cmake") ;;
  *) echo "usage: $0 [release|sanitize|fuzz|aarch64] [targets...]" >&2; exit 2 ;;
esac

if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
fi
# Two cores and heavy Boost headers: more parallel jobs only add memory pressure.
ninja -C "$dir" -j "$(nproc)" "$@"
