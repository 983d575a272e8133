// @ts-check
/**
 * Host controls: the host locks the board (the others look and point, and
 * change nothing), locks single shapes, and undoes a person's last change
 * as its own (up to UNDO_PER_PERSON changes back, as the host's page saw
 * them); a person's own undo undoes only their own changes, as Help says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join as joinPath } from 'node:path';
import { readFileSync } from 'node:fs';
import { useHostAndBrowser, join, waitState, shapesOf, stroke, zigzag, artifacts, repo } from './helpers.js';

/** @typedef {import('playwright-core').Page} Page */

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** Changes per person the host's page keeps to undo (ui/js/lock.js; not importable here: it reads the page's address). */
const UNDO_PER_PERSON = Number(readFileSync(joinPath(repo, 'ui', 'js', 'lock.js'), 'utf8').match(/const UNDO_PER_PERSON = (\d+);/)?.[1]);

/** Lets a change that should be refused have its chance to arrive. */
const SETTLE_MS = 600;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

/** The host's page and a peer's, in `room`. @param {string} room */
async function teacherAndPeer(room) {
  // Tall enough for the whole host panel in one picture (docs/host-controls.png).
  const t = await join(browser, `${host.adminUrl}&room=${room}`, 'Teacher', 'top-right', { viewport: { width: 1280, height: 1000 } });
  const p = await join(browser, `${host.url}?room=${room}`, 'Pia', 'top-left');
  await waitState(t.page, (s) => s.users.length === 2);
  await t.page.getByTestId('host-panel').waitFor();
  return { t, p };
}

/**
 * Where board point (x, y) is on the page's screen.
 * @param {Page} page @param {number} x @param {number} y
 */
async function onScreen(page, x, y) {
  const box = /** @type {{x: number, y: number}} */ (await page.getByTestId('canvas').boundingBox());
  const v = await page.evaluate(() => /** @type {any} */ (window).coco.view());
  return { x: box.x + x * v.scale + v.ox, y: box.y + y * v.scale + v.oy };
}

/** Clicks the board at board point (x, y). @param {Page} page @param {number} x @param {number} y */
async function clickBoard(page, x, y) {
  const at = await onScreen(page, x, y);
  await page.mouse.click(at.x, at.y);
}

/** A stroke drawn on a fresh view starts at board (x, y) = canvas (x, y); its id. @param {Page} page @param {number} x @param {number} y */
async function draw(page, x, y) {
  const before = new Set((await shapesOf(page)).map((s) => s.id));
  await stroke(page, zigzag(x, y));
  // Others may change the board meanwhile: the new stroke is the id that was not there.
  for (let i = 0; i < 150; i++) {
    const added = (await shapesOf(page)).find((sh) => !before.has(sh.id));
    if (added && (await waitState(page, () => true)).unacked === 0) return /** @type {string} */ (added.id);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the stroke never landed');
}

/** @param {Page} page @returns {Promise<string[]>} */
const idsOf = async (page) => (await shapesOf(page)).map((s) => s.id).sort();

test('the host locks the board: the others look and point but change nothing, and draw again once it is unlocked', async () => {
  const { t, p } = await teacherAndPeer('lock-board');
  try {
    const first = await draw(p.page, 100, 100);
    await waitState(t.page, (s) => s.shapesCount === 1);

    await t.page.getByTestId('host-lock').check();
    const conn = p.page.getByTestId('conn');
    await conn.filter({ hasText: 'The host has locked the board — you can look and point' }).waitFor();
    await t.page.getByTestId('conn').filter({ hasText: 'You have locked the board' }).waitFor();
    await p.page.screenshot({ path: `${artifacts}/lock-peer.png` });
    await t.page.screenshot({ path: `${artifacts}/lock-host.png` });
    // The host panel with its controls, for the README when COCO_DOCS_SCREENSHOTS=1.
    const panel = t.page.getByTestId('host-panel');
    await panel.screenshot({ path: `${artifacts}/host-controls.png` });
    if (process.env.COCO_DOCS_SCREENSHOTS === '1') await panel.screenshot({ path: joinPath(repo, 'docs', 'host-controls.png') });
    assert.equal(await p.page.getByTestId('tool-pencil').isDisabled(), true, 'the drawing tools are unavailable');
    assert.equal(await p.page.getByTestId('tool-laser').isDisabled(), false, 'the laser still points');

    // A drag draws nothing; Delete and her own undo change nothing.
    await stroke(p.page, zigzag(300, 300));
    await p.page.keyboard.press('Control+z');
    await settle();
    assert.deepEqual(await idsOf(p.page), [first]);
    assert.deepEqual(await idsOf(t.page), [first]);
    assert.equal((await waitState(p.page, () => true)).unacked, 0, 'nothing waits to be sent');

    // Pointing still reaches the host.
    await p.page.getByTestId('tool-laser').click();
    const box = /** @type {{x: number, y: number}} */ (await p.page.getByTestId('canvas').boundingBox());
    await p.page.mouse.move(box.x + 200, box.y + 200);
    await p.page.mouse.down();
    for (let i = 0; i < 6; i++) await p.page.mouse.move(box.x + 200 + i * 40, box.y + 220, { steps: 4 });
    await waitState(t.page, (s) => s.laserPoints > 0);
    await p.page.mouse.up();

    // Someone who comes in now (or reloads) is told at once.
    const late = await join(browser, `${host.url}?room=lock-board`, 'Cy', 'bottom-left');
    try {
      await late.page.getByTestId('conn').filter({ hasText: 'The host has locked the board' }).waitFor();
      assert.equal(await late.page.getByTestId('tool-pencil').isDisabled(), true);
    } finally {
      await late.context.close();
    }

    // History is for looking too: the peer may go back in time but not restore it for everyone.
    await p.page.getByTestId('history-open').click();
    await p.page.getByTestId('history-when').filter({ hasText: /\S/ }).waitFor();
    await p.page.getByTestId('history-slider').focus();
    await p.page.keyboard.press('Home');
    assert.equal(await p.page.getByTestId('history-restore').isDisabled(), true, 'no restore on a locked board');
    await p.page.getByTestId('history-close').click();

    // The host still draws, and the peer sees it.
    await draw(t.page, 120, 400);
    await waitState(p.page, (s) => s.shapesCount === 2);

    // Unlocked: the status line says so, and the peer draws again.
    await t.page.getByTestId('host-lock').uncheck();
    await conn.filter({ hasText: 'The host has locked the board' }).waitFor({ state: 'detached' });
    assert.equal(await p.page.getByTestId('tool-pencil').isDisabled(), false);
    await p.page.getByTestId('tool-pencil').click();
    await draw(p.page, 300, 120);
    await waitState(t.page, (s) => s.shapesCount === 3);
  } finally {
    await t.context.close();
    await p.context.close();
  }
});

test('a locked shape is the host\'s: the others cannot select, move, erase or delete it until it is unlocked', async () => {
  const { t, p } = await teacherAndPeer('lock-shape');
  try {
    const id = await draw(p.page, 100, 100);
    await waitState(t.page, (s) => s.shapesCount === 1);

    // The host selects it and locks it.
    await t.page.keyboard.press('v');
    await clickBoard(t.page, 100, 100);
    assert.deepEqual(await t.page.evaluate(() => /** @type {any} */ (window).coco.selected()), [id]);
    await t.page.getByTestId('host-lock-shape').click();
    await waitState(p.page, () => true);
    const locked = async () => (await shapesOf(p.page)).find((s) => s.id === id);
    for (let i = 0; !(await locked())?.locked && i < 100; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await locked()).locked, true);
    const points = JSON.stringify((await locked()).points);

    // The peer cannot select it (and is told why), drag it, erase it or delete it.
    await p.page.keyboard.press('v');
    await clickBoard(p.page, 100, 100);
    await p.page.getByTestId('toast').filter({ hasText: 'The host has locked this shape' }).waitFor();
    assert.deepEqual(await p.page.evaluate(() => /** @type {any} */ (window).coco.selected()), []);
    const from = await onScreen(p.page, 100, 100);
    await p.page.mouse.move(from.x, from.y);
    await p.page.mouse.down();
    await p.page.mouse.move(from.x + 120, from.y + 80, { steps: 5 });
    await p.page.mouse.up();
    await p.page.keyboard.press('Delete');
    await p.page.keyboard.press('e');
    await stroke(p.page, [{ x: 80, y: 100 }, { x: 140, y: 115 }, { x: 180, y: 130 }]);
    await settle();
    assert.equal(JSON.stringify((await locked())?.points), points, 'not moved nor erased');
    assert.deepEqual(await idsOf(t.page), [id]);
    await p.page.screenshot({ path: `${artifacts}/lock-shape.png` });

    // The host unlocks it; now the peer may delete it.
    await t.page.getByTestId('host-unlock-shape').click();
    for (let i = 0; (await locked())?.locked && i < 100; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await locked()).locked, false);
    await p.page.keyboard.press('v');
    await clickBoard(p.page, 100, 100);
    assert.deepEqual(await p.page.evaluate(() => /** @type {any} */ (window).coco.selected()), [id]);
    await p.page.keyboard.press('Delete');
    await waitState(t.page, (s) => s.shapesCount === 0);
  } finally {
    await t.context.close();
    await p.context.close();
  }
});

test('the host undoes a person\'s last change as its own change, and its own undo brings it back', async () => {
  const { t, p } = await teacherAndPeer('lock-undo');
  try {
    const one = await draw(p.page, 100, 100);
    const two = await draw(p.page, 300, 100);
    await waitState(t.page, (s) => s.shapesCount === 2);

    const undo = t.page.getByTestId('host-undo-person');
    await undo.filter({ hasText: 'Undo Pia\'s last change' }).waitFor();
    assert.equal(await undo.isDisabled(), false);
    await undo.click();
    await waitState(p.page, (s) => s.shapesCount === 1);
    assert.deepEqual(await idsOf(p.page), [one]);
    await t.page.getByTestId('toast').filter({ hasText: 'Undid Pia\'s last change' }).waitFor();

    // The host's own undo takes its override back.
    await t.page.keyboard.press('Control+z');
    await waitState(p.page, (s) => s.shapesCount === 2);
    assert.deepEqual(await idsOf(p.page), [one, two].sort());

    // Once more: the change before it; then there is nothing of hers left to undo.
    await undo.click();
    await waitState(p.page, (s) => s.shapesCount === 1);
    assert.deepEqual(await idsOf(p.page), [two]);
    await waitState(t.page, (s) => s.unacked === 0);
    assert.equal(await undo.isDisabled(), true);
    // Her own undo is still hers: it takes back her last stroke.
    await p.page.keyboard.press('Control+z');
    await waitState(t.page, (s) => s.shapesCount === 0);
  } finally {
    await t.context.close();
    await p.context.close();
  }
});

test('the host undoes up to UNDO_PER_PERSON of a person\'s changes, one by one; the one before stays', async () => {
  assert.equal(UNDO_PER_PERSON, 50);
  const { t, p } = await teacherAndPeer('lock-undo-reach');
  try {
    // Pia makes one change more than the host's page keeps: rectangles, Enter at a time (one change each).
    await p.page.getByTestId('canvas').focus();
    await p.page.keyboard.press('r');
    for (let i = 0; i <= UNDO_PER_PERSON; i++) await p.page.keyboard.press('Enter');
    await waitState(t.page, (s) => s.shapesCount === UNDO_PER_PERSON + 1);
    const first = (await shapesOf(p.page))[0].id;
    const undo = t.page.getByTestId('host-undo-person');
    await undo.and(t.page.locator(`[title="Pia made ${UNDO_PER_PERSON} changes you can undo"]`)).waitFor();
    // The host takes back her last 50, one press of Enter each: the button keeps the focus while the list is built anew ...
    await undo.focus();
    for (let i = 0; i < UNDO_PER_PERSON; i++) {
      assert.equal(await t.page.evaluate(() => /** @type {HTMLElement} */ (document.activeElement).dataset.testid), 'host-undo-person', `press ${i + 1}: the focus is on the button`);
      await t.page.keyboard.press('Enter');
    }
    await waitState(p.page, (s) => s.shapesCount === 1);
    assert.deepEqual(await idsOf(p.page), [first], 'her first rectangle, past the host\'s reach, stays');
    // ... and then has nothing of hers left to undo.
    assert.equal(await undo.isDisabled(), true);
    assert.equal(await undo.getAttribute('title'), 'Nothing of Pia to undo yet');
    await waitState(t.page, (s) => s.unacked === 0);
    await settle();
    assert.deepEqual(await idsOf(t.page), [first]);
  } finally {
    await t.context.close();
    await p.context.close();
  }
});

test('a person\'s own undo undoes only their own changes, while another person draws', async () => {
  const url = `${host.url}?room=own-undo`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'bottom-right');
  try {
    // Help says so.
    const help = a.page.locator('#help').getByText('Undo undoes your own changes only, also while others draw');
    assert.ok(await help.isVisible(), 'Help says that undo undoes only one\'s own changes');
    await waitState(b.page, (s) => s.users.length === 2);
    const a1 = await draw(a.page, 100, 100);
    const b1 = await draw(b.page, 100, 300);
    const a2 = await draw(a.page, 300, 100);
    await waitState(a.page, (s) => s.shapesCount === 3);

    // Ada undoes while Bo goes on drawing.
    const drawing = draw(b.page, 300, 300);
    await a.page.keyboard.press('Control+z');
    const b2 = await drawing;
    await waitState(a.page, (s) => s.shapesCount === 3 && s.unacked === 0);
    assert.deepEqual(await idsOf(a.page), [a1, b1, b2].sort(), 'her last stroke went, Bo\'s stayed');
    await a.page.keyboard.press('Control+z');
    await a.page.keyboard.press('Control+z');
    await a.page.keyboard.press('Control+z');
    await waitState(b.page, (s) => s.shapesCount === 2);
    await settle();
    assert.deepEqual(await idsOf(b.page), [b1, b2].sort(), 'only Ada\'s changes are undone');
    assert.deepEqual(await idsOf(a.page), [b1, b2].sort());
    assert.ok(!(await idsOf(b.page)).includes(a2));
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
