#!/usr/bin/env bash
# Starts a private PostgreSQL 15 cluster in a temporary directory and prints its URL.
# Usage: eval "$(scripts/pg-start.sh)"   -> sets TEST_DATABASE_URL and ROSTER_PG_DIR
# Stop it with scripts/pg-stop.sh.
set -euo pipefail
port_free() { ! (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT="${ROSTER_PG_PORT:-}"
if [ -z "$PORT" ]; then
  for p in $(seq 54329 54399); do
    if port_free "$p"; then PORT=$p; break; fi
  done
fi
[ -n "$PORT" ] || { echo "no free port for PostgreSQL" >&2; exit 1; }
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "PostgreSQL server binaries not found; install postgresql" >&2
  exit 1
fi
DIR="$(mktemp -d /tmp/roster-pg.XXXXXX)"
chmod 755 "$DIR"
run_pg() {
  if [ "$(id -u)" = "0" ]; then
    chown -R postgres:postgres "$DIR"
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}
run_pg "'$BIN/initdb' -D '$DIR/data' -U postgres --auth=trust --encoding=UTF8 --no-locale" >"$DIR/initdb.log" 2>&1
run_pg "'$BIN/pg_ctl' -D '$DIR/data' -l '$DIR/server.log' -w -t 60 -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start" >&2
echo "export ROSTER_PG_DIR='$DIR'"
echo "export TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$PORT/postgres'"
