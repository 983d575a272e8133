// @ts-check
/**
 * A pen: its pressure sets the pencil's width, the same for everyone and in
 * the exports; "Pressure" off gives one width; "Pen only" keeps fingers from
 * drawing while one finger still pans and two still pinch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useHostAndBrowser, TABLET, join, waitState, shapesOf, viewOf } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').CDPSession} CDPSession */

/**
 * A pen through the DevTools protocol (a mouse event whose pointer is a pen,
 * `force` its pressure), in page pixels.
 * @param {CDPSession} cdp @param {'mousePressed'|'mouseMoved'|'mouseReleased'} type
 * @param {number} x @param {number} y @param {number} force
 */
async function pen(cdp, type, x, y, force) {
  await cdp.send('Input.dispatchMouseEvent', {
    type, x, y, force, pointerType: 'pen', button: 'left',
    buttons: type === 'mouseReleased' ? 0 : 1, clickCount: type === 'mouseMoved' ? 0 : 1,
  });
}

/**
 * Real touches through the DevTools protocol, in page pixels.
 * @param {CDPSession} cdp @param {'touchStart'|'touchMove'|'touchEnd'} type @param {{x: number, y: number, id: number}[]} points
 */
async function touch(cdp, type, points) {
  await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p) => ({ x: p.x, y: p.y, id: p.id })) });
}

/**
 * A horizontal pen stroke from canvas (x0, y) to (x1, y), its pressure going
 * from `from` to `to`; the pen stays down unless `lift`.
 * @param {Page} page @param {CDPSession} cdp @param {{x0: number, x1: number, y: number, from: number, to: number, lift?: boolean}} o
 */
async function penStroke(page, cdp, o) {
  const box = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
  const steps = 25;
  await pen(cdp, 'mousePressed', box.x + o.x0, box.y + o.y, o.from);
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    await pen(cdp, 'mouseMoved', box.x + o.x0 + (o.x1 - o.x0) * t, box.y + o.y, o.from + (o.to - o.from) * t);
  }
  if (o.lift !== false) await pen(cdp, 'mouseReleased', box.x + o.x1, box.y + o.y, 0);
}

/**
 * The ink's thickness (dark grey pixels: not a red cursor) in every column of a picture, from the
 * first column with ink to the last.
 * @param {Page} page @param {string} url a data: URL, or SVG text (`svg`)
 * @param {boolean} [svg]
 * @returns {Promise<number[]>}
 */
function inkColumns(page, url, svg = false) {
  return page.evaluate(async ({ url, svg }) => {
    const src = svg ? URL.createObjectURL(new Blob([url], { type: 'image/svg+xml' })) : url;
    const img = new Image();
    img.src = src;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const cols = new Array(c.width).fill(0);
    for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
      const i = (y * c.width + x) * 4;
      if (data[i] < 128 && data[i + 1] < 128 && data[i + 2] < 128) cols[x]++;
    }
    const first = cols.findIndex((n) => n > 0);
    let last = cols.length - 1;
    while (last > 0 && cols[last] === 0) last--;
    return first < 0 ? [] : cols.slice(first, last + 1);
  }, { url, svg });
}

/**
 * The ink's thickness on the board (the canvas as drawn) in a band of rows,
 * column by column from the first with ink to the last.
 * @param {Page} page @param {number} top @param {number} bottom canvas pixels
 */
async function boardColumns(page, top, bottom) {
  const url = await page.evaluate(({ top, bottom }) => {
    const canvas = /** @type {HTMLCanvasElement} */ (document.querySelector('[data-testid=canvas]'));
    const c = document.createElement('canvas');
    c.width = canvas.width;
    c.height = bottom - top;
    /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).drawImage(canvas, 0, -top);
    return c.toDataURL('image/png');
  }, { top, bottom });
  return inkColumns(page, url);
}

/**
 * The thickness near the start and near the end of a stroke's ink (a tenth
 * of its length in from either end, clear of the round ends).
 * @param {number[]} cols
 */
function ends(cols) {
  assert.ok(cols.length > 100, `ink over ${cols.length} columns`);
  const at = (/** @type {number} */ f) => cols[Math.round((cols.length - 1) * f)];
  return { start: at(0.15), end: at(0.85) };
}

/** Waits until the page has drawn a frame (what was just sent is on the canvas). @param {Page} page */
const frame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('a pen stroke grows with its pressure: stored, for the other person (live and done), in the PNG and SVG exports', async () => {
  const url = `${host.url}?room=pressure`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    await a.page.getByTestId('stroke-width').selectOption('16');
    await a.page.getByTestId('stroke-color').fill('#000000'); // not the seat's colour: ink is dark grey below
    assert.equal(await a.page.getByTestId('pen-pressure').isChecked(), true, 'pressure is on unless turned off');
    const cdp = await a.page.context().newCDPSession(a.page);
    // Light to hard, and the pen stays down: the other person sees it being drawn.
    await penStroke(a.page, cdp, { x0: 200, x1: 800, y: 300, from: 0.1, to: 1, lift: false });
    await waitState(b.page, (s) => s.drafts.length === 1 && s.drafts[0].points >= 20);
    await frame(b.page);
    const live = ends(await boardColumns(b.page, 280, 320));
    const mine = ends(await boardColumns(a.page, 280, 320));
    assert.ok(live.end >= 2 * live.start, `the other person's live stroke: ${JSON.stringify(live)}`);
    assert.ok(mine.end >= 2 * mine.start, `the stroke being drawn: ${JSON.stringify(mine)}`);

    const box = /** @type {{x: number, y: number}} */ (await a.page.getByTestId('canvas').boundingBox());
    await pen(cdp, 'mouseReleased', box.x + 800, box.y + 300, 0);
    await waitState(b.page, (s) => s.shapesCount === 1 && s.drafts.length === 0);
    await waitState(a.page, (s) => s.unacked === 0);
    const [shape] = await shapesOf(a.page);
    assert.equal(shape.type, 'pencil');
    assert.equal(shape.pressures.length, shape.points.length);
    assert.ok(shape.pressures[0] <= 0.15 && shape.pressures.at(-1) >= 0.95, JSON.stringify(shape.pressures));
    for (let i = 1; i < shape.pressures.length; i++) assert.ok(shape.pressures[i] >= shape.pressures[i - 1], 'rising');
    assert.deepEqual((await shapesOf(b.page))[0], shape, 'the other person holds the same stroke');

    // Move A's cursor (a mouse) away from the stroke, then compare the boards.
    await a.page.mouse.move(box.x + 900, box.y + 550);
    await waitState(b.page, (s) => s.cursors.some((c) => c.x === 900));
    await frame(b.page);
    const drawn = ends(await boardColumns(a.page, 280, 320));
    const seen = ends(await boardColumns(b.page, 280, 320));
    // 16 px at pressure 0.5: about 9 px at the light end (0.24), 25 px at the hard one (0.87).
    assert.ok(drawn.start <= 12 && drawn.end >= 22 && drawn.end >= 2 * drawn.start, `drawn: ${JSON.stringify(drawn)}`);
    assert.ok(Math.abs(seen.start - drawn.start) <= 1 && Math.abs(seen.end - drawn.end) <= 1, `seen ${JSON.stringify(seen)}, drawn ${JSON.stringify(drawn)}`);
    assert.ok(Math.abs(live.end - drawn.end) <= 2, `live ${JSON.stringify(live)}, done ${JSON.stringify(drawn)}`);

    // The PNG export (what the storyboard and its videos are made of) at 1:1.
    const [png] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('cmd-export').click()]);
    const pngUrl = `data:image/png;base64,${readFileSync(/** @type {string} */ (await png.path())).toString('base64')}`;
    const exported = ends(await inkColumns(a.page, pngUrl));
    assert.ok(Math.abs(exported.start - drawn.start) <= 1 && Math.abs(exported.end - drawn.end) <= 1, `PNG ${JSON.stringify(exported)}, board ${JSON.stringify(drawn)}`);

    // The SVG export: a filled outline, the same widths.
    const [svgFile] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('cmd-export-svg').click()]);
    const svg = readFileSync(/** @type {string} */ (await svgFile.path()), 'utf8');
    assert.match(svg, /<path d="M[^"]+A[^"]+" fill="#000000" opacity="1"\/>/);
    assert.equal((svg.match(/<path /g) || []).length, 1);
    const vector = ends(await inkColumns(a.page, svg, true));
    assert.ok(Math.abs(vector.start - drawn.start) <= 1 && Math.abs(vector.end - drawn.end) <= 1, `SVG ${JSON.stringify(vector)}, board ${JSON.stringify(drawn)}`);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('with Pressure off a pen draws one width, remembered after a reload; a mouse never stores pressure', async () => {
  const a = await join(browser, `${host.url}?room=no-pressure`, 'Ada');
  try {
    await a.page.getByTestId('stroke-width').selectOption('16');
    await a.page.getByTestId('stroke-color').fill('#000000'); // not the seat's colour: ink is dark grey below
    // A mouse reports 0.5 while pressed: its strokes have one width and no pressures.
    const box = /** @type {{x: number, y: number}} */ (await a.page.getByTestId('canvas').boundingBox());
    await a.page.mouse.move(box.x + 200, box.y + 150);
    await a.page.mouse.down();
    for (let i = 1; i <= 10; i++) await a.page.mouse.move(box.x + 200 + i * 60, box.y + 150);
    await a.page.mouse.up();
    await waitState(a.page, (s) => s.shapesCount === 1);
    assert.equal((await shapesOf(a.page))[0].pressures, undefined);

    await a.page.getByTestId('pen-pressure').uncheck();
    await a.page.reload();
    await waitState(a.page, (s) => s.connection === 'connected');
    assert.equal(await a.page.getByTestId('pen-pressure').isChecked(), false, 'the choice is remembered');
    await a.page.getByTestId('stroke-width').selectOption('16');
    await a.page.getByTestId('stroke-color').fill('#000000'); // not the seat's colour: ink is dark grey below
    const cdp = await a.page.context().newCDPSession(a.page);
    await penStroke(a.page, cdp, { x0: 200, x1: 800, y: 300, from: 0.1, to: 1 });
    await waitState(a.page, (s) => s.shapesCount === 2);
    const pencil = (await shapesOf(a.page)).find((s) => s.points[0].y === 300);
    assert.equal(pencil.pressures, undefined);
    await frame(a.page);
    const w = ends(await boardColumns(a.page, 280, 320));
    assert.ok(Math.abs(w.start - 16) <= 1 && Math.abs(w.end - 16) <= 1, JSON.stringify(w));
  } finally {
    await a.context.close();
  }
});

test('Pen only (on by itself once a pen draws): a finger pans and pinches but never draws, a hand resting while the pen draws leaves no mark', async () => {
  const a = await join(browser, `${host.url}?room=pen-only`, 'Tab', undefined, TABLET);
  try {
    const cdp = await a.page.context().newCDPSession(a.page);
    const box = /** @type {{x: number, y: number}} */ (await a.page.getByTestId('canvas').boundingBox());
    const at = (/** @type {number} */ x, /** @type {number} */ y, id = 1) => ({ x: box.x + x, y: box.y + y, id });
    /**
     * A one-finger drag from canvas (x, y) by (dx, dy), the pen hovering elsewhere meanwhile when `hover`.
     * @param {number} x @param {number} y @param {number} dx @param {number} dy @param {boolean} [hover]
     */
    const drag = async (x, y, dx, dy, hover = false) => {
      await touch(cdp, 'touchStart', [at(x, y)]);
      for (let i = 1; i <= 8; i++) {
        await touch(cdp, 'touchMove', [at(x + (dx * i) / 8, y + (dy * i) / 8)]);
        if (hover) await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: box.x + 700 - i * 20, y: box.y + 150, pointerType: 'pen', buttons: 0 });
      }
      await touch(cdp, 'touchEnd', []);
    };
    assert.equal(await a.page.getByTestId('pen-only').isChecked(), false);
    // Before any pen, a finger draws.
    await drag(150, 150, 200, 0);
    await waitState(a.page, (s) => s.shapesCount === 1);

    // The first pen stroke turns "Pen only" on.
    await penStroke(a.page, cdp, { x0: 150, x1: 450, y: 250, from: 0.5, to: 0.5 });
    await waitState(a.page, (s) => s.shapesCount === 2);
    assert.equal(await a.page.getByTestId('pen-only').isChecked(), true);

    // A finger now pans by its drag (the pen hovering meanwhile changes nothing), and draws nothing.
    const before = await viewOf(a.page);
    await drag(300, 400, 120, 60, true);
    const panned = await viewOf(a.page);
    assert.deepEqual({ dx: panned.ox - before.ox, dy: panned.oy - before.oy, scale: panned.scale }, { dx: 120, dy: 60, scale: 1 });
    await a.page.waitForTimeout(200);
    assert.equal((await a.page.evaluate(() => /** @type {any} */ (window).coco.state())).shapesCount, 2);

    // Two fingers still pinch: spreading from 100 to 200 px apart zooms 2×.
    await touch(cdp, 'touchStart', [at(450, 400, 1)]);
    await touch(cdp, 'touchStart', [at(450, 400, 1), at(550, 400, 2)]);
    for (let i = 1; i <= 10; i++) await touch(cdp, 'touchMove', [at(450 - i * 5, 400, 1), at(550 + i * 5, 400, 2)]);
    await touch(cdp, 'touchEnd', []);
    const zoomed = await viewOf(a.page);
    assert.ok(Math.abs(zoomed.scale - 2) < 0.05, `scale after pinch: ${zoomed.scale}`);

    // A hand comes down and moves while the pen draws: the pen's stroke alone is kept, straight.
    await pen(cdp, 'mousePressed', box.x + 200, box.y + 500, 0.5);
    await touch(cdp, 'touchStart', [at(600, 600, 7)]);
    for (let i = 1; i <= 10; i++) {
      await pen(cdp, 'mouseMoved', box.x + 200 + i * 30, box.y + 500, 0.5);
      await touch(cdp, 'touchMove', [at(600 + i * 10, 620, 7)]);
    }
    await touch(cdp, 'touchEnd', []);
    await pen(cdp, 'mouseMoved', box.x + 530, box.y + 500, 0.5);
    await pen(cdp, 'mouseReleased', box.x + 530, box.y + 500, 0);
    await waitState(a.page, (s) => s.shapesCount === 3);
    const after = await viewOf(a.page);
    assert.deepEqual(after, zoomed, 'the hand did not move the view');
    const last = (await shapesOf(a.page)).at(-1);
    const ys = new Set(last.points.map((/** @type {{y: number}} */ p) => p.y));
    assert.equal(ys.size, 1, `every point on the pen's line: ${JSON.stringify(last.points)}`);
    assert.ok(last.points.length >= 10, `${last.points.length} points`);

    // Turned off, it stays off (a pen no longer turns it on) and a finger draws again.
    // (Clicks: after touches sent through the protocol, Chromium makes no click of a tap.)
    await a.page.getByTestId('open-help').click();
    await a.page.getByTestId('pen-only').click();
    assert.equal(await a.page.getByTestId('pen-only').isChecked(), false);
    await a.page.getByTestId('drawer-close').click();
    await penStroke(a.page, cdp, { x0: 100, x1: 300, y: 100, from: 0.5, to: 0.5 });
    await waitState(a.page, (s) => s.shapesCount === 4);
    assert.equal(await a.page.getByTestId('pen-only').isChecked(), false);
    await drag(100, 300, 200, 0);
    await waitState(a.page, (s) => s.shapesCount === 5);
  } finally {
    await a.context.close();
  }
});
