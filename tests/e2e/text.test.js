// @ts-check
/**
 * Text: its own size control (not the stroke width), and an editor that shows
 * exactly what will be placed (same font, size, line height, no wrapping).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, join, waitState, shapesOf } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {{left: number, top: number, right: number, bottom: number}} Box */

/** @typedef {{x: number, y: number, width: number, height: number}} Rect */

/**
 * Where the board shows black ink inside `area` (canvas pixels), in page
 * pixels, from a screenshot (what a person sees, the editor included): the
 * text is black, and the area leaves out the rest (the zoom level's digits).
 * @param {Page} page @param {Rect} area @returns {Promise<Box|null>}
 */
async function inkBox(page, area) {
  const canvas = /** @type {Rect} */ (await page.getByTestId('canvas').boundingBox());
  const clip = { x: canvas.x + area.x, y: canvas.y + area.y, width: Math.min(area.width, canvas.width - area.x), height: Math.min(area.height, canvas.height - area.y) };
  const png = (await page.screenshot({ clip })).toString('base64');
  const box = await page.evaluate(async (data) => {
    const bitmap = new Image(); // (the page's policy lets pictures, not fetches, read data: addresses)
    bitmap.src = `data:image/png;base64,${data}`;
    await bitmap.decode();
    const c = document.createElement('canvas');
    c.width = bitmap.naturalWidth; c.height = bitmap.naturalHeight;
    const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
    ctx.drawImage(bitmap, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const i = (y * c.width + x) * 4;
        if (px[i] < 110 && px[i + 1] < 110 && px[i + 2] < 110) {
          left = Math.min(left, x); right = Math.max(right, x + 1); top = Math.min(top, y); bottom = Math.max(bottom, y + 1);
        }
      }
    }
    return left === Infinity ? null : { left, top, right, bottom };
  }, png);
  return box && { left: box.left + clip.x, top: box.top + clip.y, right: box.right + clip.x, bottom: box.bottom + clip.y };
}

/** @param {Box|null} a @param {Box|null} b @param {number} tolerance */
function sameBox(a, b, tolerance) {
  assert.ok(a && b, `ink: ${JSON.stringify({ a, b })}`);
  for (const k of /** @type {(keyof Box)[]} */ (['left', 'top', 'right', 'bottom'])) {
    assert.ok(Math.abs(a[k] - b[k]) <= tolerance, `${k}: editor ${a[k]}, placed ${b[k]} (${JSON.stringify({ editor: a, placed: b })})`);
  }
}

/** The part of the board a text typed at canvas point (x, y) can cover. @param {number} x @param {number} y @returns {Rect} */
const around = (x, y) => ({ x: x - 10, y: y - 30, width: 900, height: 250 });

/**
 * Types `text` in the text editor at canvas point (x, y), returns the ink of
 * the editor just before Enter and of the placed text just after.
 * @param {Page} page @param {number} x @param {number} y @param {string} text
 */
async function typeText(page, x, y, text) {
  const canvas = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
  await page.mouse.click(canvas.x + x, canvas.y + y);
  const editor = page.getByTestId('text-editor');
  await editor.waitFor();
  // The blinking caret is black too: hide it (through the CSSOM, as the page's policy wants).
  await editor.evaluate((e) => { /** @type {HTMLElement} */ (e).style.caretColor = 'transparent'; });
  await page.keyboard.type(text);
  const inEditor = await inkBox(page, around(x, y));
  const box = await editor.boundingBox();
  const n = (await shapesOf(page)).length;
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => /** @type {any} */ (window).coco.shapes().length === n + 1, n);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return { inEditor, placed: await inkBox(page, around(x, y)), box };
}

/** Black ink, so that the screenshots can tell the text from the rest; then back to the board. @param {Page} page */
async function blackInk(page) {
  await page.getByTestId('stroke-color').fill('#000000');
  await page.getByTestId('canvas').focus();
}

test('the editor shows the text exactly as it is placed: same size, place and lines, no wrapping', async () => {
  const { page, context } = await join(browser, `${host.url}?room=text-fit`, 'Ada');
  try {
    await blackInk(page);
    await page.keyboard.press('t');
    await page.getByTestId('text-size').selectOption('32');
    // One long line: the editor must not wrap it.
    const long = await typeText(page, 60, 120, 'A long line of text that never wraps, Hg');
    sameBox(long.inEditor, long.placed, 2);
    const [shape] = await shapesOf(page);
    assert.equal(shape.style.fontSize, 32);
    // The editor's box is the text's box: its measured width, one 1.25 line per line.
    const measured = await page.evaluate((t) => {
      const ctx = /** @type {CanvasRenderingContext2D} */ (document.createElement('canvas').getContext('2d'));
      ctx.font = '32px system-ui, sans-serif';
      return ctx.measureText(t).width;
    }, shape.text);
    assert.ok(long.box && Math.abs(long.box.width - measured) <= 3 && Math.abs(long.box.height - 40) <= 1, `editor ${JSON.stringify(long.box)}, text ${measured} × 40`);

    // Two lines, zoomed in: the same.
    await page.keyboard.press('Escape');
    const canvas = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
    await page.mouse.move(canvas.x + 100, canvas.y + 300);
    await page.keyboard.press('+');
    await page.keyboard.press('t');
    await page.getByTestId('text-size').selectOption('24');
    const canvasBox = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
    await page.mouse.click(canvasBox.x + 80, canvasBox.y + 380);
    const editor = page.getByTestId('text-editor');
    await editor.evaluate((e) => { /** @type {HTMLElement} */ (e).style.caretColor = 'transparent'; });
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('and a second, longer one');
    const inEditor = await inkBox(page, around(80, 380));
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /** @type {any} */ (window).coco.shapes().length === 2);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // (The first text, zoomed about (100, 300), is above this area.)
    sameBox(inEditor, await inkBox(page, around(80, 380)), 2);
  } finally {
    await context.close();
  }
});

test('text has its own size control: shown for the text tool and a selected text, and it sizes the text, not the stroke width', async () => {
  const { page, context } = await join(browser, `${host.url}?room=text-size`, 'Bea');
  try {
    await blackInk(page);
    const size = page.getByTestId('text-size');
    assert.equal(await size.isVisible(), false, 'hidden with the pencil');
    await page.getByTestId('stroke-width').selectOption('16');
    await page.keyboard.press('t');
    assert.ok(await size.isVisible(), 'shown with the text tool');
    assert.equal(await size.inputValue(), '20');
    const small = await typeText(page, 100, 100, 'Size');
    const [shape] = await shapesOf(page);
    assert.equal(shape.style.fontSize, 20, 'the 16 px stroke width does not make the text bigger');
    assert.ok(small.placed);
    const h20 = small.placed.bottom - small.placed.top;
    assert.ok(h20 > 10 && h20 < 22, `20 px text is ${h20} px of ink`);

    // Selected with the select tool, it shows its size; another size resizes it for everyone.
    await page.keyboard.press('v');
    assert.equal(await size.isVisible(), false, 'hidden with nothing selected');
    const canvas = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
    await page.mouse.click(canvas.x + 110, canvas.y + 108);
    assert.deepEqual(await page.evaluate(() => /** @type {any} */ (window).coco.selected()), [shape.id]);
    assert.ok(await size.isVisible(), 'shown with a text selected');
    await size.selectOption('48');
    await waitState(page, (s) => s.unacked === 0);
    const [bigger] = await shapesOf(page);
    assert.equal(bigger.style.fontSize, 48);
    assert.equal(bigger.style.strokeWidth, shape.style.strokeWidth, 'only the size changed');
    await page.keyboard.press('Escape');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const big = await inkBox(page, around(100, 100));
    assert.ok(big);
    const ratio = (big.bottom - big.top) / h20;
    assert.ok(Math.abs(ratio - 2.4) < 0.3, `48 px ink is ${ratio.toFixed(2)}× the 20 px ink`);
  } finally {
    await context.close();
  }
});

test('a text made before sizes could be chosen (no fontSize) is drawn as before, at 20 px', async () => {
  const url = `${host.url}?room=text-old`;
  const a = await join(browser, url, 'Cy');
  const b = await join(browser, url, 'Di');
  try {
    await blackInk(a.page);
    await blackInk(b.page);
    // B's client sends its text as an older client did: no fontSize in the style.
    await b.page.evaluate(() => {
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (/** @type {any} */ data) {
        const m = typeof data === 'string' ? JSON.parse(data) : null;
        if (m && m.type === 'SHAPE_ADDED') { delete m.payload.shape.style.fontSize; data = JSON.stringify(m); }
        return send.call(this, data);
      };
    });
    await b.page.keyboard.press('t');
    await b.page.getByTestId('text-size').selectOption('64');
    await typeText(b.page, 100, 100, 'Old');
    await waitState(a.page, (s) => s.shapesCount === 1);
    const [old] = await shapesOf(a.page);
    assert.equal(old.style.fontSize, undefined);
    // B's cursor, drawn on A's board, moves off the text.
    const bCanvas = /** @type {Rect} */ (await b.page.getByTestId('canvas').boundingBox());
    await b.page.mouse.move(bCanvas.x + 700, bCanvas.y + 500, { steps: 4 });
    await waitState(a.page, (s) => s.cursors.some((/** @type {any} */ c) => c.x > 600));
    await a.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const oldInk = await inkBox(a.page, { x: 90, y: 70, width: 180, height: 150 });
    // The same word at 20 px, below it, is as tall.
    await a.page.keyboard.press('t');
    await a.page.getByTestId('text-size').selectOption('20');
    await a.page.mouse.move(0, 0);
    await typeText(a.page, 300, 100, 'Old');
    const placed = await inkBox(a.page, { x: 290, y: 70, width: 180, height: 150 });
    assert.ok(oldInk && placed);
    assert.deepEqual([oldInk.right - oldInk.left, oldInk.bottom - oldInk.top], [placed.right - placed.left, placed.bottom - placed.top], JSON.stringify({ oldInk, placed }));
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
