#!/usr/bin/env bash
# Runs the whole test suite: unit, API end to end, faults and hostile input, console flows
# (egui_kittest on Mesa's software renderer), the real-window smoke tests (under a private Xvfb) and the
# tests against real PostgreSQL, Prometheus and Secret Service servers (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/system-packages.sh
# Real servers some tests run against (each test starts its own on a free port):
bash scripts/postgres-packages.sh      # two `serve` replicas on one PostgreSQL
bash scripts/prometheus-packages.sh    # the Prometheus latency adapter
bash scripts/keyring-test-packages.sh  # the console token in a real Secret Service keyring
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked "$@" 2>&1 | tee "$log" || status=$?
# One closing line over every test binary (cargo prints one result line per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
