// @ts-check
/**
 * UI benchmarks against a real host (see run.sh):
 *   ready   — navigation start → 'coco-board-shown' mark, 10 reloads and 10 cold
 *             loads of an already-joined user; UI asset bytes, gzipped
 *   latency — page A draws 100 strokes with the mouse; page B notes when each is
 *             applied and when it is drawn (same machine clock)
 *   pan     — 2,000 pencil shapes × 50 points loaded over a WebSocket, then ~3 s
 *             of middle-button panning; frame times with the offscreen layer off
 *             (the previous renderer) and on
 *   slider  — a room of 10,000 changes (2,000 strokes, then 8,000 moves); the
 *             History slider dragged with the mouse back and forth for ~3 s, twice;
 *             frame times meanwhile, how many past boards were shown, and the
 *             time from the thumb's last move to that moment's board on screen
 *   huge    — a room of 10,000 pencil strokes and one of 200 pictures: for each,
 *             the time from the sync's arrival to the first frame, pan and zoom
 *             frame times at 100 % and zoomed out to fit, the tab's memory, and
 *             the host's resident memory before, after loading and after the tab
 */
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { join as joinPath, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHost, removeDir, launchBrowser, join, waitState, hostBinary } from '../../tests/e2e/helpers.js';
import { loadBigBoard, sendAcked } from './boards.js';
import { settleFrames } from './settle.js';

const here = dirname(fileURLToPath(import.meta.url));
const ui = joinPath(here, '..', '..', 'ui');
// playwright-core lives in tests/e2e's node_modules, as the helpers find it.
const { chromium } = createRequire(joinPath(here, '..', '..', 'tests', 'e2e', 'helpers.js'))('playwright-core');
const which = process.argv.slice(2).length ? process.argv.slice(2) : ['ready', 'latency', 'pan', 'slider', 'huge'];

/** @param {number[]} xs @param {number} q */
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const f1 = (/** @type {number} */ v) => v.toFixed(1);

/** @param {string} url @returns {Promise<{bytes: number, encoding: string}>} */
function fetchGz(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (c) => { bytes += c.length; });
      res.on('end', () => resolve({ bytes, encoding: String(res.headers['content-encoding'] || 'identity') }));
    }).on('error', reject);
  });
}

/** @param {import('playwright-core').Browser} browser @param {import('../../tests/e2e/helpers.js').Host} host */
async function ready(browser, host) {
  const url = `${host.url}?room=ready`;
  const a = await join(browser, url, 'Ada');
  const shown = async (/** @type {import('playwright-core').Page} */ page) => {
    await page.waitForFunction(() => performance.getEntriesByName('coco-board-shown').length > 0, null, { timeout: 15000 });
    return page.evaluate(() => performance.getEntriesByName('coco-board-shown')[0].startTime);
  };
  await shown(a.page);
  const joined = await a.page.evaluate(() => Object.entries(sessionStorage).find(([k]) => k.startsWith('coco.join.')));
  /** @type {number[]} */
  const reloads = [];
  for (let i = 0; i < 10; i++) {
    await a.page.reload();
    reloads.push(await shown(a.page));
  }
  await a.context.close();
  // Cold: a new browser context (no HTTP cache, no service worker) whose tab remembers the join.
  /** @type {number[]} */
  const cold = [];
  for (let i = 0; i < 10; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await context.addInitScript(([k, v]) => sessionStorage.setItem(k, v), /** @type {[string, string]} */ (joined));
    const page = await context.newPage();
    await page.goto(url);
    cold.push(await shown(page));
    await context.close();
  }
  const files = ['/', '/style.css', '/sw.js', ...readdirSync(joinPath(ui, 'js')).filter((f) => f.endsWith('.js')).sort().map((f) => `/js/${f}`)];
  let wire = 0, raw = 0, nodeGz = 0;
  const encodings = new Set();
  for (const f of files) {
    const r = await fetchGz(new URL(f, host.url).href);
    wire += r.bytes;
    encodings.add(r.encoding);
    const disk = readFileSync(joinPath(ui, f === '/' ? 'index.html' : f.slice(1)));
    raw += disk.length;
    nodeGz += gzipSync(disk, { level: 9 }).length;
  }
  console.log(`ready: reload of a joined user, navigation start → coco-board-shown: median ${f1(quantile(reloads, 0.5))} ms (min ${f1(Math.min(...reloads))}, max ${f1(Math.max(...reloads))}) over ${reloads.length}`);
  console.log(`ready: cold load (new context) of a joined user: median ${f1(quantile(cold, 0.5))} ms (min ${f1(Math.min(...cold))}, max ${f1(Math.max(...cold))}) over ${cold.length}`);
  console.log(`assets: ${files.length} files, ${raw} B raw, ${wire} B as served with Accept-Encoding: gzip (${[...encodings].join(', ')}), ${nodeGz} B gzip -9 in Node`);
  return { reloadMedian: quantile(reloads, 0.5), coldMedian: quantile(cold, 0.5), assetsGzip: wire, assetsRaw: raw };
}

/** @param {import('playwright-core').Browser} browser @param {import('../../tests/e2e/helpers.js').Host} host */
async function latency(browser, host) {
  const url = `${host.url}?room=latency`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  await waitState(a.page, (s) => s.users.length === 2);
  await b.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__applied = {}; w.__drawn = {}; w.__n = 0;
    w.coco.onRemoteShape((/** @type {string} */ id) => {
      w.__applied[id] = performance.timeOrigin + performance.now();
      w.__n++;
      // Runs after the renderer's own frame callback, which was queued first.
      requestAnimationFrame(() => { w.__drawn[id] = performance.timeOrigin + performance.now(); });
    });
  });
  await a.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__up = [];
    addEventListener('pointerup', () => { w.__up.push(performance.timeOrigin + performance.now()); }, { capture: true });
  });
  const box = await a.page.getByTestId('canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  const N = 100;
  for (let i = 0; i < N; i++) {
    const x = box.x + 60 + (i % 10) * 80, y = box.y + 60 + Math.floor(i / 10) * 55;
    await a.page.mouse.move(x, y);
    await a.page.mouse.down();
    for (let k = 1; k <= 4; k++) await a.page.mouse.move(x + k * 12, y + (k % 2) * 20);
    await a.page.mouse.up();
    await b.page.waitForFunction((n) => /** @type {any} */ (window).__n >= n, i + 1, { timeout: 10000 });
  }
  await b.page.waitForTimeout(200);
  const up = await a.page.evaluate(() => /** @type {any} */ (window).__up);
  const ids = (await a.page.evaluate(() => /** @type {any} */ (window).coco.shapes())).map((/** @type {any} */ s) => s.id);
  const { applied, drawn } = await b.page.evaluate(() => ({ applied: /** @type {any} */ (window).__applied, drawn: /** @type {any} */ (window).__drawn }));
  if (ids.length !== N || up.length !== N) throw new Error(`expected ${N} strokes, got ${ids.length} shapes and ${up.length} pointerups`);
  const lat = ids.map((/** @type {string} */ id, /** @type {number} */ i) => applied[id] - up[i]);
  const paint = ids.map((/** @type {string} */ id, /** @type {number} */ i) => drawn[id] - up[i]);
  console.log(`latency: pointerup on A → shape applied on B: p50 ${f1(quantile(lat, 0.5))} ms, p95 ${f1(quantile(lat, 0.95))} ms, max ${f1(Math.max(...lat))} ms over ${N}`);
  console.log(`latency: pointerup on A → drawn on B (after B's next frame): p50 ${f1(quantile(paint, 0.5))} ms, p95 ${f1(quantile(paint, 0.95))} ms, max ${f1(Math.max(...paint))} ms`);
  await a.context.close();
  await b.context.close();
  return { p50: quantile(lat, 0.5), p95: quantile(lat, 0.95), drawnP50: quantile(paint, 0.5), drawnP95: quantile(paint, 0.95) };
}

/** @param {import('playwright-core').Browser} browser @param {import('../../tests/e2e/helpers.js').Host} host */
async function pan(browser, host) {
  const loadMs = await loadBigBoard(host, 'big');
  console.log(`pan: 2,000 pencil shapes × 50 points written and acked in ${f1(loadMs)} ms`);
  const a = await join(browser, `${host.url}?room=big`, 'Pan');
  const { page } = a;
  await waitState(page, (s) => s.shapesCount === 2000, 30000);
  const box = await page.getByTestId('canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  /** @type {Record<string, any>} */
  const out = {};
  for (const zoom of [1, 0.4]) {
    await page.keyboard.press('0');
    if (zoom !== 1) {
      await page.mouse.move(box.x, box.y);
      await page.mouse.wheel(0, -Math.log(zoom) / 0.0015);
    }
    for (const layer of [false, true, false, true]) {
      await page.evaluate((on) => /** @type {any} */ (window).coco.renderer.setLayerCache(on), layer);
      await page.waitForTimeout(300);
      await page.evaluate(() => {
        const w = /** @type {any} */ (window);
        w.__frames = []; w.__rec = true;
        let last = performance.now();
        const tick = (/** @type {number} */ t) => { w.__frames.push(t - last); last = t; if (w.__rec) requestAnimationFrame(tick); };
        requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
      });
      const drawsBefore = await page.evaluate(() => /** @type {any} */ (window).coco.drawTimes().length);
      await page.mouse.move(cx, cy);
      await page.mouse.down({ button: 'middle' });
      const t0 = Date.now();
      let i = 0;
      while (Date.now() - t0 < 3000) {
        // A slow circle of radius 250 px around the centre: about 1 turn per 1.5 s.
        const a2 = (Date.now() - t0) / 1500 * 2 * Math.PI;
        await page.mouse.move(cx + Math.cos(a2) * 250 - 250, cy + Math.sin(a2) * 250);
        i++;
      }
      await page.mouse.up({ button: 'middle' });
      const frames = await page.evaluate(() => { const w = /** @type {any} */ (window); w.__rec = false; return w.__frames; });
      const draws = await page.evaluate(() => /** @type {any} */ (window).coco.drawTimes());
      const recent = draws.slice(-Math.min(draws.length, Math.max(1, draws.length - drawsBefore, frames.length)));
      const key = `zoom ${zoom} layer ${layer ? 'on' : 'off'}`;
      const prev = out[key] || { frames: [], draws: [], moves: 0 };
      out[key] = { frames: prev.frames.concat(frames.slice(1)), draws: prev.draws.concat(recent), moves: prev.moves + i };
    }
  }
  for (const [key, r] of Object.entries(out)) {
    console.log(`pan: ${key}: rAF frame time median ${f1(quantile(r.frames, 0.5))} ms, p95 ${f1(quantile(r.frames, 0.95))} ms (${r.frames.length} frames over 2 × 3 s, ${r.moves} mouse moves); draw() median ${f1(quantile(r.draws, 0.5))} ms, p95 ${f1(quantile(r.draws, 0.95))} ms`);
    out[key] = { frameMedian: quantile(r.frames, 0.5), frameP95: quantile(r.frames, 0.95), drawMedian: quantile(r.draws, 0.5), drawP95: quantile(r.draws, 0.95) };
  }
  await a.context.close();
  return out;
}

/**
 * Moves `count` of the loader's strokes (`points` points each) by small steps,
 * each an acknowledged `SHAPE_UPDATED` with a new point list.
 * @param {import('../../tests/e2e/helpers.js').Host} host @param {string} room
 */
async function moveStrokes(host, room, count, strokes = 2000, points = 50) {
  const ops = Array.from({ length: count }, (_, n) => {
    const i = (n * 7919) % strokes, dx = (n % 97) * 2;
    const pts = Array.from({ length: points }, (_, k) => ({ x: (i % 50) * 48 + k * 3 + dx, y: Math.floor(i / 50) * 40 + k * 2 }));
    return { type: 'SHAPE_UPDATED', payload: { shapeId: `big-${i}`, updates: { points: pts }, opId: `op-move-${n}` } };
  });
  await sendAcked(host, room, 'bench-mover', ops);
}

/** @param {import('playwright-core').Browser} browser @param {import('../../tests/e2e/helpers.js').Host} host */
async function slider(browser, host) {
  const t0 = performance.now();
  await loadBigBoard(host, 'timeline');
  await moveStrokes(host, 'timeline', 8000);
  console.log(`slider: 2,000 strokes and 8,000 moves written and acked in ${f1(performance.now() - t0)} ms`);
  const a = await join(browser, `${host.url}?room=timeline`, 'Slide');
  const { page } = a;
  await waitState(page, (s) => s.shapesCount === 2000 && s.connection === 'connected', 30000);
  await page.getByTestId('history-open').click();
  const h = () => page.evaluate(() => /** @type {any} */ (window).coco.history());
  for (let i = 0; ; i++) {
    const x = await h();
    if (x.open && x.max >= 10000 && x.rev === x.max) break;
    if (i > 300) throw new Error(`the timeline never loaded: ${JSON.stringify(x)}`);
    await page.waitForTimeout(100);
  }
  const box = await page.getByTestId('history-slider').boundingBox();
  if (!box) throw new Error('no slider');
  const y = box.y + box.height / 2;
  /** @type {number[]} */
  let frames = [];
  /** @type {number[]} */
  const settle = [];
  let shownDuring = 0, moves = 0;
  for (let round = 0; round < 2; round++) {
    await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__frames = []; w.__rec = true; w.__shown = new Set();
      let last = performance.now();
      const tick = (/** @type {number} */ t) => {
        w.__frames.push(t - last); last = t;
        const r = w.coco.history().rev;
        if (r !== null) w.__shown.add(r);
        if (w.__rec) requestAnimationFrame(tick);
      };
      requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
    });
    // From the right end to the left and back: a slow sweep, as a person looks for a moment.
    await page.mouse.move(box.x + box.width - 4, y);
    await page.mouse.down();
    const start = Date.now();
    while (Date.now() - start < 3000) {
      const f = (Date.now() - start) / 3000;
      const along = f < 0.5 ? 1 - 2 * f : 2 * f - 1;
      await page.mouse.move(box.x + 4 + along * (box.width - 8), y);
      moves++;
    }
    // Then stop at a moment not seen yet and time until it is on screen.
    await page.mouse.move(box.x + box.width * (0.3 + 0.2 * round), y);
    const stopped = await page.evaluate(() => ({ at: performance.now(), want: Number(/** @type {HTMLInputElement} */ (document.getElementById('history-slider')).value) }));
    await page.mouse.up();
    await page.waitForFunction((want) => /** @type {any} */ (window).coco.history().rev === want, stopped.want, { timeout: 15000, polling: 'raf' });
    settle.push(await page.evaluate((at) => performance.now() - at, stopped.at));
    const rec = await page.evaluate(() => { const w = /** @type {any} */ (window); w.__rec = false; return { frames: w.__frames, shown: w.__shown.size }; });
    frames = frames.concat(rec.frames.slice(1));
    shownDuring += rec.shown;
  }
  const out = { frameMedian: quantile(frames, 0.5), frameP95: quantile(frames, 0.95), frames: frames.length, boardsShown: shownDuring, moves, settleMs: settle };
  console.log(`slider: rAF frame time median ${f1(out.frameMedian)} ms, p95 ${f1(out.frameP95)} ms (${frames.length} frames over 2 × 3 s, ${moves} mouse moves); ${shownDuring} different past boards shown; thumb stopped → that board on screen ${settle.map(f1).join(' ms, ')} ms`);
  await a.context.close();
  return out;
}

/**
 * Sends `shapes` as acknowledged SHAPE_ADDED ops into `room`.
 * @param {import('../../tests/e2e/helpers.js').Host} host @param {string} room @param {any[]} shapes
 */
async function addShapes(host, room, shapes) {
  await sendAcked(host, room, 'bench-pictures',
    shapes.map((shape, n) => ({ type: 'SHAPE_ADDED', payload: { shape, userId: 'bench-pictures', opId: `op-pic-${n}` } })));
}

/** @type {number[]} */
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
/** @param {Buffer} b */
const crc32 = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };

/**
 * A `w`×`h` RGB PNG: a gradient and a checker tinted by `seed`, so every
 * picture is a different file.
 * @param {number} w @param {number} h @param {number} seed
 */
function png(w, h, seed) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3, check = ((x >> 4) + (y >> 4)) & 1;
      raw[o] = (x * 255 / w + seed * 37) & 0xff;
      raw[o + 1] = (y * 255 / h + seed * 91) & 0xff;
      raw[o + 2] = check ? (seed * 53) & 0xff : 255 - ((seed * 53) & 0xff);
    }
  }
  const chunk = (/** @type {string} */ type, /** @type {Buffer} */ data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The host's resident set in MB, found by its data directory on its command line. @param {string} dataDir */
function hostRssMb(dataDir) {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--headless') || !cmd.includes(dataDir)) continue;
      const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
      if (m) return Number(m[1]) / 1024;
    } catch { /* gone */ }
  }
  return NaN;
}

/**
 * Memory (MB, proportional set size: shared pages split between the processes
 * sharing them) of this bench's Chromium renderer processes, i.e. the open tab's.
 */
function rendererPssMb() {
  /** @type {Map<number, number>} */
  const parent = new Map();
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  for (const pid of pids) {
    try { parent.set(pid, Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1])); } catch { /* gone */ }
  }
  const mine = (/** @type {number} */ pid) => { for (let p = pid, i = 0; p > 1 && i < 20; i++) { if (p === process.pid) return true; p = parent.get(p) ?? 0; } return false; };
  let kb = 0;
  for (const pid of pids) {
    try {
      if (!mine(pid) || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/Pss:\s+(\d+) kB/);
      if (m) kb += Number(m[1]);
    } catch { /* gone */ }
  }
  return kb / 1024;
}

/**
 * Records rAF deltas while panning with the middle button for `ms`, then
 * while zooming with the wheel for `ms`.
 * @param {import('playwright-core').Page} page @param {{x: number, y: number, width: number, height: number}} box
 */
async function panAndZoom(page, box, ms = 3000) {
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const record = () => page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__frames = []; w.__rec = true;
    let last = performance.now();
    const tick = (/** @type {number} */ t) => { w.__frames.push(t - last); last = t; if (w.__rec) requestAnimationFrame(tick); };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
  });
  const stop = async () => (await page.evaluate(() => { const w = /** @type {any} */ (window); w.__rec = false; return w.__frames; })).slice(1);
  // A frame draws at most once: the last (up to 256) draws as many as the frames recorded are this phase's.
  const drawsOf = async (/** @type {number} */ n) => (await page.evaluate(() => /** @type {any} */ (window).coco.drawTimes())).slice(-Math.max(1, n));
  await record();
  await page.mouse.move(cx, cy);
  await page.mouse.down({ button: 'middle' });
  let t0 = Date.now(), panMoves = 0;
  while (Date.now() - t0 < ms) {
    const a = (Date.now() - t0) / 1500 * 2 * Math.PI;
    await page.mouse.move(cx + Math.cos(a) * 250 - 250, cy + Math.sin(a) * 250);
    panMoves++;
  }
  await page.mouse.up({ button: 'middle' });
  const panFrames = await stop();
  const panDraws = await drawsOf(panFrames.length);
  await page.waitForTimeout(200);
  await record();
  await page.mouse.move(cx, cy);
  t0 = Date.now();
  let zoomMoves = 0;
  while (Date.now() - t0 < ms) {
    // In and out around the centre: a wheel notch each step, direction flipping every 0.5 s.
    const dir = Math.floor((Date.now() - t0) / 500) % 2 ? 1 : -1;
    await page.mouse.wheel(0, dir * 60);
    zoomMoves++;
  }
  const zoomFrames = await stop();
  const zoomDraws = await drawsOf(zoomFrames.length);
  return { panFrames, zoomFrames, panDraws, zoomDraws, panMoves, zoomMoves };
}

/**
 * Opens `room` in a fresh tab and measures it (see the header).
 * @param {import('playwright-core').Browser} browser @param {import('../../tests/e2e/helpers.js').Host} host
 * @param {string} room @param {number} count @param {string} label
 */
async function measureRoom(browser, host, room, count, label) {
  /** @type {Record<string, any>} */
  const out = {};
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  // The moment the sync's text arrives, before the UI parses it (a listener added
  // in the constructor runs before the page's own onmessage).
  await context.addInitScript(() => {
    const W = window.WebSocket;
    // @ts-ignore: a subclass with the same constructor
    window.WebSocket = class extends W {
      /** @param {any[]} args */
      constructor(...args) {
        // @ts-ignore
        super(...args);
        // The board comes in parts: the first one's arrival is marked, and every part's text counted.
        this.addEventListener('message', (ev) => {
          if (typeof ev.data !== 'string' || !ev.data.slice(0, 40).includes('"SYNC_SHAPES"')) return;
          const w = /** @type {any} */ (window);
          w.__syncBytes = (w.__syncBytes || 0) + ev.data.length;
          w.__syncMessages = (w.__syncMessages || 0) + 1;
          if (!performance.getEntriesByName('coco-sync-arrived').length) performance.mark('coco-sync-arrived');
        });
      }
    };
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${label}] page error:`, e.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (/** @type {string} */ n) => (metrics.find((m) => m.name === n) || { value: NaN }).value / 1048576;
    const mem = await page.evaluate(() => { const m = /** @type {any} */ (performance).memory; return m ? m.usedJSHeapSize / 1048576 : NaN; });
    const before = { jsHeapUsed: get('JSHeapUsedSize'), jsHeapTotal: get('JSHeapTotalSize'), performanceMemory: mem, rendererPss: rendererPssMb() };
    // What the board keeps, without garbage not yet collected.
    await cdp.send('HeapProfiler.collectGarbage');
    const after = (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize');
    return { ...before, jsHeapUsedAfterGc: after ? after.value / 1048576 : NaN };
  };
  await page.goto(`${host.url}?room=${room}`);
  await page.getByTestId('join-name').waitFor({ timeout: 20000 });
  out.memoryJoinScreen = await heap();
  await page.getByTestId('join-name').fill(label);
  await page.getByTestId('join-submit').click();
  await page.waitForFunction(() => performance.getEntriesByName('coco-board-shown').length > 0, null, { timeout: 60000 });
  await waitState(page, (s) => s.shapesCount === count, 60000);
  const marks = await page.evaluate(() => {
    const t = (/** @type {string} */ n) => { const e = performance.getEntriesByName(n)[0]; return e ? e.startTime : NaN; };
    const w = /** @type {any} */ (window);
    return { arrived: t('coco-sync-arrived'), parsed: t('coco-sync-received'), shown: t('coco-board-shown'),
      firstPart: t('coco-first-part-shown'), view: t('coco-view-shown'), bytes: w.__syncBytes || NaN, messages: w.__syncMessages || 0 };
  });
  if (label.startsWith('Pics')) {
    // Pictures load after the first frame: wait until the fetches stop, then time the last one.
    let seen = -1;
    for (let i = 0; i < 100; i++) {
      await page.waitForTimeout(200);
      const n = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/img/')).length);
      if (n === seen && n > 0) break;
      seen = n;
    }
    const last = await page.evaluate(() => Math.max(...performance.getEntriesByType('resource').filter((e) => e.name.includes('/img/')).map((e) => /** @type {PerformanceResourceTiming} */ (e).responseEnd)));
    out.picturesFetched = seen;
    out.arrivedToLastPicture = last - marks.arrived;
    console.log(`huge: ${label}: ${seen} pictures fetched at 100 %, the last ${f1(out.arrivedToLastPicture)} ms after the sync arrived`);
  }
  // The frames drawn so far, the first being the one the mark follows.
  out.firstDraws = (await page.evaluate(() => /** @type {any} */ (window).coco.drawTimes())).slice(0, 3);
  out.syncBytes = marks.bytes;
  out.syncMessages = marks.messages;
  out.arrivedToShown = marks.shown - marks.arrived;
  out.parsedToShown = marks.shown - marks.parsed;
  // A board that fits in one message has no part marks: it is shown whole.
  out.arrivedToFirstPart = (marks.firstPart || marks.shown) - marks.arrived;
  out.arrivedToView = (marks.view || marks.shown) - marks.arrived;
  out.navigationToShown = marks.shown;
  console.log(`huge: ${label}: sync of ${(marks.bytes / 1e6).toFixed(2)} MB of text in ${marks.messages} messages; from the first's arrival: ` +
    `first part shown ${f1(out.arrivedToFirstPart)} ms, the view ${f1(out.arrivedToView)} ms, the whole board ${f1(out.arrivedToShown)} ms ` +
    `(last part parsed → whole board shown ${f1(out.parsedToShown)} ms); navigation start → whole board ${f1(marks.shown)} ms; first draws ${out.firstDraws.map(f1).join(', ')} ms`);
  await page.waitForTimeout(1000);
  out.memoryLoaded = await heap();
  const box = await page.getByTestId('canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  for (const view of ['100 %', 'fit']) {
    await page.keyboard.press('0');
    if (view === 'fit') await page.keyboard.press('Shift+Digit1');
    await page.waitForTimeout(500);
    const zoom = await page.evaluate(() => /** @type {any} */ (window).coco.view().scale);
    /** @type {number[]} */ let panF = [], zoomF = [], panD = [], zoomD = [];
    for (let round = 0; round < 2; round++) {
      if (round) { await page.keyboard.press('0'); if (view === 'fit') await page.keyboard.press('Shift+Digit1'); await page.waitForTimeout(300); }
      const r = await panAndZoom(page, box);
      panF = panF.concat(r.panFrames); zoomF = zoomF.concat(r.zoomFrames); panD = panD.concat(r.panDraws); zoomD = zoomD.concat(r.zoomDraws);
    }
    const key = view === 'fit' ? 'fit' : 'z100';
    out[key] = {
      zoom, panMedian: quantile(panF, 0.5), panP95: quantile(panF, 0.95), panFrames: panF.length,
      zoomMedian: quantile(zoomF, 0.5), zoomP95: quantile(zoomF, 0.95), zoomFrames: zoomF.length,
      panDrawMedian: quantile(panD, 0.5), panDrawP95: quantile(panD, 0.95), panDrawMax: Math.max(...panD),
      zoomDrawMedian: quantile(zoomD, 0.5), zoomDrawP95: quantile(zoomD, 0.95), zoomDrawMax: Math.max(...zoomD),
    };
    const o = out[key];
    console.log(`huge: ${label}: at ${view} (zoom ${Number(zoom).toFixed(3)}): pan rAF median ${f1(o.panMedian)} ms, p95 ${f1(o.panP95)} ms (${o.panFrames} frames over 2 × 3 s), draw() median ${f1(o.panDrawMedian)} ms, p95 ${f1(o.panDrawP95)} ms, max ${f1(o.panDrawMax)} ms; wheel zoom rAF median ${f1(o.zoomMedian)} ms, p95 ${f1(o.zoomP95)} ms (${o.zoomFrames} frames), draw() median ${f1(o.zoomDrawMedian)} ms, p95 ${f1(o.zoomDrawP95)} ms, max ${f1(o.zoomDrawMax)} ms`);
  }
  if (count >= 1000) {
    // Zoomed out to fit: the sharp redraw after a zoom, in one go and in slices.
    await page.keyboard.press('0');
    await page.keyboard.press('Shift+Digit1');
    await page.waitForTimeout(500);
    const s = await settleFrames(page, box);
    out.settle = s;
    const show = (/** @type {number[]} */ xs) => `${f1(quantile(xs, 0.5))} (max ${f1(Math.max(...xs))})`;
    console.log(`huge: ${label}: a wheel notch at fit until the layer is sharp again: one go: longest draw() median ${show(s.off.maxDraw)} ms, sharp after ${show(s.off.sharpMs)} ms; ` +
      `in slices: longest draw() ${show(s.on.maxDraw)} ms, sharp after ${show(s.on.sharpMs)} ms; ratio of longest draws ${(quantile(s.off.maxDraw, 0.5) / quantile(s.on.maxDraw, 0.5)).toFixed(1)}×`);
  }
  out.memoryAfterPan = await heap();
  const m = out.memoryAfterPan, l = out.memoryLoaded;
  const j = out.memoryJoinScreen;
  console.log(`huge: ${label}: tab memory on the join screen: JS heap used ${f1(j.jsHeapUsedAfterGc)} MB after a GC, renderer PSS ${f1(j.rendererPss)} MB`);
  console.log(`huge: ${label}: tab memory loaded: JS heap used ${f1(l.jsHeapUsed)} MB (${f1(l.jsHeapUsedAfterGc)} MB after a GC; total ${f1(l.jsHeapTotal)} MB; performance.memory ${f1(l.performanceMemory)} MB), renderer PSS ${f1(l.rendererPss)} MB; after panning/zooming: JS heap used ${f1(m.jsHeapUsed)} MB (${f1(m.jsHeapUsedAfterGc)} MB after a GC; total ${f1(m.jsHeapTotal)} MB), renderer PSS ${f1(m.rendererPss)} MB`);
  out.hostRssTabOpen = hostRssMb(host.dataDir);
  await context.close();
  return out;
}

/** @param {import('../../tests/e2e/helpers.js').Host} host */
async function huge(/** @type {import('playwright-core').Browser} */ _unused, host) {
  // Its own Chromium: the same flags as the tests' plus exact heap figures in performance.memory.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=en-US',
      '--enable-precise-memory-info'],
  });
  /** @type {Record<string, any>} */
  const out = { hostRss: {} };
  const rss = (/** @type {string} */ k) => { out.hostRss[k] = hostRssMb(host.dataDir); };
  try {
    rss('start');
    let t0 = performance.now();
    await loadBigBoard(host, 'huge', 10000, 50, 8000, 5000);
    console.log(`huge: 10,000 pencil strokes × 50 points over 8,000 × 5,000 px written and acked in ${f1(performance.now() - t0)} ms`);
    rss('strokesLoaded');
    t0 = performance.now();
    const names = [];
    for (let i = 0; i < 200; i++) {
      const res = await fetch(new URL('/api/save-image', host.url), { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ imageData: `data:image/png;base64,${png(200, 150, i).toString('base64')}` }) });
      const j = /** @type {any} */ (await res.json());
      if (!j.success) throw new Error(`upload ${i}: ${res.status} ${JSON.stringify(j)}`);
      names.push(j.path);
    }
    const pics = names.map((image, i) => {
      const x = (i % 20) * 260, y = Math.floor(i / 20) * 200;
      return { id: `pic-${i}`, type: 'image', image, points: [{ x, y }, { x: x + 200, y: y + 150 }], width: 200, height: 150, isSelected: false,
        style: { strokeColor: '#000', fillColor: 'transparent', strokeWidth: 1, opacity: 1 } };
    });
    await addShapes(host, 'pictures', pics);
    console.log(`huge: 200 pictures (200 × 150 PNG) uploaded and placed on a 20 × 10 grid in ${f1(performance.now() - t0)} ms`);
    rss('allLoaded');
    out.strokes = await measureRoom(browser, host, 'huge', 10000, 'Huge');
    out.hostRss.strokesTabOpen = out.strokes.hostRssTabOpen;
    rss('strokesTabClosed');
    out.pictures = await measureRoom(browser, host, 'pictures', 200, 'Pics');
    out.hostRss.picturesTabOpen = out.pictures.hostRssTabOpen;
    rss('picturesTabClosed');
    // A second round of both: does the host keep growing with each join?
    out.strokesAgain = await measureRoom(browser, host, 'huge', 10000, 'Huge2');
    out.picturesAgain = await measureRoom(browser, host, 'pictures', 200, 'Pics2');
    rss('afterSecondRound');
    const h = out.hostRss;
    console.log(`huge: host RSS: start ${f1(h.start)} MB, 10,000 strokes loaded ${f1(h.strokesLoaded)} MB, + 200 pictures ${f1(h.allLoaded)} MB, strokes tab open ${f1(h.strokesTabOpen)} MB, closed ${f1(h.strokesTabClosed)} MB, pictures tab open ${f1(h.picturesTabOpen)} MB, closed ${f1(h.picturesTabClosed)} MB, after a second join of each ${f1(h.afterSecondRound)} MB`);
  } finally {
    await browser.close();
  }
  return out;
}

const host = await startHost();
const browser = await launchBrowser();
console.log(`host: ${hostBinary()} · chromium ${browser.version()} · node ${process.version} · ${new Date().toISOString()}`);
/** @type {Record<string, any>} */
const results = {};
try {
  if (which.includes('ready')) results.ready = await ready(browser, host);
  if (which.includes('latency')) results.latency = await latency(browser, host);
  if (which.includes('pan')) results.pan = await pan(browser, host);
  if (which.includes('slider')) results.slider = await slider(browser, host);
  if (which.includes('huge')) results.huge = await huge(browser, host);
} finally {
  await browser.close();
  await host.kill();
  removeDir(host.dataDir);
}
console.log(JSON.stringify(results));
