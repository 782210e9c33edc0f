#!/usr/bin/env bash
# Stops the cluster started by scripts/pg-start.sh and removes its directory.
set -uo pipefail
DIR="${ROSTER_PG_DIR:?ROSTER_PG_DIR is not set}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ "$(id -u)" = "0" ]; then
  su postgres -s /bin/bash -c "'$BIN/pg_ctl' -D '$DIR/data' -m fast -w stop" >/dev/null 2>&1
else
  "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
fi
rm -rf "$DIR"
