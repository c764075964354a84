#!/usr/bin/env bash
# Memory soak (issue 8), console and backend apart: `tianshu serve` (60× simulated speed, a step
# every 100 ms, decisions in a SQLite file) in one process, `tianshu bench --soak` (the console's
# state, client and headless frames) in another; both RSS sampled every INTERVAL s. The console's
# drift is printed by the bench (after its warm-up); the backend's from the samples here.
#
#   scripts/soak.sh [SECONDS] [INTERVAL] [WARMUP]     (default 3600 30 300; BIN=target/release/tianshu)
#
# `tianshu bench --soak SECONDS` alone measures both in one process (the embedded backend, whose
# decisions and audit trail are kept in memory and grow by design).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/tianshu}
SECONDS_TOTAL=${1:-3600}
INTERVAL=${2:-30}
WARMUP=${3:-300}
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release -p tianshu"; exit 1; }
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000))
"$BIN" serve --listen "127.0.0.1:$PORT" --db "$WORK/soak.sqlite" --speed 60 >"$WORK/serve.log" 2>&1 &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break; sleep 0.2; done
rss() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
( start=$(date +%s)
  while kill -0 $SERVE 2>/dev/null; do
    echo "serve t=$(( $(date +%s) - start ))s rss_mb=$(rss $SERVE)"
    sleep "$INTERVAL"
  done ) >"$WORK/serve-rss.log" &
SAMPLER=$!
"$BIN" bench --soak "$SECONDS_TOTAL" --sample-every "$INTERVAL" --warmup "$WARMUP" \
  --backend "http://127.0.0.1:$PORT" 2>/dev/null | sed -u 's/^soak/console soak/'
kill $SAMPLER 2>/dev/null || true
awk -v w="$WARMUP" '{ split($2, t, "="); sub("s", "", t[2]); split($3, r, "=");
  if (t[2] + 0 >= w + 0) { if (!n++) s = r[2]; e = r[2]; if (r[2] > m) m = r[2] } }
  END { if (n) printf "serve soak: after the %d s warm-up RSS start %.1f MB, end %.1f MB, max %.1f MB, drift_pct=%+.2f\n", w, s, e, m, (e - s) / s * 100 }' \
  "$WORK/serve-rss.log"
