// @ts-check
/** SVG export, resize handles and box select. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useHostAndBrowser, join, waitState, stroke, zigzag, shapesOf } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/**
 * Polls `page`'s shapes until `pred` holds.
 * @param {import('playwright-core').Page} page @param {(shapes: any[]) => boolean} pred
 */
async function waitShapes(page, pred) {
  let last = [];
  for (let i = 0; i < 100; i++) {
    last = await shapesOf(page);
    if (pred(last)) return last;
    await page.waitForTimeout(100);
  }
  throw new Error(`shapes never matched: ${JSON.stringify(last)}`);
}

/**
 * What an exported SVG looks like once the browser has rendered it as an image.
 * @param {import('playwright-core').Page} page @param {string} svg
 */
function renderSvg(page, svg) {
  return page.evaluate(async (text) => {
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    URL.revokeObjectURL(url);
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    /** @type {Record<string, number>} */
    const counts = {};
    for (const tag of ['path', 'line', 'rect', 'ellipse', 'text', 'parsererror']) counts[tag] = doc.getElementsByTagName(tag).length;
    return { width: img.naturalWidth, height: img.naturalHeight, painted, counts, viewBox: doc.documentElement.getAttribute('viewBox') };
  }, svg);
}

test('export SVG: every shape type, with its style, in a viewBox around the drawing', async () => {
  const a = await join(browser, `${host.url}?room=svg`, 'Ada');
  try {
    const { page } = a;
    const box = await page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await stroke(page, zigzag(100, 100));
    await page.keyboard.press('l');
    await stroke(page, [{ x: 300, y: 100 }, { x: 420, y: 160 }]);
    await page.getByTestId('stroke-width').selectOption('8');
    await page.keyboard.press('f'); // fill on
    await page.keyboard.press('r');
    await stroke(page, [{ x: 100, y: 250 }, { x: 220, y: 330 }]);
    await page.getByTestId('opacity').evaluate((el) => {
      /** @type {HTMLInputElement} */ (el).value = '0.5';
      el.dispatchEvent(new Event('change'));
    });
    await page.keyboard.press('o');
    await stroke(page, [{ x: 300, y: 250 }, { x: 420, y: 330 }]);
    await page.keyboard.press('t');
    await page.mouse.click(box.x + 500, box.y + 400);
    await page.getByTestId('text-editor').fill('Hi <there> & "you"');
    await page.keyboard.press('Enter');
    await waitState(page, (s) => s.shapesCount === 5 && s.unacked === 0);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cmd-export-svg').click()]);
    assert.match(download.suggestedFilename(), /\.svg$/);
    assert.equal(await page.getByTestId('cmd-export-svg').getAttribute('aria-label'), 'Export SVG (Ctrl+Shift+S)');
    const svg = readFileSync(/** @type {string} */ (await download.path()), 'utf8');
    const seen = await renderSvg(page, svg);
    assert.equal(seen.counts.parsererror, 0, svg);
    assert.deepEqual(seen.counts, { path: 1, line: 1, rect: 1, ellipse: 1, text: 1, parsererror: 0 });
    assert.ok(seen.width > 0 && seen.height > 0, `naturalWidth ${seen.width}`);
    assert.ok(seen.painted > 1000, `painted pixels: ${seen.painted}`);

    // The viewBox is the bounding box of the shapes plus the margin.
    const shapes = await shapesOf(page);
    const xs = shapes.flatMap((s) => s.points.map((/** @type {any} */ p) => p.x));
    const ys = shapes.flatMap((s) => s.points.map((/** @type {any} */ p) => p.y));
    const [vx, vy, vw, vh] = String(seen.viewBox).split(' ').map(Number);
    assert.ok(vx < Math.min(...xs) - 20 && vx > Math.min(...xs) - 40, `viewBox x ${vx}`);
    assert.ok(vy < Math.min(...ys) - 20 && vy > Math.min(...ys) - 40, `viewBox y ${vy}`);
    assert.ok(vx + vw > Math.max(...xs) + 20 && vy + vh > Math.max(...ys) + 20, String(seen.viewBox));

    // Styles: colours, widths, fill and opacity come from the shapes.
    const rect = shapes.find((s) => s.type === 'rectangle');
    const ellipse = shapes.find((s) => s.type === 'ellipse');
    assert.match(svg, new RegExp(`<rect [^>]*fill="${rect.style.fillColor}"[^>]*stroke="${rect.style.strokeColor}" stroke-width="8"[^>]*opacity="1"`));
    assert.match(svg, new RegExp(`<ellipse [^>]*fill="${ellipse.style.fillColor}"[^>]*stroke-width="8"[^>]*opacity="0.5"`));
    assert.match(svg, /<path d="M[^"]+Q[^"]+" fill="none" stroke="#e03131" stroke-width="4"/i);
    assert.match(svg, /<line [^>]*stroke-width="4"/);
    assert.match(svg, /<tspan [^>]*>Hi &#60;there&#62; &#38; &#34;you&#34;<\/tspan>/);

    // The keyboard shortcut exports the same file.
    const [again] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+Shift+S')]);
    assert.equal(readFileSync(/** @type {string} */ (await again.path()), 'utf8'), svg);
  } finally {
    await a.context.close();
  }
});

test('resize handles: a corner of a rectangle, the end of a line; undo and redo; others see it', async () => {
  const url = `${host.url}?room=resize`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    await a.page.keyboard.press('r');
    await stroke(a.page, [{ x: 200, y: 200 }, { x: 300, y: 260 }]);
    await a.page.keyboard.press('l');
    await stroke(a.page, [{ x: 500, y: 100 }, { x: 600, y: 100 }]);
    await waitState(b.page, (s) => s.shapesCount === 2);
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);

    await a.page.keyboard.press('v');
    await a.page.mouse.click(box.x + 250, box.y + 230);
    assert.equal((await a.page.evaluate(() => /** @type {any} */ (window).coco.selected())).length, 1);
    await stroke(a.page, [{ x: 300, y: 260 }, { x: 400, y: 330 }]); // the bottom-right handle
    const rectOf = (/** @type {any[]} */ list) => list.find((s) => s.type === 'rectangle');
    const near = (/** @type {any[]} */ pts, /** @type {number[][]} */ want) => pts.length === want.length && pts.every((p, i) => Math.abs(p.x - want[i][0]) < 1 && Math.abs(p.y - want[i][1]) < 1);
    await waitShapes(b.page, (l) => near(rectOf(l).points, [[200, 200], [400, 330]]));

    // The top-left handle: the bottom-right corner stays.
    await stroke(a.page, [{ x: 200, y: 200 }, { x: 150, y: 120 }]);
    await waitShapes(b.page, (l) => near(rectOf(l).points, [[400, 330], [150, 120]]));

    await a.page.keyboard.press('Control+z');
    await waitShapes(b.page, (l) => near(rectOf(l).points, [[200, 200], [400, 330]]));
    await a.page.keyboard.press('Control+z');
    await waitShapes(b.page, (l) => near(rectOf(l).points, [[200, 200], [300, 260]]));
    await a.page.keyboard.press('Control+Shift+z');
    await waitShapes(b.page, (l) => near(rectOf(l).points, [[200, 200], [400, 330]]));

    // A line's end.
    await a.page.mouse.click(box.x + 550, box.y + 100);
    await stroke(a.page, [{ x: 600, y: 100 }, { x: 650, y: 200 }]);
    const lineOf = (/** @type {any[]} */ list) => list.find((s) => s.type === 'line');
    await waitShapes(b.page, (l) => near(lineOf(l).points, [[500, 100], [650, 200]]));
    await waitState(a.page, (s) => s.unacked === 0);
    assert.ok(near(rectOf(await shapesOf(a.page)).points, [[200, 200], [400, 330]]));
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('resize a pencil stroke: a corner of its bounding box scales every point; one update; undo; others see it', async () => {
  const url = `${host.url}?room=resize-pencil`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    // The ops Ada's page sends (not cursors), counted in the page.
    await a.page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.sentOps = [];
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (/** @type {any} */ data) {
        try { const m = JSON.parse(String(data)); if (m.type !== 'CURSOR_MOVE') w.sentOps.push(m.type); } catch { /* not JSON */ }
        return send.call(this, data);
      };
    });
    const sent = () => a.page.evaluate(() => /** @type {any} */ (window).sentOps);
    await stroke(a.page, zigzag(100, 100)); // points span x 100..180, y 100..130
    await waitState(b.page, (s) => s.shapesCount === 1);
    await waitState(a.page, (s) => s.unacked === 0);
    const [orig] = await shapesOf(a.page);
    assert.equal(orig.type, 'pencil');
    /** @param {any} s */
    const boxOf = (s) => {
      const xs = s.points.map((/** @type {any} */ p) => p.x), ys = s.points.map((/** @type {any} */ p) => p.y);
      return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    };
    const near = (/** @type {number[]} */ got, /** @type {number[]} */ want) => got.every((v, i) => Math.abs(v - want[i]) < 1);
    const b0 = boxOf(orig);
    assert.ok(near(b0, [100, 100, 180, 130]), JSON.stringify(b0));

    await a.page.keyboard.press('v');
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await a.page.mouse.click(box.x + 110, box.y + 115); // on the first segment
    assert.deepEqual(await a.page.evaluate(() => /** @type {any} */ (window).coco.selected()), [orig.id]);
    await a.page.evaluate(() => { /** @type {any} */ (window).sentOps = []; });

    // The bottom-right handle, out by 80 and 60: x scales by 2, y by 3 about the top-left corner.
    await stroke(a.page, [{ x: b0[2], y: b0[3] }, { x: 260, y: 190 }]);
    const grown = [100, 100, 260, 190];
    const onB = await waitShapes(b.page, (l) => l.length === 1 && near(boxOf(l[0]), grown));
    await waitState(a.page, (s) => s.unacked === 0);
    const onA = await shapesOf(a.page);
    assert.ok(near(boxOf(onA[0]), grown), JSON.stringify(boxOf(onA[0])));
    assert.deepEqual(onA[0].points, onB[0].points);
    assert.equal(onB[0].points.length, orig.points.length);
    onB[0].points.forEach((/** @type {any} */ p, /** @type {number} */ i) => {
      assert.ok(Math.abs(p.x - (100 + (orig.points[i].x - 100) * 2)) < 0.05 && Math.abs(p.y - (100 + (orig.points[i].y - 100) * 3)) < 0.05, `point ${i}`);
    });
    assert.deepEqual(await sent(), ['SHAPE_UPDATED']); // one op for the whole drag

    // Bo's canvas draws the new stroke (its cached path was dropped): the old
    // first segment's middle is blank, the new one's is inked.
    /** @param {number} x @param {number} y */
    const inked = (x, y) => b.page.evaluate(([px, py]) => {
      const c = /** @type {HTMLCanvasElement} */ (document.querySelector('[data-testid="canvas"]'));
      const k = c.width / c.clientWidth;
      const d = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(Math.round(px * k) - 1, Math.round(py * k) - 1, 3, 3).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
      return false;
    }, [x, y]);
    const pollInk = async (/** @type {number} */ x, /** @type {number} */ y, /** @type {boolean} */ want) => {
      for (let i = 0; i < 50 && (await inked(x, y)) !== want; i++) await b.page.waitForTimeout(100);
      assert.equal(await inked(x, y), want, `ink at ${x},${y}`);
    };
    await pollInk(120, 145, true); // middle of (100,100)-(140,190)
    await pollInk(150, 115, false); // middle of the old (140,130)-(160,100), far from the new stroke

    // One undo restores it, for both; redo grows it again.
    await a.page.keyboard.press('Control+z');
    await waitShapes(b.page, (l) => l.length === 1 && JSON.stringify(l[0].points) === JSON.stringify(orig.points));
    await pollInk(150, 115, true);
    await a.page.keyboard.press('Control+Shift+z');
    await waitShapes(b.page, (l) => l.length === 1 && near(boxOf(l[0]), grown));
    await waitState(a.page, (s) => s.unacked === 0);
    assert.deepEqual(await sent(), ['SHAPE_UPDATED', 'SHAPE_UPDATED', 'SHAPE_UPDATED']);

    // Shift keeps the proportions: x by 240/160 = 1.5, and so y by 1.5 too (90 -> 135).
    await a.page.keyboard.down('Shift');
    await stroke(a.page, [{ x: 260, y: 190 }, { x: 340, y: 200 }]);
    await a.page.keyboard.up('Shift');
    await waitShapes(b.page, (l) => l.length === 1 && near(boxOf(l[0]), [100, 100, 340, 235]));
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('box select: drag on empty canvas selects what is inside; move and delete act on all of it', async () => {
  const url = `${host.url}?room=box`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    await stroke(a.page, zigzag(100, 400));
    await a.page.keyboard.press('r');
    await stroke(a.page, [{ x: 250, y: 420 }, { x: 320, y: 480 }]);
    await a.page.keyboard.press('l');
    await stroke(a.page, [{ x: 700, y: 500 }, { x: 800, y: 500 }]);
    await waitState(b.page, (s) => s.shapesCount === 3);
    const before = await shapesOf(b.page);

    await a.page.keyboard.press('v');
    await stroke(a.page, [{ x: 80, y: 380 }, { x: 340, y: 500 }]);
    const selected = await a.page.evaluate(() => /** @type {any} */ (window).coco.selected());
    const ids = before.filter((s) => s.type !== 'line').map((s) => s.id).sort();
    assert.deepEqual([...selected].sort(), ids);

    // Dragging one selected shape moves both.
    await stroke(a.page, [{ x: 285, y: 450 }, { x: 335, y: 350 }]);
    const movedBy = (/** @type {any[]} */ list, /** @type {number} */ dx, /** @type {number} */ dy) => before.every((s0) => {
      const s = list.find((x) => x.id === s0.id);
      const d = s0.type === 'line' ? [0, 0] : [dx, dy];
      return s && s.points.every((/** @type {any} */ p, /** @type {number} */ i) => Math.abs(p.x - s0.points[i].x - d[0]) < 1 && Math.abs(p.y - s0.points[i].y - d[1]) < 1);
    });
    await waitShapes(b.page, (l) => movedBy(l, 50, -100));
    await a.page.keyboard.press('Control+z'); // one step for the whole selection
    await waitShapes(b.page, (l) => movedBy(l, 0, 0));
    await a.page.keyboard.press('Control+Shift+z');
    await waitShapes(b.page, (l) => movedBy(l, 50, -100));

    await a.page.keyboard.press('Delete');
    const left = await waitShapes(b.page, (l) => l.length === 1);
    assert.equal(left[0].type, 'line');
    await waitState(a.page, (s) => s.unacked === 0 && s.shapesCount === 1);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('edit a text in place: double-click it with the select tool; one undoable update; others see it', async () => {
  const url = `${host.url}?room=edit-text`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    // The ops Ada's page sends (not cursors), counted in the page: its socket is already open.
    await a.page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.sentOps = [];
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (/** @type {any} */ data) {
        try { const m = JSON.parse(String(data)); if (m.type !== 'CURSOR_MOVE') w.sentOps.push(m.type); } catch { /* not JSON */ }
        return send.call(this, data);
      };
    });
    const sent = () => a.page.evaluate(() => /** @type {any} */ (window).sentOps);
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await a.page.keyboard.press('t');
    await a.page.mouse.click(box.x + 200, box.y + 150);
    await a.page.getByTestId('text-editor').fill('hello');
    await a.page.keyboard.press('Enter');
    await waitState(b.page, (s) => s.shapesCount === 1);
    await waitState(a.page, (s) => s.unacked === 0);
    const [orig] = await shapesOf(a.page);

    // A double-click elsewhere, or with another tool, opens no editor.
    await a.page.keyboard.press('v');
    await a.page.mouse.dblclick(box.x + 600, box.y + 500);
    assert.equal(await a.page.getByTestId('text-editor').count(), 0);

    await a.page.evaluate(() => { /** @type {any} */ (window).sentOps = []; });
    await a.page.mouse.dblclick(box.x + 210, box.y + 160);
    const editor = a.page.getByTestId('text-editor');
    await editor.waitFor();
    assert.equal(await editor.inputValue(), 'hello');
    await editor.fill('hello world');
    await a.page.keyboard.press('Enter');
    assert.equal(await editor.count(), 0);
    await waitShapes(b.page, (s) => s[0]?.text === 'hello world');
    await waitState(a.page, (s) => s.unacked === 0);
    assert.deepEqual(await sent(), ['SHAPE_UPDATED']);
    const [edited] = await shapesOf(b.page);
    assert.equal(edited.id, orig.id);
    assert.deepEqual(edited.points, orig.points);
    assert.deepEqual(edited.style, orig.style);
    assert.equal((await shapesOf(a.page)).length, 1);

    // Escape leaves it as it was.
    await a.page.mouse.dblclick(box.x + 210, box.y + 160);
    await editor.fill('nope');
    await a.page.keyboard.press('Escape');
    assert.equal(await editor.count(), 0);

    // One undo brings back the old text, for both; redo the new one.
    await a.page.keyboard.press('Control+z');
    await waitShapes(b.page, (s) => s[0]?.text === 'hello');
    await a.page.keyboard.press('Control+y');
    await waitShapes(b.page, (s) => s[0]?.text === 'hello world');
    await waitState(a.page, (s) => s.unacked === 0);
    assert.deepEqual(await sent(), ['SHAPE_UPDATED', 'SHAPE_UPDATED', 'SHAPE_UPDATED']);
    assert.equal((await shapesOf(b.page)).length, 1);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
