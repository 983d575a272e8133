// @ts-check
/**
 * The media parts in another language: with the browser set to Arabic (and
 * to German) a person adds a picture to the storyboard, opens the enhance
 * dialog and the "Make video" panel, and reads no English there; in Arabic
 * they lay out right to left without controls on top of each other, and
 * the storyboard's seconds are written as the language writes numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, join, artifacts } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => { host = h; browser = b; });

/** @typedef {import('playwright-core').Page} Page */

/** Joins a room of one's own in a browser speaking `locale`, at 1280×800. @param {string} locale @param {string} name */
async function joinIn(locale, name) {
  return join(browser, `${host.url}?room=${name.toLowerCase()}`, name, undefined, { locale, viewport: { width: 1280, height: 800 } });
}

/** Puts a picture on the board through the file picker (it is selected after). @param {Page} page */
async function insertPicture(page) {
  const b64 = await page.evaluate(() => {
    const cv = document.createElement('canvas');
    cv.width = 160; cv.height = 90;
    const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
    ctx.fillStyle = '#c33';
    ctx.fillRect(0, 0, 160, 90);
    return cv.toDataURL('image/png').split(',')[1];
  });
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('tool-image').click();
  await (await chooser).setFiles({ name: 'pic.png', mimeType: 'image/png', buffer: Buffer.from(b64, 'base64') });
  await page.waitForFunction(() => /** @type {any} */ (window).coco.selected().length === 1);
}

/** Opens the strip, adds the selected picture as a frame and shows it for 2.5 s. @param {Page} page */
async function addFrame(page) {
  const dock = page.getByTestId('open-storyboard');
  if (await dock.isVisible() && await dock.getAttribute('aria-expanded') !== 'true') await dock.click();
  const toggle = page.getByTestId('sb-toggle');
  if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
  await page.getByTestId('sb-add').click();
  await page.getByTestId('sb-frame').first().waitFor();
  const secs = page.getByTestId('sb-duration').first();
  await secs.fill('2.5');
  await secs.press('Enter');
}

/**
 * What a person reads in these parts: the text of every visible element,
 * its name, title, placeholder and alt, and the options of its lists.
 * @param {Page} page @param {string[]} selectors
 */
function readable(page, selectors) {
  return page.evaluate((sels) => {
    /** @type {{where: string, text: string}[]} */
    const out = [];
    const seen = (/** @type {Element} */ e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
    };
    for (const sel of sels) {
      const root = document.querySelector(sel);
      if (!root || !seen(root)) continue;
      for (const e of [root, ...root.querySelectorAll('*')]) {
        const isOption = e.tagName === 'OPTION';
        if (!isOption && !seen(e)) continue;
        const where = `${sel} ${e.tagName.toLowerCase()}${e.getAttribute('data-testid') ? `[${e.getAttribute('data-testid')}]` : ''}`;
        for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
          const v = e.getAttribute(a);
          if (v) out.push({ where: `${where} @${a}`, text: v });
        }
        for (const n of e.childNodes) {
          if (n.nodeType === Node.TEXT_NODE && n.textContent?.trim()) out.push({ where, text: n.textContent.trim() });
        }
      }
    }
    return out;
  }, selectors);
}

/** Words that are names in every language (and people's and storyboards' names). */
const ALLOWED = /CoCo|Gemini|API|PNG|SVG|MP4|GIF|JPEG|WebP|H\.264|\d+p\b|\bpx\b|\(A\)|Enter|Escape/g;

/** The English left in `texts`: runs of two Latin letters or more outside the names. @param {{where: string, text: string}[]} texts @param {string[]} names */
function english(texts, names) {
  return texts.filter(({ text }) => {
    let rest = text.replace(ALLOWED, ' ');
    for (const n of names) rest = rest.split(n).join(' ');
    return /[A-Za-z]{2,}/.test(rest);
  });
}

/**
 * Pairs of visible controls (buttons, fields, lists, links, labels' texts)
 * inside `selector` whose boxes overlap; `under` is a control others are meant
 * to lie on (a frame's picture carries its number and buttons).
 * @param {Page} page @param {string} selector @param {string} [under]
 */
function overlaps(page, selector, under = '') {
  return page.evaluate(([sel, base]) => {
    const root = document.querySelector(sel);
    if (!root) return ['missing: ' + sel];
    const boxes = [...root.querySelectorAll('button, input, select, textarea, a, progress, h2, h3, legend, label > span, small, p')]
      .filter((e) => !(base && e.matches(base)))
      .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; })
      .map((e) => ({ e, r: e.getBoundingClientRect() }));
    const name = (/** @type {Element} */ e) => `${e.tagName.toLowerCase()}[${e.getAttribute('data-testid') || e.id || e.className}] "${(e.textContent || '').trim().slice(0, 30)}"`;
    const bad = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
        const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        if (x > 1 && y > 1) bad.push(`${name(a.e)} × ${name(b.e)}`);
      }
    }
    return bad;
  }, [selector, under]);
}

test('in Arabic the storyboard, the enhance dialog and the video panel speak Arabic, right to left, without overlaps', async () => {
  const { context, page } = await joinIn('ar', 'Salma');
  try {
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await insertPicture(page);
    await addFrame(page);
    // (c) the strip's length in the language's numbers, as Intl writes them for Arabic.
    const expected = await page.evaluate(() => new Intl.NumberFormat('ar', { maximumFractionDigits: 1 }).format(2.5));
    await page.waitForFunction((x) => document.querySelector('[data-testid=sb-summary]')?.textContent?.includes(x), expected);
    // The host names the storyboard "Storyboard 1"; the strip says it in Arabic.
    const names = ['Salma'];

    // The card reads right to left: its number at the right, the delete button at the left.
    const card = await page.getByTestId('sb-frame').first().evaluate((li) => {
      const box = (/** @type {string} */ s) => /** @type {Element} */ (li.querySelector(s)).getBoundingClientRect();
      return { num: box('.sb-num').left, del: box('.sb-del').left, motion: box('.sb-motion').left, transition: box('.sb-transition').left };
    });
    assert.ok(card.num > card.del, `the frame number is on the right of the delete button in Arabic: ${JSON.stringify(card)}`);
    assert.ok(card.motion > card.transition, `the motion button comes first, on the right: ${JSON.stringify(card)}`);

    const strip = await readable(page, ['[data-testid=storyboard]']);
    assert.deepEqual(english(strip, names), [], 'English in the Arabic storyboard strip');
    assert.deepEqual(await overlaps(page, '[data-testid=storyboard] .sb-bar'), [], 'overlapping controls in the strip\'s bar');
    assert.deepEqual(await overlaps(page, '[data-testid=sb-frame]', '.sb-thumb'), [], 'overlapping controls on a frame card');

    // The enhance dialog.
    await page.getByTestId('tool-enhance').click();
    await page.getByTestId('enhance-dialog').waitFor();
    await page.getByTestId('enhance-region').filter({ hasText: /\S/ }).waitFor();
    await page.screenshot({ path: `${artifacts}/i18n-enhance-ar.png` });
    const dialog = await readable(page, ['[data-testid=enhance-dialog]']);
    assert.deepEqual(english(dialog, names), [], 'English in the Arabic enhance dialog');
    assert.deepEqual(await overlaps(page, '[data-testid=enhance-dialog]'), [], 'overlapping controls in the enhance dialog');
    const head = await page.evaluate(() => {
      const r = (/** @type {string} */ s) => /** @type {Element} */ (document.querySelector(s)).getBoundingClientRect();
      return { title: r('#enhance-title').left, close: r('#enhance-x').left };
    });
    assert.ok(head.title > head.close, 'the title is on the right and the close button on the left in Arabic');
    await page.getByTestId('enhance-close').click();
    await page.getByTestId('enhance-dialog').waitFor({ state: 'hidden' });

    // The video panel.
    await page.getByTestId('sb-make-video').click();
    await page.getByTestId('video-panel').waitFor();
    await page.getByTestId('video-story-why').or(page.getByTestId('video-story')).first().waitFor();
    await page.screenshot({ path: `${artifacts}/i18n-video-ar.png` });
    const panel = await readable(page, ['[data-testid=video-panel]']);
    assert.deepEqual(english(panel, names), [], 'English in the Arabic video panel');
    assert.deepEqual(await overlaps(page, '[data-testid=video-panel]'), [], 'overlapping controls in the video panel');
    const plan = (await page.getByTestId('video-plan').textContent()) || '';
    assert.ok(plan.includes(expected), `the video's length in Arabic numbers: ${plan}`);
  } finally {
    await context.close();
  }
});

test('in German the media parts speak German and write seconds with a decimal comma', async () => {
  const { context, page } = await joinIn('de-DE', 'Jonas');
  try {
    await insertPicture(page);
    await addFrame(page);
    const expected = await page.evaluate(() => new Intl.NumberFormat('de', { maximumFractionDigits: 1 }).format(2.5));
    assert.equal(expected.includes(','), true, 'German writes a decimal comma');
    await page.waitForFunction((x) => document.querySelector('[data-testid=sb-summary]')?.textContent?.includes(x), expected);
    assert.equal((await page.getByTestId('sb-make-video').textContent())?.trim(), 'Video erstellen');
    assert.equal(await page.getByTestId('sb-handle').first().getAttribute('aria-label'), 'Bild 1: ziehen oder mit den Pfeiltasten verschieben');

    await page.getByTestId('tool-enhance').click();
    await page.getByTestId('enhance-dialog').waitFor();
    assert.equal((await page.locator('#enhance-title').textContent())?.trim(), 'Skizze verbessern');
    assert.match((await page.getByTestId('enhance-region').textContent()) || '', /^Bereich: /);
    assert.equal(await page.getByTestId('enhance-x').getAttribute('aria-label'), 'Schließen');
    await page.getByTestId('enhance-close').click();

    await page.getByTestId('sb-make-video').click();
    await page.getByTestId('video-panel').waitFor();
    assert.equal((await page.locator('#vp-title').textContent())?.trim(), 'Ein Video erstellen');
    assert.ok(((await page.getByTestId('video-plan').textContent()) || '').includes(`etwa ${expected}`));
    // No sentence of the English panel is left.
    const texts = (await readable(page, ['[data-testid=video-panel]', '[data-testid=storyboard]'])).map((x) => x.text);
    for (const en of ['Make a video', 'Videos of this room', 'Shown before the first frame', 'Background music', 'Frames, in order', 'Delete this frame']) {
      assert.ok(!texts.some((s) => s.includes(en)), `"${en}" is still English`);
    }
  } finally {
    await context.close();
  }
});

test('in Arabic the arrow that moves a frame earlier is the right arrow', async () => {
  const { context, page } = await joinIn('ar', 'Omar');
  try {
    await insertPicture(page);
    await addFrame(page);
    await page.keyboard.press('Escape');
    await insertPicture(page);
    await page.getByTestId('sb-add').click();
    await page.getByTestId('sb-frame').nth(1).waitFor();
    const ids = () => page.evaluate(() => [...document.querySelectorAll('[data-testid=sb-frame]')].map((li) => /** @type {HTMLElement} */ (li).dataset.id));
    const [first, second] = await ids();
    // The second card is to the left of the first: right to left.
    const x = await page.evaluate(() => [...document.querySelectorAll('[data-testid=sb-frame]')].map((li) => li.getBoundingClientRect().left));
    assert.ok(x[1] < x[0], `the second frame is left of the first in Arabic: ${x}`);
    await page.getByTestId('sb-handle').nth(1).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((id) => document.querySelector('[data-testid=sb-frame]')?.getAttribute('data-id') === id, second);
    assert.deepEqual(await ids(), [second, first]);
  } finally {
    await context.close();
  }
});
