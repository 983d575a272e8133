// @ts-check
/**
 * What the enhancement browser tests share: a host with a fake Gemini behind
 * it, and the steps a person takes (draw a sketch and select it, start an
 * enhancement) and the checks on what lands on the board.
 */
import { before, after } from 'node:test';
import { startFakeGemini, solidPng } from './fake-gemini.js';
import { startHost, launchBrowser, waitState, stroke, removeDir } from './helpers.js';

export const KEY = 'test-key';
export const MODEL = 'gemini-2.5-flash-image';
/** The fake's picture: a size and colour no sketch of ours has. */
export const FAKE_W = 96, FAKE_H = 64, FAKE_RGB = [20, 160, 90];

/**
 * Before the file's tests: a fake Gemini, a host with a key that talks to it,
 * and a browser; all stopped after them.
 * @param {(host: import('./helpers.js').Host, browser: import('playwright-core').Browser, fake: import('./fake-gemini.js').FakeGemini) => void} use
 */
export function useEnhanceHost(use) {
  /** @type {import('./helpers.js').Host|undefined} */
  let host;
  /** @type {import('playwright-core').Browser|undefined} */
  let browser;
  /** @type {import('./fake-gemini.js').FakeGemini|undefined} */
  let fake;
  before(async () => {
    fake = await startFakeGemini({ key: KEY, model: MODEL, image: solidPng(FAKE_W, FAKE_H, FAKE_RGB) });
    host = await startHost({ env: { GEMINI_API_KEY: KEY }, args: ['--gemini-base-url', `http://127.0.0.1:${fake.port}/v1beta`] });
    browser = await launchBrowser();
    use(host, browser, fake);
  });
  after(async () => {
    await browser?.close();
    await host?.kill();
    if (host) removeDir(host.dataDir);
    fake?.close();
  });
}

/** @param {import('playwright-core').Page} page */
export const imageShapes = (page) => page.evaluate(() => /** @type {any} */ (window).coco.shapes().filter((/** @type {any} */ s) => s.type === 'image'));

/**
 * Draws a closed loop (a square with a wobble) with the pencil and selects it with a box.
 * @param {import('playwright-core').Page} page
 */
export async function drawAndSelectLoop(page) {
  const pts = [];
  for (let i = 0; i <= 40; i++) {
    const t = (i / 40) * Math.PI * 2;
    pts.push({ x: Math.round(300 + 90 * Math.cos(t)), y: Math.round(250 + 70 * Math.sin(t)) });
  }
  await stroke(page, pts);
  await waitState(page, (s) => s.shapesCount === 1 && s.unacked === 0);
  await page.keyboard.press('v');
  const box = await page.getByTestId('canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  await page.mouse.move(box.x + 180, box.y + 150);
  await page.mouse.down();
  await page.mouse.move(box.x + 420, box.y + 350, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(() => /** @type {any} */ (window).coco.selected().length === 1);
}

/** The box around a shape's points, in world units. @param {{x: number, y: number}[]} points */
export function boundsOf(points) {
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  return { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) };
}

/**
 * Records every progress text and bar value the dialog shows, so a test can
 * tell that progress was visible even between two polls.
 * @param {import('playwright-core').Page} page
 */
export async function watchProgress(page) {
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__progress = [];
    const msg = /** @type {HTMLElement} */ (document.getElementById('enhance-message'));
    const bar = /** @type {HTMLProgressElement} */ (document.getElementById('enhance-bar'));
    const box = /** @type {HTMLElement} */ (document.getElementById('enhance-progress'));
    new MutationObserver(() => {
      if (!box.hidden) w.__progress.push({ text: msg.textContent, value: bar.value });
    }).observe(document.getElementById('enhance') || document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

/**
 * Opens the dialog with the toolbar button, picks an engine, starts.
 * @param {import('playwright-core').Page} page @param {'auto'|'gemini'|'local'} engine @param {string} [prompt]
 */
export async function startEnhance(page, engine, prompt = '') {
  await page.getByTestId('tool-enhance').click();
  const dialog = page.getByTestId('enhance-dialog');
  await dialog.waitFor();
  await page.getByTestId(`engine-${engine}`).check();
  if (prompt) await page.getByTestId('enhance-prompt').fill(prompt);
  await page.getByTestId('enhance-start').click();
  return dialog;
}

/**
 * The colour at a world point of the board as drawn on screen, once it is not the empty background.
 * @param {import('playwright-core').Page} page @param {number} x @param {number} y
 */
export async function pixelAt(page, x, y) {
  const deadline = Date.now() + 5000;
  let px = [0, 0, 0, 0];
  while (Date.now() < deadline) {
    px = await page.evaluate(([wx, wy]) => {
      const cv = /** @type {HTMLCanvasElement} */ (document.querySelector('[data-testid=canvas]'));
      const v = /** @type {any} */ (window).coco.view();
      const dpr = window.devicePixelRatio || 1;
      const sx = (wx * v.scale + v.ox) * dpr, sy = (wy * v.scale + v.oy) * dpr;
      return [...(/** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'))).getImageData(Math.round(sx), Math.round(sy), 1, 1).data];
    }, [x, y]);
    if (px[3] > 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return px;
}

/**
 * The picture a shape points at, loaded by the page: its natural size and how many distinct colours it has.
 * @param {import('playwright-core').Page} page @param {string} path
 */
export function pictureOf(page, path) {
  return page.evaluate(async (p) => {
    const img = new Image();
    img.src = p;
    await img.decode();
    const cv = document.createElement('canvas');
    cv.width = img.naturalWidth; cv.height = img.naturalHeight;
    const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, cv.width, cv.height).data;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 7) colours.add((d[i] >> 4) << 8 | (d[i + 1] >> 4) << 4 | d[i + 2] >> 4);
    const mid = ((cv.height >> 1) * cv.width + (cv.width >> 1)) * 4;
    return { width: img.naturalWidth, height: img.naturalHeight, colours: colours.size, middle: [d[mid], d[mid + 1], d[mid + 2]] };
  }, path);
}
