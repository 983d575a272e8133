// @ts-check
/**
 * The local enhancer's picture on the board: transparent wherever the sketch
 * was paper, so a shape inside the region that was not selected still shows
 * through it (the PNG keeps its alpha from the enhancer through the store
 * and the server to the canvas); enhancing that picture again gives one of
 * the same size in the same place; the dialog says which style words the
 * enhancer followed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, waitState, stroke, artifacts, useHostAndBrowser } from './helpers.js';
import { imageShapes, drawAndSelectLoop, startEnhance, pixelAt, pictureOf } from './enhance-kit.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** @param {number[]} px */
const luma = (px) => 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];

/**
 * The alpha of a stored picture at a point given as fractions of its width and height.
 * @param {import('playwright-core').Page} page @param {string} path @param {number} fx @param {number} fy
 */
function alphaAt(page, path, fx, fy) {
  return page.evaluate(async ([p, x, y]) => {
    const img = new Image();
    img.src = String(p);
    await img.decode();
    const cv = document.createElement('canvas');
    cv.width = img.naturalWidth; cv.height = img.naturalHeight;
    const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(Math.floor(Number(x) * cv.width), Math.floor(Number(y) * cv.height), 1, 1).data;
    return px[3];
  }, [path, fx, fy]);
}

/** @param {import('playwright-core').Page} page */
async function finishDialog(page) {
  await page.getByTestId('enhance-result').waitFor({ timeout: 30000 });
}

test('a shape inside the region but not selected still shows through the enhanced picture', async () => {
  const { context, page } = await join(browser, `${host.url}?room=enh-clear`, 'Ada', 'top-left');
  try {
    // The other shape: a short line, drawn first.
    await stroke(page, [{ x: 270, y: 250 }, { x: 300, y: 252 }, { x: 330, y: 250 }]);
    await waitState(page, (s) => s.shapesCount === 1 && s.unacked === 0);
    const [other] = await page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    const mid = other.points[Math.floor(other.points.length / 2)];
    // The sketch: a big "C" around it, open on the right.
    const arc = [];
    for (let i = 0; i <= 40; i++) {
      const t = 0.7 + (i / 40) * (Math.PI * 2 - 1.4);
      arc.push({ x: Math.round(300 + 120 * Math.cos(t)), y: Math.round(250 + 110 * Math.sin(t)) });
    }
    await stroke(page, arc);
    await waitState(page, (s) => s.shapesCount === 2 && s.unacked === 0);
    const sketch = (await page.evaluate(() => /** @type {any} */ (window).coco.shapes())).find((/** @type {any} */ s) => s.id !== other.id);
    // Select only the C, with a click on its left side.
    await page.keyboard.press('v');
    const box = await page.getByTestId('canvas').boundingBox();
    if (!box) throw new Error('no canvas');
    await page.mouse.click(box.x + 180, box.y + 250);
    await page.waitForFunction((id) => {
      const sel = /** @type {any} */ (window).coco.selected();
      return sel.length === 1 && sel[0] === id;
    }, sketch.id);
    const before = await pixelAt(page, mid.x, mid.y);
    assert.ok(luma(before) < 110, `the other shape is drawn: ${before}`);

    await startEnhance(page, 'local', 'a sunny day');
    await finishDialog(page);
    await waitState(page, (s) => s.shapesCount === 3 && s.unacked === 0);
    const [shape] = await imageShapes(page);
    const [a, b] = shape.points;
    assert.ok(a.x < mid.x && mid.x < b.x && a.y < mid.y && mid.y < b.y, 'the picture lies over the other shape');
    await page.getByTestId('enhance-close').click();
    await page.keyboard.press('Escape');

    // The file is transparent there (paper), and the board still shows the other shape through it.
    const fx = (mid.x - a.x) / (b.x - a.x), fy = (mid.y - a.y) / (b.y - a.y);
    assert.equal(await alphaAt(page, shape.image, fx, fy), 0, 'the picture is clear where the sketch was paper');
    assert.equal(await alphaAt(page, shape.image, 0.01, 0.01), 0, 'and in its corner');
    const pic = await pictureOf(page, shape.image);
    assert.ok(pic.colours >= 2, 'the picture has its strokes');
    await page.waitForTimeout(300);
    const after = await pixelAt(page, mid.x, mid.y);
    assert.ok(luma(after) < 110, `the other shape still shows through the picture: ${after} (was ${before})`);
    // Where the C's stroke is, the picture's own stroke is drawn.
    const edge = await pixelAt(page, sketch.points[20].x, sketch.points[20].y);
    assert.ok(luma(edge) < 110, `the sketch's stroke is dark: ${edge}`);
    await page.screenshot({ path: `${artifacts}/enhance-clear.png` });
  } finally {
    await context.close();
  }
});

test('enhancing the picture again keeps its size and place; the dialog says which styles it followed', async () => {
  const { context, page } = await join(browser, `${host.url}?room=enh-again`, 'Bo', 'top-right');
  try {
    await drawAndSelectLoop(page);
    await startEnhance(page, 'local', 'a castle');
    await finishDialog(page);
    await waitState(page, (s) => s.shapesCount === 2 && s.unacked === 0);
    assert.match(await page.getByTestId('enhance-engine').innerText(), /No style word recognised \(it knows watercolour/);
    const [first] = await imageShapes(page);
    // The placed picture is selected; close and enhance it, alone, again.
    await page.getByTestId('enhance-close').click();
    await page.getByTestId('enhance-dialog').waitFor({ state: 'hidden' });
    assert.deepEqual(await page.evaluate(() => /** @type {any} */ (window).coco.selected()), [first.id]);
    await startEnhance(page, 'local', 'make it night in watercolour');
    await finishDialog(page);
    await waitState(page, (s) => s.shapesCount === 3 && s.unacked === 0);
    assert.match(await page.getByTestId('enhance-engine').innerText(), /Styles followed: night, watercolour\./);
    const [, second] = await imageShapes(page);
    const p1 = await pictureOf(page, first.image), p2 = await pictureOf(page, second.image);
    assert.deepEqual([p2.width, p2.height], [p1.width, p1.height], 'the same size');
    assert.deepEqual(second.points, first.points, 'in the same place');
    assert.notEqual(second.image, first.image, 'a new picture');
    assert.equal(await alphaAt(page, second.image, 0.01, 0.01), 0, 'still clear around the drawing');
    await page.screenshot({ path: `${artifacts}/enhance-again-night.png` });
  } finally {
    await context.close();
  }
});
