// @ts-check
/**
 * Following someone's view, the host's "bring everyone to me", where
 * everyone is looking, and the laser pointer: all live, none of it stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, join, waitState, viewOf, artifacts, inkAlong } from './helpers.js';

/** @typedef {import('playwright-core').Page} Page */

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** The seat colours (ui.js SEATS). */
const RED = [0xE0, 0x31, 0x31]; // top-left
const BLUE = [0x19, 0x71, 0xC2]; // top-right

/**
 * Polls `f` until `pred` holds of its value.
 * @template T @param {() => Promise<T>} f @param {(v: T) => boolean} pred @param {string} what
 * @returns {Promise<T>}
 */
async function until(f, pred, what, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await f();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}; last: ${JSON.stringify(last)}`);
}

/** Whether two views are the same, to a rounding of the rectangle sent. @param {{scale: number, ox: number, oy: number}} a @param {{scale: number, ox: number, oy: number}} b */
const sameView = (a, b) => Math.abs(a.scale / b.scale - 1) < 1e-3 && Math.abs(a.ox - b.ox) < 2 && Math.abs(a.oy - b.oy) < 2;

/** Holds Space and drags the board by (dx, dy) from canvas point (300, 300). @param {Page} page @param {number} dx @param {number} dy */
async function spaceDrag(page, dx, dy) {
  const box = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
  await page.keyboard.down(' ');
  await page.mouse.move(box.x + 300, box.y + 300);
  await page.mouse.down();
  await page.mouse.move(box.x + 300 + dx, box.y + 300 + dy, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up(' ');
}

test('a laser trail shows on the others\' boards in its colour, fades, and stores nothing', async () => {
  const url = `${host.url}?room=laser`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'bottom-right');
  try {
    await waitState(b.page, (s) => s.users.length === 2);
    await a.page.keyboard.press('k');
    assert.equal(await a.page.getByTestId('tool-laser').getAttribute('aria-pressed'), 'true');
    const box = /** @type {{x: number, y: number}} */ (await a.page.getByTestId('canvas').boundingBox());
    // Ada sweeps the pointer along row 300 until Bo sees the trail (how
    // long that takes depends on the machine, not on a fixed wait).
    let seen = false;
    await a.page.mouse.move(box.x + 150, box.y + 300);
    await a.page.mouse.down();
    const sweep = (async () => {
      for (let i = 0; !seen && i < 400; i++) await a.page.mouse.move(box.x + (i % 2 ? 150 : 550), box.y + 300, { steps: 25 });
    })();
    const columns = await until(() => inkAlong(b.page, 300, 100, 600, RED), (n) => n >= 150, 'Bo never saw Ada\'s trail in her colour')
      .finally(() => { seen = true; });
    await sweep;
    await b.page.screenshot({ path: `${artifacts}/laser-trail.png` });
    assert.ok(await inkAlong(a.page, 300, 100, 600, RED) >= 150, 'Ada sees her own trail');
    await a.page.mouse.up();
    assert.ok(columns >= 150, `${columns}`);

    // It fades: in a moment nothing of it is left on either board.
    await waitState(b.page, (s) => s.laserPoints === 0, 5000);
    await waitState(a.page, (s) => s.laserPoints === 0, 5000);
    assert.ok(await inkAlong(b.page, 300, 100, 600, RED) < 20, 'only Ada\'s cursor is left');

    // Nothing was stored: no shape, no change to undo, the room still at revision 0.
    for (const page of [a.page, b.page]) {
      const s = await waitState(page, (st) => st.unacked === 0);
      assert.equal(s.shapesCount, 0);
    }
    const c = await join(browser, url, 'Cy', 'top-right');
    try {
      const s = await waitState(c.page, (st) => st.connection === 'connected');
      assert.equal(s.shapesCount, 0);
      assert.equal(s.rev, 0, 'a newcomer\'s sync shows no change to the room');
    } finally {
      await c.context.close();
    }
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('Bo follows Ada\'s view live until he moves his own, or presses Escape', async () => {
  const url = `${host.url}?room=follow`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'bottom-right');
  try {
    await waitState(b.page, (s) => s.views.some((/** @type {any} */ v) => v.id === s.users.find((/** @type {any} */ u) => u.name === 'Ada')?.id));
    await b.page.getByTestId('people').getByRole('button', { name: 'Follow Ada\'s view' }).click();
    const status = b.page.getByTestId('follow-status');
    await status.waitFor();
    assert.match(await status.textContent() ?? '', /Following Ada — press Esc or move to stop/);
    await b.page.getByTestId('people').getByRole('button', { name: 'Following Ada\'s view: stop' }).waitFor();

    // Ada zooms in, then pans: Bo's view follows (the same board area, the same screen size).
    await a.page.keyboard.press('+');
    await a.page.keyboard.press('+');
    let av = await viewOf(a.page);
    assert.ok(Math.abs(av.scale - 1.44) < 1e-9, `${av.scale}`);
    await until(() => viewOf(b.page), (bv) => sameView(av, bv), 'Bo\'s view did not follow Ada\'s zoom');
    await spaceDrag(a.page, -120, 80);
    av = await viewOf(a.page);
    await until(() => viewOf(b.page), (bv) => sameView(av, bv), 'Bo\'s view did not follow Ada\'s pan');

    // Bo pans himself: he stops following, and Ada's next move leaves him be.
    await spaceDrag(b.page, 50, 0);
    await status.waitFor({ state: 'hidden' });
    const mine = await viewOf(b.page);
    await a.page.keyboard.press('-');
    await until(() => viewOf(a.page), (v) => Math.abs(v.scale - 1.2) < 1e-9, 'Ada did not zoom');
    // Ada's new view has reached Bo's page (he still knows where she looks) ...
    const adaId = (await waitState(a.page, (s) => !!s.userId)).userId;
    const adaWidth = await a.page.evaluate(() => /** @type {HTMLCanvasElement} */ (document.getElementById('canvas')).clientWidth / 1.2);
    await waitState(b.page, (s) => s.views.some((/** @type {any} */ v) => v.id === adaId && Math.abs(v.w - adaWidth) < 0.5));
    await waitState(b.page, (s) => s.following === null);
    assert.deepEqual(await viewOf(b.page), mine, '... but his view stays his own');

    // Following again; Escape stops it.
    await b.page.getByTestId('people').getByRole('button', { name: 'Follow Ada\'s view' }).click();
    await until(() => Promise.all([viewOf(a.page), viewOf(b.page)]), ([x, y]) => sameView(x, y), 'Bo\'s view did not jump to Ada\'s');
    await b.page.keyboard.press('Escape');
    await status.waitFor({ state: 'hidden' });
    assert.equal((await waitState(b.page, () => true)).following, null);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('the host brings everyone to its view, and sees where each person is looking', async () => {
  const room = 'present';
  const t = await join(browser, `${host.adminUrl}&room=${room}`, 'Teacher', 'top-right');
  const a = await join(browser, `${host.url}?room=${room}`, 'Ada', 'top-left');
  const b = await join(browser, `${host.url}?room=${room}`, 'Bo', 'bottom-right');
  try {
    const teacherId = (await waitState(t.page, (s) => s.users.length === 3)).userId;
    const panel = t.page.getByTestId('host-panel');
    await panel.waitFor();
    // A plain page has no such button (the panel is the host's only).
    assert.equal(await a.page.getByTestId('host-present').isVisible(), false);

    await t.page.keyboard.press('+');
    await panel.getByTestId('host-present').click();
    for (const p of [a.page, b.page]) {
      await waitState(p, (s) => s.following === teacherId);
      await p.getByTestId('follow-status').filter({ hasText: 'Following Teacher (presenting)' }).waitFor();
    }
    await t.page.getByTestId('toast').filter({ hasText: 'Everyone now follows your view' }).waitFor();
    // Both follow the host's zoom and pan. (The host page's board area is
    // narrower, with its panel: the others fit the same board area into theirs.)
    await spaceDrag(t.page, 80, 60);
    const tv = await viewOf(t.page);
    const tRect = await t.page.evaluate(() => {
      const c = /** @type {HTMLCanvasElement} */ (document.getElementById('canvas'));
      const v = /** @type {any} */ (window).coco.view();
      return { cx: (c.clientWidth / 2 - v.ox) / v.scale, cy: (c.clientHeight / 2 - v.oy) / v.scale };
    });
    for (const p of [a.page, b.page]) {
      await until(() => p.evaluate(() => {
        const c = /** @type {HTMLCanvasElement} */ (document.getElementById('canvas'));
        const v = /** @type {any} */ (window).coco.view();
        return { cx: (c.clientWidth / 2 - v.ox) / v.scale, cy: (c.clientHeight / 2 - v.oy) / v.scale, scale: v.scale };
      }), (v) => Math.abs(v.cx - tRect.cx) < 2 && Math.abs(v.cy - tRect.cy) < 2 && v.scale >= tv.scale * (1 - 1e-3), 'a page did not follow the host');
    }

    // Ada zooms on her own: she stops following; Bo still follows.
    await a.page.keyboard.press('+');
    await waitState(a.page, (s) => s.following === null);
    await a.page.getByTestId('follow-status').waitFor({ state: 'hidden' });
    assert.equal((await waitState(b.page, () => true)).following, teacherId);

    // Where everyone is looking: Ada's (smaller) rectangle in her colour on the host's board.
    const adaId = (await waitState(a.page, () => true)).userId;
    await panel.getByTestId('host-show-views').check();
    const ada = await waitState(t.page, (s) => s.showViews && s.views.some((/** @type {any} */ v) => v.id === adaId));
    const rect = ada.views.find((/** @type {any} */ v) => v.id === adaId);
    const edge = await t.page.evaluate((r) => {
      const v = /** @type {any} */ (window).coco.view();
      return { y: Math.round(r.y * v.scale + v.oy) + 2, x0: Math.round(r.x * v.scale + v.ox), x1: Math.round((r.x + r.w) * v.scale + v.ox) };
    }, rect);
    await t.page.screenshot({ path: `${artifacts}/follow-views.png` });
    const width = edge.x1 - edge.x0;
    const red = await until(() => inkAlong(t.page, edge.y, edge.x0 + 4, edge.x1 - 4, RED), (n) => n > (width - 8) * 0.9, 'Ada\'s rectangle is not on the host\'s board');
    assert.ok(red > 0);
    // The host's own view is not drawn for the host; nobody's is in another colour than theirs.
    assert.ok(!ada.views.some((/** @type {any} */ v) => v.id === teacherId));
    assert.equal(await inkAlong(t.page, edge.y, edge.x0 + 4, edge.x1 - 4, BLUE), 0);
  } finally {
    await t.context.close();
    await a.context.close();
    await b.context.close();
  }
});
