#!/usr/bin/env bash
# Idle CPU of the real console (issue 8): the console under Xvfb (wgpu on lavapipe where there is
# no GPU) against a `tianshu serve` whose data does not change (`--paused`: no simulation step, the
# event stream carries only keep-alives), and again against the live simulator. For each, waits
# for the console to settle, then samples /proc/<pid>/stat CPU time over a window and counts the
# frames drawn (the console logs each frame at RUST_LOG=tianshu::frames=debug).
#
#   scripts/idle-cpu.sh [BINARY] [SECONDS]     (default target/release/tianshu, 60 s)
#   VIEWS="progress factories" scripts/idle-cpu.sh
set -euo pipefail
BIN=${1:-target/release/tianshu}
WINDOW=${2:-60}
SETTLE=${SETTLE:-20}
VIEWS=${VIEWS:-progress}
DISPLAY_NUM=${DISPLAY_NUM:-:187}
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release -p tianshu)"; exit 1; }
command -v Xvfb >/dev/null || { echo "Xvfb is missing (apt-get install xvfb)"; exit 1; }
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
Xvfb "$DISPLAY_NUM" -screen 0 1920x1080x24 >/dev/null 2>&1 & PIDS+=($!)
sleep 1
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() { # label, serve flags..., then view via $VIEW
  local label=$1; shift
  local port=$((20000 + RANDOM % 20000))
  "$BIN" serve --memory --listen "127.0.0.1:$port" "$@" >"$WORK/serve.log" 2>&1 & local serve=$!
  PIDS+=($serve)
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.2; done
  DISPLAY=$DISPLAY_NUM XDG_RUNTIME_DIR=$WORK WAYLAND_DISPLAY= RUST_LOG=warn,tianshu::frames=debug \
    "$BIN" --backend "http://127.0.0.1:$port" --view "$VIEW" --size 1600x900 \
    --config "$WORK/none.toml" >"$WORK/console.log" 2>&1 & local console=$!
  PIDS+=($console)
  sleep "$SETTLE"
  kill -0 "$console" 2>/dev/null || { echo "console exited:"; tail -5 "$WORK/console.log"; return 1; }
  local f0 c0 s0 f1 c1 s1
  f0=$(grep -c ' frame' "$WORK/console.log" || true); c0=$(cpu_ticks "$console"); s0=$(cpu_ticks "$serve")
  sleep "$WINDOW"
  f1=$(grep -c ' frame' "$WORK/console.log" || true); c1=$(cpu_ticks "$console"); s1=$(cpu_ticks "$serve")
  kill "$console" "$serve" 2>/dev/null || true
  wait "$console" "$serve" 2>/dev/null || true
  awk -v l="$label" -v v="$VIEW" -v c=$((c1 - c0)) -v s=$((s1 - s0)) -v f=$((f1 - f0)) -v t="$TICKS" -v w="$WINDOW" \
    'BEGIN { printf "%-28s view=%-10s console_cpu=%6.2f%% of a core  frames=%d (%.2f/s)  serve_cpu=%5.2f%%\n", l, v, 100*c/t/w, f, f/w, 100*s/t/w }'
}

echo "idle-cpu: $BIN, ${WINDOW} s window after ${SETTLE} s, Xvfb $DISPLAY_NUM; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
for VIEW in $VIEWS; do
  measure "idle (serve --paused)" --paused
  measure "live simulator (60x, 1 s step)"
done
