// @ts-check
/** A tablet: one finger draws, two fingers pinch to zoom. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, TABLET, join, waitState } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/**
 * Real touches through the DevTools protocol, in page pixels.
 * @param {import('playwright-core').CDPSession} cdp
 * @param {'touchStart'|'touchMove'|'touchEnd'} type @param {{x: number, y: number, id: number}[]} points
 */
async function touch(cdp, type, points) {
  await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p) => ({ x: p.x, y: p.y, id: p.id })) });
}

test('on a tablet one finger draws and the desktop sees it; two fingers pinch to zoom', async () => {
  const url = `${host.url}?room=tablet`;
  const t = await join(browser, url, 'Tab', undefined, TABLET);
  const d = await join(browser, url, 'Desk');
  try {
    const cdp = await t.page.context().newCDPSession(t.page);
    const box = await t.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    const at = (/** @type {number} */ x, /** @type {number} */ y, id = 1) => ({ x: box.x + x, y: box.y + y, id });

    // One finger: a pencil stroke.
    await touch(cdp, 'touchStart', [at(200, 200)]);
    for (let i = 1; i <= 10; i++) await touch(cdp, 'touchMove', [at(200 + i * 15, 200 + (i % 2) * 25)]);
    await touch(cdp, 'touchEnd', []);
    await waitState(d.page, (s) => s.shapesCount === 1);
    const [shape] = await d.page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    assert.equal(shape.type, 'pencil');
    assert.ok(shape.points.length >= 5, `points: ${shape.points.length}`);
    assert.equal(shape.points[0].x, 200);
    assert.equal(shape.points[0].y, 200);
    await waitState(t.page, (s) => s.unacked === 0);

    // Two fingers spreading apart around (500, 400): zoom in about 2x, no new shape.
    const before = await t.page.evaluate(() => /** @type {any} */ (window).coco.view());
    assert.equal(before.scale, 1);
    await touch(cdp, 'touchStart', [at(450, 400, 1)]);
    await touch(cdp, 'touchStart', [at(450, 400, 1), at(550, 400, 2)]);
    for (let i = 1; i <= 10; i++) await touch(cdp, 'touchMove', [at(450 - i * 5, 400, 1), at(550 + i * 5, 400, 2)]);
    await touch(cdp, 'touchEnd', []);
    const v = await t.page.evaluate(() => /** @type {any} */ (window).coco.view());
    assert.ok(Math.abs(v.scale - 2) < 0.05, `scale after pinch: ${v.scale}`);
    // The point between the fingers stays put: world (500, 400) is still at screen (500, 400).
    assert.ok(Math.abs(500 * v.scale + v.ox - 500) < 2 && Math.abs(400 * v.scale + v.oy - 400) < 2, JSON.stringify(v));
    await t.page.waitForTimeout(300);
    assert.equal((await t.page.evaluate(() => /** @type {any} */ (window).coco.state())).shapesCount, 1);
    assert.equal((await d.page.evaluate(() => /** @type {any} */ (window).coco.state())).shapesCount, 1);
  } finally {
    await t.context.close();
    await d.context.close();
  }
});
