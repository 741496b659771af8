#!/usr/bin/env bash
# `latch bench` (on the C++ client library) next to `latch-bench` (the raw-protocol yardstick)
# against one fresh `latch-with-test-hooks serve`, alternating, so that the ratios survive a
# noisy machine: echo with the raw client, then `latch bench echo` and `latch bench relay`,
# each on one shared client I/O thread and on a thread per connection. One JSON line per run
# on stdout, to be compared as ratios within a round. See bench/README.md.
#
#   bench/loadgen_compare.sh [BUILD_DIR (build/release)] [ROUNDS (3)] [SECONDS (5)]
set -euo pipefail
B=$(realpath "${1:-build/release}")
ROUNDS=${2:-3}
SECONDS_EACH=${3:-5}
D=$(mktemp -d /tmp/latch-loadgen-XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$D"' EXIT

"$B/src/latch-with-test-hooks" serve --data "$D/data" --listen 127.0.0.1:0 --log-level warn \
  > "$D/out" 2> "$D/err" &
pid=$!
until grep -q listening "$D/out"; do sleep 0.1; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$D/out")
(umask 077 && "$B/src/latch" token issue --sub bench-echo --role user --ttl 1h --data "$D/data" \
  > "$D/token.json")
token=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$D/token.json")

for round in $(seq 1 "$ROUNDS"); do
  echo "{\"round\":$round,\"run\":\"raw-echo\",\"report\":$("$B/bench/latch-bench" echo \
    --url "ws://127.0.0.1:$port/hubs/command?access_token=$token" --connections 10 \
    --duration "$SECONDS_EACH" --server-pid $pid --json)}"
  # The client library on one shared I/O thread (the default), then a thread per connection.
  for threads in 1 0; do
    echo "{\"round\":$round,\"run\":\"latch-bench-echo-t$threads\",\"report\":$("$B/src/latch" \
      bench echo --server "http://127.0.0.1:$port" --token-file "$D/token.json" --connections 10 \
      --threads $threads --duration "$SECONDS_EACH" --server-pid $pid --json)}"
  done
  for threads in 1 0; do
    echo "{\"round\":$round,\"run\":\"latch-bench-relay-t$threads\",\"report\":$("$B/src/latch" \
      bench relay --server "http://127.0.0.1:$port" --data "$D/data" --users 10 --devices 10 \
      --threads $threads --duration "$SECONDS_EACH" --lifetime 5 --server-pid $pid --json)}"
  done
done
