#!/usr/bin/env bash
# Runs every test of Roster: one debug build shared by all stages, the Rust tests on SQLite,
# the same tests again on a private PostgreSQL cluster, then the end-to-end suite in Chromium
# (JavaScript enabled and disabled).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export CARGO_TERM_COLOR=never
export RUST_BACKTRACE=1

step() { printf '\n=== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }
START=$(date +%s)

step "installing test dependencies"
scripts/install-test-deps.sh

step "formatting"
cargo fmt --all -- --check

step "building (one debug build for every stage)"
cargo build --workspace --all-targets --locked

step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests on SQLite"
env -u TEST_DATABASE_URL cargo test --workspace --locked

step "Rust tests on PostgreSQL"
pg_env="$(scripts/pg-start.sh)"   # fails the run if the cluster does not start
eval "$pg_env"
trap 'scripts/pg-stop.sh' EXIT
[ -n "${TEST_DATABASE_URL:-}" ] || { echo "TEST_DATABASE_URL is not set" >&2; exit 1; }
cargo test --workspace --locked

step "end-to-end tests"
(cd end2end && ROSTER_BIN="$PWD/../target/debug/roster" npx playwright test)

step "all tests passed in $(( $(date +%s) - START )) s"
