// @ts-check
/** Two or more people on one board: strokes, cursors, seats, undo, export. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useHostAndBrowser, join, waitState, stroke, zigzag, artifacts, shapesOf } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

test('the join screen shows the room and the free seats', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(`${host.url}?room=join-look`);
  await page.getByTestId('screen-join').waitFor();
  assert.equal(await page.getByTestId('join-room').textContent(), 'join-look');
  assert.equal(await page.locator('.seat:not([disabled])').count(), 4);
  await page.screenshot({ path: `${artifacts}/join-screen.png` });
  await context.close();
});

test('two people see each other\'s strokes, cursors and seats', async () => {
  const url = `${host.url}?room=pair`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'bottom-right');
  try {
    await waitState(a.page, (s) => s.users.length === 2);
    await stroke(a.page, zigzag(150, 150));
    await a.page.keyboard.press('r');
    await stroke(a.page, [{ x: 380, y: 120 }, { x: 560, y: 260 }]);
    await a.page.keyboard.press('o');
    await stroke(a.page, [{ x: 600, y: 300 }, { x: 760, y: 420 }]);
    await stroke(b.page, zigzag(250, 380));
    await waitState(b.page, (s) => s.shapesCount === 4);
    await waitState(a.page, (s) => s.shapesCount === 4 && s.unacked === 0);
    const aShapes = await a.page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    const bShapes = await b.page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    assert.deepEqual(bShapes.map((/** @type {any} */ s) => s.id).sort(), aShapes.map((/** @type {any} */ s) => s.id).sort());
    assert.deepEqual(aShapes.map((/** @type {any} */ s) => s.type).sort(), ['ellipse', 'pencil', 'pencil', 'rectangle']);
    const red = aShapes.find((/** @type {any} */ s) => s.createdBy === (/** @type {any} */ (aShapes[0])).createdBy);
    assert.equal(red.style.strokeColor.toLowerCase(), '#e03131', 'a seat colour is the default stroke colour');

    const box = await b.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await b.page.mouse.move(box.x + 420, box.y + 330);
    await b.page.mouse.move(box.x + 430, box.y + 340);
    const seen = await waitState(a.page, (s) => s.cursors.some((/** @type {any} */ c) => Math.abs(c.x - 430) < 1 && Math.abs(c.y - 340) < 1));
    assert.equal(seen.cursors.length, 1);
    await waitState(b.page, (s) => s.cursors.length === 1);
    assert.match(await a.page.getByTestId('badge-bottom-right').textContent() ?? '', /Bo/);
    assert.match(await a.page.getByTestId('conn').textContent() ?? '', /saved on host/);
    await a.page.screenshot({ path: `${artifacts}/board-two-users.png` });
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('others see a stroke while it is being drawn', async () => {
  const url = `${host.url}?room=live`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await a.page.mouse.move(box.x + 100, box.y + 100);
    await a.page.mouse.down();
    for (let i = 1; i <= 10; i++) await a.page.mouse.move(box.x + 100 + i * 15, box.y + 100 + (i % 2) * 20);
    const live = await waitState(b.page, (s) => s.drafts.length === 1 && s.drafts[0].points >= 5);
    assert.equal(live.shapesCount, 0, 'not a shape until the pen is lifted');
    await b.page.screenshot({ path: `${artifacts}/live-stroke.png` });
    await a.page.mouse.up();
    await waitState(b.page, (s) => s.drafts.length === 0 && s.shapesCount === 1);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('undo and redo of one\'s own stroke reach the others', async () => {
  const url = `${host.url}?room=undo`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    await stroke(a.page, zigzag(100, 100));
    await waitState(b.page, (s) => s.shapesCount === 1);
    await a.page.keyboard.press('Control+z');
    await waitState(b.page, (s) => s.shapesCount === 0);
    await a.page.keyboard.press('Control+Shift+z');
    await waitState(b.page, (s) => s.shapesCount === 1);
    await a.page.getByTestId('tool-eraser').click();
    await stroke(a.page, [{ x: 120, y: 115 }, { x: 150, y: 120 }]);
    await waitState(b.page, (s) => s.shapesCount === 0);
    await waitState(a.page, (s) => s.unacked === 0);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('a fifth person gets the room-full screen', async () => {
  const url = `${host.url}?room=full`;
  const seated = [];
  for (const name of ['A', 'B', 'C', 'D']) seated.push(await join(browser, url, name));
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(url);
    const screen = page.getByTestId('screen-message');
    await screen.waitFor();
    assert.equal(await screen.getAttribute('data-reason'), 'room_full');
    assert.match(await screen.textContent() ?? '', /full/i);
    // When someone leaves, the fifth person joins by themselves.
    await seated.shift()?.context.close();
    await page.getByTestId('join-name').waitFor({ timeout: 15000 });
    await page.getByTestId('join-name').fill('E');
    await page.getByTestId('join-submit').click();
    await waitState(page, (s) => s.connection === 'connected');
  } finally {
    await context.close();
    for (const s of seated) await s.context.close();
  }
});

test('export produces a PNG', async () => {
  const a = await join(browser, `${host.url}?room=export`, 'Ada');
  try {
    await stroke(a.page, zigzag(100, 100));
    const [download] = await Promise.all([
      a.page.waitForEvent('download'),
      a.page.getByTestId('cmd-export').click(),
    ]);
    const path = await download.path();
    assert.ok(path);
    const bytes = readFileSync(path);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(bytes.length > 100);
    assert.match(download.suggestedFilename(), /\.png$/);
  } finally {
    await a.context.close();
  }
});

test('text, select-move, restyle and delete with the keyboard', async () => {
  const url = `${host.url}?room=tools`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await a.page.keyboard.press('t');
    await a.page.mouse.click(box.x + 100, box.y + 100);
    await a.page.getByTestId('text-editor').fill('hello');
    await a.page.keyboard.press('Enter');
    await waitState(b.page, (s) => s.shapesCount === 1);
    const [text] = await b.page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    assert.equal(text.type, 'text');
    assert.equal(text.text, 'hello');

    await a.page.keyboard.press('l');
    await stroke(a.page, [{ x: 300, y: 300 }, { x: 400, y: 300 }]);
    await waitState(b.page, (s) => s.shapesCount === 2);
    await a.page.keyboard.press('v');
    await stroke(a.page, [{ x: 350, y: 300 }, { x: 350, y: 350 }]);
    await a.page.getByTestId('stroke-width').selectOption('16');
    const moved = async () => (await b.page.evaluate(() => /** @type {any} */ (window).coco.shapes())).find((/** @type {any} */ s) => s.type === 'line');
    for (let i = 0; i < 50 && ((await moved()).points[0].y !== 350 || (await moved()).style.strokeWidth !== 16); i++) await b.page.waitForTimeout(100);
    const line = await moved();
    assert.deepEqual(line.points, [{ x: 300, y: 350 }, { x: 400, y: 350 }]);
    assert.equal(line.style.strokeWidth, 16);

    await a.page.keyboard.press('Delete');
    await waitState(b.page, (s) => s.shapesCount === 1);
    await waitState(a.page, (s) => s.unacked === 0);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('the host can remove someone, who then sees why and stays out', async () => {
  const url = `${host.url}?room=kick`;
  // The host: the admin link the host printed.
  const a = await join(browser, `${host.adminUrl}&room=kick`, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    await waitState(a.page, (s) => s.users.length === 2);
    const panel = a.page.getByTestId('host-panel');
    await panel.waitFor();
    // Two people listed, one Remove: never next to the host.
    await panel.getByTestId('host-people').getByTestId('person').nth(1).waitFor();
    assert.equal(await panel.getByTestId('kick').count(), 1);
    a.page.once('dialog', (d) => d.accept());
    await panel.getByTestId('kick').click();
    const screen = b.page.getByTestId('screen-message');
    await screen.waitFor();
    assert.equal(await screen.getAttribute('data-reason'), 'kicked');
    assert.match(await screen.textContent() ?? '', /removed you from this session/);
    assert.equal(await b.page.locator('#message-action').isVisible(), false, 'no "Join again"');
    await waitState(a.page, (s) => s.users.length === 1);
    // A reload, and a new tab of the same browser, are refused too.
    for (const page of [b.page, await b.context.newPage()]) {
      if (page === b.page) await page.reload();
      else await page.goto(url);
      const again = page.getByTestId('screen-message');
      await again.waitFor();
      await page.waitForFunction(() => document.getElementById('screen-message')?.dataset.reason === 'kicked');
    }
    const { users } = await waitState(a.page, (s) => s.users.length === 1);
    assert.deepEqual(users.map((/** @type {any} */ u) => u.name), ['Ada']);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('zoom (wheel) and pan (space-drag) change where a stroke lands', async () => {
  const a = await join(browser, `${host.url}?room=view`, 'Ada');
  try {
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await a.page.mouse.move(box.x, box.y);
    await a.page.mouse.wheel(0, -Math.log(2) / 0.0015); // twice as close, around the top-left corner
    await a.page.waitForTimeout(100);
    await a.page.keyboard.press('l');
    await stroke(a.page, [{ x: 200, y: 200 }, { x: 300, y: 200 }]);
    await a.page.keyboard.press('0'); // back to 100 %
    await a.page.keyboard.down(' ');
    await stroke(a.page, [{ x: 300, y: 300 }, { x: 400, y: 350 }]); // pans by (100, 50)
    await a.page.keyboard.up(' ');
    await stroke(a.page, [{ x: 200, y: 200 }, { x: 300, y: 200 }]);
    await waitState(a.page, (s) => s.shapesCount === 2);
    const lines = await a.page.evaluate(() => /** @type {any} */ (window).coco.shapes().map((/** @type {any} */ s) => s.points));
    const near = (/** @type {any} */ p, /** @type {number} */ x, /** @type {number} */ y) => Math.abs(p.x - x) < 1 && Math.abs(p.y - y) < 1;
    assert.ok(near(lines[0][0], 100, 100) && near(lines[0][1], 150, 100), JSON.stringify(lines[0]));
    assert.ok(near(lines[1][0], 100, 150) && near(lines[1][1], 200, 150), JSON.stringify(lines[1]));
  } finally {
    await a.context.close();
  }
});

test('others see a move, a resize and a text being typed while they happen', async () => {
  const url = `${host.url}?room=live-edits`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    const box = await a.page.getByTestId('canvas').boundingBox();
    if (!box) throw new Error('no canvas');
    await a.page.keyboard.press('r');
    await stroke(a.page, [{ x: 200, y: 150 }, { x: 300, y: 230 }]);
    await waitState(b.page, (s) => s.shapesCount === 1);
    /** @type {any} */
    const [rect] = await shapesOf(b.page);

    // A move: Bo sees it follow Ada's pointer before she lets go.
    await a.page.keyboard.press('v');
    await a.page.mouse.move(box.x + 200, box.y + 190);
    await a.page.mouse.down();
    for (let i = 1; i <= 6; i++) await a.page.mouse.move(box.x + 200 + i * 10, box.y + 190 + i * 5);
    const moving = await waitState(b.page, (s) => s.edits.length === 1 && s.edits[0].points[0].x >= rect.points[0].x + 50);
    assert.equal(moving.edits[0].id, rect.id);
    assert.deepEqual(moving.editedElsewhere, [rect.id], 'drawn where it is now, not also where it was');
    /** @type {any} */
    const [stored] = await shapesOf(b.page);
    assert.deepEqual(stored.points, rect.points, 'nothing is stored until she lets go');
    await a.page.mouse.up();
    await waitState(b.page, (s) => s.edits.length === 0 && s.editedElsewhere.length === 0);
    await waitState(a.page, (s) => s.unacked === 0);
    /** @type {any} */
    const [moved] = await shapesOf(b.page);
    assert.equal(moved.points[0].x, rect.points[0].x + 60);

    // A resize by the bottom-right handle.
    const corner = { x: box.x + moved.points[1].x + 4, y: box.y + moved.points[1].y + 4 };
    await a.page.mouse.move(corner.x, corner.y);
    await a.page.mouse.down();
    for (let i = 1; i <= 5; i++) await a.page.mouse.move(corner.x + i * 8, corner.y + i * 6);
    await waitState(b.page, (s) => s.edits.length === 1 && s.edits[0].points[1].x > moved.points[1].x + 20);
    await a.page.mouse.up();
    await waitState(b.page, (s) => s.edits.length === 0);

    // Typing: Bo reads the text as Ada types it, before Enter.
    await a.page.keyboard.press('t');
    await a.page.mouse.click(box.x + 500, box.y + 400);
    await a.page.getByTestId('text-editor').pressSequentially('Hello');
    const typing = await waitState(b.page, (s) => s.edits.length === 1 && s.edits[0].text === 'Hello');
    assert.equal(typing.edits[0].type, 'text');
    assert.equal(typing.shapesCount, 1, 'not a shape until Enter');
    await a.page.keyboard.press('Enter');
    await waitState(b.page, (s) => s.edits.length === 0 && s.shapesCount === 2);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
