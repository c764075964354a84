// The peer side of scripts/peer-compare.sh: the same plants as an Apache ECharts scatter on a geo
// component (China's provinces, the console's own basemap file), in Chromium as a real window on
// the X display in $DISPLAY (Xvfb here), software raster and compositing (--disable-gpu), kiosk
// mode at WIDTH×HEIGHT, timed end to end over a pan/zoom sweep. Prints one JSON line.
//
//   DISPLAY=:95 node scripts/peer-compare.mjs PEER_DIR POINTS.json PROVINCES.geojson WIDTH HEIGHT FRAMES
//
// The sweep: one ECharts update (geo centre and zoom) per requestAnimationFrame, FRAMES timed
// frames after WARMUP untimed ones. "raf" is the interval between rAF callbacks (the update, layout,
// the canvas raster in the renderer, compositing and the present to the X server in the GPU/viz
// process all fall between two of them), "cpu" the CPU time (utime + stime from /proc) of every
// Chromium process (browser, renderers, GPU/viz, utilities: the launched browser and all its
// descendants) from the sweep's first frame to its last, divided by FRAMES. "sync" (extra, not
// timed for CPU): SYNC_FRAMES synchronous updates + canvas draws, no compositing or present.
// "presented" is checked on the X screen itself: two grabs of the root window (ImageMagick's
// `import`, when installed) at two views must differ and show the map.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [peerDir, pointsFile, geoFile, width, height, frames] = process.argv.slice(2);
const require = createRequire(path.resolve(peerDir, 'package.json'));
const { chromium } = require('playwright-core');
const echartsFile = require.resolve('echarts/dist/echarts.min.js');
const W = Number(width), H = Number(height), N = Number(frames);
const WARMUP = Number(process.env.WARMUP || 10);
const SYNC_FRAMES = Number(process.env.SYNC_FRAMES ?? 20);
if (!process.env.DISPLAY) throw new Error('DISPLAY is not set (the peer runs as a real window)');

// --- The Chromium process tree's CPU, from /proc -------------------------------------------------
const HZ = 100; // USER_HZ: /proc reports CPU times in clock ticks of 1/100 s.
function procs() {
  const out = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' '); // f[0] = state (field 3)
      // Chromium rewrites its children's command lines into one space-separated title.
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      out.set(Number(d), {
        pid: Number(d), comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]),
        type: (cmd.match(/(?:^|[\s\0])--type=([^\s\0]+)/) || [])[1] || (comm.startsWith('chromium') ? 'browser' : comm), cmd,
      });
    } catch { /* gone meanwhile */ }
  }
  return out;
}
// Every process below this node process (the launched browser: Debian's wrapper execs the real
// binary in place, so the browser is our child, zygotes, renderers and the GPU process below it),
// plus any process naming our profile directory (in case one was re-parented).
function chromiumTree(profile) {
  const all = procs();
  const kids = new Map();
  for (const p of all.values()) {
    if (!kids.has(p.ppid)) kids.set(p.ppid, []);
    kids.get(p.ppid).push(p.pid);
  }
  const tree = new Map();
  const stack = [...(kids.get(process.pid) || [])];
  while (stack.length) {
    const pid = stack.pop();
    if (tree.has(pid) || !all.has(pid)) continue;
    tree.set(pid, all.get(pid));
    stack.push(...(kids.get(pid) || []));
  }
  for (const p of all.values()) {
    if (!tree.has(p.pid) && p.cmd.includes(profile)) tree.set(p.pid, p);
  }
  return tree;
}
function cpuByType(tree) {
  const by = {};
  for (const p of tree.values()) by[p.type] = (by[p.type] || 0) + p.ticks;
  return by;
}

// --- The X screen, to check that frames reach it -------------------------------------------------
function grabScreen() {
  try {
    return execFileSync('import', ['-display', process.env.DISPLAY, '-window', 'root', '-depth', '8', 'rgb:-'],
      { maxBuffer: 4 * W * H + (1 << 20), stdio: ['ignore', 'pipe', 'ignore'] });
  } catch { return null; }
}
const distinctColours = (buf) => {
  const seen = new Set();
  for (let i = 0; i < buf.length && seen.size < 64; i += 3 * 97) seen.add(buf.readUIntBE(i, 3));
  return seen.size;
};

const profile = fs.mkdtempSync(path.join(peerDir, 'chromium-profile-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: false,
  viewport: null, // the page is the window's own size (no emulated viewport)
  deviceScaleFactor: undefined,
  args: ['--disable-gpu', '--no-sandbox', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-quic',
         `--window-size=${W},${H}`, '--window-position=0,0', '--kiosk', '--force-device-scale-factor=1'],
});
try {
  const page = context.pages()[0] || await context.newPage();
  await page.bringToFront();
  await page.setContent(`<html><body style="margin:0;overflow:hidden;background:#0b1220">
    <div id="c" style="width:100vw;height:100vh"></div></body></html>`);
  await page.addScriptTag({ path: echartsFile });
  const points = JSON.parse(fs.readFileSync(pointsFile, 'utf8'));
  const geo = JSON.parse(fs.readFileSync(geoFile, 'utf8'));

  // The sweep's start and end marks: node reads the process tree's CPU there.
  const marks = {};
  await page.exposeFunction('peerMark', (name) => {
    marks[name] = { tree: chromiumTree(profile) };
  });

  await page.evaluate(({ points, geo }) => {
    const echarts = window.echarts;
    echarts.registerMap('cn', geo);
    const chart = echarts.init(document.getElementById('c'), null, { renderer: 'canvas' });
    // One series per upgrade stage (the console colours points by stage), large mode: ECharts'
    // recommended setting for big scatters (points drawn as one path per series, no per-point
    // elements).
    const colours = ['#64748b', '#38bdf8', '#22c55e', '#f59e0b', '#a855f7', '#ef4444'];
    const byStage = new Map();
    for (let i = 0; i < points.count; i++) {
      const s = points.stage[i] % colours.length;
      if (!byStage.has(s)) byStage.set(s, []);
      byStage.get(s).push([points.lon[i], points.lat[i]]);
    }
    const series = [...byStage.entries()].map(([s, data]) => ({
      type: 'scatter', coordinateSystem: 'geo', large: true, largeThreshold: 2000,
      symbolSize: 3, itemStyle: { color: colours[s] }, data, silent: true,
    }));
    const centre = [104.0, 35.0];
    chart.setOption({
      animation: false, backgroundColor: '#0b1220',
      geo: { map: 'cn', roam: true, center: centre, zoom: 1.2,
             itemStyle: { areaColor: '#1e293b', borderColor: '#475569' }, silent: true },
      series,
    });
    chart.getZr().refreshImmediately();
    // The sweep (as the console's bench: a 120-frame cycle, a drag for the first half, wheel in
    // then out for the second): the centre moves every frame, and the zoom changes every frame
    // too (a slight breathing while dragging, ×1.1 per frame while wheeling).
    window.peerView = (i) => {
      const phase = i % 120;
      const center = [centre[0] + Math.sin(phase * 0.3) * 4, centre[1] + Math.cos(phase * 0.2) * 2.5];
      let zoom = 1.2 * (1 + 0.05 * Math.sin(phase * 0.25));
      if (phase >= 60 && phase < 90) zoom = 1.2 * Math.pow(1.1, phase - 59);
      if (phase >= 90) zoom = 1.2 * Math.pow(1.1, 120 - phase);
      return { center, zoom };
    };
    window.peerChart = chart;
  }, { points, geo });

  // (1) Display frames: one update per requestAnimationFrame; WARMUP untimed, then N timed
  // (N intervals from the first timed callback to the one after the last update).
  const raf = await page.evaluate(async ({ N, WARMUP }) => {
    const chart = window.peerChart;
    const update = (i) => chart.setOption({ geo: window.peerView(i) }, { lazyUpdate: false, silent: true });
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    for (let i = 0; i < WARMUP; i++) { await frame(); update(120 - WARMUP + i); }
    await frame();
    await window.peerMark('start');
    const times = [];
    await new Promise((resolve) => {
      let i = 0;
      const step = (now) => {
        times.push(now);
        if (i >= N) { resolve(); return; }
        update(i++);
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    await window.peerMark('end');
    const intervals = times.slice(1).map((t, k) => t - times[k]);
    return { intervals, seconds: (times[times.length - 1] - times[0]) / 1000,
             inner: [window.innerWidth, window.innerHeight], dpr: window.devicePixelRatio };
  }, { N, WARMUP });

  const t0 = marks.start.tree, t1 = marks.end.tree;
  let ticks = 0;
  const byType = {};
  for (const [pid, p] of t1) {
    const d = p.ticks - (t0.get(pid)?.ticks ?? 0);
    ticks += d;
    byType[p.type] = (byType[p.type] || 0) + d;
  }
  const cpuMs = (ticks * 1000) / HZ;
  const browserPid = [...t1.values()].find((p) => p.ppid === process.pid)?.pid;

  // (2) Is the picture on the X screen? Two grabs at two views must differ and show the map.
  let presented = 'unchecked (no ImageMagick import)';
  const a = grabScreen();
  if (a) {
    await page.evaluate(async () => {
      window.peerChart.setOption({ geo: { center: [110, 30], zoom: 3 } }, { lazyUpdate: false, silent: true });
      for (let k = 0; k < 3; k++) await new Promise((r) => requestAnimationFrame(r));
    });
    const b = grabScreen();
    const differ = b && !crypto.createHash('sha1').update(a).digest().equals(crypto.createHash('sha1').update(b).digest());
    presented = differ && distinctColours(a) > 3 ? 'yes' : 'NO (the X screen did not change)';
  }

  // (3) Extra: synchronous frames (update + layout + canvas raster, no compositing or present).
  const sync = await page.evaluate((n) => {
    const chart = window.peerChart, out = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      chart.setOption({ geo: window.peerView(i) }, { lazyUpdate: false, silent: true });
      chart.getZr().refreshImmediately();
      out.push(performance.now() - t);
    }
    return out;
  }, SYNC_FRAMES);

  const stats = (arr) => {
    const s = [...arr].sort((x, y) => x - y);
    if (!s.length) return { n: 0, p50: 0, p99: 0, max: 0 };
    const pick = (p) => s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
    return { n: s.length, p50: pick(0.5), p99: pick(0.99), max: s[s.length - 1] };
  };
  const result = {
    points: points.count,
    echarts: require('echarts/package.json').version,
    chromium: context.browser() ? context.browser().version() : 'unknown',
    inner: raf.inner, dpr: raf.dpr, presented,
    raf: { ...stats(raf.intervals), fps: raf.intervals.length / raf.seconds, seconds: raf.seconds },
    cpu: { ms: cpuMs, ms_per_frame: cpuMs / N, percent_of_core: (100 * cpuMs) / 1000 / raf.seconds,
           processes: t1.size, browser_pid: browserPid,
           ms_by_type: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, (v * 1000) / HZ])) },
    sync: stats(sync),
  };
  console.log(JSON.stringify(result));
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
