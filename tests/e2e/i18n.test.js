// @ts-check
/**
 * Languages in a real browser: the browser's language picks the UI's (German,
 * Arabic right to left); the switch on the join screen changes it at once and
 * is remembered; in Arabic and German no English is left on the join screen,
 * the board (toolbar, people, help) or the host panel; right to left, no two
 * controls overlap, on a desktop and on a phone, and the toolbar sits at the
 * inline start (the right). Words drawn on the board (the host's "… sees
 * this") are in the language too, and times, dates and durations are
 * written as `Intl` writes them for the language.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitState, useHostAndBrowser, join, stroke, zigzag, allowConsoleError } from './helpers.js';
import { seriousViolations } from './a11y-kit.js';
import en from '../../ui/js/lang/en.js';
import de from '../../ui/js/lang/de.js';
import ar from '../../ui/js/lang/ar.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/**
 * Checked elsewhere (i18n-media.test.js opens them with a picture in the
 * storyboard); here only what shows while they are closed.
 */
const CHECKED_ELSEWHERE = '#enhance';
/** Latin words allowed in Arabic: names, formats, key names. */
const ALLOWED = new Set(['CoCo', 'Gemini', 'PNG', 'SVG', 'MP4', 'QR', 'URL', 'Ctrl', 'Shift', 'Esc', 'Delete', 'main', 'Ada']);

/** @param {string | Record<string, string>} v */
const texts = (v) => (typeof v === 'string' ? [v] : Object.values(v));
/** @param {any} c a catalog */
const words = (c) => new Set(Object.values(/** @type {Record<string, string | Record<string, string>>} */ (c)).flatMap(texts).join(' ').toLowerCase().match(/\p{L}{3,}/gu) || []);
/** English words a German page must not show: in the English catalog and nowhere in the German one. */
const germanWords = words(de);
const englishOnly = new Set([...words(en)].filter((w) => !germanWords.has(w) && !ALLOWED.has(w)));

/**
 * Every visible text, aria-label, title, placeholder and alt on the page, but
 * for the enhancement dialog (CHECKED_ELSEWHERE) and addresses.
 * @param {import('playwright-core').Page} page @returns {Promise<string[]>}
 */
function visibleTexts(page) {
  return page.evaluate((skip) => {
    const out = [];
    const shown = (/** @type {Element} */ e) => e.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && !e.closest(skip);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const p = n.parentElement;
      if (p && !['SCRIPT', 'STYLE', 'OPTION'].includes(p.tagName) && shown(p) && n.textContent?.trim()) out.push(n.textContent.trim());
    }
    for (const e of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      if (!shown(e)) continue;
      for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (e.getAttribute(a)) out.push(/** @type {string} */ (e.getAttribute(a)));
    }
    return out.map((t) => t.replace(/https?:\/\/\S+/g, ''));
  }, CHECKED_ELSEWHERE);
}

/** @param {string[]} found @param {'ar'|'de'} lang @param {string} where @param {string[]} extra allowed words and names (a join code) */
function assertNoEnglish(found, lang, where, extra = []) {
  const bad = [];
  for (const seen of found) {
    // Names and codes as whole words only: "Bo" must not cut "Storyboard" into "Story ard".
    const text = extra.reduce((t, x) => t.replace(new RegExp(`(?<!\\p{L})${x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\p{L})`, 'gu'), ' '), seen);
    if (lang === 'ar') {
      for (const w of text.match(/[A-Za-z]{2,}/g) || []) if (!ALLOWED.has(w) && !extra.includes(w)) bad.push(`${w} in "${text}"`);
    } else {
      for (const w of text.toLowerCase().match(/\p{L}{3,}/gu) || []) if (englishOnly.has(w) && !extra.includes(w)) bad.push(`${w} in "${text}"`);
    }
  }
  assert.deepEqual(bad, [], `${where} (${lang}) shows English`);
}

/**
 * Boxes of the visible controls that overlap another (not its own
 * descendant or ancestor, nor a label for it), each clipped to the
 * scrolling boxes around it.
 * @param {import('playwright-core').Page} page @returns {Promise<string[]>}
 */
function overlaps(page) {
  return page.evaluate((skip) => {
    const name = (/** @type {Element} */ e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}[${e.getAttribute('data-testid') || e.textContent?.trim().slice(0, 20) || ''}]`;
    const items = [];
    for (const e of document.querySelectorAll('button, input, select, a, [role=button], label, summary')) {
      if (!e.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) || e.closest(skip)) continue;
      let r = e.getBoundingClientRect();
      let { left, top, right, bottom } = r;
      for (let p = e.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
          const c = p.getBoundingClientRect();
          left = Math.max(left, c.left); top = Math.max(top, c.top); right = Math.min(right, c.right); bottom = Math.min(bottom, c.bottom);
        }
      }
      if (right - left < 1 || bottom - top < 1) continue;
      items.push({ e, left, top, right, bottom });
    }
    const out = [];
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const a = items[i], b = items[j];
        if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
        const forOf = (/** @type {Element} */ l, /** @type {Element} */ x) => l instanceof HTMLLabelElement && l.control === x;
        if (forOf(a.e, b.e) || forOf(b.e, a.e)) continue;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) out.push(`${name(a.e)} overlaps ${name(b.e)}`);
      }
    }
    return out;
  }, CHECKED_ELSEWHERE);
}

/**
 * Opens the host's page in `locale`, joins room `room` and waits for the
 * board and the host panel.
 * @param {string} locale @param {string} room @param {import('playwright-core').BrowserContextOptions} [opts]
 */
async function hostPage(locale, room, opts = { viewport: { width: 1280, height: 800 } }) {
  const context = await browser.newContext({ ...opts, locale });
  const page = await context.newPage();
  await page.goto(`${host.adminUrl}&room=${room}`);
  await page.getByTestId('join-name').waitFor();
  return { context, page };
}

/** @param {import('playwright-core').Page} page */
async function joinBoard(page) {
  await page.getByTestId('join-name').fill('Ada');
  await page.getByTestId('join-submit').click();
  await waitState(page, (s) => s.connection === 'connected');
}

test('the browser language picks German or Arabic (right to left) on the join screen', async () => {
  for (const [locale, lang, dir, submit] of [['de-DE', 'de', 'ltr', 'Zur Tafel'], ['ar', 'ar', 'rtl', 'انضم إلى اللوحة']]) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    try {
      await page.goto(host.url);
      await page.getByTestId('join-submit').filter({ hasText: submit }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      assert.equal(await page.evaluate(() => document.documentElement.dir), dir);
      assert.equal(await page.getByTestId('lang-select').inputValue(), lang);
    } finally {
      await context.close();
    }
  }
});

test('the switch on the join screen changes the language at once, and a reload keeps it', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${host.url}?room=switch`);
    await page.locator('#join-free').filter({ hasText: '4 seats free' }).waitFor();
    await page.getByTestId('lang-select').selectOption('de');
    // The static words and those drawn from the session's state both change.
    await page.getByTestId('join-submit').filter({ hasText: 'Zur Tafel' }).waitFor();
    await page.locator('#join-free').filter({ hasText: '4 Plätze frei' }).waitFor();
    await page.getByTestId('seat-top-left').filter({ hasText: 'Oben links' }).waitFor();
    await page.getByTestId('lang-select').selectOption('ar');
    await page.locator('#join-free').filter({ hasText: 'مقاعد شاغرة' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await page.reload();
    await page.getByTestId('join-submit').filter({ hasText: 'انضم إلى اللوحة' }).waitFor();
    assert.equal(await page.getByTestId('lang-select').inputValue(), 'ar');
    await page.getByTestId('lang-select').selectOption('en');
    await page.getByTestId('join-submit').filter({ hasText: 'Join the board' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
  } finally {
    await context.close();
  }
});

test('in Arabic and German no English is left on the join screen, the board, the help, the host panel and the history panel', async () => {
  for (const [locale, lang] of /** @type {const} */ ([['ar', 'ar'], ['de-DE', 'de']])) {
    const { context, page } = await hostPage(locale, `words-${lang}`);
    try {
      const room = ['words', lang]; // the room's name, words-ar
      assertNoEnglish(await visibleTexts(page), lang, 'join screen', room);
      assert.deepEqual(await seriousViolations(page, `the join screen (${lang})`), []);
      await joinBoard(page);
      await page.getByTestId('host-panel').waitFor();
      await page.getByTestId('host-code').filter({ hasText: /\S/ }).waitFor();
      const code = (await page.getByTestId('host-code').innerText()).trim();
      // Numbers in the language's own form: the zoom level (١٠٠٪ in Arabic, 100 % in German).
      const pct = new Intl.NumberFormat(lang, { style: 'percent' }).format(1);
      assert.equal((await page.getByTestId('zoom-level').innerText()).trim(), pct);
      assertNoEnglish(await visibleTexts(page), lang, 'board and host panel', [...room, code, code.toLowerCase()]);
      assert.deepEqual(await seriousViolations(page, `the board and host panel (${lang})`), []);
      // A second person: the people list with its Follow button, and the host's Remove.
      const other = await browser.newContext({ locale });
      const p2 = await other.newPage();
      await p2.goto(`${host.url}?room=words-${lang}`);
      await p2.getByTestId('join-name').fill('Bo');
      await p2.getByTestId('join-submit').click();
      await waitState(p2, (s) => s.connection === 'connected');
      await page.getByTestId('follow').waitFor();
      await page.getByTestId('kick').waitFor();
      assertNoEnglish(await visibleTexts(page), lang, 'people', [...room, code, code.toLowerCase(), 'Bo', 'bo']);
      // History: the slider says when and who, in the language.
      await page.getByTestId('history-open').click();
      await page.getByTestId('history-when').filter({ hasText: /\S/ }).waitFor();
      assertNoEnglish(await visibleTexts(page), lang, 'history panel', [...room, code, code.toLowerCase(), 'Bo', 'bo']);
      await page.getByTestId('history-close').click();
      await other.close();
    } finally {
      await context.close();
    }
  }
});

test('right to left no two controls overlap (desktop and phone), and the toolbar is at the right', async () => {
  /** @type {[string, import('playwright-core').BrowserContextOptions][]} */
  const sizes = [
    ['desktop', { viewport: { width: 1280, height: 800 } }],
    ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
  ];
  for (const [size, opts] of sizes) {
    const { context, page } = await hostPage('ar', `rtl-${size}`, opts);
    try {
      assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
      assert.deepEqual(await overlaps(page), [], `join screen, ${size}`);
      await joinBoard(page);
      await page.getByTestId('host-code').filter({ hasText: /\S/ }).waitFor({ state: 'attached' });
      assert.deepEqual(await overlaps(page), [], `board, ${size}`);
      const bar = await page.getByTestId('toolbar').boundingBox();
      const width = /** @type {number} */ (opts.viewport?.width);
      assert.ok(bar && bar.x + bar.width / 2 > width / 2, `${size}: the toolbar is at the right, right to left`);
      if (size === 'phone') {
        for (const drawer of ['open-host-panel', 'open-people', 'open-help']) {
          await page.getByTestId(drawer).click();
          await page.getByTestId('drawer-close').waitFor();
          assert.deepEqual(await overlaps(page), [], `${drawer} drawer, ${size}`);
          await page.getByTestId('drawer-close').click();
        }
      } else {
        await page.getByTestId('host-panel').waitFor();
        assert.deepEqual(await overlaps(page), [], `board with the host panel, ${size}`);
      }
    } finally {
      await context.close();
    }
  }
});

test('in German the host\'s board labels where each person looks in German', async () => {
  const room = 'views-de';
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 800 } });
  // The words the board draws on its canvas (they are not in the page's text).
  await context.addInitScript(() => {
    const drawn = new Set();
    /** @type {any} */ (window).drawnTexts = drawn;
    const real = CanvasRenderingContext2D.prototype.fillText;
    /** @this {CanvasRenderingContext2D} @param {string} text @param {number} x @param {number} y @param {number} [maxWidth] */
    CanvasRenderingContext2D.prototype.fillText = function (text, x, y, maxWidth) {
      drawn.add(String(text));
      return maxWidth === undefined ? real.call(this, text, x, y) : real.call(this, text, x, y, maxWidth);
    };
  });
  const page = await context.newPage();
  const bo = await join(browser, `${host.url}?room=${room}`, 'Bo', 'top-left', { locale: 'de-DE' });
  try {
    await page.goto(`${host.adminUrl}&room=${room}`);
    await page.getByTestId('join-name').waitFor();
    await joinBoard(page);
    const boId = (await waitState(bo.page, (s) => !!s.userId)).userId;
    await page.getByTestId('host-panel').getByTestId('host-show-views').check();
    await waitState(page, (s) => s.showViews && s.views.some((/** @type {any} */ v) => v.id === boId));
    const label = /** @type {string} */ (de['board.follow.sees']).replace('{name}', 'Bo');
    assert.equal(label, 'Das sieht Bo');
    await page.waitForFunction((l) => /** @type {any} */ (window).drawnTexts.has(l), label);
    const drawn = await page.evaluate(() => [.../** @type {any} */ (window).drawnTexts]);
    assert.deepEqual(drawn.filter((x) => /sees this/.test(x)), [], 'no English drawn on the board');
  } finally {
    await context.close();
    await bo.context.close();
  }
});

test('in German and Arabic the waiting screen, checkpoints and the room\'s videos write durations, times and dates as Intl does', async () => {
  allowConsoleError(browser, /status of 503 .*\/api\/session\?room=when-(de|ar)\)$/,
    'the test answers the page\'s first asks for the session with 503, to see the waiting screen say when it tries again');
  /** A finished video from another day (the host's list, answered by the test: a render takes too long here). */
  const made = new Date(2024, 2, 5, 9, 30).getTime();
  for (const [locale, lang, catalog] of /** @type {const} */ ([['de-DE', 'de', de], ['ar', 'ar', ar]])) {
    const room = `when-${lang}`;
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      // The host does not answer yet: the waiting screen says in how many seconds it tries again.
      let down = true;
      await context.route('**/api/session?*', (r) => (down ? r.fulfill({ status: 503, contentType: 'application/json', body: '{}' }) : r.continue()));
      await page.goto(`${host.url}?room=${room}`);
      await page.getByTestId('screen-message').and(page.locator('[data-reason=unreachable]')).waitFor();
      const waiting = (await page.locator('#message-text').textContent()) || '';
      const seconds = await page.evaluate((l) => [1, 2, 4, 5].map((n) => new Intl.NumberFormat(l, { style: 'unit', unit: 'second', unitDisplay: 'short' }).format(n)), lang);
      const sentences = seconds.map((x) => /** @type {string} */ (catalog['join.unreachable.text']).replace('{time}', x));
      assert.ok(sentences.includes(waiting), `${lang}: "${waiting}" is one of ${JSON.stringify(sentences)}`);
      down = false;
      await page.getByTestId('join-name').waitFor({ timeout: 15000 });
      await joinBoard(page);

      // A checkpoint made now: its time as Intl writes it (today: the time; another day: the date too).
      await stroke(page, zigzag(200, 200));
      await waitState(page, (s) => s.shapesCount === 1 && s.unacked === 0);
      await page.getByTestId('history-open').click();
      await page.getByTestId('checkpoint-name').fill('Pause');
      await page.getByTestId('checkpoint-save').click();
      const item = page.getByTestId('checkpoint').filter({ hasText: 'Pause' });
      await item.waitFor();
      const expected = await page.evaluate(async ({ room, l }) => {
        const res = await (await fetch(`/api/rooms/${room}/checkpoints`)).json();
        const d = new Date(res.checkpoints.find((/** @type {any} */ c) => c.name === 'Pause').t);
        const today = new Date().toDateString() === d.toDateString();
        return new Intl.DateTimeFormat(l, today ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' }).format(d);
      }, { room, l: lang });
      assert.equal((await item.locator('small').textContent())?.trim(), expected);
      await page.getByTestId('history-close').click();

      // The room's videos: one made on another day, 2.5 s long, by someone who left.
      await page.route(/\/api\/jobs\?.*kind=video/, (r) => r.fulfill({
        status: 200, contentType: 'application/json', body: JSON.stringify({ jobs: [{
          id: 'job-old', kind: 'video', status: 'complete', createdAt: made - 60000, updatedAt: made,
          input: { by: 'u-gone', title: 'Film' }, result: { path: '/videos/old.mp4', durationMs: 2500, format: 'mp4' },
        }] }),
      }));
      const toggle = page.getByTestId('sb-toggle');
      if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
      await page.getByTestId('sb-add').click();
      await page.getByTestId('sb-frame').first().waitFor();
      await page.getByTestId('sb-make-video').click();
      const video = page.getByTestId('video-item').filter({ hasText: 'Film' });
      await video.waitFor();
      const [when, length] = await page.evaluate(({ at, l }) => [
        new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short' }).format(at),
        new Intl.NumberFormat(l, { maximumFractionDigits: 1 }).format(2.5),
      ], { at: made, l: lang });
      const by = /** @type {string} */ (catalog['media.video.by']).replace('{who}', /** @type {string} */ (catalog['media.video.someoneLeft']));
      const line = `${by} · ${/** @type {string} */ (catalog['media.seconds']).replace('{n}', length)} · MP4 · ${when}`;
      assert.equal((await video.locator('.vp-video-text span').textContent())?.trim(), line);
    } finally {
      await context.close();
    }
  }
});
