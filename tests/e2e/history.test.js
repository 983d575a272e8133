// @ts-check
/**
 * History: the time slider shows a past board to the person dragging it
 * only (by mouse and by keyboard) while the others draw on; "Restore this
 * moment" changes the board for everyone and one undo takes it back; a
 * deleted shape is brought back; a checkpoint is saved, listed with its
 * thumbnail and restored; one person's part is exported as SVG.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useHostAndBrowser, join, waitState, shapesOf, stroke, zigzag, artifacts } from './helpers.js';

/** @typedef {import('playwright-core').Page} Page */

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** Two people in `room`: Ann (top left) and Bo (top right). @param {string} room */
async function twoPeople(room) {
  const a = await join(browser, `${host.url}?room=${room}`, 'Ann', 'top-left');
  const b = await join(browser, `${host.url}?room=${room}`, 'Bo', 'top-right');
  await waitState(a.page, (s) => s.users.length === 2);
  return { a, b };
}

/** Polls `f` until `pred` holds of its answer. @template T @param {() => Promise<T>} f @param {(v: T) => boolean} pred @param {string} what */
async function until(f, pred, what, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await f();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} never happened; last: ${JSON.stringify(last)}`);
}

/** @param {Page} page @returns {Promise<string[]>} */
const idsOf = async (page) => (await shapesOf(page)).map((s) => s.id).sort();
/** @param {Page} page @returns {Promise<{open: boolean, rev: number|null, slider: number, min: number, max: number, shown: string[]|null, picked: string|null}>} */
const historyOf = (page) => page.evaluate(() => /** @type {any} */ (window).coco.history());
/** @param {string[]} ids */
const sorted = (ids) => [...ids].sort();

/** A stroke starting at canvas (x, y); its id, once the host has it. @param {Page} page @param {number} x @param {number} y */
async function draw(page, x, y) {
  const before = new Set(await idsOf(page));
  await stroke(page, zigzag(x, y));
  const ids = await until(() => idsOf(page), (ids) => ids.some((id) => !before.has(id)), 'the stroke');
  await waitState(page, (s) => s.unacked === 0);
  return /** @type {string} */ (ids.find((id) => !before.has(id)));
}

/** Opens History (the top bar's button) and waits for the timeline up to the board's revision now. @param {Page} page */
async function openHistory(page) {
  const rev = (await waitState(page, (s) => s.unacked === 0)).rev;
  await page.getByTestId('history-open').click();
  await page.getByTestId('history-panel').waitFor();
  return until(() => historyOf(page), (h) => h.open && h.max >= rev && h.rev === h.max, 'the timeline');
}

/** The history entries the host keeps for `room`. @param {Page} page @param {string} room */
const entriesOf = (page, room) => page.evaluate(async (room) => (await (await fetch(`/api/rooms/${room}/history`)).json()).entries, room);

test('the slider shows the past to the one dragging it while the other draws on; restore for everyone, one undo brings the latest back', async () => {
  const room = 'hist-slider';
  const { a, b } = await twoPeople(room);
  try {
    const s1 = await draw(a.page, 100, 100);
    await waitState(b.page, (s) => s.shapesCount === 1);
    const s2 = await draw(b.page, 300, 100);
    await waitState(a.page, (s) => s.shapesCount === 2);
    const s3 = await draw(a.page, 500, 100);
    await waitState(b.page, (s) => s.shapesCount === 3);

    const h = await openHistory(a.page);
    assert.deepEqual(sorted(/** @type {string[]} */ (h.shown)), sorted([s1, s2, s3]));
    const slider = a.page.getByTestId('history-slider');
    assert.equal(await slider.getAttribute('type'), 'range');
    // The slider says when and who: Ann drew the last shape.
    assert.match(/** @type {string} */ (await slider.getAttribute('aria-valuetext')), /Ann drew a shape/);

    // By mouse: dragged all the way back, the board is as it was before anything was drawn.
    const box = /** @type {{x: number, y: number, width: number, height: number}} */ (await slider.boundingBox());
    await a.page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
    await a.page.mouse.down();
    await a.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
    await a.page.mouse.move(box.x + 1, box.y + box.height / 2, { steps: 8 });
    await a.page.mouse.up();
    const first = await until(() => historyOf(a.page), (x) => x.slider === x.min && x.rev === x.min, 'the drag back');
    assert.ok(/** @type {string[]} */ (first.shown).length < 3);

    // By keyboard: End is now, Home the start, each arrow one change.
    await slider.focus();
    await a.page.keyboard.press('End');
    await until(() => historyOf(a.page), (x) => x.rev === x.max && x.shown?.length === 3, 'End');
    await a.page.keyboard.press('Home');
    await until(() => historyOf(a.page), (x) => x.rev === x.min, 'Home');
    /** The revision that made s1: the first of the host's entries. */
    const r1 = (await entriesOf(a.page, room)).find((/** @type {any} */ e) => e.shapeIds?.includes(s1)).rev;
    while ((await historyOf(a.page)).slider < r1) await a.page.keyboard.press('ArrowRight');
    const past = await until(() => historyOf(a.page), (x) => x.rev === r1, 'the moment after the first stroke');
    assert.deepEqual(past.shown, [s1]);
    assert.match(await a.page.getByTestId('history-when').innerText(), /Ann drew a shape/);
    await a.page.screenshot({ path: `${artifacts}/history-slider.png` });

    // Bo draws on meanwhile: Ann's live board takes it, her view stays in the past.
    const s4 = await draw(b.page, 300, 300);
    await until(() => idsOf(a.page), (ids) => ids.includes(s4), 'Bo’s stroke on Ann’s live board');
    assert.deepEqual((await historyOf(a.page)).shown, [s1]);
    assert.equal((await waitState(a.page, () => true)).shapesCount, 4);
    // Read-only: a drag on the board in History draws nothing.
    await stroke(a.page, zigzag(600, 400));
    await a.page.getByTestId('history-close').click();
    await until(() => historyOf(a.page), (x) => !x.open && x.shown === null, 'History closed');
    assert.deepEqual(await idsOf(a.page), sorted([s1, s2, s3, s4]));
    assert.deepEqual(await idsOf(b.page), sorted([s1, s2, s3, s4]));

    // Restore the moment after the first stroke, for everyone.
    await openHistory(a.page);
    await slider.focus();
    await a.page.keyboard.press('Home');
    await until(() => historyOf(a.page), (x) => x.rev === x.min, 'Home');
    while ((await historyOf(a.page)).slider < r1) await a.page.keyboard.press('ArrowRight');
    await until(() => historyOf(a.page), (x) => x.rev === r1, 'the moment again');
    await a.page.getByTestId('history-restore').click();
    await a.page.getByTestId('history-confirm').waitFor();
    await a.page.getByTestId('history-confirm-yes').click();
    await until(() => idsOf(b.page), (ids) => ids.join() === s1, 'the restore on Bo’s board');
    assert.deepEqual(await idsOf(a.page), [s1]);
    assert.equal((await historyOf(a.page)).open, false);
    await a.page.getByTestId('announcer').filter({ hasText: 'The board is back as it was at' }).waitFor({ state: 'attached' });
    await waitState(a.page, (s) => s.unacked === 0);
    // The host recorded the restore's changes as such.
    const restored = (await entriesOf(a.page, room)).filter((/** @type {any} */ e) => e.restore === r1);
    assert.ok(restored.length >= 1 && restored.some((/** @type {any} */ e) => e.kind === 'delete'), JSON.stringify(restored));

    // One undo brings the latest board back, for both.
    await a.page.getByTestId('canvas').focus();
    await a.page.keyboard.press('Control+z');
    await until(() => idsOf(b.page), (ids) => ids.length === 4, 'the undo on Bo’s board');
    assert.deepEqual(await idsOf(a.page), sorted([s1, s2, s3, s4]));
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('a shape deleted earlier is brought back from History', async () => {
  const room = 'hist-bring';
  const { a, b } = await twoPeople(room);
  try {
    const s1 = await draw(a.page, 100, 100);
    const s2 = await draw(b.page, 400, 200);
    await waitState(a.page, (s) => s.shapesCount === 2);
    // Bo erases his stroke.
    await b.page.keyboard.press('e');
    await stroke(b.page, [{ x: 390, y: 215 }, { x: 430, y: 215 }, { x: 470, y: 215 }]);
    await until(() => idsOf(a.page), (ids) => ids.join() === s1, 'the erase');
    await b.page.keyboard.press('p');

    const h = await openHistory(a.page);
    await a.page.getByTestId('history-slider').focus();
    await a.page.keyboard.press('ArrowLeft');
    await until(() => historyOf(a.page), (x) => x.rev === h.max - 1 && x.shown?.length === 2, 'the moment before the erase');
    // A click on the gone shape picks it; its button brings it back.
    const canvas = /** @type {{x: number, y: number}} */ (await a.page.getByTestId('canvas').boundingBox());
    await a.page.mouse.click(canvas.x + 420, canvas.y + 215);
    await until(() => historyOf(a.page), (x) => x.picked === s2, 'the pick');
    const bring = a.page.locator(`[data-testid=history-bring-back][data-shape="${s2}"]`);
    assert.match(await bring.innerText(), /Pencil stroke by Bo/);
    await bring.click();
    await until(() => idsOf(b.page), (ids) => ids.includes(s2), 'the shape back on Bo’s board');
    assert.deepEqual(await idsOf(a.page), sorted([s1, s2]));
    await waitState(a.page, (s) => s.unacked === 0);
    const back = (await entriesOf(a.page, room)).filter((/** @type {any} */ e) => e.kind === 'add' && e.shapeIds.includes(s2));
    assert.equal(back.length, 2);
    assert.equal(typeof back[1].restore, 'number');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('a checkpoint is saved, listed with its thumbnail and restored; only Bo’s part is exported as SVG', async () => {
  const room = 'hist-checkpoint';
  const { a, b } = await twoPeople(room);
  try {
    const s1 = await draw(a.page, 100, 100);
    const s2 = await draw(b.page, 300, 100);
    await waitState(a.page, (s) => s.shapesCount === 2);
    await openHistory(a.page);
    await a.page.getByTestId('checkpoint-name').fill('Before lunch');
    await a.page.getByTestId('checkpoint-save').click();
    const item = a.page.getByTestId('checkpoint').filter({ hasText: 'Before lunch' });
    await item.waitFor();
    const thumb = item.getByTestId('checkpoint-thumb');
    await until(() => thumb.evaluate((img) => /** @type {HTMLImageElement} */ (img).complete ? /** @type {HTMLImageElement} */ (img).naturalWidth : 0), (w) => w > 0, 'the thumbnail');

    // Only Bo's part: one stroke, in his seat's colour.
    const bo = (await shapesOf(a.page)).find((s) => s.id === s2);
    const ann = (await shapesOf(a.page)).find((s) => s.id === s1);
    const bId = (await waitState(b.page, () => true)).userId;
    await a.page.getByTestId('mypart-person').selectOption(bId);
    const [download] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('mypart-svg').click()]);
    assert.match(download.suggestedFilename(), /Bo\.svg$/);
    const svg = readFileSync(/** @type {string} */ (await download.path()), 'utf8');
    assert.equal((svg.match(/<path /g) || []).length, 1, svg);
    assert.ok(svg.includes(`stroke="${bo.style.strokeColor}"`), svg);
    assert.ok(!svg.includes(ann.style.strokeColor), svg);

    // Later strokes, then the checkpoint restored for everyone.
    await a.page.getByTestId('history-close').click();
    await draw(a.page, 100, 300);
    await draw(b.page, 300, 300);
    await waitState(a.page, (s) => s.shapesCount === 4);
    await openHistory(a.page);
    await a.page.screenshot({ path: `${artifacts}/history-checkpoints.png` });
    await item.getByTestId('checkpoint-restore').click();
    await a.page.getByTestId('history-confirm').waitFor();
    assert.equal((await historyOf(a.page)).shown?.length, 2);
    await a.page.getByTestId('history-confirm-yes').click();
    await until(() => idsOf(b.page), (ids) => ids.join() === sorted([s1, s2]).join(), 'the checkpoint on Bo’s board');
    assert.deepEqual(await idsOf(a.page), sorted([s1, s2]));
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
