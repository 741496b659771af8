#!/usr/bin/env bash
# Checks the cross-compiled build/aarch64/src/latch (scripts/build.sh aarch64 latch): that it is
# an aarch64 executable, and, under qemu-user, that it runs: the store (SQLite), token signing
# (OpenSSL) and the server answering a negotiate over HTTP. Exit status 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=build/aarch64/src/latch
DEPS_DIR=${LATCH_AARCH64_DEPS:-$PWD/build/aarch64/arm64-deps}
[ -x "$BIN" ] || { echo "check-aarch64: no $BIN (run scripts/build.sh aarch64 latch)" >&2; exit 1; }

desc=$(file -b "$BIN")
echo "file: $desc"
case "$desc" in
  *"ELF 64-bit"*"ARM aarch64"*) ;;
  *) echo "check-aarch64: $BIN is not an aarch64 executable" >&2; exit 1 ;;
esac

if ! command -v qemu-aarch64 >/dev/null; then
  # A check that cannot run has not passed.
  echo "check-aarch64: no qemu-aarch64 (apt package qemu-user; scripts/setup-aarch64.sh installs it)" >&2
  exit 1
fi
# Libraries unpacked by setup-aarch64.sh need a path. With libc6:arm64 installed (multiarch, a
# dependency of every arm64 library package) the binary runs as on the Pi, with that glibc's own
# loader; otherwise the cross toolchain's copy of glibc serves (-L: qemu's prefix for guest paths).
QEMU=(qemu-aarch64 -E "LD_LIBRARY_PATH=$DEPS_DIR/usr/lib/aarch64-linux-gnu")
[ -e /lib/ld-linux-aarch64.so.1 ] || QEMU+=(-L /usr/aarch64-linux-gnu)
run() { "${QEMU[@]}" "$BIN" "$@"; }

tmp=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill -INT "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

run --help >"$tmp/help"
head -n 3 "$tmp/help"
echo "home add:  $(run home add "Pi test" --owner alice --data "$tmp/data" --json)"
list=$(run home list --data "$tmp/data" --json)
echo "home list: $list"
case "$list" in *'"Pi test"'*) ;; *) echo "check-aarch64: home list lacks the new home" >&2; exit 1 ;; esac
token=$(run token issue --sub alice --role user --ttl 5m --data "$tmp/data" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "check-aarch64: token issue printed no token" >&2; exit 1; }

# The server on a free port (port 0); it prints the address it listens on.
"${QEMU[@]}" "$BIN" serve --data "$tmp/data" --listen 127.0.0.1:0 --log-level warn >"$tmp/serve.out" 2>&1 &
server=$!
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^latch listening on \(http:[^ ]*\)$/\1/p' "$tmp/serve.out")
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
[ -n "$url" ] || { echo "check-aarch64: the server did not start:" >&2; cat "$tmp/serve.out" >&2; exit 1; }
echo "serve: $(cat "$tmp/serve.out")"
negotiate=$(curl -sS --max-time 20 -X POST -H "Authorization: Bearer $token" "$url/negotiate?negotiateVersion=1")
echo "negotiate: $negotiate"
case "$negotiate" in *'"connectionToken"'*) ;; *) echo "check-aarch64: negotiate failed" >&2; exit 1 ;; esac
unauth=$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -X POST "$url/negotiate?negotiateVersion=1")
echo "negotiate without a token: HTTP $unauth"
[ "$unauth" = 401 ] || { echo "check-aarch64: expected 401" >&2; exit 1; }
echo "check-aarch64: ok"
