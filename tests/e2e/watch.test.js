// @ts-check
/**
 * Watching from beyond the four seats: the room-full screen offers it, the
 * watcher sees the board live (strokes, and the laser pointer's trails) and
 * changes nothing, and takes a seat by itself when one frees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, join, waitState, stroke, zigzag, viewOf, shapesOf, artifacts, inkAlong } from './helpers.js';
import { seriousViolations } from './a11y-kit.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** Ada's seat colour (ui.js SEATS, top-left). */
const RED = [0xE0, 0x31, 0x31];

/**
 * Seats people without a browser page each: plain WebSockets opened from
 * one page of the host's origin (`window.seats`, by name).
 * @param {import('playwright-core').Page} page @param {string} room @param {string[]} names
 */
async function seatSockets(page, room, names) {
  // A page of the host's origin that is not the board (and asks for no icon).
  await page.route('**/favicon.ico', (r) => r.fulfill({ status: 204 }));
  await page.goto(`${host.url}api/health`);
  await page.evaluate(async ({ room, names }) => {
    /** @type {any} */ (window).seats = {};
    await Promise.all(names.map((name) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/ws?room=${room}`);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'JOIN_ROOM', payload: { userId: `u-${name}`, username: name } }));
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data));
        if (msg.type === 'WELCOME') resolve(undefined);
        if (msg.type === 'ERROR') reject(new Error(msg.payload.code));
      };
      /** @type {any} */ (window).seats[name] = ws;
    })));
  }, { room, names });
}

/**
 * How many shapes the host holds, asked over one of the sockets.
 * @param {import('playwright-core').Page} page @param {string} name
 * @returns {Promise<number>}
 */
function hostShapes(page, name) {
  return page.evaluate((name) => new Promise((resolve) => {
    /** @type {WebSocket} */
    const ws = /** @type {any} */ (window).seats[name];
    /** @param {MessageEvent} ev */
    const onMessage = (ev) => {
      const msg = JSON.parse(String(ev.data));
      if (msg.type !== 'SYNC_SHAPES') return;
      ws.removeEventListener('message', onMessage);
      resolve(msg.payload.shapes.length);
    };
    ws.addEventListener('message', onMessage);
    ws.send(JSON.stringify({ type: 'REQUEST_SYNC', payload: {} }));
  }), name);
}

/**
 * Opens the room in a new context, gets the room-full screen and watches.
 * @param {string} url @param {string} name
 */
async function watchAs(url, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId('watch-name').fill(name);
  await page.getByTestId('watch').click();
  const s = await waitState(page, (st) => st.connection === 'connected' && st.users.length === 4);
  return { context, page, userId: /** @type {string} */ (s.userId) };
}

test('past the four seats one watches live, changes nothing, and takes a freed seat by oneself', async () => {
  const room = 'watch';
  const url = `${host.url}?room=${room}`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'top-right');
  const sockets = await browser.newContext();
  const watcher = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const driver = await sockets.newPage();
    await seatSockets(driver, room, ['Cy', 'Di']);
    await waitState(a.page, (s) => s.users.length === 4);

    // The fifth gets the room-full screen, which offers to watch.
    const page = await watcher.newPage();
    await page.goto(url);
    const screen = page.getByTestId('screen-message');
    await screen.waitFor();
    assert.equal(await screen.getAttribute('data-reason'), 'room_full');
    assert.deepEqual(await seriousViolations(page, 'the room-full screen'), []);
    await page.getByTestId('watch-name').fill('Eve');
    await page.getByTestId('watch').click();

    // The board, read-only: the seated four, no seat for the watcher.
    const watching = await waitState(page, (s) => s.connection === 'connected' && s.users.length === 4);
    assert.ok(!watching.users.some((/** @type {any} */ u) => u.id === watching.userId), 'a watcher holds no seat');
    const conn = page.getByTestId('conn');
    assert.match(await conn.textContent() ?? '', /Watching — 4 of 4 seats taken; you will take a seat as soon as one frees/);
    assert.match(await page.getByTestId('announcer').textContent() ?? '', /Watching — 4 of 4 seats taken/);
    assert.equal(await page.getByTestId('person').count(), 4);
    assert.deepEqual(await seriousViolations(page, 'the board while watching'), []);
    assert.equal(await page.getByTestId('people').getByText('(you)').count(), 0, 'the people list shows the seated only');
    for (const id of ['tool-pencil', 'tool-select', 'tool-eraser', 'cmd-undo', 'stroke-color']) {
      assert.ok(await page.getByTestId(id).isDisabled(), `${id} is unavailable`);
      assert.match(await page.getByTestId(id).getAttribute('title') ?? '', /watching/i);
    }

    // A stroke drawn by a seated person, seen live and then as a shape.
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await a.page.mouse.move(box.x + 100, box.y + 100);
    await a.page.mouse.down();
    for (let i = 1; i <= 10; i++) await a.page.mouse.move(box.x + 100 + i * 15, box.y + 100 + (i % 2) * 20);
    await waitState(page, (s) => s.drafts.length === 1 && s.drafts[0].points >= 5 && s.cursors.length >= 1);
    await a.page.mouse.up();
    await waitState(page, (s) => s.shapesCount === 1 && s.drafts.length === 0);
    await page.screenshot({ path: `${artifacts}/watching.png` });

    // A seated person's laser trail, seen live by the watcher in her colour
    // (along 380 px of a row: far more than her cursor covers).
    await a.page.keyboard.press('k');
    const av = await viewOf(a.page), wv = await viewOf(page);
    const row = { x: ((350 - av.ox) / av.scale) * wv.scale + wv.ox, y: ((300 - av.oy) / av.scale) * wv.scale + wv.oy };
    const trail = () => inkAlong(page, row.y, row.x - 190, row.x + 190, RED);
    assert.ok(await trail() < 20, 'no red along the row before');
    await a.page.mouse.move(box.x + 150, box.y + 300);
    await a.page.mouse.down();
    let columns = 0;
    // Ada sweeps the row until the watcher sees it (how soon depends on the machine, not on a fixed wait).
    for (let i = 0; i < 200 && columns < 300; i++) {
      await a.page.mouse.move(box.x + (i % 2 ? 150 : 550), box.y + 300, { steps: 25 });
      columns = await trail();
    }
    await a.page.mouse.up();
    assert.ok(columns >= 300, `the watcher sees Ada's trail along the row: ${columns} columns`);
    // It fades for the watcher as for everyone, and nothing was stored.
    await waitState(page, (s) => s.laserPoints === 0, 5000);
    assert.equal((await waitState(page, () => true)).shapesCount, 1);

    // A drag pans the view and draws nothing; keys that would change the board do nothing.
    const before = await viewOf(page);
    await stroke(page, zigzag(300, 300));
    await page.keyboard.press('r');
    await stroke(page, [{ x: 500, y: 200 }, { x: 650, y: 320 }]);
    assert.equal(await page.getByTestId('canvas').getAttribute('data-tool'), 'pencil', 'R chose no tool');
    await page.waitForTimeout(500);
    const after = await viewOf(page);
    assert.ok(after.ox !== before.ox || after.oy !== before.oy, 'a drag moves the view');
    assert.equal((await waitState(page, () => true)).shapesCount, 1);
    assert.equal((await waitState(page, () => true)).unacked, 0);
    assert.equal((await shapesOf(b.page)).length, 1);
    assert.equal(await hostShapes(driver, 'Cy'), 1, 'the host has only the seated person\'s stroke');

    // A reload watches again, under the same id.
    await page.reload();
    await waitState(page, (s) => s.connection === 'connected' && s.userId === watching.userId && s.users.length === 4 && s.shapesCount === 1);
    assert.match(await conn.textContent() ?? '', /Watching — 4 of 4/);

    // Someone leaves: the watcher takes that seat by itself, and draws.
    await driver.evaluate(() => /** @type {any} */ (window).seats.Di.close());
    const seated = await waitState(page, (s) => s.users.some((/** @type {any} */ u) => u.id === s.userId) && s.connection === 'connected');
    assert.equal(seated.userId, watching.userId, 'the same person, now seated');
    assert.equal(seated.position, 'bottom-right');
    await waitState(a.page, (s) => s.users.some((/** @type {any} */ u) => u.id === watching.userId && u.name === 'Eve'));
    assert.ok(!(await page.getByTestId('tool-pencil').isDisabled()), 'the tools are back');
    assert.doesNotMatch(await conn.textContent() ?? '', /Watching/);
    await page.getByTestId('tool-pencil').click();
    await stroke(page, zigzag(200, 400));
    const seen = await waitState(b.page, (s) => s.shapesCount === 2);
    assert.equal(seen.shapesCount, 2);
    const mine = (await shapesOf(b.page)).find((/** @type {any} */ s) => s.createdBy === watching.userId);
    assert.ok(mine, 'the stroke of the one who watched reaches the others');
    await waitState(page, (s) => s.unacked === 0);

    // And a reload keeps the seat.
    await page.reload();
    await waitState(page, (s) => s.connection === 'connected' && s.userId === watching.userId && s.users.some((/** @type {any} */ u) => u.id === s.userId));
    assert.ok(!(await page.getByTestId('tool-pencil').isDisabled()));
  } finally {
    await watcher.close();
    await sockets.close();
    await a.context.close();
    await b.context.close();
  }
});

test('two watchers and one freed seat: one takes it, the other goes on watching and takes the next', async () => {
  const room = 'watch-two';
  const url = `${host.url}?room=${room}`;
  const sockets = await browser.newContext();
  const driver = await sockets.newPage();
  await seatSockets(driver, room, ['A', 'B', 'C', 'D']);
  const first = await watchAs(url, 'Eve');
  const second = await watchAs(url, 'Fay');
  try {
    /** @param {any} s */
    const isSeated = (s) => s.users.some((/** @type {any} */ u) => u.id === s.userId);
    await driver.evaluate(() => /** @type {any} */ (window).seats.A.close());
    // Both ask; the host seats one and tells the other the room is full.
    const deadline = Date.now() + 15000;
    /** @type {boolean[]} */
    let seated = [];
    while (Date.now() < deadline) {
      seated = await Promise.all([first, second].map(async (w) => isSeated(await waitState(w.page, () => true))));
      if (seated.filter(Boolean).length === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(seated.filter(Boolean).length, 1, 'one watcher took the seat');
    const [taker, other] = seated[0] ? [first, second] : [second, first];
    await waitState(taker.page, (s) => s.connection === 'connected' && isSeated(s));
    // The other goes on watching: still connected, still read-only.
    await other.page.waitForTimeout(500);
    const still = await waitState(other.page, (s) => s.connection === 'connected' && s.users.length === 4);
    assert.ok(!isSeated(still));
    assert.match(await other.page.getByTestId('conn').textContent() ?? '', /Watching — 4 of 4 seats taken/);
    assert.ok(await other.page.getByTestId('tool-pencil').isDisabled());
    assert.equal(await other.page.getByTestId('screen-message').isVisible(), false, 'no room-full screen');

    // The next seat that frees is the other's.
    await driver.evaluate(() => /** @type {any} */ (window).seats.B.close());
    await waitState(other.page, (s) => s.connection === 'connected' && isSeated(s));
    assert.ok(!(await other.page.getByTestId('tool-pencil').isDisabled()));
  } finally {
    await first.context.close();
    await second.context.close();
    await sockets.close();
  }
});
