// @ts-check
/**
 * A storyboard's video shows every picture whole and keeps its captions off
 * the pictures: a square picture with marked top and bottom edges, made into
 * a video from the "Make video" panel, is decoded frame by frame with ffmpeg.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { useHostAndBrowser, join } from './helpers.js';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => { host = h; browser = b; });

const TOP = [255, 0, 255], BOTTOM = [0, 255, 255], MIDDLE = [220, 30, 30];
/** @param {Buffer} px @param {number} i @param {number[]} c */
const near = (px, i, c) => Math.abs(px[i] - c[0]) < 60 && Math.abs(px[i + 1] - c[1]) < 60 && Math.abs(px[i + 2] - c[2]) < 60;

test('every picture is seen whole at some moment, and no caption covers it', { skip: hasFfmpeg ? false : 'ffmpeg not installed' }, async () => {
  const room = 'framing';
  const a = await join(browser, `${host.url}?room=${room}`, 'Ada', 'top-left');
  try {
    await a.page.evaluate(async ({ room, top, bottom, middle }) => {
      /** @param {string} path @param {any} body */
      const post = async (path, body) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
      const [sb] = (await (await fetch(`/api/storyboards?room=${room}`)).json()).storyboards;
      const cv = document.createElement('canvas');
      cv.width = 120; cv.height = 120;
      const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
      const rgb = (/** @type {number[]} */ c) => `rgb(${c.join(',')})`;
      ctx.fillStyle = rgb(middle); ctx.fillRect(0, 0, 120, 120);
      ctx.fillStyle = rgb(top); ctx.fillRect(0, 0, 120, 8);
      ctx.fillStyle = rgb(bottom); ctx.fillRect(0, 112, 120, 8);
      const up = await post('/api/save-image', { imageData: cv.toDataURL('image/png') });
      for (const caption of ['The top and the bottom are seen', 'Still whole']) {
        await post(`/api/storyboards/${sb.id}/frames?room=${room}`, { image: up.path, caption, durationMs: 1500 });
      }
    }, { room, top: TOP, bottom: BOTTOM, middle: MIDDLE });
    const toggle = a.page.getByTestId('sb-toggle');
    if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
    await a.page.getByTestId('sb-frame').nth(1).waitFor();
    await a.page.getByTestId('sb-make-video').click();
    await a.page.getByTestId('video-panel').waitFor();
    if (await a.page.getByTestId('video-size').isEnabled()) await a.page.getByTestId('video-size').selectOption('360p');
    await a.page.getByTestId('video-make').click();
    await a.page.getByTestId('video-result').waitFor({ timeout: 120000 });
    const [download] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('video-download').click()]);
    const file = /** @type {string} */ (await download.path());

    const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file], { encoding: 'utf8' });
    const [width, height] = probe.stdout.trim().split(',').map(Number);
    assert.ok(width > 0 && height > 0, probe.stdout + probe.stderr);
    const raw = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 }).stdout;
    const size = width * height * 3;
    const frames = Math.floor(raw.length / size);
    assert.ok(frames > 10, `${frames} frames decoded`);
    // The caption band is at least the bottom 8 % of the frame.
    const bandTop = Math.floor(height * 0.92);
    let whole = 0;
    for (let f = 0; f < frames; f++) {
      const px = raw.subarray(f * size, (f + 1) * size);
      let top = false, bottom = false;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 3;
          if (y >= bandTop) {
            assert.ok(![TOP, BOTTOM, MIDDLE].some((c) => near(px, i, c)), `frame ${f}: the picture shows under the caption at ${x},${y}`);
          } else {
            top ||= near(px, i, TOP);
            bottom ||= near(px, i, BOTTOM);
          }
        }
      }
      if (top && bottom) whole++;
    }
    assert.ok(whole > 0, 'at some frame the picture\'s top and bottom edges are both on screen');
  } finally {
    await a.context.close();
  }
});
