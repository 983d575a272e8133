// @ts-check
/**
 * The others' cursors and strokes over a bad link, in the browser. Bo's page
 * gets its WebSocket messages through a model of a stalled receiver (an
 * init script wrapping WebSocket): every message is held, and what was held
 * is handed over in bursts 150–400 ms apart, in order, as TCP does after a
 * loss. The host's own coalescing (docs first, then the newest live message
 * per sender) is modelled for the one test that needs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, waitState } from './helpers.js';
import { MAX_RATE, MAX_FRAME_MS, GLIDE_MAX_MS } from '../../ui/js/glide.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** The gaps between bursts, in turn (ms): the range the bad profile's stalls cover. */
const BURSTS_MS = [150, 400, 230, 320, 180, 370, 260];
/** Ada's cursor path: a step of STEP_PX every STEP_MS. */
const STEP_PX = 8;
const STEP_MS = 16;
/**
 * The speed (px per ms) the steps of Bo's drawn cursor are bounded by at
 * least: two of Ada's steps in one of her frames. Her own stamps may show
 * faster (a loaded machine bunches her moves too): then that speed.
 */
const FASTEST = (2 * STEP_PX) / STEP_MS;

/**
 * Runs in Bo's page before its own scripts: a WebSocket whose messages wait
 * in `window.badLink` until released. `on` starts the bursts; `hold` keeps
 * everything until `flush()`; `coalesce` hands over what was held as the
 * host drains a stalled receiver's outbox: every document message in order,
 * then only the newest live message of each sender and kind.
 * @param {number[]} bursts
 */
function badLinkScript(bursts) {
  const Real = window.WebSocket;
  const LIVE = new Set(['CURSOR_MOVE', 'VIEWPORT', 'LASER']);
  const link = {
    on: false, hold: false, coalesce: false,
    /** @type {{ws: WebSocket, data: any}[]} */
    held: [],
    /** @type {any[]} every message handed over, parsed */
    delivered: [],
    bursts: 0,
    flush() {
      let out = link.held;
      link.held = [];
      if (link.coalesce) {
        const parsed = out.map((m) => ({ m, msg: JSON.parse(String(m.data)) }));
        const docs = parsed.filter((p) => !LIVE.has(p.msg.type));
        const newest = new Map();
        for (const p of parsed) if (LIVE.has(p.msg.type)) newest.set(`${p.msg.type} ${p.msg.payload?.userId}`, p);
        out = [...docs, ...newest.values()].map((p) => p.m);
      }
      for (const { ws, data } of out) {
        try { link.delivered.push(JSON.parse(String(data))); } catch { /* not JSON */ }
        ws.onmessage?.(new MessageEvent('message', { data }));
      }
    },
  };
  let i = 0;
  const tick = () => {
    if (link.on && !link.hold && link.held.length) { link.bursts++; link.flush(); }
    setTimeout(tick, bursts[i++ % bursts.length]);
  };
  tick();
  /** @type {any} */ (window).badLink = link;
  window.WebSocket = class extends Real {
    /** @param {string | URL} url @param {string | string[]} [protocols] */
    constructor(url, protocols) {
      super(url, protocols);
      // Registered before the page sets onmessage, so it runs first and keeps the message from it.
      this.addEventListener('message', (ev) => {
        if (!link.on && !link.hold) { try { link.delivered.push(JSON.parse(String(ev.data))); } catch { /* not JSON */ } return; }
        ev.stopImmediatePropagation();
        link.held.push({ ws: this, data: ev.data });
      });
    }
  };
}

/**
 * Opens the board in a fresh context (Bo's through the bad link) and joins.
 * @param {string} url @param {string} name @param {boolean} bad
 */
async function joinAs(url, name, bad) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  if (bad) await context.addInitScript(badLinkScript, BURSTS_MS);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error:`, e.message));
  await page.goto(url);
  await page.getByTestId('join-name').fill(name);
  await page.getByTestId('join-submit').click();
  await waitState(page, (s) => s.connection === 'connected');
  return { context, page };
}

/** Starts recording, every animation frame, where Bo's page draws each cursor and what it received. @param {import('playwright-core').Page} page */
async function recordFrames(page) {
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.frames = [];
    const each = (/** @type {number} */ now) => {
      const s = w.coco.state();
      const c = s.cursors[0];
      w.frames.push({ now, drawn: c?.drawn, got: c && { x: c.x, y: c.y }, drafts: s.drafts.map((/** @type {any} */ d) => d.points) });
      requestAnimationFrame(each);
    };
    requestAnimationFrame(each);
  });
}

/** @param {import('playwright-core').Page} page @returns {Promise<any[]>} */
const framesOf = (page) => page.evaluate(() => /** @type {any} */ (window).frames);

test('over a bad link another person\'s cursor glides along their path and stops where they stopped', async (t) => {
  const url = `${host.url}?room=bad-cursor`;
  const a = await joinAs(url, 'Ada', false);
  const b = await joinAs(url, 'Bo', true);
  try {
    await waitState(b.page, (s) => s.users.length === 2);
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await a.page.mouse.move(box.x + 100, box.y + 300);
    await waitState(b.page, (s) => s.cursors.length === 1 && s.cursors[0].drawn?.x === 100 && s.cursors[0].drawn?.y === 300);
    await b.page.evaluate(() => { /** @type {any} */ (window).badLink.on = true; });
    await recordFrames(b.page);
    const steps = 80;
    for (let i = 1; i <= steps; i++) {
      await a.page.mouse.move(box.x + 100 + i * STEP_PX, box.y + 300);
      await a.page.waitForTimeout(STEP_MS);
    }
    const end = { x: 100 + steps * STEP_PX, y: 300 };
    await b.page.waitForFunction(({ x, y }) => {
      const d = /** @type {any} */ (window).frames.at(-1)?.drawn;
      return d?.x === x && d?.y === y;
    }, end);
    // One entry per frame drawn (the recorder may run twice between two).
    const frames = (await framesOf(b.page)).filter((f, i, all) => f.drawn && f.drawn.at !== all[i - 1]?.drawn?.at);
    assert.ok(await b.page.evaluate(() => /** @type {any} */ (window).badLink.bursts) >= 3, 'the moves came in bursts');
    const moves = await b.page.evaluate(() => /** @type {any} */ (window).badLink.delivered.filter((/** @type {any} */ m) => m.type === 'CURSOR_MOVE'));
    assert.ok(moves.every((/** @type {any} */ m) => typeof m.payload.position.t === 'number'), 'each move carries its sender\'s time');
    // How fast Ada's cursor went by her own stamps (a loaded machine may
    // bunch her moves too), each step over at most GLIDE_MAX_MS as it is played.
    let fastest = FASTEST;
    for (let i = 1; i < moves.length; i++) {
      const p = moves[i].payload.position, q = moves[i - 1].payload.position;
      if (p.t > q.t) fastest = Math.max(fastest, Math.hypot(p.x - q.x, p.y - q.y) / Math.min(p.t - q.t, GLIDE_MAX_MS));
    }

    let rawJumps = 0, biggest = 0;
    for (let i = 1; i < frames.length; i++) {
      const f = frames[i], prev = frames[i - 1];
      const dt = Math.min(f.drawn.at - prev.drawn.at, MAX_FRAME_MS);
      const bound = MAX_RATE * fastest * dt + 1;
      const step = Math.hypot(f.drawn.x - prev.drawn.x, f.drawn.y - prev.drawn.y);
      biggest = Math.max(biggest, step);
      if (f.drawn.snaps === prev.drawn.snaps) assert.ok(step <= bound, `frame ${i}: a step of ${step.toFixed(1)} px in ${dt.toFixed(1)} ms (at most ${bound.toFixed(1)})`);
      assert.ok(f.drawn.x >= prev.drawn.x, `frame ${i}: never backwards`);
      assert.equal(f.drawn.y, 300);
      if (Math.abs(f.got.x - prev.got.x) > bound) rawJumps++;
    }
    t.diagnostic(`fastest ${fastest.toFixed(2)} px/ms, ${frames.length} frames, biggest step ${biggest.toFixed(1)} px, ${rawJumps} jumps as received, ${frames.at(-1).drawn.snaps} snaps`);
    assert.ok(rawJumps > 0, 'drawn as received, the cursor would have jumped');
    assert.deepEqual({ x: frames.at(-1).drawn.x, y: frames.at(-1).drawn.y }, end, 'ends exactly where Ada stopped');
    // At rest, the page draws no more frames for the cursor.
    const drawCount = () => b.page.evaluate(() => /** @type {any} */ (window).coco.drawTimes().length);
    await b.page.evaluate(() => { /** @type {any} */ (window).frames = []; });
    await b.page.waitForTimeout(200);
    const before = await drawCount();
    await b.page.waitForTimeout(300);
    assert.equal(await drawCount(), before, 'no frames drawn while every cursor is still');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('over a bad link a stroke being drawn shows every point so far, and lands whole and in order', async () => {
  const url = `${host.url}?room=bad-stroke`;
  const a = await joinAs(url, 'Ada', false);
  const b = await joinAs(url, 'Bo', true);
  try {
    await waitState(b.page, (s) => s.users.length === 2);
    await b.page.evaluate(() => { /** @type {any} */ (window).badLink.on = true; });
    await recordFrames(b.page);
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await a.page.mouse.move(box.x + 150, box.y + 200);
    await a.page.mouse.down();
    for (let i = 1; i <= 60; i++) {
      await a.page.mouse.move(box.x + 150 + i * 9, box.y + 200 + Math.round(60 * Math.sin(i / 6)));
      await a.page.waitForTimeout(STEP_MS);
    }
    await a.page.mouse.up();
    await waitState(a.page, (s) => s.shapesCount === 1 && s.unacked === 0);
    await waitState(b.page, (s) => s.shapesCount === 1 && s.drafts.length === 0);
    const [mine] = await a.page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    const [theirs] = await b.page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    assert.ok(mine.points.length >= 30, `a long stroke (${mine.points.length} points)`);
    assert.deepEqual(theirs.points, mine.points, 'every point, in order');
    assert.deepEqual(theirs, mine);

    const delivered = await b.page.evaluate(() => /** @type {any} */ (window).badLink.delivered);
    const drafts = delivered.filter((m) => m.type === 'CURSOR_MOVE' && m.payload.draft).map((m) => m.payload.draft);
    assert.ok(drafts.length >= 2, 'the stroke was seen while drawn');
    for (const d of drafts) assert.deepEqual(d.points, mine.points.slice(0, d.points.length), 'each live copy is the stroke so far');
    const counts = (await framesOf(b.page)).map((f) => f.drafts[0]).filter((n) => n !== undefined);
    assert.ok(counts.length > 0, 'drawn live');
    for (let i = 1; i < counts.length; i++) assert.ok(counts[i] >= counts[i - 1], 'the live stroke never loses a point');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('a stalled receiver handed a stroke, its undo and the newest cursor moves in the host\'s order shows neither', async () => {
  const url = `${host.url}?room=bad-late-draft`;
  const a = await joinAs(url, 'Ada', false);
  const b = await joinAs(url, 'Bo', true);
  try {
    await waitState(b.page, (s) => s.users.length === 2);
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await b.page.evaluate(() => { const l = /** @type {any} */ (window).badLink; l.hold = true; l.coalesce = true; });
    await a.page.mouse.move(box.x + 300, box.y + 300);
    await a.page.mouse.down();
    for (let i = 1; i <= 10; i++) await a.page.mouse.move(box.x + 300 + i * 10, box.y + 300 + (i % 2) * 10);
    await a.page.waitForTimeout(300);
    await a.page.mouse.up();
    await waitState(a.page, (s) => s.shapesCount === 1 && s.unacked === 0);
    await a.page.keyboard.press('Control+z');
    await waitState(a.page, (s) => s.shapesCount === 0 && s.unacked === 0);
    await b.page.waitForFunction(() => /** @type {any} */ (window).badLink.held.some((/** @type {any} */ m) => String(m.data).includes('SHAPES_DELETED')));
    await b.page.evaluate(() => /** @type {any} */ (window).badLink.flush());
    const order = await b.page.evaluate(() => /** @type {any} */ (window).badLink.delivered.slice(-3).map((/** @type {any} */ m) => m.type));
    assert.deepEqual(order, ['SHAPE_ADDED', 'SHAPES_DELETED', 'CURSOR_MOVE'], 'as the host sends a stalled receiver its queue');
    const s = await waitState(b.page, (st) => st.shapesCount === 0 && st.cursors.length === 1);
    assert.deepEqual(s.drafts, [], 'the undone stroke does not come back as a live one');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
