#!/usr/bin/env bash
# What a relayed command costs the server next to an echo round trip, on one fresh
# `latch-with-test-hooks serve` (log level warn, default threads), in interleaved rounds:
# `latch bench echo` with 10 connections, then `latch bench relay` with 10 users to 10 devices
# and 50 users to 10 devices, then 10 users to 10 devices paced at half of this round's
# closed-loop 10/10 rate (`--rate`, up to 8 in flight per user: the latency at half load). One JSON line per run on stdout; with --summary, a table of
# medians and the relay/echo ratio of server CPU per operation on stderr. See bench/README.md.
#
#   bench/relay_cost.sh [BUILD_DIR (build/release)] [ROUNDS (3)] [SECONDS (5)] [--summary]
set -euo pipefail
B=$(realpath "${1:-build/release}")
ROUNDS=${2:-3}
SECONDS_EACH=${3:-5}
SUMMARY=${4:-}
D=$(mktemp -d /tmp/latch-relay-cost-XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$D"' EXIT

# THREADS=N in the environment sets the server's I/O threads (default: one per core).
printf 'threads = %d\n' "${THREADS:-0}" > "$D/config.toml"
"$B/src/latch-with-test-hooks" serve --config "$D/config.toml" --data "$D/data" \
  --listen 127.0.0.1:0 --log-level warn > "$D/out" 2> "$D/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$D/out" && break; sleep 0.1; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$D/out")
(umask 077 && "$B/src/latch" token issue --sub bench-echo --role user --ttl 1h --data "$D/data" \
  > "$D/token.json")

for round in $(seq 1 "$ROUNDS"); do
  echo "{\"round\":$round,\"run\":\"echo\",\"report\":$("$B/src/latch" bench echo \
    --server "http://127.0.0.1:$port" --token-file "$D/token.json" --connections 10 \
    --duration "$SECONDS_EACH" --server-pid $pid --json)}" | tee -a "$D/runs.jsonl"
  for users in 10 50; do
    echo "{\"round\":$round,\"run\":\"relay-$users\",\"report\":$("$B/src/latch" bench relay \
      --server "http://127.0.0.1:$port" --data "$D/data" --users $users --devices 10 \
      --duration "$SECONDS_EACH" --server-pid $pid --json)}" | tee -a "$D/runs.jsonl"
  done
  half=$(tail -2 "$D/runs.jsonl" | head -1 |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["report"]["rps"] / 2)')
  echo "{\"round\":$round,\"run\":\"relay-10-half-rate\",\"report\":$("$B/src/latch" bench relay \
    --server "http://127.0.0.1:$port" --data "$D/data" --users 10 --devices 10 --rate "$half" --inflight 8 \
    --duration "$SECONDS_EACH" --server-pid $pid --json)}" | tee -a "$D/runs.jsonl"
done

if [ "$SUMMARY" = "--summary" ]; then
  python3 - "$D/runs.jsonl" >&2 <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    runs.setdefault(d["run"], []).append(d["report"])
def med(xs): return statistics.median(xs)
def cpu(r): return r.get("server_cpu_us_per_round_trip", r.get("server_cpu_us_per_command"))
echo_cpu = med([cpu(r) for r in runs["echo"]])
print("| run | per second | p50 / p99 ms | server CPU us each | / echo |")
print("|---|---|---|---|---|")
for name, rs in runs.items():
    c = med([cpu(r) for r in rs])
    print(f"| {name} | {med([r['rps'] for r in rs]):,.0f} | "
          f"{med([r['latency_us']['p50'] for r in rs])/1000:.2f} / "
          f"{med([r['latency_us']['p99'] for r in rs])/1000:.2f} | {c:.1f} | {c/echo_cpu:.2f}x |")
lagged = [r for r in runs.get("relay-10-half-rate", []) if "send_lag_us" in r]
if lagged:
    print(f"half rate: the load generator sent late by p50 "
          f"{med([r['send_lag_us']['p50'] for r in lagged])/1000:.2f} / p99 "
          f"{med([r['send_lag_us']['p99'] for r in lagged])/1000:.2f} ms (part of its latency)")
PY
fi
