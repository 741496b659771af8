#!/usr/bin/env bash
# Installs what `scripts/build.sh aarch64` needs to cross-compile Latch for 64-bit ARM (a
# Raspberry Pi home hub running Debian 12 / Raspberry Pi OS bookworm): Debian's cross compiler,
# qemu-user (to run the result here), and the arm64 builds of the libraries Latch links.
# Idempotent: when everything is present it exits at once without touching apt.
#
# Rule: this never removes, upgrades or downgrades an installed package. Multi-Arch "same"
# packages must have the same version on every architecture, so installing libfoo:arm64 can
# drag the amd64 libfoo (and, through libc6-dev:arm64, e2fsprogs, krb5, linux-libc-dev...) to
# a newer version. Every install is simulated first; an arm64 -dev package whose install would
# change any installed package is instead downloaded (apt-get download, checked against the
# signed package lists) with its exactly-versioned runtime library and unpacked into
# build/aarch64/arm64-deps, which cmake/aarch64-linux-gnu.toolchain.cmake searches first.
#
# Not needed as arm64 packages: Boost (Latch uses only header-only parts, Asio/Beast/JSON/URL
# compiled in through their src.hpp, and the headers of the amd64 libboost1.81-dev are
# architecture-independent), CLI11 (Architecture: all) and toml++ (used header-only).
set -euo pipefail
cd "$(dirname "$0")/.."

TRIPLET=aarch64-linux-gnu
DEPS_DIR=${LATCH_AARCH64_DEPS:-$PWD/build/aarch64/arm64-deps}
HOST_DEBS=(g++-aarch64-linux-gnu qemu-user file)
ARM64_DEVS=(libssl-dev libsqlite3-dev libfmt-dev libspdlog-dev)

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
in_overlay() { [ -f "$DEPS_DIR/.installed/$1" ]; }

# Prints why a simulated install of "$@" is not acceptable (nothing when it is): removals,
# upgrades or downgrades of installed packages, or apt refusing (e.g. it would need removals).
unsafe() {
  local out
  if ! out=$(apt-get -s install --no-remove --no-install-recommends "$@" 2>&1); then
    printf '%s\n' "$out" | grep -E '^(E|W):' || echo "apt-get -s install failed"
    return
  fi
  printf '%s\n' "$out" | grep -E '^Remv |^Inst [^ ]+ \[' || true
}

apt_install() {
  local why
  why=$(unsafe "$@")
  if [ -n "$why" ]; then
    echo "setup-aarch64: refusing to install $*: it would change installed packages:" >&2
    printf '%s\n' "$why" >&2
    exit 1
  fi
  echo "setup-aarch64: installing $*"
  $SUDO apt-get install -y -qq --no-remove --no-install-recommends "$@" >/dev/null
}

# Unpacks the candidate version of the arm64 package $1, and of the packages it depends on with
# an exact version (its runtime library, e.g. libssl3 for libssl-dev), into $DEPS_DIR.
overlay_install() {
  local pkg=$1 ver deps p tmp
  ver=$(apt-cache policy "$pkg:arm64" | awk '/Candidate:/ {print $2}')
  if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then echo "setup-aarch64: no $pkg:arm64" >&2; exit 1; fi
  deps=$(apt-cache show "$pkg:arm64=$ver" | sed -n 's/^Depends: //p' | head -1 | tr ',' '\n' |
         sed -n 's/^ *\([^ ]*\) (= \([^)]*\)).*/\1:arm64=\2/p')
  echo "setup-aarch64: $pkg:arm64 cannot be installed without changing amd64 packages;" \
       "unpacking $pkg=$ver ${deps//$'\n'/ } into ${DEPS_DIR#"$PWD"/}"
  tmp=$(mktemp -d)
  # As root, apt-get download fetches as the unprivileged _apt user.
  if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  # shellcheck disable=SC2086  # $deps: one package=version per word
  (cd "$tmp" && apt-get download -qq "$pkg:arm64=$ver" $deps)
  mkdir -p "$DEPS_DIR/.installed"
  for p in "$tmp"/*.deb; do dpkg-deb -x "$p" "$DEPS_DIR"; done
  rm -rf "$tmp"
  # Absolute symlinks would point at the build machine's own files: make them relative.
  find "$DEPS_DIR/usr" -type l -lname '/*' | while read -r link; do
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$DEPS_DIR$(readlink "$link")")" "$link"
  done
  echo "$ver" > "$DEPS_DIR/.installed/$pkg"
}

need_arch=0
dpkg --print-foreign-architectures | grep -qx arm64 || need_arch=1
missing_host=()
for p in "${HOST_DEBS[@]}"; do installed "$p" || missing_host+=("$p"); done
missing_dev=()
for p in "${ARM64_DEVS[@]}"; do installed "$p:arm64" || in_overlay "$p" || missing_dev+=("$p"); done

if [ "$need_arch" -eq 0 ] && [ ${#missing_host[@]} -eq 0 ] && [ ${#missing_dev[@]} -eq 0 ]; then
  exit 0
fi

if [ "$need_arch" -eq 1 ]; then
  echo "setup-aarch64: adding the arm64 architecture to dpkg"
  $SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -qq

[ ${#missing_host[@]} -eq 0 ] || apt_install "${missing_host[@]}"

system_devs=()
overlay_devs=()
for p in "${missing_dev[@]}"; do
  if [ -z "$(unsafe "$p:arm64")" ]; then system_devs+=("$p:arm64"); else overlay_devs+=("$p"); fi
done
[ ${#system_devs[@]} -eq 0 ] || apt_install "${system_devs[@]}"
for p in "${overlay_devs[@]}"; do overlay_install "$p"; done

command -v "$TRIPLET-g++" >/dev/null || { echo "setup-aarch64: no $TRIPLET-g++" >&2; exit 1; }
