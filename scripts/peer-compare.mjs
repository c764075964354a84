// The peer side of scripts/peer-compare.sh: the same plants as an Apache ECharts scatter on a geo
// component (China's provinces, the console's own basemap file), in headless Chromium at the given
// size, timed over a pan/zoom sweep. Prints one JSON line.
//
//   node scripts/peer-compare.mjs PEER_DIR POINTS.json PROVINCES.geojson WIDTH HEIGHT FRAMES
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const [peerDir, pointsFile, geoFile, width, height, frames] = process.argv.slice(2);
const require = createRequire(path.resolve(peerDir, 'package.json'));
const { chromium } = require('playwright-core');
const echartsFile = require.resolve('echarts/dist/echarts.min.js');
const W = Number(width), H = Number(height), N = Number(frames);

const userDataDir = fs.mkdtempSync(path.join(peerDir, 'chromium-profile-'));
const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: W, height: H },
  deviceScaleFactor: 1,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = browser.pages()[0] || await browser.newPage();
  await page.setContent(`<html><body style="margin:0;background:#0b1220">
    <div id="c" style="width:${W}px;height:${H}px"></div></body></html>`);
  await page.addScriptTag({ path: echartsFile });
  const points = JSON.parse(fs.readFileSync(pointsFile, 'utf8'));
  const geo = JSON.parse(fs.readFileSync(geoFile, 'utf8'));
  const result = await page.evaluate(async ({ points, geo, N }) => {
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
    // The sweep: pan in a loop for half the cycle, zoom in then out for the other half (as the
    // console's bench drags and wheels around the map).
    const view = (i) => {
      const phase = i % 120;
      const c = [centre[0] + Math.sin(phase * 0.3) * 4, centre[1] + Math.cos(phase * 0.2) * 2.5];
      let zoom = 1.2;
      if (phase >= 60 && phase < 90) zoom = 1.2 * Math.pow(1.1, phase - 59);
      if (phase >= 90) zoom = 1.2 * Math.pow(1.1, 120 - phase);
      return { center: c, zoom };
    };
    // (1) Synchronous frames: option update + layout + canvas drawing (software raster), timed.
    const sync = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      chart.setOption({ geo: view(i) }, { lazyUpdate: false, silent: true });
      chart.getZr().refreshImmediately();
      sync.push(performance.now() - t0);
    }
    // (2) Display frames: one update per requestAnimationFrame, the interval between frames
    // (adds compositing the page; capped by Chromium's 60 Hz frame clock).
    const raf = await new Promise((resolve) => {
      const out = []; let i = 0; let last = performance.now();
      const step = () => {
        const now = performance.now(); if (i > 0) out.push(now - last); last = now;
        if (i >= N) { resolve(out); return; }
        chart.setOption({ geo: view(i) }, { lazyUpdate: false, silent: true });
        i++; requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    const stats = (a) => {
      const s = [...a].sort((x, y) => x - y);
      const pick = (p) => s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
      return { n: s.length, p50: pick(0.5), p99: pick(0.99), max: s[s.length - 1] };
    };
    return { points: points.count, sync: stats(sync), raf: stats(raf) };
  }, { points, geo, N });
  result.echarts = require('echarts/package.json').version;
  result.chromium = browser.browser() ? browser.browser().version() : 'unknown';
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
