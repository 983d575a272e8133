// @ts-check
/**
 * The frame after a zoom settles on a huge board zoomed out to fit, when
 * the offscreen layer is redrawn sharp: in one go (the renderer's slicing
 * off: `slicedMinShapes` past any board) and a slice a frame (on, as
 * shipped), alternating in the same tab. For each: the longest `draw()` from
 * the wheel notch until the layer is sharp again, and how long that took.
 */

const NOTCHES = 6;

/**
 * @param {import('playwright-core').Page} page @param {{x: number, y: number, width: number, height: number}} box
 * @returns {Promise<{off: {maxDraw: number[], sharpMs: number[]}, on: {maxDraw: number[], sharpMs: number[]}}>}
 */
export async function settleFrames(page, box) {
  const out = { off: { maxDraw: /** @type {number[]} */ ([]), sharpMs: /** @type {number[]} */ ([]) }, on: { maxDraw: /** @type {number[]} */ ([]), sharpMs: /** @type {number[]} */ ([]) } };
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < NOTCHES * 2; i++) {
    const mode = i % 2 ? 'on' : 'off';
    await page.evaluate((on) => {
      const r = /** @type {any} */ (window).coco.renderer;
      r.slicedMinShapes = on ? 1000 : Infinity;
      r.__from = r.drawCount;
    }, mode === 'on');
    const t0 = await page.evaluate(() => performance.now());
    // In and out in turn, so the view stays at about the same scale.
    await page.mouse.wheel(0, (i % 4 < 2 ? -1 : 1) * 60);
    const r = await page.waitForFunction(() => {
      const c = /** @type {any} */ (window).coco;
      const r = c.renderer;
      if (r.building || r.layer.scale !== c.view().scale) return false;
      const n = r.drawCount - r.__from;
      const times = c.drawTimes().slice(-Math.max(1, n));
      return { max: Math.max(...times), at: performance.now() };
    }, null, { polling: 'raf', timeout: 10000 });
    const { max, at } = /** @type {{max: number, at: number}} */ (await r.jsonValue());
    out[mode].maxDraw.push(max);
    out[mode].sharpMs.push(at - t0);
    await page.waitForTimeout(200);
  }
  return out;
}
