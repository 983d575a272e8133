// @ts-check
/**
 * Storyboards and videos in the browser: two people share one storyboard
 * (add, reorder by dragging, captions, durations, delete, clear), and the
 * "Make video" panel follows the render to a player, a GIF where the browser
 * cannot play H.264, a download, or a clear error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useHostAndBrowser, allowConsoleError, join, waitState, stroke, artifacts, TABLET } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
  allowConsoleError(b, /status of 400 .*\/api\/generate-video\)$/, 'a one-frame video, which the host refuses with its reason for the page to show');
  allowConsoleError(b, /status of 404 .*\/img\/[0-9a-f]+\.png\)$/, 'the test deletes a frame\'s picture from the host, to see the video fail and the strip mark it');
});

/** @typedef {import('playwright-core').Page} Page */

/**
 * A PNG of one colour drawn in the page.
 * @param {Page} page @param {string} color @returns {Promise<Buffer>}
 */
async function makePng(page, color) {
  const b64 = await page.evaluate((c) => {
    const cv = document.createElement('canvas');
    cv.width = 160; cv.height = 90;
    const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
    ctx.fillStyle = c;
    ctx.fillRect(0, 0, 160, 90);
    return cv.toDataURL('image/png').split(',')[1];
  }, color);
  return Buffer.from(b64, 'base64');
}

/** The frames in the strip, in order. @param {Page} page */
const frames = (page) => page.evaluate(() => [...document.querySelectorAll('[data-testid=sb-frame]')].map((li) => ({
  id: /** @type {HTMLElement} */ (li).dataset.id || '',
  src: li.querySelector('img')?.getAttribute('src') || '',
  caption: /** @type {HTMLInputElement} */ (li.querySelector('[data-testid=sb-caption]')).value,
  seconds: /** @type {HTMLInputElement} */ (li.querySelector('[data-testid=sb-duration]')).value,
})));

/** Waits until the strip's frames satisfy `pred`. @param {Page} page @param {(f: Awaited<ReturnType<typeof frames>>) => boolean} pred */
async function waitFrames(page, pred, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let last = await frames(page);
  while (!pred(last)) {
    if (Date.now() > deadline) throw new Error(`frames never matched; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await frames(page);
  }
  return last;
}

/** Opens the strip if it is collapsed. @param {Page} page */
async function openStrip(page) {
  // On a tablet the strip is a drawer: open it first.
  const dock = page.getByTestId('open-storyboard');
  if (await dock.isVisible() && await dock.getAttribute('aria-expanded') !== 'true') await dock.click();
  const toggle = page.getByTestId('sb-toggle');
  if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
}

/** Puts a picture on the board through the file picker; it is selected afterwards. @param {Page} page @param {string} color */
async function insertPicture(page, color) {
  await page.keyboard.press('Escape');
  const before = await page.evaluate(() => /** @type {any} */ (window).coco.state().shapesCount);
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('tool-image').click();
  await (await chooser).setFiles({ name: 'pic.png', mimeType: 'image/png', buffer: await makePng(page, color) });
  await page.waitForFunction((n) => {
    const coco = /** @type {any} */ (window).coco;
    return coco.state().shapesCount === n + 1 && coco.selected().length === 1;
  }, before);
}

/** Sets a frame's field and commits it with Enter. @param {Page} page @param {number} i @param {'sb-caption'|'sb-duration'} field @param {string} value */
async function edit(page, i, field, value) {
  const input = page.getByTestId('sb-frame').nth(i).getByTestId(field);
  await input.fill(value);
  await input.press('Enter');
}

/** The frames of a GIF and the sum of their delays (ms), from its blocks. @param {Buffer} b */
function gifFrames(b) {
  let p = 13;
  if (b[10] & 0x80) p += 3 * 2 ** ((b[10] & 7) + 1);
  let count = 0, delayMs = 0;
  const skipSubBlocks = () => { while (b[p] !== 0) p += b[p] + 1; p++; };
  while (p < b.length) {
    const kind = b[p++];
    if (kind === 0x3b) break;
    if (kind === 0x21) {
      const label = b[p++];
      if (label === 0xf9) delayMs += b.readUInt16LE(p + 2) * 10;
      skipSubBlocks();
    } else if (kind === 0x2c) {
      count++;
      const flags = b[p + 8];
      p += 9;
      if (flags & 0x80) p += 3 * 2 ** ((flags & 7) + 1);
      p++; // LZW minimum code size
      skipSubBlocks();
    } else {
      throw new Error(`not a GIF block: ${kind} at ${p - 1}`);
    }
  }
  return { count, delayMs };
}

/**
 * How long the video in a player lasts, once the browser has read its header.
 * @param {import('playwright-core').Locator} player @returns {Promise<number>}
 */
async function playerDuration(player) {
  await player.waitFor();
  return player.evaluate((v) => new Promise((resolve, reject) => {
    const video = /** @type {HTMLVideoElement} */ (v);
    if (video.readyState >= 1) resolve(video.duration);
    video.addEventListener('loadedmetadata', () => resolve(video.duration));
    video.addEventListener('error', () => reject(new Error(`video error ${video.error?.code}`)));
  }));
}

/**
 * Joins in a fresh context that first runs `init` (e.g. to make the browser
 * one that cannot play H.264).
 * @param {string} url @param {string} name @param {string} seat @param {() => void} init
 */
async function joinWithInit(url, name, seat, init) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  await context.addInitScript(init);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error:`, e.message));
  await page.goto(url);
  await page.getByTestId('join-name').fill(name);
  await page.getByTestId(`seat-${seat}`).click();
  await page.getByTestId('join-submit').click();
  await waitState(page, (s) => s.connection === 'connected');
  return { context, page };
}

test('two people share one storyboard: add, drag to reorder, caption, duration, still or moving, fade or cut, delete, another storyboard, rename', async () => {
  const url = `${host.url}?room=sb1`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'top-right');
  try {
    await openStrip(a.page);
    await openStrip(b.page);
    assert.equal((await frames(b.page)).length, 0);
    await b.page.getByTestId('sb-empty').waitFor();

    // 1. A picture uploaded the usual way, then "Add" with it selected: its stored file is the frame.
    await insertPicture(a.page, '#e03131');
    const [picture] = await a.page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    await a.page.getByTestId('sb-add').click();
    let seenA = await waitFrames(a.page, (f) => f.length === 1);
    assert.ok(seenA[0].src.startsWith(picture.image), `${seenA[0].src} is ${picture.image}`);

    // 2. A drawing, selected with a drag on empty space, added with the A key: rendered, uploaded, added.
    await a.page.keyboard.press('Escape');
    await a.page.getByTestId('tool-rectangle').click();
    await stroke(a.page, [{ x: 80, y: 60 }, { x: 200, y: 140 }]);
    await a.page.getByTestId('tool-select').click();
    await stroke(a.page, [{ x: 60, y: 40 }, { x: 220, y: 160 }]);
    await a.page.waitForFunction(() => /** @type {any} */ (window).coco.selected().length === 1);
    await a.page.keyboard.press('a');
    seenA = await waitFrames(a.page, (f) => f.length === 2);
    assert.match(seenA[1].src, /^\/img\/[^/]+$/);
    assert.notEqual(seenA[1].src, seenA[0].src);

    assert.equal(await b.page.getByTestId('sb-title').innerText(), 'Storyboard 1', 'one storyboard: its name is the title');
    // B sees both, in the same order, with the pictures loaded.
    let seenB = await waitFrames(b.page, (f) => f.length === 2);
    assert.deepEqual(seenB.map((f) => f.id), seenA.map((f) => f.id));
    await b.page.waitForFunction(() => [...document.querySelectorAll('[data-testid=sb-frame] img')].every((i) => /** @type {HTMLImageElement} */ (i).naturalWidth > 0));
    assert.match(await b.page.getByTestId('sb-summary').innerText(), /^2 frames/);
    // B drags the second frame before the first; A sees the new order.
    const [h1, h2] = [await b.page.getByTestId('sb-handle').nth(0).boundingBox(), await b.page.getByTestId('sb-handle').nth(1).boundingBox()];
    if (!h1 || !h2) throw new Error('no frame handles');
    await b.page.mouse.move(h2.x + h2.width / 2, h2.y + h2.height / 2);
    await b.page.mouse.down();
    await b.page.mouse.move(h1.x + 20, h1.y + h1.height / 2, { steps: 8 });
    await b.page.screenshot({ path: `${artifacts}/storyboard-dragging.png` });
    await b.page.mouse.up();
    const reversed = [seenA[1].id, seenA[0].id];
    await waitFrames(a.page, (f) => f.map((x) => x.id).join() === reversed.join());
    await waitFrames(b.page, (f) => f.map((x) => x.id).join() === reversed.join());

    // A captions the (new) first frame; B sees it. A duration follows too; a bad one is explained.
    await edit(a.page, 0, 'sb-caption', 'The red square arrives');
    await waitFrames(b.page, (f) => f[0].caption === 'The red square arrives');
    await edit(a.page, 1, 'sb-duration', '2.5');
    await waitFrames(b.page, (f) => f[1].seconds === '2.5');
    await edit(b.page, 1, 'sb-duration', '90');
    await b.page.getByTestId('toast').filter({ hasText: /0\.5 to 60 seconds/ }).waitFor();
    assert.equal((await frames(b.page))[1].seconds, '2.5');

    // A makes the first frame still and a cut; B sees both, and so does the host's storyboard.
    await a.page.getByTestId('sb-frame').nth(0).getByTestId('sb-motion').click();
    await a.page.getByTestId('sb-frame').nth(0).getByTestId('sb-transition').click();
    const first = b.page.getByTestId('sb-frame').nth(0);
    await first.getByTestId('sb-motion').filter({ hasText: 'Still' }).waitFor();
    await first.getByTestId('sb-transition').filter({ hasText: 'Cut in' }).waitFor();
    assert.equal(await b.page.getByTestId('sb-frame').nth(1).getByTestId('sb-motion').innerText(), 'Pan & zoom');
    const hosted = await b.page.evaluate(async () => (await (await fetch('/api/storyboards?room=sb1')).json()).storyboards[0].frames);
    assert.deepEqual(hosted.map((/** @type {any} */ f) => [f.motion, f.transition]), [['none', 'cut'], ['kenburns', 'crossfade']]);
    await b.page.getByTestId('storyboard').screenshot({ path: `${artifacts}/storyboard-frame-looks.png` });

    // With nothing selected, Add takes the whole board; B deletes that frame and A sees it go.
    await a.page.keyboard.press('Escape');
    await a.page.getByTestId('sb-add').click();
    seenB = await waitFrames(b.page, (f) => f.length === 3);
    await b.page.getByTestId('sb-frame').nth(2).getByTestId('sb-frame-delete').click();
    seenA = await waitFrames(a.page, (f) => f.length === 2);
    assert.deepEqual(seenA.map((f) => f.id), reversed);
    assert.equal(seenA[0].caption, 'The red square arrives');

    await b.page.screenshot({ path: `${artifacts}/storyboard-strip.png` });
    // The strip is a row of its own: the board is still most of the screen.
    const canvas = await b.page.getByTestId('canvas').boundingBox();
    const strip = await b.page.getByTestId('storyboard').boundingBox();
    if (!canvas || !strip) throw new Error('no layout');
    assert.ok(canvas.y + canvas.height <= strip.y + 1, 'the strip does not cover the board');
    assert.ok(strip.height < 200 && canvas.height > 400, `strip ${strip.height}px, board ${canvas.height}px`);
    // Collapsed, it is a single bar.
    await b.page.getByTestId('sb-toggle').click();
    const bar = await b.page.getByTestId('storyboard').boundingBox();
    assert.ok(bar && bar.height < 60, `collapsed strip ${bar?.height}px`);

    // Another storyboard: both get a picker; A's new one starts empty, B still shows the first.
    await a.page.getByTestId('sb-new').click();
    await a.page.getByTestId('sb-empty').waitFor();
    await b.page.getByTestId('sb-picker').waitFor();
    assert.equal(await b.page.getByTestId('sb-picker').locator('option').count(), 2);
    assert.match(await b.page.getByTestId('sb-summary').innerText(), /^2 frames/);
    // A renames the new one; B's picker has the new name. Escape leaves a name as it was.
    await a.page.getByTestId('sb-rename').click();
    await a.page.getByTestId('sb-name').fill('Second act');
    await a.page.getByTestId('sb-name').press('Enter');
    await b.page.getByTestId('sb-picker').locator('option', { hasText: 'Second act' }).waitFor({ state: 'attached' });
    assert.deepEqual(await b.page.getByTestId('sb-picker').locator('option').allInnerTexts(), ['Storyboard 1', 'Second act']);
    await a.page.getByTestId('sb-rename').click();
    await a.page.getByTestId('sb-name').fill('Never mind');
    await a.page.getByTestId('sb-name').press('Escape');
    assert.ok(await a.page.getByTestId('sb-name').isHidden());
    assert.equal(await a.page.getByTestId('sb-picker').locator('option:checked').innerText(), 'Second act');
    assert.equal(await a.page.getByTestId('sb-name').getAttribute('maxlength'), '80', 'MAX_NAME_CHARS');

    // A clears nothing there; back on the first, A clears it (after confirming) and B sees it empty.
    await a.page.getByTestId('sb-picker').selectOption({ index: 0 });
    await waitFrames(a.page, (f) => f.length === 2);
    a.page.once('dialog', (d) => d.accept());
    await a.page.getByTestId('sb-clear').click();
    await openStrip(b.page);
    await waitFrames(b.page, (f) => f.length === 0);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('Make video: progress, then a player and an MP4 download; a GIF where H.264 cannot play; cancel; too few frames', async () => {
  const url = `${host.url}?room=sb2`;
  const a = await join(browser, url, 'Cy', 'bottom-left');
  // A browser without H.264, like some Chromium builds.
  const b = await joinWithInit(url, 'Di', 'bottom-right', () => {
    const real = HTMLMediaElement.prototype.canPlayType;
    HTMLMediaElement.prototype.canPlayType = function (type) { return /avc1|mp4/i.test(type) ? '' : real.call(this, type); };
  });
  try {
    await openStrip(a.page);
    await insertPicture(a.page, '#1971c2');
    await a.page.getByTestId('sb-add').click();
    await waitFrames(a.page, (f) => f.length === 1);

    // One frame: a clear error, no job.
    await a.page.getByTestId('sb-make-video').click();
    const panel = a.page.getByTestId('video-panel');
    await panel.waitFor();
    assert.match(await a.page.getByTestId('video-plan').innerText(), /1 frame .*at least 2 frames/);
    // This host has no Gemini key: the story choice is off, with the host's reason.
    await a.page.getByTestId('video-story-why').filter({ hasText: /Gemini is not available: .*key/i }).waitFor();
    assert.ok(await a.page.getByTestId('video-story').isDisabled());
    assert.equal(await a.page.getByTestId('video-story').inputValue(), 'off');
    assert.ok(await a.page.getByTestId('video-story-context').isDisabled());
    await a.page.getByTestId('video-make').click();
    await a.page.getByTestId('video-error').filter({ hasText: /needs at least 2 frames; this storyboard has 1/ }).waitFor();

    await insertPicture(a.page, '#2f9e44');
    await a.page.getByTestId('sb-add').click();
    await waitFrames(a.page, (f) => f.length === 2);
    await edit(a.page, 0, 'sb-duration', '1');
    await edit(a.page, 1, 'sb-duration', '1');
    await edit(a.page, 0, 'sb-caption', 'Blue');
    await waitFrames(a.page, (f) => f[0].seconds === '1' && f[1].seconds === '1' && f[0].caption === 'Blue');

    assert.equal(await a.page.getByTestId('video-format').inputValue(), 'mp4');
    assert.ok(await a.page.getByTestId('video-format-note').isHidden());
    await a.page.getByTestId('video-size').selectOption('360p');
    // Music cannot be had on this host: the choice is off and says why.
    assert.equal(await a.page.getByTestId('video-music').isDisabled(), true);
    assert.match(await a.page.getByTestId('video-music-why').innerText(), /no music/);
    await a.page.getByTestId('video-make').click();
    await a.page.getByTestId('video-result').waitFor({ timeout: 120000 });
    assert.equal(await a.page.getByTestId('video-error').innerText(), '');

    // The player plays what the plan says: two 1 s frames (a crossfade may overlap them).
    const player = a.page.getByTestId('video-player');
    const duration = await playerDuration(player);
    assert.ok(duration >= 1.4 && duration <= 2.2, `video lasts ${duration} s`);
    assert.match(await a.page.getByTestId('video-meta').innerText(), /640×360 .* MP4/);
    const notes = await a.page.getByTestId('video-notes').innerText();
    assert.match(notes, /narration|gemini/i);
    assert.doesNotMatch(notes, /music/i, 'no music was asked for');
    assert.equal(await a.page.getByTestId('video-sound').innerText(), 'Silent');
    await a.page.screenshot({ path: `${artifacts}/storyboard-video-panel.png` });
    const [download] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('video-download').click()]);
    const mp4 = readFileSync(await download.path());
    assert.equal(mp4.subarray(4, 8).toString('latin1'), 'ftyp', 'the download is an MP4');
    assert.match(download.suggestedFilename(), /\.mp4$/);
    assert.doesNotMatch(download.suggestedFilename(), /^[0-9a-f]{32}\./, 'named after the storyboard, not by a hash');

    // B's browser cannot play H.264: the panel says so and makes a GIF, shown as a picture.
    await openStrip(b.page);
    await waitFrames(b.page, (f) => f.length === 2);
    await b.page.getByTestId('sb-make-video').click();
    assert.equal(await b.page.getByTestId('video-format').inputValue(), 'gif');
    assert.match(await b.page.getByTestId('video-format-note').innerText(), /cannot play MP4 \(H\.264\).*GIF/);
    // A GIF's size is the host's, and the panel says so rather than offer 360p.
    assert.equal(await b.page.getByTestId('video-size').isDisabled(), true);
    assert.match(await b.page.getByTestId('video-gif-size').innerText(), /480 px wide at most/);
    await b.page.getByTestId('video-make').click();
    const gif = b.page.getByTestId('video-gif');
    await gif.waitFor({ timeout: 120000 });
    await b.page.waitForFunction(() => /** @type {HTMLImageElement} */ (document.querySelector('[data-testid=video-gif]')).naturalWidth > 0);
    assert.match(await b.page.getByTestId('video-meta').innerText(), /GIF because this browser cannot play MP4/);
    await b.page.screenshot({ path: `${artifacts}/storyboard-video-gif.png` });
    const [gifDownload] = await Promise.all([b.page.waitForEvent('download'), b.page.getByTestId('video-download').click()]);
    const gifBytes = readFileSync(await gifDownload.path());
    assert.match(gifBytes.subarray(0, 6).toString('latin1'), /^GIF8[79]a$/, 'the download is a GIF');
    const { count, delayMs } = gifFrames(gifBytes);
    assert.ok(delayMs >= 1400 && delayMs <= 2200, `GIF plays ${delayMs} ms`);
    assert.ok(count >= 2, `GIF has ${count} frames`);

    // A long render at 1080p: its progress counts frames (a short render can
    // end between two progress updates); cancelled, the panel says so and is ready again.
    await a.page.getByTestId('video-again').click();
    await edit(a.page, 0, 'sb-duration', '60');
    await edit(a.page, 1, 'sb-duration', '60');
    await waitFrames(a.page, (f) => f[0].seconds === '60' && f[1].seconds === '60');
    await a.page.getByTestId('video-size').selectOption('1080p');
    await a.page.getByTestId('video-make').click();
    await a.page.getByTestId('video-progress-text').filter({ hasText: /frame \d+ of \d+/ }).waitFor({ timeout: 30000 });
    const fraction = await a.page.getByTestId('video-progress-bar').evaluate((p) => /** @type {HTMLProgressElement} */ (p).value);
    assert.ok(fraction > 0 && fraction < 1, `the bar moves: ${fraction}`);
    await a.page.getByTestId('video-cancel').click();
    await a.page.getByTestId('video-error').filter({ hasText: /Cancelled/ }).waitFor({ timeout: 30000 });
    assert.ok(await a.page.getByTestId('video-form').isVisible());
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('on a tablet a finger drags a frame to a new place', async () => {
  const url = `${host.url}?room=sb3`;
  const t = await join(browser, url, 'Tab', undefined, TABLET);
  try {
    // Three frames, set up through the API as another person's client would.
    const ids = await t.page.evaluate(async () => {
      /** @param {string} path @param {any} body */
      const post = async (path, body) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
      const [sb] = (await (await fetch('/api/storyboards?room=sb3')).json()).storyboards;
      for (const c of ['#e03131', '#2f9e44', '#1971c2']) {
        const cv = document.createElement('canvas');
        cv.width = 64; cv.height = 36;
        const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
        ctx.fillStyle = c;
        ctx.fillRect(0, 0, 64, 36);
        const up = await post('/api/save-image', { imageData: cv.toDataURL('image/png') });
        await post(`/api/storyboards/${sb.id}/frames?room=sb3`, { image: up.path });
      }
      return (await (await fetch(`/api/storyboards/${sb.id}`)).json()).storyboard.frames.map((/** @type {any} */ f) => f.id);
    });
    await openStrip(t.page);
    await waitFrames(t.page, (f) => f.map((x) => x.id).join() === ids.join());
    const first = await t.page.getByTestId('sb-handle').nth(0).boundingBox();
    const third = await t.page.getByTestId('sb-handle').nth(2).boundingBox();
    if (!first || !third) throw new Error('no handles');
    const cdp = await t.page.context().newCDPSession(t.page);
    /** @param {'touchStart'|'touchMove'|'touchEnd'} type @param {number} x @param {number} y */
    const touch = (type, x, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y, id: 1 }] });
    const y = first.y + first.height / 2;
    // The first frame, dragged past the middle of the third.
    await touch('touchStart', first.x + first.width / 2, y);
    for (let i = 1; i <= 12; i++) await touch('touchMove', first.x + first.width / 2 + i * (third.x + third.width * 0.75 - first.x - first.width / 2) / 12, y);
    await touch('touchEnd', 0, 0);
    const want = [ids[1], ids[2], ids[0]].join();
    await waitFrames(t.page, (f) => f.map((x) => x.id).join() === want);
    const onHost = await t.page.evaluate(async () => (await (await fetch('/api/storyboards?room=sb3')).json()).storyboards[0].frames.map((/** @type {any} */ f) => f.id));
    assert.equal(onHost.join(), want);
  } finally {
    await t.context.close();
  }
});

test('a frame whose picture is gone from the host: the video fails with a message that says which', async () => {
  const url = `${host.url}?room=sb4`;
  const a = await join(browser, url, 'Eve', 'top-left');
  /** @type {Awaited<ReturnType<typeof join>> | undefined} */
  let b;
  try {
    await openStrip(a.page);
    await insertPicture(a.page, '#f08c00');
    await a.page.getByTestId('sb-add').click();
    await insertPicture(a.page, '#7048e8');
    await a.page.getByTestId('sb-add').click();
    const [, second] = await waitFrames(a.page, (f) => f.length === 2);
    // The second picture's file disappears from the host's disk.
    const name = second.src.replace(/^\/img\//, '').replace(/\?.*$/, '');
    const { readdirSync, rmSync } = await import('node:fs');
    const files = /** @type {string[]} */ (readdirSync(host.dataDir, { recursive: true, encoding: 'utf8' })).filter((p) => p.endsWith(name));
    assert.equal(files.length, 1, `the stored file ${name}`);
    rmSync(`${host.dataDir}/${files[0]}`);

    await a.page.getByTestId('sb-make-video').click();
    await a.page.getByTestId('video-size').selectOption('360p');
    await a.page.getByTestId('video-make').click();
    await a.page.getByTestId('video-error').filter({ hasText: /frame 2's picture is no longer on the host/i }).waitFor({ timeout: 60000 });
    assert.ok(await a.page.getByTestId('video-form').isVisible(), 'the settings are back, to try again');
    await a.page.screenshot({ path: `${artifacts}/storyboard-video-error.png` });
    // Someone who joins now sees which frame lost its picture.
    b = await join(browser, url, 'Fay', 'top-right');
    await openStrip(b.page);
    await b.page.locator('[data-testid=sb-frame]:nth-child(2) .sb-thumb.missing').waitFor();
    assert.equal(await b.page.locator('.sb-thumb.missing').count(), 1);
  } finally {
    await a.context.close();
    await b?.context.close();
  }
});

test('a video one person makes is there for the others: who is making it, a notice, the room\'s list to watch and download, after a reload too', async () => {
  const url = `${host.url}?room=sb5`;
  const a = await join(browser, url, 'Gil', 'top-left');
  const b = await join(browser, url, 'Hal', 'top-right');
  try {
    await openStrip(a.page);
    for (const color of ['#e03131', '#1971c2']) {
      await insertPicture(a.page, color);
      await a.page.getByTestId('sb-add').click();
    }
    await waitFrames(a.page, (f) => f.length === 2);

    // A long render: the other person sees who is making a video, until it is cancelled.
    await edit(a.page, 0, 'sb-duration', '60');
    await edit(a.page, 1, 'sb-duration', '60');
    await waitFrames(a.page, (f) => f[0].seconds === '60' && f[1].seconds === '60');
    await a.page.getByTestId('sb-make-video').click();
    await a.page.getByTestId('video-size').selectOption('1080p');
    await a.page.getByTestId('video-make').click();
    const making = b.page.getByTestId('activity-item').filter({ hasText: /^Gil is making a video…/ });
    await making.waitFor({ timeout: 30000 });
    assert.equal(await a.page.getByTestId('activity-item').count(), 0, 'one\'s own render shows in the panel, not there');
    await a.page.getByTestId('video-cancel').click();
    await a.page.getByTestId('video-error').filter({ hasText: /Cancelled/ }).waitFor({ timeout: 30000 });
    await making.waitFor({ state: 'detached' });

    // A short one, finished: the other person is told, and finds it in the room's list.
    await edit(a.page, 0, 'sb-duration', '1');
    await edit(a.page, 1, 'sb-duration', '1');
    await waitFrames(a.page, (f) => f[0].seconds === '1' && f[1].seconds === '1');
    await a.page.getByTestId('video-size').selectOption('360p');
    await a.page.getByTestId('video-title').fill('Red then blue');
    await a.page.getByTestId('video-make').click();
    await a.page.getByTestId('video-result').waitFor({ timeout: 120000 });
    assert.equal(await a.page.getByTestId('video-name').innerText(), 'Red then blue');
    const mine = a.page.getByTestId('video-item');
    await mine.filter({ hasText: /Red then blue.*by you/s }).waitFor();
    assert.equal(await mine.count(), 1, 'the cancelled render is not listed');

    await b.page.getByTestId('toast').filter({ hasText: 'Gil made a video, “Red then blue”: it is under Make video.' }).waitFor({ timeout: 10000 });
    await b.page.screenshot({ path: `${artifacts}/storyboard-video-notice.png` });
    await openStrip(b.page);
    await b.page.getByTestId('sb-make-video').click();
    const theirs = b.page.getByTestId('video-item');
    await theirs.filter({ hasText: /Red then blue.*by Gil · [\d.]+ s · MP4/s }).waitFor();
    await theirs.getByTestId('video-watch').click();
    assert.equal(await b.page.getByTestId('video-name').innerText(), 'Red then blue');
    const player = b.page.getByTestId('video-player');
    const duration = await playerDuration(player);
    // The one Gil made: a title card, then the two 1 s frames, as the host measured it.
    const [made] = await b.page.evaluate(async () => (await (await fetch('/api/jobs?room=sb5&kind=video')).json()).jobs.filter((/** @type {any} */ j) => j.status === 'complete'));
    assert.ok(Math.abs(duration - made.result.durationMs / 1000) < 0.1, `the video Hal watches lasts ${duration} s; Gil's ${made.result.durationMs} ms`);
    assert.ok(duration >= 2.4 && duration <= 4.5, `a title card and two 1 s frames: ${duration} s`);
    await b.page.screenshot({ path: `${artifacts}/storyboard-video-list.png` });
    const [download] = await Promise.all([b.page.waitForEvent('download'), theirs.getByTestId('video-list-download').click()]);
    assert.equal(readFileSync(await download.path()).subarray(4, 8).toString('latin1'), 'ftyp', 'the download is an MP4');
    assert.equal(download.suggestedFilename(), 'Red then blue.mp4', 'saved under the name the list shows');

    // The host keeps the list: after a reload it is still there.
    await b.page.reload();
    await waitState(b.page, (s) => s.connection === 'connected');
    await openStrip(b.page);
    await b.page.getByTestId('sb-make-video').click();
    await b.page.getByTestId('video-item').filter({ hasText: /Red then blue.*by Gil/s }).waitFor();
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
