#!/bin/sh
# The demo's door handler, run by `latch agent` for OPEN_DOOR and LOCK_DOOR with `--` and then
# the command's arguments as argv (never through a shell). A real one would drive a relay or a
# smart lock.
[ "$1" = "--" ] && shift
case "$LATCH_COMMAND" in
  OPEN_DOOR) echo "front door opened${1:+ for $1}" ;;
  LOCK_DOOR) echo "front door locked" ;;
  *) echo "unknown command $LATCH_COMMAND" >&2; exit 2 ;;
esac
