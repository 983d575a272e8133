// @ts-check
/**
 * A big board's layer is redrawn over several frames after a zoom settles
 * (render.js, LAYER_SLICE_MS): frames stay short, and what is shown at the
 * end is exactly what a one-go draw shows. The test lowers the renderer's
 * thresholds so that a board of a few hundred strokes takes several slices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, join, waitState } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

const COLS = 20;
const ROWS = 20;

/**
 * Another person (a socket from Bo's page, the host's origin) draws a grid of
 * strokes in several colours.
 * @param {import('playwright-core').Page} page @param {string} room
 */
async function fill(page, room) {
  await page.evaluate(({ room, cols, rows }) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/ws?room=${room}`);
    ws.onopen = () => ws.send(JSON.stringify({ type: 'JOIN_ROOM', payload: { userId: 'u-ada', username: 'Ada' } }));
    const colors = ['#e03131', '#1971c2', '#2f9e44', '#f08c00'];
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data));
      if (msg.type === 'ERROR') reject(new Error(msg.payload.message));
      if (msg.type === 'WELCOME') {
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            const pts = Array.from({ length: 12 }, (_, i) => ({ x: 40 + c * 60 + i * 4, y: 40 + r * 45 + ((i * 7) % 5) * 5 }));
            const shape = { id: `g-${r}-${c}`, type: 'pencil', points: pts, isSelected: false,
              style: { strokeColor: colors[(r + c) % 4], fillColor: 'transparent', strokeWidth: 2 + (c % 3), opacity: 1 } };
            ws.send(JSON.stringify({ type: 'SHAPE_ADDED', payload: { shape, userId: 'u-ada' } }));
          }
        }
        resolve(null);
      }
    };
  }), { room, cols: COLS, rows: ROWS });
}

test('after a zoom settles a big board is redrawn a slice a frame, and ends exactly as drawn in one go', async () => {
  const { context, page } = await join(browser, `${host.url}?room=sliced`, 'Bo');
  try {
    await fill(page, 'sliced');
    await waitState(page, (s) => s.shapesCount === COLS * ROWS);
    // One batch of shapes a frame from any board size; count the frames the build was not done.
    await page.evaluate(() => {
      const r = /** @type {any} */ (window).coco.renderer;
      r.slicedMinShapes = 1;
      r.sliceMs = 0;
      r.unfinished = 0;
      const build = r.buildSlice.bind(r);
      r.buildSlice = (/** @type {any[]} */ ...a) => { const done = build(...a); if (!done) r.unfinished++; return done; };
    });
    // The layer as it stands, drawn in one go (a board that just changed is drawn directly first).
    await page.waitForFunction(() => {
      const c = /** @type {any} */ (window).coco;
      c.renderer.request();
      return c.renderer.layer.version >= 0 && c.renderer.layer.scale === c.view().scale;
    }, null, { polling: 100, timeout: 10000 });
    const box = await page.getByTestId('canvas').boundingBox();
    if (!box) throw new Error('no canvas');
    await page.mouse.move(box.x + 100, box.y + 100);
    await page.mouse.wheel(0, Math.log(1.6) / 0.0015); // further away: the whole grid in view
    await page.waitForFunction(() => {
      const c = /** @type {any} */ (window).coco;
      return c.renderer.building === null && c.renderer.layer.scale === c.view().scale && c.renderer.unfinished > 0;
    }, null, { timeout: 10000 });
    const unfinished = await page.evaluate(() => /** @type {any} */ (window).coco.renderer.unfinished);
    // 400 strokes, 16 a slice: 25 slices, the first 24 left it unfinished.
    assert.ok(unfinished >= 24, `${unfinished} frames showed the old layer while the new one was drawn`);
    const pixels = () => page.evaluate(() => new Promise((resolve) => {
      const c = /** @type {any} */ (window).coco;
      c.renderer.afterNextDraw(() => resolve(/** @type {HTMLCanvasElement} */ (document.getElementById('canvas')).toDataURL()));
      c.renderer.request();
    }));
    const sliced = await pixels();
    await page.evaluate(() => /** @type {any} */ (window).coco.renderer.setLayerCache(false));
    const direct = await pixels();
    assert.ok(sliced === direct, 'the layer drawn in slices shows what a direct draw shows');
  } finally {
    await context.close();
  }
});
