// @ts-check
/**
 * The socket opens while the person is on the join screen, so that Join
 * starts on an open connection (on a slow link its two handshakes are two
 * round trips). Each test counts the page's WebSockets with an init script
 * and logs what each sent and received.
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

/** A page whose WebSockets are kept in `window.sockets`, each with its log. */
async function countingPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(() => {
    const Real = window.WebSocket;
    /** @type {{ws: WebSocket, log: string[]}[]} */
    const sockets = [];
    /** @type {any} */ (window).sockets = sockets;
    window.WebSocket = class extends Real {
      /** @param {string | URL} url @param {string | string[]} [protocols] */
      constructor(url, protocols) {
        super(url, protocols);
        /** @type {string[]} */
        const log = [];
        sockets.push({ ws: this, log });
        const send = this.send.bind(this);
        this.send = (/** @type {any} */ d) => { log.push(`sent ${JSON.parse(String(d)).type}`); send(d); };
        this.addEventListener('open', () => log.push('open'));
        this.addEventListener('message', (ev) => log.push(`got ${JSON.parse(String(ev.data)).type}`));
        this.addEventListener('close', (ev) => log.push(`closed ${ev.code}`));
      }
    };
  });
  return { context, page: await context.newPage() };
}

/** @param {import('playwright-core').Page} page */
const logs = (page) => page.evaluate(() => /** @type {any} */ (window).sockets.map((/** @type {any} */ s) => s.log));

test('the socket is open before Join is pressed, and the join goes out on it', async () => {
  const { context, page } = await countingPage();
  try {
    await page.goto(`${host.url}?room=warm`);
    await page.getByTestId('join-name').fill('Di');
    // Open, and nothing sent on it yet: the person has not joined.
    await page.waitForFunction(() => /** @type {any} */ (window).sockets[0]?.ws.readyState === WebSocket.OPEN);
    assert.deepEqual(await logs(page), [['open']]);
    await page.getByTestId('join-submit').click();
    await waitState(page, (s) => s.connection === 'connected' && s.users.length === 1);
    const [first, ...others] = await logs(page);
    assert.deepEqual(others, [], 'no second socket');
    // (The page replays the open event it missed: the log may say 'open' twice.)
    assert.equal(first[0], 'open');
    assert.deepEqual(first.filter((e) => e !== 'open').slice(0, 2), ['sent JOIN_ROOM', 'sent REQUEST_SYNC'], first.join(', '));
    assert.ok(first.includes('got WELCOME'), first.join(', '));
  } finally {
    await context.close();
  }
});

test('a socket the host closed while the person was still choosing is not used: Join opens another and joins', async () => {
  const { context, page } = await countingPage();
  try {
    await page.goto(`${host.url}?room=warm-late`);
    await page.getByTestId('join-name').waitFor();
    // The host closes a socket that has not joined within 10 s (JOIN_TIMEOUT).
    await page.waitForFunction(() => /** @type {any} */ (window).sockets[0]?.ws.readyState === WebSocket.CLOSED, null, { timeout: 20000 });
    const [closed] = await logs(page);
    assert.ok(closed.includes('got ERROR'), closed.join(', '));
    assert.ok(!closed.includes('sent JOIN_ROOM'), closed.join(', '));
    await page.getByTestId('join-name').fill('Ed');
    await page.getByTestId('join-submit').click();
    await waitState(page, (s) => s.connection === 'connected' && s.users.length === 1);
    const all = await logs(page);
    assert.equal(all.length, 2, JSON.stringify(all));
    assert.ok(all[1].includes('sent JOIN_ROOM') && all[1].includes('got WELCOME'), all[1].join(', '));
  } finally {
    await context.close();
  }
});

test('the offline copy is not fetched while a join is under way: only once the board is in', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  // Every SYNC_SHAPES waits in the page until the test lets it through: the join stays under way.
  await context.addInitScript(() => {
    const Real = window.WebSocket;
    /** @type {(() => void)[]} */
    const held = [];
    const w = /** @type {any} */ (window);
    w.holding = true;
    w.release = () => { w.holding = false; for (const f of held.splice(0)) f(); };
    window.WebSocket = class extends Real {
      /** @param {string | URL} url @param {string | string[]} [protocols] */
      constructor(url, protocols) {
        super(url, protocols);
        this.addEventListener('message', (ev) => {
          if (!w.holding || !String(ev.data).slice(0, 40).includes('"SYNC_SHAPES"')) return;
          ev.stopImmediatePropagation();
          held.push(() => this.onmessage?.(new MessageEvent('message', { data: ev.data })));
        });
      }
    };
  });
  const page = await context.newPage();
  try {
    await page.goto(`${host.url}?room=warm-worker`);
    await page.getByTestId('join-name').fill('Flo');
    await page.getByTestId('join-submit').click();
    // Past WORKER_DELAY_MS (3 s from the page's start) with the board still on its way.
    await page.waitForFunction(() => performance.now() > 3500, null, { timeout: 10000 });
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 0);
    await page.evaluate(() => /** @type {any} */ (window).release());
    await page.waitForFunction(() => performance.getEntriesByName('coco-board-shown').length > 0);
    await page.waitForFunction(() => navigator.serviceWorker.getRegistrations().then((r) => r.length === 1), null, { timeout: 10000 });
  } finally {
    await context.close();
  }
});
