// @ts-check
/**
 * The board is fetched while the person is on the join screen
 * (ui/js/prefetch.js, `GET /api/rooms/{room}/board`): Join then shows it at
 * once and the socket brings only what changed since. A fetch not in by
 * Join is stopped, and the socket brings the whole board as ever.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, waitState } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

const COUNT = 300;

/**
 * Ada, a socket from a page of the host's origin, draws COUNT strokes and
 * resolves once the host has them all (her own sync after them).
 * @param {import('playwright-core').Page} page @param {string} room
 */
async function adaDraws(page, room) {
  await page.goto(`${host.url}?room=${room}-lobby`);
  return Number(await page.evaluate(({ room, count }) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/ws?room=${room}`);
    /** @type {any} */ (window).ada = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'JOIN_ROOM', payload: { userId: 'u-ada', username: 'Ada' } }));
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data));
      if (msg.type === 'ERROR') reject(new Error(msg.payload.message));
      if (msg.type === 'WELCOME') {
        for (let i = 0; i < count; i++) {
          const pts = Array.from({ length: 20 }, (_, k) => ({ x: (i % 20) * 60 + k * 2.5, y: Math.floor(i / 20) * 40 + (k % 4) * 3.25 }));
          ws.send(JSON.stringify({ type: 'SHAPE_ADDED', payload: { userId: 'u-ada',
            shape: { id: `a-${i}`, type: 'pencil', points: pts, isSelected: false,
              style: { strokeColor: '#2f9e44', fillColor: 'transparent', strokeWidth: 2, opacity: 1 } } } }));
        }
        ws.send(JSON.stringify({ type: 'REQUEST_SYNC', payload: { userId: 'u-ada' } }));
      }
      if (msg.type === 'SYNC_SHAPES') resolve(msg.payload.rev);
    };
  }), { room, count: COUNT }));
}

/**
 * A page whose socket holds back every SYNC_SHAPES until `window.release()`,
 * and logs every REQUEST_SYNC it sends.
 * @param {import('playwright-core').BrowserContext} context
 */
async function holdingSyncs(context) {
  await context.addInitScript(() => {
    const Real = window.WebSocket;
    const w = /** @type {any} */ (window);
    /** @type {(() => void)[]} */
    const held = [];
    w.holding = true;
    w.syncs = [];
    w.release = () => { w.holding = false; for (const f of held.splice(0)) f(); };
    window.WebSocket = class extends Real {
      /** @param {string | URL} url @param {string | string[]} [protocols] */
      constructor(url, protocols) {
        super(url, protocols);
        const send = this.send.bind(this);
        this.send = (/** @type {any} */ d) => { const m = JSON.parse(String(d)); if (m.type === 'REQUEST_SYNC') w.syncs.push(m.payload); send(d); };
        this.addEventListener('message', (ev) => {
          if (!w.holding || !String(ev.data).slice(0, 40).includes('"SYNC_SHAPES"')) return;
          ev.stopImmediatePropagation();
          held.push(() => this.onmessage?.(new MessageEvent('message', { data: ev.data })));
        });
      }
    };
  });
}

test('the board fetched on the join screen is shown at Join, and the socket is asked only what changed since', async () => {
  const adaContext = await browser.newContext();
  const ada = await adaContext.newPage();
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await holdingSyncs(context);
  const page = await context.newPage();
  try {
    const rev = await adaDraws(ada, 'fetched');
    const fetched = page.waitForResponse((r) => r.url().includes('/api/rooms/fetched/board'));
    await page.goto(`${host.url}?room=fetched`);
    assert.equal((await fetched).status(), 200);
    await page.waitForFunction(() => performance.getEntriesByName('coco-board-fetched').length > 0);
    // Something changes after the fetch: only that comes over the socket.
    await ada.evaluate(() => /** @type {any} */ (window).ada.send(JSON.stringify({ type: 'SHAPES_DELETED', payload: { userId: 'u-ada', shapeIds: ['a-0'] } })));
    await page.getByTestId('join-name').fill('Gus');
    await page.getByTestId('join-submit').click();
    // No SYNC_SHAPES has reached the page, and the whole board is there.
    const shown = await waitState(page, (s) => s.shapesCount === COUNT);
    assert.equal(shown.rev, rev);
    const syncs = await page.evaluate(() => /** @type {any} */ (window).syncs);
    assert.equal(syncs.length, 1);
    assert.equal(syncs[0].since, rev, 'asked what changed since the fetched board');
    await page.evaluate(() => /** @type {any} */ (window).release());
    await waitState(page, (s) => s.connection === 'connected' && s.shapesCount === COUNT - 1 && s.rev === rev + 1);
  } finally {
    await context.close();
    await adaContext.close();
  }
});

test('a board not fetched by Join is given up, and the socket brings the whole board', async () => {
  const adaContext = await browser.newContext();
  const ada = await adaContext.newPage();
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await holdingSyncs(context);
  /** @type {(() => void)[]} */
  const answer = [];
  // The board's answer waits until after Join (a slow link).
  await context.route('**/api/rooms/*/board', (route) => { answer.push(() => route.continue().catch(() => {})); });
  const page = await context.newPage();
  try {
    await adaDraws(ada, 'unfetched');
    const failed = page.waitForEvent('requestfailed', (r) => r.url().includes('/board'));
    await page.goto(`${host.url}?room=unfetched`);
    await page.getByTestId('join-name').fill('Hal');
    await page.getByTestId('join-submit').click();
    await failed; // given up at Join
    for (const f of answer.splice(0)) f();
    const syncs = await page.evaluate(() => /** @type {any} */ (window).syncs);
    assert.equal(syncs.length, 1);
    assert.equal(syncs[0].since, undefined, 'the whole board asked for');
    await page.evaluate(() => /** @type {any} */ (window).release());
    await waitState(page, (s) => s.connection === 'connected' && s.shapesCount === COUNT);
  } finally {
    await context.close();
    await adaContext.close();
  }
});
