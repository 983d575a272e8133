// @ts-check
/**
 * The UI takes its limits from the host (`GET /api/limits`): a stroke of
 * exactly the host's most points is kept whole (a longer one stops there),
 * and the fields' `maxlength`s are the host's, also when the host's differ
 * from the values the UI falls back on.
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

/** The host's limits, asked as the UI asks (this machine needs no code). */
async function hostLimits() {
  const res = await fetch(new URL('/api/limits', host.url));
  assert.equal(res.status, 200);
  return res.json();
}

/**
 * Draws one pencil stroke of `n` points: a real press, then `n - 1` pointer
 * moves along rows 3 px apart (more than the closest two points may be, so
 * each adds one), sent in the page as a pen this fast would (a mouse moved
 * by the test driver takes too long for 10,000 points), then a real release.
 * @param {Page} page @param {number} n @param {number} top the first row, canvas pixels
 */
async function drawPoints(page, n, top) {
  const box = await page.getByTestId('canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  const left = 40;
  await page.mouse.move(box.x + left, box.y + top);
  await page.mouse.down();
  await page.evaluate(({ n, x0, y0, width }) => {
    const canvas = /** @type {HTMLElement} */ (document.querySelector('[data-testid=canvas]'));
    const perRow = Math.floor(width / 3);
    for (let i = 1; i < n; i++) {
      const row = Math.floor(i / perRow), k = i % perRow;
      const x = x0 + 3 * (row % 2 ? perRow - 1 - k : k);
      canvas.dispatchEvent(new PointerEvent('pointermove', {
        pointerId: 1, pointerType: 'mouse', isPrimary: true, buttons: 1, bubbles: true, clientX: x, clientY: y0 + 3 * row,
      }));
    }
  }, { n, x0: box.x + left, y0: box.y + top, width: box.width - 2 * left });
  await page.mouse.up();
}

test('a stroke of the host\'s most points is kept whole, a longer one stops there', async () => {
  const most = (await hostLimits()).protocol.maxPointsPerShape;
  assert.ok(most > 9000, `the host takes ${most} points`);
  const a = await join(browser, host.url, 'Ann', 'top-left');
  const b = await join(browser, host.url, 'Bob', 'top-right');
  try {
    await drawPoints(a.page, most, 60);
    await drawPoints(a.page, most + 25, 300);
    // The host took both (nothing waits for an answer) and the other person has them, whole.
    await waitState(a.page, (s) => s.shapesCount === 2 && s.unacked === 0);
    await waitState(b.page, (s) => s.shapesCount === 2);
    for (const page of [a.page, b.page]) {
      const lengths = (await shapesOf(page)).map((s) => s.points.length).sort();
      assert.deepEqual(lengths, [most, most]);
    }
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

/**
 * The `maxlength` of every field the host limits, with the video panel and
 * the enhancement dialog's prompt in the page.
 * @param {Page} page
 */
async function maxLengths(page) {
  const toggle = page.getByTestId('sb-toggle');
  if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
  await page.getByTestId('sb-make-video').click();
  await page.getByTestId('video-panel').waitFor();
  /** @param {string} id */
  const of = async (id) => Number(await page.getByTestId(id).getAttribute('maxlength'));
  return {
    maxTitleChars: await of('video-title'),
    maxStoryContextChars: await of('video-story-context'),
    maxNameChars: await of('sb-name'),
    maxPromptChars: await of('enhance-prompt'),
  };
}

test('the title field, and every other the host limits, has the host\'s maxlength', async () => {
  const limits = await hostLimits();
  const a = await join(browser, host.url, 'Ann', 'top-left');
  try {
    const got = await maxLengths(a.page);
    assert.equal(got.maxTitleChars, limits.storyboard.maxTitleChars, 'video title');
    assert.deepEqual(got, {
      maxTitleChars: limits.storyboard.maxTitleChars,
      maxStoryContextChars: limits.storyboard.maxStoryContextChars,
      maxNameChars: limits.storyboard.maxNameChars,
      maxPromptChars: limits.enhance.maxPromptChars,
    });
  } finally {
    await a.context.close();
  }
});

test('limits the host changes reach the fields: they are read from it, not kept in the page', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  // The same host, answering other limits than the UI falls back on.
  await context.route('**/api/limits', async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    body.storyboard.maxTitleChars = 77;
    body.storyboard.maxNameChars = 33;
    body.enhance.maxPromptChars = 555;
    await route.fulfill({ response: res, json: body });
  });
  const page = await context.newPage();
  try {
    await page.goto(host.url);
    await page.getByTestId('join-name').fill('Cy');
    await page.getByTestId('join-submit').click();
    await waitState(page, (s) => s.connection === 'connected');
    const got = await maxLengths(page);
    assert.equal(got.maxTitleChars, 77);
    assert.equal(got.maxNameChars, 33);
    assert.equal(got.maxPromptChars, 555);
  } finally {
    await context.close();
  }
});
