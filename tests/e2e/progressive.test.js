// @ts-check
/**
 * A late joiner on a slow link sees the board part by part, nearest its
 * view first. Ada (a plain WebSocket from a page of the host's origin)
 * fills a big board; Bo joins in the browser, and every message after the
 * first part of his sync is held in his page (an init script wrapping
 * WebSocket) until the test hands it over, as a slow link would. With
 * only the first part in, Bo's board shows every stroke in his view, the
 * status line says how much is in, and a stroke he draws reaches Ada at
 * once; when the rest is in, his board is exactly the host's, his stroke
 * included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, waitState, stroke, zigzag } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** The board: COLS × ROWS strokes of POINTS points, SPACING px apart (about 1 KB each). */
const COLS = 40;
const ROWS = 30;
const POINTS = 50;
const SPACING = 250;

/**
 * Runs in Bo's page before its own scripts: once the first part of a sync
 * in parts arrives, every later message waits in `window.slowSync.held`
 * until `release(n)` hands over the next n parts (and what came between),
 * or `open()` hands over everything and stops holding.
 */
function slowSyncScript() {
  const Real = window.WebSocket;
  const link = {
    holding: false,
    /** @type {{ws: WebSocket, data: any, part: number}[]} */
    held: [],
    /** @param {{ws: WebSocket, data: any}} m */
    deliver(m) { m.ws.onmessage?.(new MessageEvent('message', { data: m.data })); },
    /** @param {number} n */
    release(n) {
      while (link.held.length && n > 0) {
        const m = /** @type {{ws: WebSocket, data: any, part: number}} */ (link.held.shift());
        if (m.part) n--;
        link.deliver(m);
      }
    },
    open() { link.holding = false; for (const m of link.held.splice(0)) link.deliver(m); },
  };
  /** @type {any} */ (window).slowSync = link;
  window.WebSocket = class extends Real {
    /** @param {string | URL} url @param {string | string[]} [protocols] */
    constructor(url, protocols) {
      super(url, protocols);
      // Registered before the page sets onmessage, so it runs first and can keep the message from it.
      this.addEventListener('message', (ev) => {
        const head = String(ev.data).slice(0, 40);
        let part = 0;
        if (head.includes('"SYNC_SHAPES"')) part = Number(/"part":(\d+),"parts"/.exec(String(ev.data))?.[1] || 0);
        if (link.holding) {
          ev.stopImmediatePropagation();
          link.held.push({ ws: this, data: ev.data, part });
        } else if (part === 1) link.holding = true;
      });
    }
  };
}

/**
 * Ada: a socket from a page of the host's origin that fills the board and
 * keeps every message it gets. Resolves with the board's revision.
 * @param {import('playwright-core').Page} page @param {string} room
 */
async function adaFills(page, room) {
  return page.evaluate(({ room, cols, rows, points, spacing }) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/ws?room=${room}`);
    /** @type {any} */ (window).ada = { ws, got: /** @type {any[]} */ ([]) };
    ws.onopen = () => ws.send(JSON.stringify({ type: 'JOIN_ROOM', payload: { userId: 'u-ada', username: 'Ada' } }));
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data));
      /** @type {any} */ (window).ada.got.push(msg);
      if (msg.type === 'ERROR') reject(new Error(msg.payload.message));
      if (msg.type === 'WELCOME') {
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            const pts = Array.from({ length: points }, (_, i) => ({ x: c * spacing + i * 2, y: r * spacing + (i % 5) * 3 }));
            const shape = { id: `s-${r}-${c}`, type: 'pencil', points: pts, isSelected: false,
              style: { strokeColor: '#1971c2', fillColor: 'transparent', strokeWidth: 3, opacity: 1 } };
            ws.send(JSON.stringify({ type: 'SHAPE_ADDED', payload: { shape, userId: 'u-ada' } }));
          }
        }
        ws.send(JSON.stringify({ type: 'REQUEST_SYNC', payload: { userId: 'u-ada' } }));
      }
      if (msg.type === 'SYNC_SHAPES') resolve(msg.payload.rev);
    };
  }), { room, cols: COLS, rows: ROWS, points: POINTS, spacing: SPACING });
}

/** The host's board now, from Ada's socket (a plain sync). @param {import('playwright-core').Page} page */
async function hostBoard(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const ada = /** @type {any} */ (window).ada;
    ada.ws.addEventListener('message', function got(/** @type {MessageEvent} */ ev) {
      const msg = JSON.parse(String(ev.data));
      if (msg.type !== 'SYNC_SHAPES') return;
      ada.ws.removeEventListener('message', got);
      resolve(msg.payload.shapes);
    });
    ada.ws.send(JSON.stringify({ type: 'REQUEST_SYNC', payload: { userId: 'u-ada' } }));
  }));
}

test('a late joiner sees its view first, can draw at once, and ends with the host\'s board', async () => {
  const room = 'progressive';
  const total = COLS * ROWS;
  const adaContext = await browser.newContext();
  const ada = await adaContext.newPage();
  // A page of the host's origin, left on the join screen: Ada's socket is her own.
  await ada.goto(`${host.url}?room=${room}-lobby`);
  await adaFills(ada, room);

  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(slowSyncScript);
  // Bo presses Join before the board fetched on the join screen is in (prefetch.js gives it up): the socket brings it.
  await context.route('**/api/rooms/*/board', () => {});
  const bo = await context.newPage();
  bo.on('pageerror', (e) => console.error('[Bo] page error:', e.message));
  try {
    await bo.goto(`${host.url}?room=${room}`);
    await bo.getByTestId('join-name').fill('Bo');
    await bo.getByTestId('join-submit').click();
    // Only the first part is in: his view is painted, the rest is not.
    const first = await waitState(bo, (s) => s.connection === 'connected' && s.shapesCount > 0);
    await bo.waitForFunction(() => performance.getEntriesByName('coco-view-shown').length > 0);
    assert.ok(first.shapesCount < total / 10, `the first part holds ${first.shapesCount} of ${total}`);
    assert.equal(first.loading, first.shapesCount / total);
    assert.equal(await bo.evaluate(() => performance.getEntriesByName('coco-board-shown').length), 0);
    const inView = await bo.evaluate(({ spacing, points }) => {
      const coco = /** @type {any} */ (window).coco;
      const { scale, ox, oy } = coco.view();
      const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById('canvas'));
      const view = { x0: -ox / scale, y0: -oy / scale, x1: (canvas.clientWidth - ox) / scale, y1: (canvas.clientHeight - oy) / scale };
      const on = new Set(coco.shapes().map((/** @type {any} */ s) => s.id));
      const want = [];
      for (let r = 0; r * spacing <= view.y1; r++) {
        for (let c = 0; c * spacing <= view.x1; c++) {
          if (c * spacing + 2 * (points - 1) >= view.x0 && r * spacing + 12 >= view.y0) want.push(`s-${r}-${c}`);
        }
      }
      return { want, missing: want.filter((id) => !on.has(id)) };
    }, { spacing: SPACING, points: POINTS });
    assert.ok(inView.want.length >= 6, `${inView.want.length} strokes in view`);
    assert.deepEqual(inView.missing, [], 'every stroke in view is painted with the first part');
    const text = await bo.locator('#conn-text').textContent();
    assert.match(String(text), /^Loading the board… \d+ %/);
    assert.equal(await bo.locator('#conn').getAttribute('data-loading'), '1');

    // Bo draws while the rest of the board is on its way: Ada gets it now.
    await stroke(bo, zigzag(300, 300));
    const mine = await bo.evaluate(() => /** @type {any} */ (window).coco.shapes().at(-1).id);
    await ada.waitForFunction((id) => /** @type {any} */ (window).ada.got.some((/** @type {any} */ m) => m.type === 'SHAPE_ADDED' && m.payload.shape.id === id), mine);

    // The parts come one by one: the share in grows, the stroke stays.
    /** @type {number[]} */
    const shares = [];
    for (;;) {
      const left = await bo.evaluate(() => /** @type {any} */ (window).slowSync.held.filter((/** @type {any} */ m) => m.part).length);
      if (left === 0) break;
      await bo.evaluate(() => /** @type {any} */ (window).slowSync.release(1));
      const s = await bo.evaluate(() => /** @type {any} */ (window).coco.state());
      shares.push(s.loading ?? 1);
      assert.ok(await bo.evaluate((id) => /** @type {any} */ (window).coco.shapes().some((/** @type {any} */ x) => x.id === id), mine));
    }
    assert.ok(shares.length >= 2, `${shares.length} more parts`);
    assert.deepEqual([...shares].sort((a, b) => a - b), shares, 'the share only grows');
    assert.equal(shares.at(-1), 1);
    await bo.evaluate(() => /** @type {any} */ (window).slowSync.open());
    await waitState(bo, (s) => s.loading == null && s.unacked === 0 && s.shapesCount === total + 1);
    assert.match(String(await bo.locator('#conn-text').textContent()), /saved on host/);
    await bo.waitForFunction(() => performance.getEntriesByName('coco-board-shown').length > 0);
    // Exactly the host's board, in the host's order (put back at the next quiet moment).
    const hosts = /** @type {any[]} */ (await hostBoard(ada));
    await bo.waitForFunction((ids) => /** @type {any} */ (window).coco.shapes().map((/** @type {any} */ s) => s.id).join() === ids,
      hosts.map((s) => s.id).join(), { timeout: 5000 }).catch(() => {});
    const bos = await bo.evaluate(() => /** @type {any} */ (window).coco.shapes());
    assert.deepEqual(bos.map((/** @type {any} */ s) => s.id), hosts.map((s) => s.id));
    assert.deepEqual(bos, hosts);
  } finally {
    await context.close();
    await adaContext.close();
  }
});

test('a seat asks for its board with the join: REQUEST_SYNC right after JOIN_ROOM, before WELCOME, and once', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(() => {
    const Real = window.WebSocket;
    /** @type {string[]} */
    const log = [];
    /** @type {any} */ (window).wsLog = log;
    window.WebSocket = class extends Real {
      /** @param {string | URL} url @param {string | string[]} [protocols] */
      constructor(url, protocols) {
        super(url, protocols);
        const send = this.send.bind(this);
        this.send = (/** @type {any} */ d) => { log.push(`sent ${JSON.parse(String(d)).type}`); send(d); };
        this.addEventListener('message', (ev) => log.push(`got ${JSON.parse(String(ev.data)).type}`));
      }
    };
  });
  const page = await context.newPage();
  try {
    await page.goto(`${host.url}?room=with-the-join`);
    await page.getByTestId('join-name').fill('Cy');
    await page.getByTestId('join-submit').click();
    await waitState(page, (s) => s.connection === 'connected');
    const log = /** @type {string[]} */ (await page.evaluate(() => /** @type {any} */ (window).wsLog));
    assert.deepEqual(log.slice(0, 2), ['sent JOIN_ROOM', 'sent REQUEST_SYNC'], log.join(', '));
    assert.ok(log.indexOf('got WELCOME') > 1, log.join(', '));
    assert.equal(log.filter((e) => e === 'sent REQUEST_SYNC').length, 1, log.join(', '));
  } finally {
    await context.close();
  }
});
