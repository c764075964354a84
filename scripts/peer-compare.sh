#!/usr/bin/env bash
# Tianshu against an established peer (issue 8): the same 50,000 plants (the simulator's, seed 42)
# drawn by `tianshu bench --view factories` and by Apache ECharts (scatter on a geo component) in
# headless Chromium, both at 3840×2160 over a pan/zoom sweep; prints both and the ratio.
#
#   scripts/peer-compare.sh            (BIN=target/release/tianshu FRAMES=120 SIZE=3840x2160)
#
# Installs Debian's chromium with apt when it is missing, and echarts + playwright-core from npm into
# target/peer-compare (ignored by git). Nothing else is downloaded.
#
# What each number measures — they are NOT the same work:
#  * Tianshu: the CPU side of a frame (egui UI build + tessellation into vertex buffers) of the
#    whole factories view (map + charts + table); rasterisation happens on the GPU and is not in it.
#    The map draws plants clustered on a screen grid (one marker per occupied cell) once zoomed out.
#  * ECharts "sync": option update + layout + drawing every one of the 50,000 points into a 2D
#    canvas with Chromium's software rasteriser (--disable-gpu); no compositing.
#  * ECharts "raf": interval between requestAnimationFrame frames with one update each (adds page
#    compositing; floor 16.7 ms, Chromium's frame clock).
# The ratio compares Tianshu's CPU frame with ECharts' sync frame. It is NOT like for like: ECharts'
# figure includes rasterising the picture in software; Tianshu's leaves rasterisation to the GPU.
# Without a GPU (lavapipe, software Vulkan) Tianshu's rasterisation costs CPU too and is not timed
# here (scripts/idle-cpu.sh's live figure is the whole console, raster included, at one frame/s).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/tianshu}
FRAMES=${FRAMES:-120}
SIZE=${SIZE:-3840x2160}
SEED=${SEED:-42}
COUNT=${COUNT:-50000}
PEER_DIR=${PEER_DIR:-target/peer-compare}
W=${SIZE%x*}; H=${SIZE#*x}
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release -p tianshu"; exit 1; }
if ! command -v "${CHROMIUM:-chromium}" >/dev/null; then
  echo "installing chromium (apt)"
  apt-get install -y --no-install-recommends chromium >/dev/null || {
    apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
fi
mkdir -p "$PEER_DIR"
PEER_DIR=$(cd "$PEER_DIR" && pwd)
if [ ! -f "$PEER_DIR/node_modules/echarts/dist/echarts.min.js" ] || [ ! -d "$PEER_DIR/node_modules/playwright-core" ]; then
  echo "installing echarts and playwright-core (npm) into $PEER_DIR"
  (cd "$PEER_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund --silent echarts@5.6.0 playwright-core@1.65.1)
fi
"$BIN" bench --export-points "$PEER_DIR/points.json" --factories "$COUNT" --seed "$SEED" 2>/dev/null
PEER=$(node scripts/peer-compare.mjs "$PEER_DIR" "$PEER_DIR/points.json" assets/geo/china_provinces.geojson "$W" "$H" "$FRAMES")
echo "echarts: $PEER"
OURS=$("$BIN" bench --view factories --factories "$COUNT" --seed "$SEED" --frames "$FRAMES" --size "$SIZE" 2>/dev/null)
echo "$OURS" | grep -E '^(view|factories) '
read -r T50 T99 < <(echo "$OURS" | awk '$1 == "factories" { print $3, $4 }')
node -e '
const p = JSON.parse(process.argv[1]); const t50 = +process.argv[2], t99 = +process.argv[3];
const f = (x) => x.toFixed(2);
console.log(`peer-compare ${process.argv[4]}, ${p.points} points, ECharts ${p.echarts} in Chromium ${p.chromium} (software):`);
console.log(`  ECharts sync frame (update + layout + canvas raster): p50 ${f(p.sync.p50)} ms, p99 ${f(p.sync.p99)} ms, max ${f(p.sync.max)} ms`);
console.log(`  ECharts rAF interval (adds compositing):              p50 ${f(p.raf.p50)} ms, p99 ${f(p.raf.p99)} ms`);
console.log(`  Tianshu factories view, CPU side (UI build + tessellation, no raster): p50 ${f(t50)} ms, p99 ${f(t99)} ms`);
console.log(`peer-compare: ratio_p50=${(p.sync.p50 / t50).toFixed(1)}x ratio_p99=${(p.sync.p99 / t99).toFixed(1)}x (ECharts sync / Tianshu CPU)`);
' "$PEER" "$T50" "$T99" "$SIZE"
