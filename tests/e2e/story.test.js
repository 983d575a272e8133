// @ts-check
/**
 * Gemini's story and narration from the "Make video" panel: with Story on
 * Auto and a line on what the story is about, the result says the video is
 * narrated, shows Gemini's title and lines, and the MP4 carries a sound
 * track; with Story off the video is silent and Gemini is never asked.
 * Gemini is a local fake that answers as the documented REST API does.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startFakeGemini, solidPng, TEXT_MODEL, TTS_MODEL } from './fake-gemini.js';
import { startHost, launchBrowser, join, removeDir, artifacts } from './helpers.js';

const KEY = 'test-key';
const CONTEXT = 'a birthday in the park';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('./fake-gemini.js').FakeGemini} */
let fake;
before(async () => {
  fake = await startFakeGemini({ key: KEY, model: 'gemini-2.5-flash-image', image: solidPng(8, 8, [0, 0, 0]) });
  host = await startHost({ env: { GEMINI_API_KEY: KEY }, args: ['--gemini-base-url', fake.url] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await host?.kill();
  if (host) removeDir(host.dataDir);
  fake?.close();
});

/** The generateContent calls the fake received, to `model`. @param {string} model */
const calls = (model) => fake.requests.filter((r) => r.method === 'POST' && r.url.endsWith(`/models/${model}:generateContent`));

/**
 * Whether an MP4 has an AAC sound track: an `mp4a` sample entry under a
 * `soun` handler, found in the file's bytes.
 * @param {Buffer} mp4
 */
const hasAacTrack = (mp4) => mp4.includes(Buffer.from('soun')) && mp4.includes(Buffer.from('mp4a'));

/** Makes the video with the panel's current settings and downloads it. @param {import('playwright-core').Page} page */
async function makeAndDownload(page) {
  await page.getByTestId('video-make').click();
  await page.getByTestId('video-result').waitFor({ timeout: 120000 });
  assert.equal(await page.getByTestId('video-error').innerText(), '');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('video-download').click()]);
  const mp4 = readFileSync(await download.path());
  assert.equal(mp4.subarray(4, 8).toString('latin1'), 'ftyp', 'the download is an MP4');
  return mp4;
}

test('Story by Gemini: Auto narrates the video with Gemini\'s words; Off makes it silent without asking Gemini', async () => {
  const room = 'story1';
  const a = await join(browser, `${host.url}?room=${room}`, 'Ada', 'top-left');
  try {
    // Two frames, as another person's client would add them: one with the people's caption.
    await a.page.evaluate(async (room) => {
      /** @param {string} path @param {any} body */
      const post = async (path, body) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
      const [sb] = (await (await fetch(`/api/storyboards?room=${room}`)).json()).storyboards;
      for (const [color, caption] of [['#e03131', 'our own words'], ['#1971c2', '']]) {
        const cv = document.createElement('canvas');
        cv.width = 64; cv.height = 36;
        const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
        ctx.fillStyle = color;
        ctx.fillRect(0, 0, 64, 36);
        const up = await post('/api/save-image', { imageData: cv.toDataURL('image/png') });
        await post(`/api/storyboards/${sb.id}/frames?room=${room}`, { image: up.path, caption, durationMs: 500, motion: 'none' });
      }
    }, room);
    const toggle = a.page.getByTestId('sb-toggle');
    if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
    await a.page.getByTestId('sb-frame').nth(1).waitFor();

    await a.page.getByTestId('sb-make-video').click();
    await a.page.getByTestId('video-panel').waitFor();
    const story = a.page.getByTestId('video-story');
    const context = a.page.getByTestId('video-story-context');
    assert.equal(await story.inputValue(), 'auto');
    assert.ok(await story.isEnabled(), 'the host has Gemini');
    assert.equal(await context.getAttribute('maxlength'), '4000');
    assert.ok(await a.page.getByTestId('video-story-why').isHidden());
    await a.page.getByTestId('video-size').selectOption('360p');
    await context.fill(CONTEXT);
    await a.page.screenshot({ path: `${artifacts}/story-video-form.png` });

    fake.requests = [];
    const narrated = await makeAndDownload(a.page);
    assert.match(await a.page.getByTestId('video-sound').innerText(), /^Narrated by Gemini · 2 lines$/);
    assert.match(await a.page.getByTestId('video-story-title').innerText(), /“The Tale”/);
    assert.ok(await a.page.getByTestId('video-story-line').first().isHidden(), 'the lines start collapsed');
    await a.page.getByTestId('video-story-title').click();
    const frames = await a.page.getByTestId('video-story-frame').allInnerTexts();
    assert.equal(frames.length, 2);
    assert.match(frames[0], /our own words · your caption/);
    assert.match(frames[0], /Line 1 of the tale\./);
    assert.match(frames[1], /Gemini's caption 2/);
    assert.match(frames[1], /Line 2 of the tale\./);
    assert.ok(await a.page.getByTestId('video-notes').isHidden(), 'nothing is missing');
    await a.page.screenshot({ path: `${artifacts}/story-video-narrated.png` });
    assert.ok(hasAacTrack(narrated), 'the MP4 has a sound track');

    // Gemini was asked for the story with the context and both pictures, then read each line.
    const told = calls(TEXT_MODEL);
    assert.equal(told.length, 1);
    const parts = told[0].body.contents[0].parts;
    assert.ok(parts.some((/** @type {any} */ p) => typeof p.text === 'string' && p.text.includes(CONTEXT)), 'the story context reached Gemini');
    assert.equal(parts.filter((/** @type {any} */ p) => p.inlineData).length, 2);
    assert.equal(told[0].body.generationConfig.responseMimeType, 'application/json');
    const spoken = calls(TTS_MODEL);
    assert.equal(spoken.length, 2);
    assert.match(spoken[0].body.contents[0].parts[0].text, /Line 1 of the tale/);
    assert.ok(spoken.every((r) => r.key === KEY));

    // Story off: silent, the people's captions only, and Gemini is not called.
    await a.page.getByTestId('video-again').click();
    await story.selectOption('off');
    assert.ok(await context.isDisabled(), 'the context only matters for Gemini\'s story');
    fake.requests = [];
    const silent = await makeAndDownload(a.page);
    assert.equal(await a.page.getByTestId('video-sound').innerText(), 'Silent');
    assert.equal(await a.page.getByTestId('video-story-view').count(), 0);
    assert.match(await a.page.getByTestId('video-notes').innerText(), /story was turned off/i);
    assert.deepEqual(fake.requests.filter((r) => r.method === 'POST'), [], 'no Gemini call');
    assert.ok(!hasAacTrack(silent), 'the MP4 has no sound track');
  } finally {
    await a.context.close();
  }
});
