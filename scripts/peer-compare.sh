#!/usr/bin/env bash
# Tianshu against an established peer (issues 8 and 17), END TO END on both sides: the same 50,000
# plants (the simulator's, seed 42) on the same China provinces basemap, drawn in a real window on
# an X display (Xvfb) at SIZE with software rendering, over a pan/zoom sweep; prints both and the
# ratios.
#
#   scripts/peer-compare.sh     (BIN=target/release/tianshu FRAMES=120 SIZE=1920x1080 RENDERER=auto)
#
# DISPLAY: used when set; otherwise the script starts `Xvfb :95 -screen 0 ${W}x${H}x24` and kills it
# after. Installs Debian's chromium with apt when it is missing, and echarts 5.6.0 + playwright-core
# from npm into target/peer-compare (ignored by git). Nothing else is downloaded.
#
# What each number includes (both sides: the whole frame to the screen under Xvfb, software
# rendering, the CPU of the whole process tree):
#  * ECharts 5.6 (scatter, `large: true`, on a geo component of assets/geo/china_provinces.geojson)
#    in Debian's Chromium as a kiosk window of SIZE (not headless), --disable-gpu (software raster
#    and compositing), driven by playwright-core (scripts/peer-compare.mjs). One ECharts update
#    (geo centre and zoom) per requestAnimationFrame; FRAMES timed frames after 10 warm-up ones.
#    - p50/p99: interval between rAF callbacks — the update, layout, canvas raster (renderer), the
#      compositing and the present to the X server (GPU/viz process) all fall inside one.
#    - frames/s: FRAMES / the sweep's wall time.
#    - CPU ms/frame: utime+stime (/proc/<pid>/stat) summed over every Chromium process (browser,
#      zygotes, renderer, GPU/viz, utilities: the launched browser and its descendants) from the
#      sweep's first frame to its last, / FRAMES. "presented" checks the X screen itself changes.
#    - sync (extra, not in the ratios): update + layout + canvas raster alone, synchronously, in
#      the renderer's main thread (no compositing, no present).
#  * Tianshu: `tianshu bench --window` (eframe + wgpu on whatever adapter there is: lavapipe —
#    software Vulkan — without a GPU, or the CPU renderer when --renderer exists and RENDERER picks
#    it) at SIZE, its "factories sweep" phase: the whole factories view (map + charts + table)
#    under a drag sweep of 60 frames (fixed by the bench, FRAMES does not apply) after 10 warm-up
#    frames, against the embedded backend with the live simulator.
#    - p50/p99: from one frame's start to the next (UI, tessellation, raster, present).
#    - CPU ms/frame: the tianshu process's CPU (all threads: UI, renderer and its raster threads,
#      client, embedded backend) over the phase / frames.
# Ratios are ECharts / Tianshu (above 1: Tianshu is faster or cheaper). Both sides include the
# software rasteriser; Tianshu's CPU also includes its embedded backend and the rest of its view.
# Chromium's kiosk window comes out 1 px narrower and shorter than the screen without a window
# manager (the "page" line prints the page's size).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/tianshu}
FRAMES=${FRAMES:-120}
SIZE=${SIZE:-1920x1080}
SEED=${SEED:-42}
COUNT=${COUNT:-50000}
RENDERER=${RENDERER:-auto}
PEER_DIR=${PEER_DIR:-target/peer-compare}
W=${SIZE%x*}; H=${SIZE#*x}
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release -p tianshu"; exit 1; }
if ! command -v "${CHROMIUM:-chromium}" >/dev/null; then
  echo "installing chromium (apt)"
  apt-get install -y --no-install-recommends chromium >/dev/null || {
    apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
fi
CHROMIUM=$(command -v "${CHROMIUM:-chromium}"); export CHROMIUM
mkdir -p "$PEER_DIR"
PEER_DIR=$(cd "$PEER_DIR" && pwd)
if [ ! -f "$PEER_DIR/node_modules/echarts/dist/echarts.min.js" ] || [ ! -d "$PEER_DIR/node_modules/playwright-core" ]; then
  echo "installing echarts and playwright-core (npm) into $PEER_DIR"
  (cd "$PEER_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund --silent echarts@5.6.0 playwright-core@1.65.1)
fi

XVFB_PID=
WORK=$(mktemp -d)
cleanup() {
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null && wait "$XVFB_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${DISPLAY:-}" ]; then
  Xvfb :95 -screen 0 "${W}x${H}x24" -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
  XVFB_PID=$!
  export DISPLAY=:95
  for _ in $(seq 50); do [ -S /tmp/.X11-unix/X95 ] && break; sleep 0.1; done
  kill -0 "$XVFB_PID" 2>/dev/null || { echo "Xvfb :95 did not start:"; cat "$WORK/xvfb.log"; exit 1; }
fi

"$BIN" bench --export-points "$PEER_DIR/points.json" --factories "$COUNT" --seed "$SEED" >/dev/null 2>&1
PEER=$(node scripts/peer-compare.mjs "$PEER_DIR" "$PEER_DIR/points.json" assets/geo/china_provinces.geojson "$W" "$H" "$FRAMES")

RENDERER_ARGS=()
if "$BIN" bench --help 2>/dev/null | grep -q -- '--renderer'; then RENDERER_ARGS=(--renderer "$RENDERER"); fi
"$BIN" bench --window --size "$SIZE" --factories "$COUNT" --seed "$SEED" "${RENDERER_ARGS[@]}" \
  --json "$WORK/tianshu.json" >"$WORK/tianshu.txt" 2>"$WORK/tianshu.err" || {
  echo "tianshu bench --window failed:"; tail -20 "$WORK/tianshu.err"; exit 1; }

node -e '
const fs = require("fs");
const [peerJson, oursFile, size, frames, renderer] = process.argv.slice(1);
const p = JSON.parse(peerJson), t = JSON.parse(fs.readFileSync(oursFile, "utf8"));
const o = t.phases.find((x) => x.name === "factories sweep");
if (!o) throw new Error("no \"factories sweep\" phase in tianshu bench --window --json");
const f = (x, d = 1) => x.toFixed(d);
const r = (a, b) => (a / b).toFixed(2);
const byType = Object.entries(p.cpu.ms_by_type).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${f(v / +frames)}`).join(", ");
console.log(`peer-compare ${size}, ${p.points} points, display ${process.env.DISPLAY}, end to end (frame to the screen, software rendering, CPU of the whole process tree):`);
console.log(`  ECharts ${p.echarts} / Chromium ${p.chromium} (--disable-gpu, kiosk window, page ${p.inner.join("x")}, presented: ${p.presented}), ${p.raf.n} frames:`);
console.log(`    ECharts  rAF interval p50 ${f(p.raf.p50)} ms, p99 ${f(p.raf.p99)} ms, ${f(p.raf.fps)} frames/s, CPU ${f(p.cpu.ms_per_frame)} ms/frame (${p.cpu.processes} processes: ${byType})`);
console.log(`    ECharts  sync update+layout+raster (extra, no present): p50 ${f(p.sync.p50)} ms, p99 ${f(p.sync.p99)} ms`);
console.log(`  Tianshu window bench (${t.adapter || "?"}, ${t.adapter_type || "?"}, ${t.backend || "?"}; renderer ${renderer}), "${o.name}", ${o.frames} frames:`);
console.log(`    Tianshu  frame interval p50 ${f(o.p50_interval_ms)} ms, p99 ${f(o.p99_interval_ms)} ms, ${f(o.fps)} frames/s, CPU ${f(o.cpu_ms_per_frame)} ms/frame`);
console.log(`  ratios (ECharts / Tianshu): p50 ${r(p.raf.p50, o.p50_interval_ms)}x, p99 ${r(p.raf.p99, o.p99_interval_ms)}x, CPU ms/frame ${r(p.cpu.ms_per_frame, o.cpu_ms_per_frame)}x`);
console.log(`peer-compare: ratio_p50=${r(p.raf.p50, o.p50_interval_ms)}x ratio_p99=${r(p.raf.p99, o.p99_interval_ms)}x ratio_cpu=${r(p.cpu.ms_per_frame, o.cpu_ms_per_frame)}x`);
' "$PEER" "$WORK/tianshu.json" "$SIZE" "$FRAMES" "${RENDERER_ARGS[1]:-n/a}"
