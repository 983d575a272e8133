// @ts-check
/**
 * The session as a timelapse, from the video panel: a room's strokes become
 * an MP4 that plays in the panel, is listed with the room's videos for the
 * other person too, and downloads as an MP4.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useHostAndBrowser, join, waitState, stroke, zigzag, artifacts } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** Opens the storyboard strip, then the video panel from it. @param {import('playwright-core').Page} page */
async function openVideoPanel(page) {
  const toggle = page.getByTestId('sb-toggle');
  if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
  await page.getByTestId('sb-make-video').click();
  await page.getByTestId('video-panel').waitFor();
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

test('a timelapse of the room is made from the video panel, plays, is listed for everyone and downloads', async () => {
  const a = await join(browser, `${host.url}?room=lapse`, 'Ana', 'top-left');
  const b = await join(browser, `${host.url}?room=lapse`, 'Ben', 'top-right');
  try {
    await stroke(a.page, zigzag(120, 120));
    await stroke(b.page, zigzag(320, 160));
    await stroke(a.page, zigzag(220, 300));
    await waitState(a.page, (s) => s.shapesCount === 3 && s.unacked === 0);
    await waitState(b.page, (s) => s.shapesCount === 3 && s.unacked === 0);

    await openVideoPanel(a.page);
    await a.page.getByTestId('timelapse-length').selectOption('15');
    await a.page.getByTestId('timelapse-make').click();
    // Progress while it renders, then the result in the panel.
    await a.page.getByTestId('video-result').waitFor({ timeout: 180000 });
    assert.equal(await a.page.getByTestId('timelapse-error').innerText(), '');
    const duration = await playerDuration(a.page.getByTestId('video-player'));
    assert.ok(Math.abs(duration - 15) < 0.5, `the timelapse lasts ${duration} s, not the 15 s chosen`);
    await a.page.screenshot({ path: `${artifacts}/timelapse-panel.png` });

    // Ben finds it with the room's videos, and it downloads as an MP4.
    await openVideoPanel(b.page);
    const item = b.page.getByTestId('video-item').filter({ hasText: /Ana/ });
    await item.first().waitFor({ timeout: 15000 });
    const [download] = await Promise.all([b.page.waitForEvent('download'), item.first().getByTestId('video-list-download').click()]);
    assert.equal(readFileSync(/** @type {string} */ (await download.path())).subarray(4, 8).toString('latin1'), 'ftyp', 'an MP4');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
