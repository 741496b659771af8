#!/usr/bin/env bash
# Checks that the fuzz targets' seed corpora reach the code behind the checks they are meant
# to get past (the JWT claims, the envelope's later checks and the nonce cache, the agent's
# command checks and seen-set, the hub's message handlers): runs each target once over its
# seeds (-runs=0 -print_coverage=1) and prints the covered edges of the functions named below.
# Exits 1 if a required function (marked req) is not reached, 2 if a target is missing.
# Needs the fuzz build (scripts/build.sh fuzz ...) and llvm-symbolizer (Debian: llvm or
# llvm-14; clang alone does not bring it).
#   FUZZ_BIN      the targets' directory (default build/fuzz/fuzz)
#   FUZZ_CORPORA  directories holding one corpus folder per target (default fuzz/seeds), e.g.
#                 "fuzz/seeds build/fuzz/corpus" to count what fuzzing found too
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${FUZZ_BIN:-build/fuzz/fuzz}
read -r -a corpora <<<"${FUZZ_CORPORA:-fuzz/seeds}"

# The sanitizers look for "llvm-symbolizer" on PATH; Debian's llvm-14 has it under another name.
if ! command -v llvm-symbolizer >/dev/null 2>&1; then
  symbolizer=$(command -v llvm-symbolizer-14 || ls /usr/lib/llvm-*/bin/llvm-symbolizer 2>/dev/null |
    tail -n 1 || true)
  if [ -z "$symbolizer" ]; then
    echo "fuzz-coverage: no llvm-symbolizer (apt-get install llvm-14): coverage needs names" >&2
    exit 2
  fi
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}external_symbolizer_path=$symbolizer"
fi

# req: must be covered; ctx: printed for context (reached by any input, or a shallow entry).
# A pattern matches a function whose symbolized name starts with it.
jwt=(
  "ctx latch::auth::verifyCompactJws("
  "req latch::auth::readClaims("
  "req latch::auth::(anonymous namespace)::optionalTime("
  "req latch::auth::(anonymous namespace)::stringOrArray"
  "req latch::auth::JwtVerifier::checkTimes("
  "req latch::auth::JwtVerifier::checkAudience("
)
envelope=(
  "ctx latch::auth::parseEnvelope("
  "ctx latch::auth::verifyEnvelope("
  "ctx latch::relay::parseCommandMessage("
  "req latch::auth::nonceBytes("
  "req latch::auth::NonceCache::check("
  "req latch::auth::NonceCache::Shard::sweep("
)
client=(
  "ctx latch::agent::ExecuteGuard::admit("
  "ctx latch::client::openEnvelope("
  "req latch::relay::parseCommandMessage("
  "req latch::relay::isValidCommandName("
  "req latch::auth::nonceBytes("
  "req latch::client::SeenNonces::remember("
  "req latch::client::SeenNonces::dropExpired("
)
hub=(
  "ctx latch::hub::HubConnection::handleHandshake("
  "req latch::hub::HubConnection::handleMessage("
  "req latch::hub::HubConnection::handleInvocation("
  "req latch::hub::Hub::dispatch("
  "req latch::hub::Completer::result("
  "req latch::hub::Completer::error("
  "req latch::hub::HubConnection::invokeClient("
  "req latch::hub::HubConnection::handleCompletion("
  "req latch::hub::HubConnection::sendInvocation("
  "req latch::hub::HubConnection::setPrincipal("
  "req latch::hub::HubConnection::checkToken("
)

# The covered and total edges of the function named `pattern` (the best of its copies, e.g. a
# constructor's variants) in a -print_coverage report; 0/0 if absent.
edges() {
  awk -v pat="$2" '
    /^(UN)?COVERED_FUNC: / {
      name = $0
      sub(/^[A-Z_]+: hits: [0-9]+ edges: [0-9]+\/[0-9]+ /, "", name)
      if (index(name, pat) == 1) {
        split($5, e, "/")
        if (!found || e[1] + 0 > best) { best = e[1] + 0; total = e[2] + 0 }
        found = 1
      }
    }
    END { printf "%d/%d\n", best, total }' "$1"
}

failed=0
check() {
  local target=$1
  shift
  local exe=$bin/$target
  [ -x "$exe" ] || { echo "fuzz-coverage: no $exe (scripts/build.sh fuzz $target)" >&2; exit 2; }
  local dirs=()
  for c in "${corpora[@]}"; do [ -d "$c/$target" ] && dirs+=("$c/$target"); done
  local report
  report=$(mktemp)
  "$exe" -runs=0 -print_coverage=1 "${dirs[@]}" >"$report" 2>&1 || {
    echo "fuzz-coverage: $target failed on its corpus" >&2
    tail -n 20 "$report" >&2
    rm -f "$report"
    exit 1
  }
  if ! grep -q '^COVERED_FUNC: .*latch::' "$report"; then
    echo "fuzz-coverage: $target printed no symbolized coverage (is llvm-symbolizer installed?)" >&2
    rm -f "$report"
    exit 2
  fi
  echo "$target (${dirs[*]})"
  local entry kind pattern covered
  for entry in "$@"; do
    kind=${entry%% *}
    pattern=${entry#* }
    covered=$(edges "$report" "$pattern")
    if [ "${covered%/*}" -gt 0 ]; then
      printf '  %-8s %9s  %s\n' reached "$covered" "$pattern"
    elif [ "$kind" = req ]; then
      printf '  %-8s %9s  %s\n' MISSING "$covered" "$pattern"
      failed=1
    else
      printf '  %-8s %9s  %s\n' - "$covered" "$pattern"
    fi
  done
  rm -f "$report"
}

check fuzz_jwt "${jwt[@]}"
check fuzz_envelope "${envelope[@]}"
check fuzz_client_input "${client[@]}"
check fuzz_hub_connection "${hub[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz-coverage: the seeds no longer reach a required function (see MISSING)" >&2
  exit 1
fi
echo "fuzz-coverage: every required function is reached"
