// @ts-check
/**
 * A timelapse in a storyboard, in the browser: the room's strokes become a
 * timelapse from the video panel, "Add to storyboard" on it in the room's
 * videos makes it a clip frame after a picture of the board, the clip keeps
 * to its own length limits, and the storyboard's video plays the picture
 * and then the clip, as long as the two together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, join, waitState, stroke, zigzag, artifacts } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** @typedef {import('playwright-core').Page} Page */

/** The frames in the strip, in order. @param {Page} page */
const frames = (page) => page.evaluate(() => [...document.querySelectorAll('[data-testid=sb-frame]')].map((li) => ({
  clip: !(/** @type {HTMLElement} */ (li.querySelector('[data-testid=sb-clip]')).hidden),
  moves: !(/** @type {HTMLElement} */ (li.querySelector('[data-testid=sb-motion]')).hidden),
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

/** Sets frame `i`'s seconds and commits them with Enter. @param {Page} page @param {number} i @param {string} value */
async function seconds(page, i, value) {
  const input = page.getByTestId('sb-frame').nth(i).getByTestId('sb-duration');
  await input.fill(value);
  await input.press('Enter');
}

/** The length of the video `player` plays, once it knows. @param {import('playwright-core').Locator} player */
function playerDuration(player) {
  return player.evaluate((v) => new Promise((resolve, reject) => {
    const video = /** @type {HTMLVideoElement} */ (v);
    if (video.readyState >= 1) resolve(video.duration);
    video.addEventListener('loadedmetadata', () => resolve(video.duration));
    video.addEventListener('error', () => reject(new Error(`video error ${video.error?.code}`)));
  }));
}

test('a timelapse is added to the storyboard from the room\'s videos and plays in the storyboard\'s video', async () => {
  const { page, context } = await join(browser, `${host.url}?room=clips`, 'Ana', 'top-left');
  try {
    await stroke(page, zigzag(120, 120));
    await stroke(page, zigzag(320, 160));
    await stroke(page, zigzag(220, 300));
    await waitState(page, (s) => s.shapesCount === 3 && s.unacked === 0);

    // A picture of the whole board first, shown for 1 s.
    const toggle = page.getByTestId('sb-toggle');
    if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
    await page.keyboard.press('Escape');
    await page.getByTestId('sb-add').click();
    await waitFrames(page, (f) => f.length === 1);
    await seconds(page, 0, '1');
    await waitFrames(page, (f) => f[0].seconds === '1');

    // A 15 s timelapse, made in the video panel and listed there.
    await page.getByTestId('sb-make-video').click();
    await page.getByTestId('timelapse-length').selectOption('15');
    await page.getByTestId('timelapse-make').click();
    await page.getByTestId('video-result').waitFor({ timeout: 180000 });
    const item = page.getByTestId('video-item').filter({ has: page.getByTestId('video-add-clip') });
    await item.first().waitFor({ timeout: 15000 });

    // "Add to storyboard": the clip is frame 2, as long as the timelapse, still.
    await item.first().getByTestId('video-add-clip').click();
    await page.getByText(/Added as frame 2 of /).first().waitFor();
    const [, clip] = await waitFrames(page, (f) => f.length === 2);
    assert.deepEqual(clip, { clip: true, moves: false, seconds: '15' });
    const hosted = await page.evaluate(async () => (await (await fetch('/api/storyboards?room=clips')).json()).storyboards[0].frames);
    assert.equal(hosted[1].clip.room, 'clips');
    assert.ok(hosted[1].clip.toRev >= 3, JSON.stringify(hosted[1]));
    assert.match(hosted[1].image, /^\/img\//, 'a still for clients that show pictures only');

    // A clip keeps to its own limits: under 2 s is refused in place.
    await seconds(page, 1, '1');
    await page.getByText('A timelapse clip plays for 2 to 60 seconds.').first().waitFor();
    await waitFrames(page, (f) => f[1].seconds === '15');
    await seconds(page, 1, '3');
    await waitFrames(page, (f) => f[1].seconds === '3');
    await item.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${artifacts}/clip-strip.png` });

    // The storyboard's video: the picture, then the clip fading in over it.
    await page.getByTestId('video-again').click();
    await page.getByTestId('video-size').selectOption('360p');
    if (await page.getByTestId('video-format').inputValue() !== 'mp4') await page.getByTestId('video-format').selectOption('mp4');
    await page.getByTestId('video-make').click();
    await page.getByTestId('video-progress').waitFor();
    await page.getByTestId('video-name').filter({ hasNotText: /Timelapse/ }).waitFor({ timeout: 180000 });
    assert.equal(await page.getByTestId('video-error').innerText(), '');
    const jobs = await page.evaluate(async () => (await (await fetch('/api/jobs?room=clips&kind=video')).json()).jobs);
    assert.equal(jobs.length, 1);
    const r = jobs[0].result;
    // 1 s and 3 s at 30 fps, less the 0.5 s crossfade between them.
    assert.equal(r.frames, 30 + 90 - 15, JSON.stringify(r));
    assert.equal(r.durationMs, 3500);
    const duration = await playerDuration(page.getByTestId('video-player'));
    assert.ok(Math.abs(duration - 3.5) < 0.2, `the video lasts ${duration} s`);
    await page.screenshot({ path: `${artifacts}/clip-video.png` });
  } finally {
    await context.close();
  }
});
