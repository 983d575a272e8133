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
 */
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync } from 'node:fs';
import { join as joinPath, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHost, removeDir, launchBrowser, join, waitState, hostBinary } from '../../tests/e2e/helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const ui = joinPath(here, '..', '..', 'ui');
const which = process.argv.slice(2).length ? process.argv.slice(2) : ['ready', 'latency', 'pan', 'slider'];

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

/**
 * Writes `count` pencil shapes of `points` points each into `room` with op ids
 * and waits for every ACK.
 * @param {import('../../tests/e2e/helpers.js').Host} host @param {string} room
 */
async function loadBigBoard(host, room, count = 2000, points = 50, width = 2400, height = 1600) {
  const WS = /** @type {any} */ (globalThis).WebSocket;
  if (!WS) throw new Error('no WebSocket in this Node: run with --experimental-websocket (run.sh does)');
  const ws = new WS(`ws://127.0.0.1:${host.port}/ws?room=${room}`);
  let seed = 42;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const colors = ['#e03131', '#1971c2', '#2f9e44', '#f08c00', '#1f2328'];
  const acked = new Set();
  /** @type {(v?: any) => void} */
  let done = () => {};
  const allAcked = new Promise((r) => { done = r; });
  /** @type {(v?: any) => void} */
  let welcomed = () => {};
  const welcome = new Promise((r) => { welcomed = r; });
  ws.onmessage = (/** @type {any} */ ev) => {
    const m = JSON.parse(String(ev.data));
    if (m.type === 'WELCOME') welcomed();
    if (m.type === 'ERROR') console.error('host error', m.payload);
    if (m.type === 'ACK') { for (const id of m.payload.opIds) acked.add(id); if (acked.size >= count) done(); }
  };
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  ws.send(JSON.stringify({ type: 'JOIN_ROOM', payload: { userId: 'bench-loader', username: 'loader' } }));
  await welcome;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    let x = rnd() * width, y = rnd() * height;
    const pts = [];
    for (let k = 0; k < points; k++) {
      x += (rnd() - 0.5) * 16; y += (rnd() - 0.5) * 16;
      pts.push({ x: Math.round(x * 100) / 100, y: Math.round(y * 100) / 100 });
    }
    const shape = { id: `big-${i}`, type: 'pencil', points: pts, isSelected: false,
      style: { strokeColor: colors[i % colors.length], fillColor: 'transparent', strokeWidth: 2 + (i % 3) * 2, opacity: 1 } };
    ws.send(JSON.stringify({ type: 'SHAPE_ADDED', payload: { shape, userId: 'bench-loader', opId: `op-big-${i}` } }));
  }
  await allAcked;
  const ms = performance.now() - t0;
  ws.close();
  return ms;
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
      await page.evaluate((on) => /** @type {any} */ (window).coco.setLayerCache(on), layer);
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
  const ws = new (/** @type {any} */ (globalThis).WebSocket)(`ws://127.0.0.1:${host.port}/ws?room=${room}`);
  let acked = 0;
  /** @type {(v?: any) => void} */
  let done = () => {};
  const allAcked = new Promise((r) => { done = r; });
  ws.onmessage = (/** @type {any} */ ev) => {
    const m = JSON.parse(String(ev.data));
    if (m.type === 'ERROR') console.error('host error', m.payload);
    if (m.type === 'ACK') { acked += m.payload.opIds.length; if (acked >= count) done(); }
  };
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  ws.send(JSON.stringify({ type: 'JOIN_ROOM', payload: { userId: 'bench-mover', username: 'mover' } }));
  for (let n = 0; n < count; n++) {
    const i = (n * 7919) % strokes, dx = (n % 97) * 2;
    const pts = Array.from({ length: points }, (_, k) => ({ x: (i % 50) * 48 + k * 3 + dx, y: Math.floor(i / 50) * 40 + k * 2 }));
    ws.send(JSON.stringify({ type: 'SHAPE_UPDATED', payload: { shapeId: `big-${i}`, updates: { points: pts }, opId: `op-move-${n}` } }));
    // A window like a real client's: the host cuts off a peer far ahead of its acks.
    while (n - acked > 256) await new Promise((r) => setTimeout(r, 5));
  }
  await allAcked;
  ws.close();
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
} finally {
  await browser.close();
  await host.kill();
  removeDir(host.dataDir);
}
console.log(JSON.stringify(results));
