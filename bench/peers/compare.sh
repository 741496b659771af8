#!/usr/bin/env bash
# Latch next to two peers, Mosquitto 2 (MQTT 5, QoS 1) and Socket.IO 4, on one request/response
# workload: U users, D devices, user i paired with device i % D, one command in flight per
# user. Interleaved: every round runs, for each users/devices pair, each system once against a
# fresh server, so the ratios survive a noisy machine. Installs what it lacks (apt packages,
# `npm ci` here), builds mqtt_loadgen, proves each peer's access checks once, then measures.
# Every run's JSON line goes to --out; a markdown table of medians goes to stdout.
# See bench/peers/README.md.
#
#   bench/peers/compare.sh [--build build/release] [--rounds 3] [--duration 8] [--warmup 1]
#       [--users-devices 10/10,50/10] [--systems latch,latch-nosig,mosquitto,socketio]
#       [--lifetime 10] [--mqtt-loop poll] [--mqtt-threads 2] [--sio-workers 2]
#       [--out FILE] [--no-checks] [--wait-quiet SECONDS]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

build=build/release
rounds=3
duration=8
warmup=1
pairs=10/10,50/10
systems=latch,latch-nosig,mosquitto,socketio
lifetime=10          # Latch envelope lifetime (s); see README.md on the nonce cap
mqtt_loop=poll       # poll: mqtt_loadgen's own poll() threads; thread: mosquitto_loop_start
mqtt_threads=2
sio_workers=2        # Socket.IO load generator worker threads
out=""
checks=1
wait_quiet=0         # before each run, wait up to this long for the machine to be idle
usage() { sed -n '10,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while (($#)); do
  case $1 in
    --build) build=$2 ;; --rounds) rounds=$2 ;; --duration) duration=$2 ;; --warmup) warmup=$2 ;;
    --users-devices) pairs=$2 ;; --systems) systems=$2 ;; --lifetime) lifetime=$2 ;;
    --mqtt-loop) mqtt_loop=$2 ;; --mqtt-threads) mqtt_threads=$2 ;; --sio-workers) sio_workers=$2 ;;
    --out) out=$2 ;; --wait-quiet) wait_quiet=$2 ;;
    --no-checks) checks=0; shift; continue ;;
    *) usage ;;
  esac
  (($# >= 2)) || usage
  shift 2
done
[[ $build = /* ]] || { [[ -d $build ]] && build=$(realpath "$build") || build=$ROOT/$build; }
IFS=, read -r -a PAIRS <<< "$pairs"
IFS=, read -r -a SYSTEMS <<< "$systems"
for s in "${SYSTEMS[@]}"; do
  [[ $s =~ ^(latch|latch-nosig|mosquitto|socketio)$ ]] || { echo "unknown system $s" >&2; exit 2; }
done
for p in "${PAIRS[@]}"; do [[ $p =~ ^[0-9]+/[0-9]+$ ]] || { echo "bad pair $p" >&2; exit 2; }; done
wants() { [[ ",$systems," == *",$1,"* ]]; }

W=$(mktemp -d /tmp/latch-peers-XXXXXX)
chmod 711 "$W"  # mosquitto drops root for its own user and must reach its run directory
[[ -n $out ]] || out=$W/runs.jsonl
mkdir -p "$(dirname "$out")" && : > "$out"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ $out == "$W"/* ]] && cp "$out" "/tmp/latch-peers-last.jsonl" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "compare.sh: $*" >&2; }

# ---- what it needs -------------------------------------------------------------------------
need_apt=()
for pkg in mosquitto mosquitto-clients libmosquitto-dev; do
  if wants mosquitto && ! dpkg -s "$pkg" > /dev/null 2>&1; then need_apt+=("$pkg"); fi
done
if ((${#need_apt[@]})); then
  log "installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi
if wants socketio && ! (cd "$HERE" && npm ls --silent > /dev/null 2>&1); then
  log "npm ci in bench/peers"
  (cd "$HERE" && npm ci --no-audit --no-fund --silent >&2)
fi
if wants mosquitto; then make -s -C "$HERE" >&2; fi
# Latch's binaries are copied first: every round measures the same build even if the build
# directory is relinked meanwhile (`latch bench relay` provisions with the binary it runs in).
LATCH=$build/src/latch
NOSIG=$build/bench/latch-bench-nosig-server
if wants latch || wants latch-nosig; then
  [[ -x $LATCH ]] || { log "no $LATCH: build it, or pass --systems mosquitto,socketio"; exit 1; }
  log "latch: $LATCH ($(date -r "$LATCH" '+%F %T'))"
  cp "$LATCH" "$W/latch" && LATCH=$W/latch
fi
if wants latch-nosig; then
  [[ -x $NOSIG ]] || { log "no $NOSIG"; exit 1; }
  cp "$NOSIG" "$W/latch-bench-nosig-server" && NOSIG=$W/latch-bench-nosig-server
fi

# ---- servers ---------------------------------------------------------------------------------
# Waits (at most 10 s) for `pattern` in `file` while `pid` lives.
await_line() {
  local pid=$1 file=$2 pattern=$3 i
  for i in $(seq 100); do
    grep -q "$pattern" "$file" 2> /dev/null && return 0
    kill -0 "$pid" 2> /dev/null || return 1
    sleep 0.1
  done
  return 1
}
stop() {
  local pid=$1 i
  kill "$pid" 2> /dev/null || true
  for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  local keep=() p
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
# Percent of both cores idle over the next second.
idle_percent() {
  local a b
  read -r -a a < /proc/stat; sleep 1; read -r -a b < /proc/stat
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $((total ? 100 * (b[4] + b[5] - a[4] - a[5]) / total : 0))
}
# Waits (at most --wait-quiet seconds) until the machine is 90% idle: other work on a 2-core
# machine moves every figure. Prints the idle percent it last saw.
await_quiet() {
  local deadline=$((SECONDS + wait_quiet)) idle
  idle=$(idle_percent)
  while ((idle < 90 && SECONDS < deadline)); do sleep 4; idle=$(idle_percent); done
  echo "$idle"
}
run_bounded() { timeout --kill-after=5 "$(awk "BEGIN{print int($warmup+$duration+60)}")" "$@"; }

# Latch (`latch serve`, or the server without the envelope signature check): a fresh data
# directory, `latch bench relay` on it.  Sets server_pid.
start_latch() {
  local bin=$1 dir=$2
  mkdir -p "$dir"
  printf 'data = "%s/data"\nlog_level = "warn"\n' "$dir" > "$dir/config.toml"
  "$bin" serve --config "$dir/config.toml" --listen 127.0.0.1:0 > "$dir/server.out" \
    2> "$dir/server.err" &
  server_pid=$!
  PIDS+=("$server_pid")
  await_line "$server_pid" "$dir/server.out" 'latch listening on' || return 1
  server_port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$dir/server.out")
}
run_latch() {
  local bin=$1 dir=$2 users=$3 devices=$4
  start_latch "$bin" "$dir" || { echo '{"exit":1,"error":"server did not start"}' > "$dir/line"; return 1; }
  local rc=0
  run_bounded "$LATCH" bench relay --server "http://127.0.0.1:$server_port" --data "$dir/data" \
    --users "$users" --devices "$devices" --duration "$duration" --warmup "$warmup" \
    --lifetime "$lifetime" --server-pid "$server_pid" --json > "$dir/report.json" \
    2> "$dir/loadgen.err" || rc=$?
  stop "$server_pid"
  report_or_error "$dir" $rc
}

# Mosquitto: an account per user and device (mosquitto_passwd), an ACL file, no anonymous.
# Writes the broker's files into dir and the load generator's credentials into dir/creds.
mqtt_accounts() {
  local dir=$1 users=$2 devices=$3 i j pw
  mkdir -p "$dir"
  (umask 077 && : > "$dir/creds" && : > "$dir/passwd")
  : > "$dir/acl"
  for ((j = 0; j < devices; j++)); do
    pw=$(head -c 18 /dev/urandom | base64 | tr '/+' '_-')
    echo "device-$j $pw" >> "$dir/creds"
    echo "device-$j:$pw" >> "$dir/passwd"
    printf 'user device-%d\ntopic read home/%d/cmd\ntopic write home/%d/res/#\n\n' \
      "$j" "$j" "$j" >> "$dir/acl"
  done
  for ((i = 0; i < users; i++)); do
    pw=$(head -c 18 /dev/urandom | base64 | tr '/+' '_-')
    j=$((i % devices))
    echo "user-$i $pw" >> "$dir/creds"
    echo "user-$i:$pw" >> "$dir/passwd"
    printf 'user user-%d\ntopic write home/%d/cmd\ntopic read home/%d/res/%d\n\n' \
      "$i" "$j" "$j" "$i" >> "$dir/acl"
  done
  mosquitto_passwd -U "$dir/passwd"  # hashes the plain passwords in place
}
start_mosquitto() {
  local dir=$1 try
  if ((EUID == 0)) && id mosquitto > /dev/null 2>&1; then
    chgrp mosquitto "$dir" "$dir/passwd" "$dir/acl" && chmod 750 "$dir" && chmod 640 "$dir/passwd" "$dir/acl"
  fi
  for try in 1 2 3; do  # a free port can be taken before the broker binds it
    server_port=$(free_port)
    cat > "$dir/mosquitto.conf" <<EOF
listener $server_port 127.0.0.1
allow_anonymous false
password_file $dir/passwd
acl_file $dir/acl
persistence false
set_tcp_nodelay true
log_dest file $dir/mosquitto.log
EOF
    : > "$dir/mosquitto.log"
    chmod 666 "$dir/mosquitto.log"
    mosquitto -c "$dir/mosquitto.conf" 2> "$dir/server.err" &
    server_pid=$!
    PIDS+=("$server_pid")
    await_line "$server_pid" "$dir/mosquitto.log" 'running' && return 0
    stop "$server_pid"
  done
  return 1
}
run_mosquitto() {
  local dir=$1 users=$2 devices=$3 rc=0
  mqtt_accounts "$dir" "$users" "$devices"
  start_mosquitto "$dir" || { echo '{"exit":1,"error":"mosquitto did not start"}' > "$dir/line"; return 1; }
  run_bounded "$HERE/build/mqtt_loadgen" --port "$server_port" --creds "$dir/creds" \
    --users "$users" --devices "$devices" --duration "$duration" --warmup "$warmup" \
    --loop "$mqtt_loop" --threads "$mqtt_threads" --server-pid "$server_pid" \
    > "$dir/report.json" 2> "$dir/loadgen.err" || rc=$?
  stop "$server_pid"
  report_or_error "$dir" $rc
}

# Socket.IO: a random HS256 secret and the user -> device membership map.
sio_setup() {
  local dir=$1 users=$2 devices=$3
  mkdir -p "$dir"
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/secret")
  node -e 'const [u, d] = process.argv.slice(1).map(Number); const m = {};
    for (let i = 0; i < u; i++) m[`user-${i}`] = [`device-${i % d}`];
    console.log(JSON.stringify(m));' "$users" "$devices" > "$dir/members.json"
  node "$HERE/socketio_server.js" --secret-file "$dir/secret" --members-file "$dir/members.json" \
    > "$dir/server.out" 2> "$dir/server.err" &
  server_pid=$!
  PIDS+=("$server_pid")
  await_line "$server_pid" "$dir/server.out" 'socketio listening on' || return 1
  server_port=$(sed -n 's/socketio listening on //p' "$dir/server.out")
}
run_socketio() {
  local dir=$1 users=$2 devices=$3 rc=0
  sio_setup "$dir" "$users" "$devices" || { echo '{"exit":1,"error":"server did not start"}' > "$dir/line"; return 1; }
  run_bounded node "$HERE/socketio_loadgen.js" --port "$server_port" --secret-file "$dir/secret" \
    --users "$users" --devices "$devices" --duration "$duration" --warmup "$warmup" \
    --workers "$sio_workers" --server-pid "$server_pid" > "$dir/report.json" \
    2> "$dir/loadgen.err" || rc=$?
  stop "$server_pid"
  report_or_error "$dir" $rc
}

# Writes dir/line: the load generator's JSON (printed even by a failed Latch run) with its exit
# status, else an error object.
report_or_error() {
  local dir=$1 rc=$2 report err
  report=$(grep -m1 '^{' "$dir/report.json" || true)
  err=$(tail -n 3 "$dir/loadgen.err" | tr '\n"\\' '  /' | cut -c1-300)
  if [[ -n $report ]]; then
    echo "{\"exit\":$rc,\"stderr\":\"$err\",\"report\":$report}" > "$dir/line"
  else
    echo "{\"exit\":$rc,\"error\":\"no report\",\"stderr\":\"$err\"}" > "$dir/line"
  fi
  return "$rc"
}

# ---- the peers' access checks, once ------------------------------------------------------------
check_mosquitto() {
  local dir=$W/check-mqtt pw0 pw1 pwd0 pwd1 ok=true spy own
  mqtt_accounts "$dir" 2 2
  start_mosquitto "$dir" || { log "mosquitto did not start"; return 1; }
  pw0=$(awk '$1=="user-0"{print $2}' "$dir/creds"); pw1=$(awk '$1=="user-1"{print $2}' "$dir/creds")
  pwd0=$(awk '$1=="device-0"{print $2}' "$dir/creds"); pwd1=$(awk '$1=="device-1"{print $2}' "$dir/creds")
  local m=(-V mqttv5 -h 127.0.0.1 -p "$server_port" -q 1)
  local wrong_password=false foreign_command=false foreign_answer=false spy_blocked=false
  timeout 5 mosquitto_pub "${m[@]}" -u user-0 -P wrong -t home/0/cmd -m x 2> /dev/null ||
    wrong_password=true
  timeout 5 mosquitto_pub "${m[@]}" -u user-0 -P "$pw0" -t home/1/cmd -m x -d 2>&1 |
    grep -q 'RC:135' && foreign_command=true
  timeout 5 mosquitto_pub "${m[@]}" -u device-0 -P "$pwd0" -t home/1/res/1 -m x -d 2>&1 |
    grep -q 'RC:135' && foreign_answer=true
  # user-0 subscribes to user-1's answers: the broker must deliver them to user-1 only.
  timeout 5 mosquitto_sub "${m[@]}" -u user-0 -P "$pw0" -t home/1/res/1 -W 2 -C 1 > "$dir/spy" 2>&1 &
  spy=$!
  timeout 5 mosquitto_sub "${m[@]}" -u user-1 -P "$pw1" -t home/1/res/1 -W 2 -C 1 > "$dir/own" 2>&1 &
  own=$!
  sleep 0.5
  timeout 5 mosquitto_pub "${m[@]}" -u device-1 -P "$pwd1" -t home/1/res/1 -m answer || true
  wait "$spy" "$own" || true
  grep -q answer "$dir/own" && ! grep -q answer "$dir/spy" && spy_blocked=true
  stop "$server_pid"
  for v in $wrong_password $foreign_command $foreign_answer $spy_blocked; do [[ $v == true ]] || ok=false; done
  echo "{\"system\":\"mosquitto\",\"checks\":{\"wrong_password_refused\":$wrong_password,\"foreign_command_refused\":$foreign_command,\"foreign_answer_refused\":$foreign_answer,\"other_users_answers_not_delivered\":$spy_blocked},\"ok\":$ok}"
  [[ $ok == true ]]
}
check_socketio() {
  local dir=$W/check-sio rc=0
  sio_setup "$dir" 2 2 || { log "socket.io server did not start"; return 1; }
  timeout 20 node "$HERE/socketio_loadgen.js" --port "$server_port" --secret-file "$dir/secret" \
    --check || rc=$?
  stop "$server_pid"
  return $rc
}
# Servers run in this shell, never in a subshell, so that cleanup() knows every one of them.
if ((checks)); then
  if wants mosquitto; then
    rc=0; check_mosquitto > "$W/check.json" || rc=$?
    tee -a "$out" < "$W/check.json" >&2
    ((rc == 0)) || { log "mosquitto checks failed"; exit 1; }
  fi
  if wants socketio; then
    rc=0; check_socketio > "$W/check.json" || rc=$?
    tee -a "$out" < "$W/check.json" >&2
    ((rc == 0)) || { log "socket.io checks failed"; exit 1; }
  fi
fi

# ---- the rounds ---------------------------------------------------------------------------------
log "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); runs in $out"
failures=0
n=0
for ((round = 1; round <= rounds; round++)); do
  for pair in "${PAIRS[@]}"; do
    users=${pair%/*} devices=${pair#*/}
    for system in latch latch-nosig mosquitto socketio; do
      wants "$system" || continue
      n=$((n + 1))
      dir=$W/run-$n
      rc=0
      mkdir -p "$dir"
      idle=$(await_quiet)
      case $system in
        latch) run_latch "$LATCH" "$dir" "$users" "$devices" || rc=$? ;;
        latch-nosig) run_latch "$NOSIG" "$dir" "$users" "$devices" || rc=$? ;;
        mosquitto) run_mosquitto "$dir" "$users" "$devices" || rc=$? ;;
        socketio) run_socketio "$dir" "$users" "$devices" || rc=$? ;;
      esac
      line=$(cat "$dir/line")
      ((rc == 0)) || failures=$((failures + 1))
      echo "{\"round\":$round,\"system\":\"$system\",\"users\":$users,\"devices\":$devices,\"idle_before\":$idle,\"loadavg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",${line#\{}" >> "$out"
      log "round $round $system $pair (idle before: $idle%): $(node -e 'const r = JSON.parse(process.argv[1]);
        const x = r.report ?? {}; console.log(r.exit ? `FAILED (exit ${r.exit}) ${r.stderr ?? r.error}` :
        `${x.rps} per s, p50 ${x.latency_us?.p50} us`)' "$line")"
      rm -rf "$dir"
    done
  done
done
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
node "$HERE/summarize.js" "$out"
if ((failures)); then log "$failures run(s) failed: see $out"; exit 1; fi
