// @ts-check
/**
 * The board's keys after a control is used: a clicked button does not keep
 * the focus, so Space pans (and does not press the button again) and the
 * shortcuts act on the board; the keyboard still works the toolbar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, join, stroke, viewOf } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** @typedef {import('playwright-core').Page} Page */
/** @param {Page} page @returns {Promise<string>} */
const shapesJson = (page) => page.evaluate(() => JSON.stringify(/** @type {any} */ (window).coco.shapes()));

/**
 * Holds Space and drags on the board from canvas point (x, y) by (dx, dy);
 * the view must pan by as much and no shape be added, changed or removed.
 * @param {Page} page @param {string} after what was used just before
 */
async function spaceDragPans(page, after) {
  const box = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
  const before = await viewOf(page);
  const shapes = await shapesJson(page);
  await page.keyboard.down(' ');
  await page.mouse.move(box.x + 350, box.y + 340);
  await page.mouse.down();
  await page.mouse.move(box.x + 380, box.y + 360, { steps: 3 });
  await page.mouse.move(box.x + 410, box.y + 380, { steps: 3 });
  await page.mouse.up();
  await page.keyboard.up(' ');
  const now = await viewOf(page);
  assert.ok(Math.abs(now.ox - before.ox - 60) < 1 && Math.abs(now.oy - before.oy - 40) < 1, `after ${after}, Space-drag panned ${now.ox - before.ox}, ${now.oy - before.oy}`);
  assert.equal(await shapesJson(page), shapes, `after ${after}, Space-drag changed a shape`);
  assert.equal(await page.getByTestId('text-editor').count(), 0, `after ${after}, a text editor opened`);
}

test('after clicking any toolbar control, Space-drag pans the board and draws or moves nothing', async () => {
  const { page, context } = await join(browser, `${host.url}?room=keys`, 'Ada');
  try {
    // A rectangle under where the drags start: the select tool would move it, the pencil draw over it.
    await page.keyboard.press('r');
    await stroke(page, [{ x: 300, y: 300 }, { x: 420, y: 400 }]);
    assert.equal((await page.evaluate(() => /** @type {any} */ (window).coco.shapes())).length, 1);
    page.on('filechooser', () => {}); // the picture button's chooser is dismissed
    const ids = await page.locator('#toolbar button').evaluateAll((bs) => bs.map((b) => /** @type {string} */ (b.getAttribute('data-testid'))));
    assert.ok(ids.length >= 15, ids.join());
    for (const id of ids) {
      const download = id.startsWith('cmd-export') ? page.waitForEvent('download') : null;
      await page.getByTestId(id).click();
      if (id === 'tool-enhance') await page.getByTestId('enhance-close').click();
      await download;
      await spaceDragPans(page, id);
    }
    await page.getByTestId('tool-select').click();
    await spaceDragPans(page, 'the select tool again');
    // The opacity slider, clicked.
    await page.getByTestId('opacity').click();
    await spaceDragPans(page, 'the opacity slider');
    // The shortcuts act on the board: V, then Delete on a selection, then Ctrl+Z.
    await page.getByTestId('tool-pencil').click();
    await page.keyboard.press('v');
    assert.equal(await page.getByTestId('tool-select').getAttribute('aria-pressed'), 'true');
    const rect = JSON.parse(await shapesJson(page))[0];
    const v = await viewOf(page);
    const box = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
    await page.mouse.click(box.x + rect.points[0].x * v.scale + v.ox + 5, box.y + rect.points[0].y * v.scale + v.oy + 5);
    await page.getByTestId('cmd-fit').click();
    await page.keyboard.press('Delete');
    assert.equal(JSON.parse(await shapesJson(page)).length, 0, 'Delete deleted the selection');
    await page.getByTestId('stroke-width').click(); // a list opened with the mouse, then left alone
    await page.keyboard.press('Escape');
    await page.getByTestId('cmd-redo').click();
    await page.keyboard.press('Control+z');
    assert.equal(JSON.parse(await shapesJson(page)).length, 1, 'Ctrl+Z brought it back');
  } finally {
    await context.close();
  }
});

test('the keyboard still works the toolbar: Tab to a button and Enter presses it; text fields take Space', async () => {
  const { page, context } = await join(browser, `${host.url}?room=keys2`, 'Bea');
  try {
    await page.getByTestId('tool-line').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'tool-rectangle');
    await page.keyboard.press('Enter');
    assert.equal(await page.getByTestId('tool-rectangle').getAttribute('aria-pressed'), 'true');
    // The focus stays on the button: the next Tab goes on from there.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'tool-ellipse');
    await page.keyboard.press('Enter');
    assert.equal(await page.getByTestId('tool-ellipse').getAttribute('aria-pressed'), 'true');
    // A dialog opened from the keyboard gives the focus back to its button.
    await page.getByTestId('tool-enhance').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('enhance-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('enhance-dialog').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'tool-enhance');
    // A text field takes Space as a letter.
    await page.getByTestId('tool-text').click();
    const box = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
    await page.mouse.click(box.x + 200, box.y + 200);
    await page.getByTestId('text-editor').waitFor();
    await page.keyboard.type('two words');
    await page.keyboard.press('Enter');
    const [shape] = await page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    assert.equal(shape.text, 'two words');
  } finally {
    await context.close();
  }
});
