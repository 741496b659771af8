#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for the given number of seconds (default 60),
# starting from the checked-in seed corpus. A crash fails the script, and so do seeds that no
# longer reach the code behind the checks they are meant to pass (scripts/fuzz-coverage.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=(fuzz_hub_message fuzz_hub_connection fuzz_request_target fuzz_jwt fuzz_envelope
  fuzz_form_body fuzz_client_input)
scripts/build.sh fuzz "${targets[@]}"
for name in "${targets[@]}"; do
  target=build/fuzz/fuzz/$name
  # A target that was not built has not been fuzzed: fail rather than skip it.
  [ -x "$target" ] || { echo "fuzz: no $target" >&2; exit 1; }
  corpus=build/fuzz/corpus/$name
  mkdir -p "$corpus"
  echo "fuzzing $name for ${seconds}s"
  # pipefail: a crash (the fuzzer's non-zero status) fails the script through the pipe.
  "$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    "$corpus" "fuzz/seeds/$name" 2>&1 | tail -n 3
done
# After fuzzing: a seed corpus that stopped reaching its deep code fails here too.
scripts/fuzz-coverage.sh
