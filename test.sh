#!/usr/bin/env bash
# Runs the whole test suite: unit, API end to end, faults and hostile input, console flows
# (egui_kittest on Mesa's software renderer) and the real-window smoke tests (under a private Xvfb).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/system-packages.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --locked "$@" 2>&1 | tee "$log" || status=$?
# One closing line over every test binary (cargo prints one result line per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
