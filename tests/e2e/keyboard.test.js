// @ts-check
/**
 * Drawing with the keyboard alone (issue 14, item 6): no mouse event in any
 * of these tests. A person joins with the keys, Tabs to the board, moves its
 * focus point with the arrows and makes shapes there with Enter (a rectangle
 * or an ellipse of a chosen size, polylines point by point), erases and
 * points with the laser there with Enter, walks the shapes with Tab,
 * moves, resizes, deletes and undoes, pans and zooms, and reads every
 * shortcut in the `?` help; the focus always shows. The changes reach the
 * other people in the room and are stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, waitState, shapesOf, viewOf, inkNear } from './helpers.js';
import { said, waitSaid, seriousViolations, summary } from './a11y-kit.js';
import { boxAround, polylinePoints, nudged, grown, pushedView } from '../../ui/js/keygeometry.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** @typedef {import('playwright-core').Page} Page */

/**
 * Joins with the keys only: the name field has the focus, Enter joins (in the first free seat).
 * @param {string} url @param {string} name @param {import('playwright-core').BrowserContextOptions} [options]
 */
async function keyJoin(url, name, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error:`, e.message));
  await page.goto(url);
  await page.getByTestId('join-name').waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'join-name');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await waitState(page, (s) => s.connection === 'connected');
  return { context, page };
}

/** @param {Page} page */
const focused = (page) => page.evaluate(() => /** @type {HTMLElement|null} */ (document.activeElement)?.dataset.testid ?? '');

/** Tabs until the board has the focus (through the toolbar, as a person would). @param {Page} page */
async function tabToBoard(page) {
  for (let i = 0; i < 80 && (await focused(page)) !== 'canvas'; i++) await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'canvas', 'Tab reaches the board');
}

/** @param {Page} page @returns {Promise<{x: number, y: number}>} */
async function focusPoint(page) {
  await page.waitForFunction(() => /** @type {any} */ (window).coco.focusPoint() !== null);
  return page.evaluate(() => /** @type {any} */ (window).coco.focusPoint());
}

/** @param {Page} page @param {string} key @param {number} n */
async function pressTimes(page, key, n) {
  for (let i = 0; i < n; i++) await page.keyboard.press(key);
}

/**
 * Waits until the page's shapes satisfy `pred` (polled from here: the page's
 * Content-Security-Policy allows no code built from a string).
 * @param {Page} page @param {(shapes: any[], arg: any) => boolean} pred @param {any} [arg]
 */
async function waitShapes(page, pred, arg = null) {
  const deadline = Date.now() + 15000;
  let shapes = await shapesOf(page);
  while (!pred(shapes, arg)) {
    if (Date.now() > deadline) throw new Error(`the shapes never matched: ${JSON.stringify(shapes)}`);
    await new Promise((r) => setTimeout(r, 50));
    shapes = await shapesOf(page);
  }
  return shapes;
}

/** @param {Page} page */
const selected = (page) => page.evaluate(() => /** @type {any} */ (window).coco.selected());

/**
 * How many pixels of the board's accent colour the canvas has in a box
 * around screen point (x, y) (canvas pixels; the tests run at one device pixel per CSS pixel).
 * @param {Page} page @param {number} x @param {number} y @param {number} r
 */
function accentPixels(page, x, y, r) {
  return page.evaluate(({ x, y, r }) => {
    const c = /** @type {HTMLCanvasElement} */ (document.getElementById('canvas'));
    const d = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(Math.round(x - r), Math.round(y - r), 2 * r, 2 * r).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 128 && d[i + 2] > 150 && d[i] < 120) n++;
    return n;
  }, { x, y, r });
}

/** Waits until the accent pixels around (x, y) satisfy `pred` (the next frames are drawn). @param {Page} page @param {number} x @param {number} y @param {number} r @param {(n: number) => boolean} pred */
async function waitAccent(page, x, y, r, pred) {
  for (let i = 0; i < 100; i++) {
    const n = await accentPixels(page, x, y, r);
    if (pred(n)) return n;
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
  }
  throw new Error(`the accent pixels around ${x}, ${y} never matched: ${await accentPixels(page, x, y, r)}`);
}

test('the geometry of keyboard drawing: a box around the point, straight polylines, moves and resizes, the view pushed', () => {
  assert.deepEqual(boxAround({ x: 100, y: 50 }, 140, 60), [{ x: 30, y: 20 }, { x: 170, y: 80 }]);
  const pts = polylinePoints([{ x: 0, y: 0 }, { x: 40, y: 0 }, { x: 40, y: 24 }]);
  assert.deepEqual(pts[0], { x: 0, y: 0 });
  assert.deepEqual(pts[pts.length - 1], { x: 40, y: 24 });
  assert.ok(pts.some((p) => p.x === 40 && p.y === 0), 'passes through the corner');
  assert.ok(pts.every((p) => p.y === 0 || p.x === 40), 'every point on one of the two segments');
  for (let i = 1; i < pts.length; i++) assert.ok(Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y) <= 8, 'points close together');
  assert.ok(polylinePoints([{ x: 0, y: 0 }, { x: 100000, y: 0 }], 50).length <= 50, 'at most the limit of points');
  const style = { strokeColor: '#000', fillColor: 'transparent', strokeWidth: 2, opacity: 1 };
  const rect = { id: 'r', type: 'rectangle', points: [{ x: 50, y: 40 }, { x: 10, y: 20 }], style, isSelected: false };
  assert.deepEqual(nudged(rect, 1, -10), { points: [{ x: 51, y: 30 }, { x: 11, y: 10 }] });
  assert.deepEqual(grown(rect, 5, -3), { points: [{ x: 10, y: 20 }, { x: 55, y: 37 }] }, 'the top-left stays, right and bottom move');
  assert.deepEqual(grown(rect, -100, 0), { points: [{ x: 10, y: 20 }, { x: 12, y: 40 }] }, 'never thinner than 2');
  const line = { ...rect, type: 'line', points: [{ x: 0, y: 0 }, { x: 10, y: 10 }] };
  assert.deepEqual(grown(line, 1, 2), { points: [{ x: 0, y: 0 }, { x: 11, y: 12 }] });
  const text = { ...rect, type: 'text', points: [{ x: 0, y: 0 }], text: 'hi', style: { ...style, fontSize: 20 } };
  assert.equal(grown(text, 0, 10)?.style?.fontSize, 30);
  assert.equal(grown({ ...text, style: { ...style, fontSize: 6 } }, 0, -1), null, 'no change below the smallest size');
  const pencil = { ...rect, type: 'pencil', points: [{ x: 0, y: 0 }, { x: 10, y: 20 }] };
  assert.deepEqual(grown(pencil, 10, -10), { points: [{ x: 0, y: 0 }, { x: 20, y: 10 }] }, 'a stroke scales about its top left');
  const image = { ...rect, type: 'image', points: [{ x: 0, y: 0 }, { x: 30, y: 20 }], width: 30, height: 20 };
  assert.deepEqual(grown(image, 10, 0), { points: [{ x: 0, y: 0 }, { x: 40, y: 20 }], width: 40, height: 20 });
  assert.deepEqual(pushedView({ ox: 0, oy: 0 }, 1270, 300, 1000, 700, 50), { ox: -320, oy: 0 });
  assert.deepEqual(pushedView({ ox: 5, oy: 5 }, 20, 690, 1000, 700, 50), { ox: 35, oy: -35 });
});

test('with the keys only: a rectangle of a chosen size at the focus point, seen by the others and stored; polylines point by point', async () => {
  const url = `${host.url}?room=kbd-draw`;
  const a = await keyJoin(url, 'Ada');
  const b = await keyJoin(url, 'Bo');
  try {
    const page = a.page;
    await tabToBoard(page);
    await page.keyboard.press('r');
    assert.equal(await page.getByTestId('tool-rectangle').getAttribute('aria-pressed'), 'true');
    const start = await focusPoint(page);
    await pressTimes(page, 'ArrowRight', 3);
    await pressTimes(page, 'ArrowDown', 2);
    await page.keyboard.press('Shift+ArrowLeft');
    const at = await focusPoint(page);
    assert.deepEqual(at, { x: start.x + 30 - 100, y: start.y + 20 }, 'arrows move the point 10 px, Shift 100');
    await pressTimes(page, ']', 3); // 100 → 160
    await page.keyboard.press('[');  // 140
    const before = (await said(page)).length;
    await page.keyboard.press('Enter');
    const [rect] = await waitShapes(page, (s) => s.length === 1);
    assert.equal(rect.type, 'rectangle');
    assert.deepEqual(rect.points, [{ x: at.x - 70, y: at.y - 70 }, { x: at.x + 70, y: at.y + 70 }], 'a 140 × 140 rectangle centred on the point');
    await waitSaid(page, /^Added: Rectangle, .*140 by 140/, before);
    // Bo sees it, and it is stored: a reload (from the host) still has it.
    const seen = await waitShapes(b.page, (s) => s.length === 1);
    assert.deepEqual(seen[0].points, rect.points);
    await waitState(page, (s) => s.unacked === 0);
    await b.page.reload();
    await waitState(b.page, (s) => s.connection === 'connected' && s.shapesCount === 1);
    assert.deepEqual((await shapesOf(b.page))[0].points, rect.points);

    // A polyline with the pencil: three points, Enter again on the last finishes.
    await page.keyboard.press('p');
    const p0 = await focusPoint(page);
    await page.keyboard.press('Enter');
    await pressTimes(page, 'ArrowRight', 5);
    await page.keyboard.press('Enter');
    await pressTimes(page, 'ArrowDown', 4);
    await page.keyboard.press('Enter');
    assert.equal((await shapesOf(page)).length, 1, 'not placed until finished');
    await page.keyboard.press('Enter');
    const shapes = await waitShapes(page, (s) => s.length === 2);
    const poly = shapes[1];
    assert.equal(poly.type, 'pencil');
    assert.deepEqual(poly.points[0], p0);
    assert.ok(poly.points.some((/** @type {any} */ q) => q.x === p0.x + 50 && q.y === p0.y), 'through the second point');
    assert.deepEqual(poly.points[poly.points.length - 1], { x: p0.x + 50, y: p0.y + 40 });
    await waitShapes(b.page, (s) => s.length === 2);

    // The line tool: two points make a line; Escape finishes a longer one, Backspace takes a point back.
    await page.keyboard.press('l');
    await page.keyboard.press('Enter');
    await pressTimes(page, 'ArrowUp', 3);
    await page.keyboard.press('Enter');
    const [, , line] = await waitShapes(page, (s) => s.length === 3);
    assert.equal(line.type, 'line');
    assert.deepEqual(line.points, [{ x: p0.x + 50, y: p0.y + 40 }, { x: p0.x + 50, y: p0.y + 10 }]);
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Backspace'); // the third point taken back
    await page.keyboard.press('Escape');
    const all = await waitShapes(page, (s) => s.length === 4);
    assert.equal(all[3].type, 'line', 'two points left: a line');
    assert.equal(all.length, 4, 'Backspace took a point back, it deleted nothing');

    // Text: Enter opens the editor at the point; typing and Enter place it; the board has the focus again.
    await page.keyboard.press('t');
    await page.keyboard.press('Enter');
    await page.getByTestId('text-editor').waitFor();
    await page.keyboard.type('Hi');
    await page.keyboard.press('Enter');
    const texts = await waitShapes(page, (s) => s.some((x) => x.type === 'text'));
    assert.equal(texts.find((x) => x.type === 'text').text, 'Hi');
    await page.waitForFunction(() => document.activeElement?.id === 'canvas');
    // Undo takes back the last shape.
    await page.keyboard.press('Control+z');
    await waitShapes(page, (s) => s.length === 4);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

/** Ada's seat colour (ui.js SEATS, top-left: the first free seat). */
const RED = [0xE0, 0x31, 0x31];

test('with the keys only: an ellipse with Enter, the eraser erases it for the other person, the laser shows them a trail', async () => {
  const url = `${host.url}?room=kbd-erase`;
  const a = await keyJoin(url, 'Ada');
  const b = await keyJoin(url, 'Bo');
  try {
    const page = a.page;
    await waitState(b.page, (s) => s.users.length === 2);
    await tabToBoard(page);
    // An ellipse of the chosen size, centred on the focus point.
    await page.keyboard.press('o');
    assert.equal(await page.getByTestId('tool-ellipse').getAttribute('aria-pressed'), 'true');
    const at = await focusPoint(page);
    let count = (await said(page)).length;
    await page.keyboard.press('Enter');
    const [ellipse] = await waitShapes(page, (s) => s.length === 1);
    assert.equal(ellipse.type, 'ellipse');
    assert.deepEqual(ellipse.points, [{ x: at.x - 50, y: at.y - 50 }, { x: at.x + 50, y: at.y + 50 }], 'a 100 × 100 ellipse centred on the point');
    await waitSaid(page, /^Added: Ellipse, .*100 by 100/, count);
    // A rectangle further right, which the eraser must leave alone.
    await pressTimes(page, 'Shift+ArrowRight', 3);
    await page.keyboard.press('r');
    await page.keyboard.press('Enter');
    const [, rect] = await waitShapes(page, (s) => s.length === 2);
    await waitShapes(b.page, (s) => s.length === 2);

    // The eraser: Enter on the ellipse erases it, for Bo too; the rectangle stays.
    await pressTimes(page, 'Shift+ArrowLeft', 3);
    assert.deepEqual(await focusPoint(page), at);
    await page.keyboard.press('e');
    assert.equal(await page.getByTestId('tool-eraser').getAttribute('aria-pressed'), 'true');
    count = (await said(page)).length;
    await page.keyboard.press('Enter');
    await waitShapes(b.page, (s, id) => s.length === 1 && s[0].id === id, rect.id);
    await waitSaid(page, /^Erased: Ellipse/, count);
    // Where there is nothing, Enter erases nothing and says so.
    await pressTimes(page, 'Shift+ArrowDown', 2);
    count = (await said(page)).length;
    await page.keyboard.press('Enter');
    await waitSaid(page, /^No shape at the focus point$/, count);
    assert.equal((await shapesOf(page)).length, 1);
    // One undo step brings the ellipse back for both.
    await page.keyboard.press('Control+z');
    await waitShapes(b.page, (s, id) => s.length === 2 && s.some((x) => x.id === id), ellipse.id);

    // The laser: Enter shows a short trail round the focus point (here, empty
    // board) on Bo's screen, in Ada's colour; it stores nothing and fades.
    await page.keyboard.press('k');
    assert.equal(await page.getByTestId('tool-laser').getAttribute('aria-pressed'), 'true');
    const p = await focusPoint(page);
    const bv = await viewOf(b.page);
    const sx = p.x * bv.scale + bv.ox, sy = p.y * bv.scale + bv.oy;
    assert.equal(await inkNear(b.page, sx, sy, 26, RED), 0, 'nothing red there before');
    count = (await said(page)).length;
    // Pressed again until Bo has seen it (how soon depends on the machine, not on a fixed wait).
    let ink = 0;
    for (let i = 0; i < 20 && ink < 40; i++) {
      await page.keyboard.press('Enter');
      const until = Date.now() + 1000;
      while (Date.now() < until && ink < 40) ink = await inkNear(b.page, sx, sy, 26, RED);
    }
    assert.ok(ink >= 40, `Bo sees Ada's trail round the point: ${ink} px`);
    await waitSaid(page, new RegExp(`^Laser shown at x ${Math.round(p.x)}, y ${Math.round(p.y)}$`), count);
    await waitState(b.page, (s) => s.laserPoints === 0, 5000);
    assert.ok(await inkNear(b.page, sx, sy, 26, RED) < 5, 'the trail faded');
    const s = await waitState(page, (st) => st.unacked === 0);
    assert.equal(s.shapesCount, 2, 'the laser stored nothing');
    assert.equal((await shapesOf(b.page)).length, 2);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('with the keys only: Tab walks the shapes, arrows move, Alt+arrows resize, Delete, undo; Tab leaves the board', async () => {
  const url = `${host.url}?room=kbd-select`;
  const a = await keyJoin(url, 'Ada');
  const b = await keyJoin(url, 'Bo');
  try {
    const page = a.page;
    await tabToBoard(page);
    // Two rectangles, side by side.
    await page.keyboard.press('r');
    await page.keyboard.press('Enter');
    await pressTimes(page, 'Shift+ArrowRight', 2);
    await page.keyboard.press('Enter');
    const [first, second] = await waitShapes(page, (s) => s.length === 2);
    await page.keyboard.press('v');
    let count = (await said(page)).length;
    await page.keyboard.press('Tab');
    assert.deepEqual(await selected(page), [first.id]);
    assert.equal(await focused(page), 'canvas', 'Tab stays on the board while it walks the shapes');
    await waitSaid(page, /^1 of 2: Rectangle/, count);
    count = (await said(page)).length;
    await page.keyboard.press('Tab');
    assert.deepEqual(await selected(page), [second.id]);
    await waitSaid(page, /^2 of 2: Rectangle/, count);
    await page.keyboard.press('Shift+Tab');
    assert.deepEqual(await selected(page), [first.id]);

    // Arrows move it: one step per press (Shift: 10), each an ordinary change the others get.
    await pressTimes(page, 'ArrowRight', 2);
    await page.keyboard.press('Shift+ArrowDown');
    const [moved] = await shapesOf(page);
    assert.deepEqual(moved.points, first.points.map((/** @type {any} */ p) => ({ x: p.x + 2, y: p.y + 10 })));
    await waitShapes(b.page, (s, at) => s.length === 2 && s[0].points[0].x === at.x && s[0].points[0].y === at.y, moved.points[0]);
    // Alt+arrows resize: right and down grow it, left and up shrink it; the page stays (Alt+Left is not "back").
    const pageUrl = page.url();
    await pressTimes(page, 'Alt+ArrowRight', 3);
    await page.keyboard.press('Alt+ArrowLeft');
    await page.keyboard.press('Alt+Shift+ArrowDown');
    assert.equal(page.url(), pageUrl);
    assert.equal(await focused(page), 'canvas');
    const [resized] = await shapesOf(page);
    const w = (/** @type {any} */ s) => Math.abs(s.points[1].x - s.points[0].x), h = (/** @type {any} */ s) => Math.abs(s.points[1].y - s.points[0].y);
    assert.equal(w(resized), w(first) + 2);
    assert.equal(h(resized), h(first) + 10);
    // Ctrl+Z undoes one press at a time.
    await page.keyboard.press('Control+z');
    assert.equal(h((await shapesOf(page))[0]), h(first));
    assert.equal(w((await shapesOf(page))[0]), w(first) + 2);
    // Delete, seen by Bo; Ctrl+Z brings it back.
    await page.keyboard.press('Delete');
    await waitShapes(b.page, (s, id) => s.length === 1 && s[0].id === id, second.id);
    await page.keyboard.press('Control+z');
    await waitShapes(b.page, (s) => s.length === 2);

    // Ways out: Tab past the last shape leaves the board; so does Escape then Tab.
    await page.keyboard.press('Tab'); // the second (the restored first is drawn last now)
    await page.keyboard.press('Tab'); // the first
    assert.equal(await focused(page), 'canvas');
    await page.keyboard.press('Tab');
    assert.notEqual(await focused(page), 'canvas', 'Tab past the last shape leaves the board');
    assert.deepEqual(await selected(page), []);
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(page), 'canvas');
    await page.keyboard.press('Shift+Tab'); // the last shape, backwards
    assert.equal((await selected(page)).length, 1);
    await page.keyboard.press('Escape');
    assert.deepEqual(await selected(page), []);
    await page.keyboard.press('Tab');
    assert.notEqual(await focused(page), 'canvas', 'Escape then Tab leaves the board');
    // With another tool Tab is the browser's: it leaves at once.
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(page), 'canvas');
    await page.keyboard.press('r');
    await page.keyboard.press('Shift+Tab');
    assert.notEqual(await focused(page), 'canvas');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('with the keys only: pan with Ctrl+arrows and by pushing the focus point to the edge; zoom with + - 0', async () => {
  const { page, context } = await keyJoin(`${host.url}?room=kbd-view`, 'Ada');
  try {
    await tabToBoard(page);
    const v0 = await viewOf(page);
    await page.keyboard.press('Control+ArrowRight');
    await page.keyboard.press('Control+Shift+ArrowDown');
    const v1 = await viewOf(page);
    assert.deepEqual([v1.ox, v1.oy], [v0.ox - 40, v0.oy - 400]);
    // The point pushed past the edge scrolls the view.
    const box = await page.getByTestId('canvas').evaluate((c) => ({ w: c.clientWidth, h: c.clientHeight }));
    await pressTimes(page, 'Shift+ArrowRight', Math.ceil(box.w / 100) + 2);
    const v2 = await viewOf(page);
    assert.ok(v2.ox < v1.ox, `the view scrolled right: ${v1.ox} → ${v2.ox}`);
    const p = await focusPoint(page);
    const sx = p.x * v2.scale + v2.ox;
    assert.ok(sx > 0 && sx < box.w, `the point stays in view: ${sx}`);
    await page.keyboard.press('+');
    assert.ok(Math.abs((await viewOf(page)).scale - 1.2) < 1e-9);
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    assert.ok((await viewOf(page)).scale < 1);
    await page.keyboard.press('0');
    assert.deepEqual(await viewOf(page), { scale: 1, ox: 0, oy: 0 });
  } finally {
    await context.close();
  }
});

test('? opens the shortcuts help: every shortcut listed, Escape closes it and the board has the focus again (US and German keyboards)', async () => {
  const { page, context } = await keyJoin(`${host.url}?room=kbd-help`, 'Ada');
  try {
    await tabToBoard(page);
    await page.keyboard.press('Shift+Slash'); // ? on a US keyboard
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    assert.equal(await focused(page), 'shortcuts-close', 'the focus is in the dialog');
    const ids = await dialog.getByTestId('shortcut').evaluateAll((rows) => rows.map((r) => /** @type {HTMLElement} */ (r).dataset.shortcut));
    for (const id of ['tool-select', 'tool-pencil', 'tool-line', 'tool-rectangle', 'tool-ellipse', 'tool-text', 'tool-eraser', 'tool-laser',
      'point', 'create', 'polyline', 'polyline-end', 'text-here', 'erase-here', 'laser-here', 'size-up', 'size-down', 'next-shape', 'previous-shape', 'move', 'resize',
      'delete', 'undo', 'redo', 'pan', 'zoom-in', 'zoom-out', 'zoom-reset', 'fit', 'export', 'export-svg', 'help']) {
      assert.ok(ids.includes(id), `the help lists ${id}`);
    }
    const text = await dialog.innerText();
    for (const words of ['Ctrl', 'Alt', 'Arrow keys', 'Tab', 'Laser pointer', 'Export PNG', 'Undo your last change', 'Resize the selection',
      'Eraser: erase the shape at the focus point', 'Laser pointer: show everyone a short trail around the focus point']) {
      assert.ok(text.includes(words), `the help says "${words}"`);
    }
    const bad = await seriousViolations(page, 'the shortcuts help');
    assert.equal(bad.length, 0, `the shortcuts help: axe found ${summary(bad)}`);
    // Keys in the dialog are its own: R does not choose the rectangle.
    await page.keyboard.press('r');
    assert.equal(await page.getByTestId('tool-rectangle').getAttribute('aria-pressed'), 'false');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focused(page), 'canvas', 'closed, the focus is back on the board');
    // The Help panel's button opens it too; closed, the focus is back on the button.
    await page.getByTestId('open-shortcuts').focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focused(page), 'open-shortcuts');
  } finally {
    await context.close();
  }
  // A German page: ? is Shift+ß there (its key code is "Minus"); the help is in German.
  const de = await keyJoin(`${host.url}?room=kbd-help`, 'Udo', { locale: 'de-DE' });
  try {
    await tabToBoard(de.page);
    await de.page.evaluate(() => document.getElementById('canvas')?.dispatchEvent(
      new KeyboardEvent('keydown', { key: '?', code: 'Minus', shiftKey: true, bubbles: true, cancelable: true })));
    const dialog = de.page.getByRole('dialog', { name: 'Tastenkürzel' });
    await dialog.waitFor();
    const text = await dialog.innerText();
    assert.ok(text.includes('Strg') && text.includes('Pfeiltasten'), 'key names in German');
    assert.ok(text.includes('Radierer: die Form am Fokuspunkt löschen') && text.includes('Laserpointer: allen eine kurze Spur'), 'Enter with the eraser and the laser, in German');
    await de.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focused(de.page), 'canvas');
  } finally {
    await de.context.close();
  }
});

test('the focus shows: the board draws its focus point and a ring round the selected shape while focused; controls have a ring', async () => {
  const { page, context } = await keyJoin(`${host.url}?room=kbd-focus`, 'Ada');
  try {
    await tabToBoard(page);
    const p = await focusPoint(page);
    const v = await viewOf(page);
    const sx = p.x * v.scale + v.ox, sy = p.y * v.scale + v.oy;
    // The crosshair's right arm, 9 to 18 px right of the point.
    await waitAccent(page, sx + 13, sy, 4, (n) => n > 4);
    // Focus elsewhere (Shift+Tab into the toolbar): the point is gone; its control shows a ring.
    await page.keyboard.press('Shift+Tab');
    await waitAccent(page, sx + 13, sy, 4, (n) => n === 0);
    const ring = await page.evaluate(() => {
      const e = /** @type {HTMLElement} */ (document.activeElement);
      const s = getComputedStyle(e);
      return { visible: e.matches(':focus-visible'), style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
    assert.ok(ring.visible && ring.style !== 'none' && ring.width >= 2, `the control's ring: ${JSON.stringify(ring)}`);
    // A shape, selected with Tab: a solid ring round it while the board has the focus.
    await page.keyboard.press('Tab');
    await page.keyboard.press('r');
    await page.keyboard.press('Enter');
    const [rect] = await waitShapes(page, (s) => s.length === 1);
    await page.keyboard.press('v');
    await page.keyboard.press('Tab');
    assert.deepEqual(await selected(page), [rect.id]);
    const right = Math.max(rect.points[0].x, rect.points[1].x) * v.scale + v.ox;
    const midY = ((rect.points[0].y + rect.points[1].y) / 2) * v.scale + v.oy;
    // The ring is 9 px out from the shape's bounds (its stroke's half width and 1 further out), the selection's dashes 4.
    const ringX = right + 3 + 9;
    await waitAccent(page, ringX, midY, 3, (n) => n > 8);
    // The ring shows where the keyboard is: with the focus elsewhere (the selection kept) only the dashes stay.
    await page.getByTestId('zoom-level').focus();
    assert.deepEqual(await selected(page), [rect.id]);
    await waitAccent(page, ringX, midY, 3, (n) => n <= 1);
  } finally {
    await context.close();
  }
});
