// @ts-check
/**
 * Sketch enhancement from the board: the dialog renders the selection (or the
 * board), uploads it, starts the job, follows it, and places the picture as
 * one undoable image shape the whole room sees. Gemini is a local fake that
 * answers exactly as the documented REST API does. Cancelling, a dropped
 * connection and a reload mid-job are in `enhance-recovery.test.js`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { solidPng } from './fake-gemini.js';
import { startHost, join, waitState, stroke, removeDir, artifacts } from './helpers.js';
import {
  KEY, MODEL, FAKE_W, FAKE_H, FAKE_RGB, useEnhanceHost, imageShapes, drawAndSelectLoop, boundsOf, startEnhance, pixelAt, pictureOf,
} from './enhance-kit.js';

const FAKE_PNG = solidPng(FAKE_W, FAKE_H, FAKE_RGB);

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('./fake-gemini.js').FakeGemini} */
let fake;
useEnhanceHost((h, b, f) => {
  host = h;
  browser = b;
  fake = f;
});

test('the local enhancer turns the selected sketch into a picture both people see; it goes to the storyboard from the dialog; undo removes it', async () => {
  const url = `${host.url}?room=enh-local`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'top-right');
  try {
    await drawAndSelectLoop(a.page);
    const [sketch] = await a.page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    await a.page.getByTestId('tool-enhance').click();
    await a.page.getByTestId('enhance-dialog').waitFor();
    assert.match(await a.page.getByTestId('enhance-region').innerText(), /the selection \(1 shape/);
    await a.page.screenshot({ path: `${artifacts}/enhance-dialog.png` });
    await a.page.getByTestId('engine-local').check();
    await a.page.getByTestId('enhance-prompt').fill('a sunny meadow');
    await a.page.getByTestId('enhance-start').click();

    await a.page.getByTestId('enhance-result').waitFor({ timeout: 30000 });
    assert.match(await a.page.getByTestId('enhance-engine').innerText(), /local enhancer/);
    await a.page.screenshot({ path: `${artifacts}/enhance-result.png` });

    // One image shape over the sketch's region, on both screens.
    await waitState(a.page, (s) => s.shapesCount === 2 && s.unacked === 0);
    await waitState(b.page, (s) => s.shapesCount === 2);
    const [shape] = await imageShapes(a.page);
    const [theirs] = await imageShapes(b.page);
    assert.deepEqual(theirs, shape);
    assert.match(shape.image, /^\/enhanced_drawings\/[^/?]+$/);
    const sb = boundsOf(sketch.points);
    assert.ok(shape.points[0].x <= sb.minX && shape.points[0].y <= sb.minY && shape.points[1].x >= sb.maxX && shape.points[1].y >= sb.maxY,
      `the picture ${JSON.stringify(shape.points)} covers the sketch ${JSON.stringify(sb)}`);
    assert.ok(shape.points[1].x - shape.points[0].x < (sb.maxX - sb.minX) + 60, 'and not much more');

    // The picture is a real, coloured image, drawn on the other screen.
    const pic = await pictureOf(b.page, shape.image);
    assert.ok(pic.width >= 2 * (sb.maxX - sb.minX), `rendered at twice the board's scale: ${pic.width}`);
    assert.ok(pic.colours >= 3, `not blank: ${pic.colours} colours`);
    const cx = (shape.points[0].x + shape.points[1].x) / 2, cy = (shape.points[0].y + shape.points[1].y) / 2;
    const px = await pixelAt(b.page, cx, cy);
    assert.ok(px[3] > 200, `the picture is drawn on the other screen: ${px}`);
    assert.ok([0, 1, 2].every((i) => Math.abs(px[i] - pic.middle[i]) < 40), `on screen ${px}, in the file ${pic.middle}`);

    // Sent to the storyboard from the dialog: the same stored picture is its first frame, for both.
    await a.page.getByTestId('enhance-to-storyboard').click();
    await a.page.getByTestId('enhance-to-storyboard').filter({ hasText: 'Added as frame 1 of Storyboard 1.' }).waitFor();
    assert.ok(await a.page.getByTestId('enhance-to-storyboard').isDisabled(), 'added once');
    const frameImages = (/** @type {import('playwright-core').Page} */ page) => page.evaluate(async () =>
      (await (await fetch('/api/storyboards?room=enh-local')).json()).storyboards[0].frames.map((/** @type {any} */ f) => f.image));
    assert.deepEqual(await frameImages(b.page), [shape.image]);
    await b.page.getByTestId('sb-toggle').click();
    await b.page.locator(`[data-testid=sb-frame] img[src^="${shape.image}"]`).waitFor();

    // "Enhance again", upscaled: the same sketch (not the picture now selected), twice the pixels, same place.
    assert.equal(await a.page.getByTestId('enhance-start').innerText(), 'Enhance again');
    await a.page.getByTestId('enhance-upscale').check();
    await a.page.getByTestId('enhance-start').click();
    await waitState(a.page, (s) => s.shapesCount === 3 && s.unacked === 0);
    await a.page.getByTestId('enhance-result').waitFor();
    const [, second] = await imageShapes(a.page);
    assert.deepEqual(second.points, shape.points);
    const big = await pictureOf(a.page, second.image);
    assert.deepEqual([big.width, big.height], [2 * pic.width, 2 * pic.height]);

    // Close, then each undo takes one picture away, for everyone.
    await a.page.getByTestId('enhance-close').click();
    await a.page.getByTestId('enhance-dialog').waitFor({ state: 'hidden' });
    await a.page.keyboard.press('Control+z');
    await waitState(b.page, (s) => s.shapesCount === 2);
    assert.deepEqual((await imageShapes(b.page)).map((/** @type {any} */ s) => s.id), [shape.id]);
    await a.page.keyboard.press('Control+z');
    await waitState(a.page, (s) => s.shapesCount === 1 && s.unacked === 0);
    await waitState(b.page, (s) => s.shapesCount === 1);
    assert.equal((await imageShapes(b.page)).length, 0);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('with a key, Auto asks Gemini: its picture is placed and the dialog says Gemini made it', async () => {
  fake.mode = 'image';
  fake.requests = [];
  const url = `${host.url}?room=enh-gemini`;
  const a = await join(browser, url, 'Cy', 'bottom-left');
  try {
    await drawAndSelectLoop(a.page);
    await a.page.getByTestId('tool-enhance').click();
    await a.page.getByTestId('enhance-dialog').waitFor();
    await a.page.getByTestId('enhance-gemini-note').filter({ hasText: MODEL }).waitFor();
    assert.equal(await a.page.getByTestId('engine-gemini').isDisabled(), false);
    await a.page.getByTestId('enhance-close').click();
    const dialog = await startEnhance(a.page, 'auto', 'a castle');
    await a.page.getByTestId('enhance-result').waitFor({ timeout: 30000 });
    assert.match(await a.page.getByTestId('enhance-engine').innerText(), new RegExp(`Made by Gemini \\(${MODEL}\\)`));
    assert.equal(await a.page.getByTestId('enhance-note').isVisible(), false);

    // Gemini got the sketch (a PNG) and the prompt, with the key in its header.
    const call = fake.requests.find((r) => r.method === 'POST');
    assert.ok(call, 'generateContent was called');
    assert.equal(call.key, KEY);
    const parts = call.body.contents[0].parts;
    assert.ok(parts.some((/** @type {any} */ p) => typeof p.text === 'string' && p.text.includes('a castle')));
    const sent = parts.find((/** @type {any} */ p) => p.inlineData || p.inline_data);
    const data = Buffer.from((sent.inlineData || sent.inline_data).data, 'base64');
    assert.equal(data.subarray(1, 4).toString('ascii'), 'PNG');

    // The placed picture is the fake's, fitted into the region without stretching.
    await waitState(a.page, (s) => s.shapesCount === 2 && s.unacked === 0);
    const [shape] = await imageShapes(a.page);
    const pic = await pictureOf(a.page, shape.image);
    assert.deepEqual([pic.width, pic.height], [FAKE_W, FAKE_H]);
    assert.deepEqual(pic.middle, FAKE_RGB);
    assert.ok(Math.abs(shape.width / shape.height - FAKE_W / FAKE_H) < 0.01, `aspect kept: ${shape.width} × ${shape.height}`);
    await a.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // Opened with the mouse, it gives the focus back to the board (keys.test.js: the keyboard's way).
    assert.equal(await a.page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'canvas', 'the focus is back on the board');
    const cx = shape.points[0].x + shape.width / 2, cy = shape.points[0].y + shape.height / 2;
    const px = await pixelAt(a.page, cx, cy);
    assert.deepEqual(px.slice(0, 3), FAKE_RGB);
  } finally {
    await a.context.close();
  }
});

test('a prompt Gemini blocks: with Gemini chosen a clear message and nothing placed; with Auto the local picture and the note', async () => {
  fake.mode = 'blocked';
  const url = `${host.url}?room=enh-blocked`;
  const a = await join(browser, url, 'Di', 'bottom-right');
  try {
    await drawAndSelectLoop(a.page);
    // Shift+E opens the dialog too.
    await a.page.getByTestId('canvas').focus();
    await a.page.keyboard.press('Shift+E');
    await a.page.getByTestId('enhance-dialog').waitFor();
    await a.page.getByTestId('engine-gemini').check();
    await a.page.getByTestId('enhance-prompt').fill('something Gemini refuses');
    await a.page.getByTestId('enhance-start').click();
    const error = a.page.getByTestId('enhance-error');
    await error.filter({ hasText: /Gemini refused the prompt \(SAFETY\)/ }).waitFor({ timeout: 30000 });
    assert.equal(await a.page.getByTestId('enhance-result').isVisible(), false);
    assert.equal(await a.page.getByTestId('enhance-start').innerText(), 'Try again');
    assert.equal((await imageShapes(a.page)).length, 0);

    // The same dialog, retried with Auto: the local enhancer steps in and says why.
    await a.page.getByTestId('engine-auto').check();
    await a.page.getByTestId('enhance-start').click();
    await a.page.getByTestId('enhance-result').waitFor({ timeout: 30000 });
    assert.match(await a.page.getByTestId('enhance-engine').innerText(), /local enhancer/);
    assert.match(await a.page.getByTestId('enhance-note').innerText(), /Gemini could not do it \(Gemini refused the prompt \(SAFETY\).*made with the local enhancer instead/);
    assert.equal(await error.isVisible(), false);
    await waitState(a.page, (s) => s.shapesCount === 2 && s.unacked === 0);
    const [shape] = await imageShapes(a.page);
    const pic = await pictureOf(a.page, shape.image);
    assert.notDeepEqual([pic.width, pic.height], [FAKE_W, FAKE_H]);
    assert.ok(pic.colours >= 3);
    await a.page.screenshot({ path: `${artifacts}/enhance-note.png` });
  } finally {
    await a.context.close();
  }
});

test('on a host without a key, Gemini is disabled with the reason and Auto says the local enhancer made it', async () => {
  const plain = await startHost();
  const a = await join(browser, `${plain.url}?room=enh-nokey`, 'Hal', 'top-left');
  try {
    await drawAndSelectLoop(a.page);
    await a.page.getByTestId('tool-enhance').click();
    await a.page.getByTestId('enhance-gemini-note').filter({ hasText: /^Not available$/ }).waitFor();
    assert.match(await a.page.getByTestId('enhance-gemini-why').innerText(), /^Gemini is not available: No Gemini API key is set\b.*[^.]\.$/);
    assert.equal(await a.page.getByTestId('engine-gemini').isDisabled(), true);
    assert.equal(await a.page.getByTestId('engine-auto').isChecked(), true);
    await a.page.screenshot({ path: `${artifacts}/enhance-no-key.png` });
    await a.page.getByTestId('enhance-start').click();
    await a.page.getByTestId('enhance-result').waitFor({ timeout: 30000 });
    assert.match(await a.page.getByTestId('enhance-engine').innerText(), /local enhancer/);
    assert.match(await a.page.getByTestId('enhance-note').innerText(), /^Made with the local enhancer: /);
    // Gemini stays disabled after the job (the form is enabled again around it).
    assert.equal(await a.page.getByTestId('engine-gemini').isDisabled(), true);
    assert.equal(await a.page.getByTestId('enhance-prompt').isDisabled(), false);
    await waitState(a.page, (s) => s.shapesCount === 2 && s.unacked === 0);
  } finally {
    await a.context.close();
    await plain.kill();
    removeDir(plain.dataDir);
  }
});

test('an empty board cannot be enhanced; the dialog says why', async () => {
  const a = await join(browser, `${host.url}?room=enh-empty`, 'Ivy', 'top-left');
  try {
    await a.page.getByTestId('tool-enhance').click();
    await a.page.getByTestId('enhance-dialog').waitFor();
    assert.match(await a.page.getByTestId('enhance-region').innerText(), /board is empty/);
    assert.equal(await a.page.getByTestId('enhance-start').isDisabled(), true);
    await a.page.getByTestId('enhance-x').click();
    await a.page.getByTestId('enhance-dialog').waitFor({ state: 'hidden' });

    // Nothing selected: the whole board is the region, and the dialog says so.
    await stroke(a.page, [{ x: 100, y: 100 }, { x: 200, y: 160 }]);
    await stroke(a.page, [{ x: 400, y: 300 }, { x: 450, y: 380 }]);
    await waitState(a.page, (s) => s.shapesCount === 2);
    await a.page.getByTestId('tool-enhance').click();
    assert.match(await a.page.getByTestId('enhance-region').innerText(), /^Region: the whole board \(2 shapes, \d+ × \d+\); nothing is selected\.$/);
    await a.page.keyboard.press('Escape');
  } finally {
    await a.context.close();
  }
});

test('the userId sent as "by" is kept in the job up to MAX_ID_BYTES (128) and refused past it', async () => {
  const up = await fetch(`${host.url}api/save-image`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ imageData: `data:image/png;base64,${FAKE_PNG.toString('base64')}` }),
  }).then((r) => r.json());
  /** @param {string} by */
  const submit = (by) => fetch(`${host.url}api/enhance-image`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ filename: up.path, engine: 'local', room: 'enh-by', by }),
  });
  const ok = await submit('u'.repeat(128));
  assert.equal(ok.status, 200);
  const job = (await ok.json()).job;
  assert.equal(job.input.by, 'u'.repeat(128));
  const refused = await submit('u'.repeat(129));
  assert.equal(refused.status, 400);
  const body = await refused.json();
  assert.equal(body.code, 'invalid');
  assert.match(body.error, /by is a userId of at most 128 bytes/);
  const jobs = await fetch(`${host.url}api/jobs?room=enh-by`).then((r) => r.json());
  assert.deepEqual(jobs.jobs.map((/** @type {any} */ j) => j.id), [job.id], 'the refused one was not queued');
  // Wait for the accepted one, so the host stops with nothing running.
  const deadline = Date.now() + 20000;
  while ((await fetch(`${host.url}api/jobs/${job.id}`).then((r) => r.json())).job.status !== 'complete') {
    assert.ok(Date.now() < deadline, 'the job finished');
    await new Promise((r) => setTimeout(r, 100));
  }
});

test('on a tablet the dialog works by touch, with finger-sized targets', async () => {
  const a = await join(browser, `${host.url}?room=enh-tablet`, 'Jo', 'top-left', { hasTouch: true, isMobile: true, viewport: { width: 768, height: 1024 } });
  try {
    const cdp = await a.page.context().newCDPSession(a.page);
    const box = await a.page.getByTestId('canvas').boundingBox();
    if (!box) throw new Error('no canvas');
    /** @param {'touchStart'|'touchMove'|'touchEnd'} type @param {number} x @param {number} y */
    const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: box.x + x, y: box.y + y, id: 1 }] });
    await touch('touchStart', 200, 150);
    for (let i = 1; i <= 24; i++) {
      const t = (i / 24) * Math.PI * 2;
      await touch('touchMove', 140 + 60 * Math.cos(t), 150 + 50 * Math.sin(t));
    }
    await touch('touchEnd', 0, 0);
    await waitState(a.page, (s) => s.shapesCount === 1 && s.unacked === 0);
    // Headless Chromium drops a tap that follows a synthetic CDP touch drag at
    // once (its gesture detector is still settling); a person never taps that fast.
    await a.page.waitForTimeout(1500);

    await a.page.getByTestId('tool-enhance').tap();
    await a.page.getByTestId('enhance-dialog').waitFor();
    assert.match(await a.page.getByTestId('enhance-region').innerText(), /whole board/);
    for (const id of ['engine-auto', 'engine-local', 'enhance-start', 'enhance-close', 'enhance-x']) {
      const target = id.startsWith('engine-') ? a.page.getByTestId(id).locator('xpath=ancestor::label') : a.page.getByTestId(id);
      const r = await target.boundingBox();
      assert.ok(r && r.height >= 40 && r.width >= 40, `${id} is big enough to tap: ${JSON.stringify(r)}`);
    }
    await a.page.screenshot({ path: `${artifacts}/enhance-tablet.png` });
    await a.page.getByTestId('engine-local').locator('xpath=ancestor::label').tap();
    assert.equal(await a.page.getByTestId('engine-local').isChecked(), true);
    await a.page.getByTestId('enhance-start').tap();
    await a.page.getByTestId('enhance-result').waitFor({ timeout: 30000 });
    await a.page.getByTestId('enhance-close').tap();
    await a.page.getByTestId('enhance-dialog').waitFor({ state: 'hidden' });
    await waitState(a.page, (s) => s.shapesCount === 2 && s.unacked === 0);
  } finally {
    await a.context.close();
  }
});

test('Gemini busy: the dialog says it and when it tries again, then places the picture', async () => {
  fake.mode = 'busy';
  const a = await join(browser, `${host.url}?room=enh-busy`, 'Dee', 'bottom-right');
  try {
    await drawAndSelectLoop(a.page);
    await startEnhance(a.page, 'gemini', 'a castle');
    // The host's retry wait, as it happens (pushed over the WebSocket).
    await a.page.getByTestId('enhance-message').filter({ hasText: /^Gemini is busy \(HTTP 503\); trying again in \d+ s \(\d+%\)$/ }).waitFor({ timeout: 10000 });
    await a.page.getByTestId('enhance-result').waitFor({ timeout: 30000 });
    assert.match(await a.page.getByTestId('enhance-engine').innerText(), /Made by Gemini/);
  } finally {
    fake.mode = 'image';
    await a.context.close();
  }
});

test('the host gives CoCo a Gemini key from its panel, and the people in the room can use Gemini at once', async () => {
  const keyless = await startHost({ args: ['--gemini-base-url', `http://127.0.0.1:${fake.port}/v1beta`] });
  const teacher = await join(browser, `${keyless.adminUrl}&room=enh-key`, 'Teacher', 'top-left');
  const student = await join(browser, `${keyless.url}?room=enh-key`, 'Student', 'top-right');
  try {
    const panel = teacher.page.getByTestId('host-panel');
    await panel.waitFor();
    await panel.getByTestId('host-gemini-state').filter({ hasText: /^off$/ }).waitFor();
    await panel.getByTestId('host-gemini-summary').click();
    const status = panel.getByTestId('host-gemini-status');
    await status.filter({ hasText: /^Off: No Gemini API key is set\b/ }).waitFor();
    // Only the host has the field; the student's page has no panel at all.
    assert.equal(await student.page.getByTestId('host-gemini-key').isVisible(), false);
    await panel.getByTestId('host-gemini-key').fill(KEY);
    await panel.getByTestId('host-gemini-save').click();
    await status.filter({ hasText: /^Saved\. On, with the key from the host panel\./ }).waitFor();
    assert.equal(await panel.getByTestId('host-gemini-state').innerText(), 'on');
    assert.equal(await panel.getByTestId('host-gemini-key').inputValue(), '', 'the field is cleared');
    assert.ok(!(await teacher.page.content()).includes(KEY), 'the key is not shown anywhere');
    // Kept for the next start, in the host's config file.
    assert.match(readFileSync(`${keyless.dataDir}/config.toml`, 'utf8'), new RegExp(KEY));
    // The student's enhance dialog offers Gemini now.
    await drawAndSelectLoop(student.page);
    await student.page.getByTestId('tool-enhance').click();
    await student.page.getByTestId('enhance-gemini-note').filter({ hasText: MODEL }).waitFor();
    assert.equal(await student.page.getByTestId('engine-gemini').isDisabled(), false);
  } finally {
    await teacher.context.close();
    await student.context.close();
    await keyless.kill();
    removeDir(keyless.dataDir);
  }
});
