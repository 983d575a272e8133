// @ts-check
/**
 * The small things a new person trips on: the width list readable, the
 * opacity shown, captions that fit, Copy that says it copied, the zoom level
 * and a Fit control, a busy PNG export, buttons named by what they show, and
 * a main landmark with a heading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, join, waitState, stroke, viewOf } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** @typedef {import('playwright-core').Page} Page */

/**
 * Puts frames with these captions in the room's storyboard, as another person's client would.
 * @param {Page} page @param {string[]} captions
 */
async function addFrames(page, captions) {
  await page.evaluate(async (captions) => {
    const room = new URLSearchParams(location.search).get('room');
    /** @param {string} path @param {any} body */
    const post = async (path, body) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    const [sb] = (await (await fetch(`/api/storyboards?room=${room}`)).json()).storyboards;
    for (const caption of captions) {
      const cv = document.createElement('canvas');
      cv.width = 64; cv.height = 36;
      const up = await post('/api/save-image', { imageData: cv.toDataURL('image/png') });
      await post(`/api/storyboards/${sb.id}/frames?room=${room}`, { image: up.path, caption });
    }
  }, captions);
  await page.getByTestId('sb-frame').nth(captions.length - 1).waitFor({ state: 'attached' });
}

test('the toolbar: every stroke width is readable in its list, and the opacity slider shows its value', async () => {
  const { page, context } = await join(browser, `${host.url}?room=tb`, 'Ada');
  try {
    const fits = await page.getByTestId('stroke-width').evaluate((sel) => {
      const s = /** @type {HTMLSelectElement} */ (sel);
      const style = getComputedStyle(s);
      const ctx = /** @type {CanvasRenderingContext2D} */ (document.createElement('canvas').getContext('2d'));
      ctx.font = `${style.fontSize} ${style.fontFamily}`;
      // What is left for the text once the padding and the list's arrow (about 20 px) are taken.
      const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
      return [...s.options].map((o) => ({ text: o.text, width: Math.ceil(ctx.measureText(o.text).width), room }));
    });
    for (const f of fits) assert.ok(f.width <= f.room, `"${f.text}" is ${f.width} px in ${f.room} px`);
    assert.match(/** @type {string} */ (await page.getByTestId('stroke-width').getAttribute('aria-label')), /pixels/);

    const value = page.getByTestId('opacity-value');
    assert.equal(await value.innerText(), '100%');
    const slider = page.getByTestId('opacity');
    const box = /** @type {{x: number, y: number, width: number, height: number}} */ (await slider.boundingBox());
    await page.mouse.click(box.x + box.width * 0.45, box.y + box.height / 2); // about half way
    const shown = await value.innerText();
    const v = Number(await slider.inputValue());
    assert.ok(v < 1, `the slider moved to ${v}`);
    assert.equal(shown, `${Math.round(v * 100)}%`);
    assert.equal(await slider.getAttribute('aria-valuetext'), shown);
  } finally {
    await context.close();
  }
});

test('a storyboard caption shows whole in its field', async () => {
  const { page, context } = await join(browser, `${host.url}?room=captions`, 'Bea');
  try {
    const captions = ['Scene 1: the long way round', 'The red house by the sea at dawn'];
    await addFrames(page, captions);
    const toggle = page.getByTestId('sb-toggle');
    if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
    const fields = await page.getByTestId('sb-caption').evaluateAll((els) => els.map((e) => {
      const t = /** @type {HTMLTextAreaElement} */ (e);
      return { value: t.value, sw: t.scrollWidth, cw: t.clientWidth, sh: t.scrollHeight, ch: t.clientHeight };
    }));
    assert.deepEqual(fields.map((f) => f.value), captions);
    for (const f of fields) assert.ok(f.sw <= f.cw && f.sh <= f.ch + 1, `"${f.value}" is cut: ${JSON.stringify(f)}`);
    // Enter still keeps an edit (one line: no line break goes in).
    const first = page.getByTestId('sb-caption').nth(0);
    await first.fill('A new caption');
    await first.press('Enter');
    await page.waitForFunction(() => /** @type {any} */ (document.querySelector('[data-testid=sb-caption]'))?.value === 'A new caption' && document.activeElement?.getAttribute('data-testid') !== 'sb-caption');
    const onHost = await page.evaluate(async () => (await (await fetch('/api/storyboards?room=captions')).json()).storyboards[0].frames[0].caption);
    assert.equal(onHost, 'A new caption');
  } finally {
    await context.close();
  }
});

test('Copy says the join link was copied, and it was', async () => {
  const { page, context } = await join(browser, `${host.adminUrl}&room=copy`, 'Teacher');
  try {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('host-panel').waitFor();
    await page.waitForFunction(() => /** @type {HTMLInputElement} */ (document.getElementById('host-url')).value.startsWith('http'));
    const copy = page.getByTestId('host-copy');
    await copy.click();
    await page.getByTestId('host-copy').filter({ hasText: 'Copied' }).waitFor();
    assert.match(/** @type {string} */ (await copy.getAttribute('aria-label')), /Copied/);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.getByTestId('host-url').inputValue());
    await page.getByTestId('host-copy').filter({ hasText: /^Copy$/ }).waitFor({ timeout: 5000 });
  } finally {
    await context.close();
  }
});

test('the zoom level shows and goes back to 100%; Fit shows the whole drawing', async () => {
  const { page, context } = await join(browser, `${host.url}?room=zoom`, 'Cy');
  try {
    const level = page.getByTestId('zoom-level');
    assert.equal(await level.innerText(), '100%');
    const canvas = /** @type {{x: number, y: number, width: number, height: number}} */ (await page.getByTestId('canvas').boundingBox());
    await page.mouse.move(canvas.x + 100, canvas.y + 100);
    await page.mouse.wheel(0, -Math.log(2) / 0.0015); // twice as close
    await page.getByTestId('zoom-level').filter({ hasText: /^200%$/ }).waitFor();
    await level.click();
    await page.getByTestId('zoom-level').filter({ hasText: /^100%$/ }).waitFor();
    assert.deepEqual(await viewOf(page), { scale: 1, ox: 0, oy: 0 });

    // Two strokes far apart, the view panned away from both: Fit brings them all into view.
    await stroke(page, [{ x: 40, y: 40 }, { x: 90, y: 60 }]);
    await page.keyboard.down(' ');
    await stroke(page, [{ x: 700, y: 500 }, { x: 100, y: 100 }]);
    await page.keyboard.up(' ');
    await stroke(page, [{ x: 600, y: 500 }, { x: 650, y: 520 }]); // lands at world (1200, 900)
    await page.keyboard.down(' ');
    await stroke(page, [{ x: 100, y: 100 }, { x: 700, y: 600 }]);
    await page.keyboard.up(' ');
    await waitState(page, (s) => s.shapesCount === 2);
    await page.getByTestId('cmd-fit').click();
    const v = await viewOf(page);
    const shapes = await page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    for (const s of shapes) {
      for (const p of s.points) {
        const sx = p.x * v.scale + v.ox, sy = p.y * v.scale + v.oy;
        assert.ok(sx >= 0 && sy >= 0 && sx <= canvas.width && sy <= canvas.height, `point ${JSON.stringify(p)} at ${sx}, ${sy} with ${JSON.stringify(v)}`);
      }
    }
    assert.ok(v.scale < 1, `zoomed out to ${v.scale}`);
    await page.getByTestId('zoom-level').filter({ hasText: `${Math.round(v.scale * 100)}%` }).waitFor();
    // 0 goes back to 100% as before.
    await page.keyboard.press('0');
    await page.getByTestId('zoom-level').filter({ hasText: /^100%$/ }).waitFor();
  } finally {
    await context.close();
  }
});

test('a PNG export shows that it is working until the file is there', async () => {
  const { page, context } = await join(browser, `${host.url}?room=export-busy`, 'Di');
  try {
    await stroke(page, [{ x: 100, y: 100 }, { x: 200, y: 150 }, { x: 300, y: 120 }]);
    // Every state the button and the message go through, however fast.
    await page.evaluate(() => {
      const seen = /** @type {string[]} */ ((/** @type {any} */ (window)).exportSeen = []);
      const button = /** @type {HTMLElement} */ (document.querySelector('[data-testid=cmd-export]'));
      const toast = /** @type {HTMLElement} */ (document.getElementById('toast'));
      new MutationObserver(() => seen.push(`busy=${button.getAttribute('aria-busy')}`)).observe(button, { attributes: true, attributeFilter: ['aria-busy'] });
      new MutationObserver(() => { if (!toast.hidden) seen.push(`toast=${toast.textContent}`); }).observe(toast, { attributes: true, childList: true });
    });
    const download = page.waitForEvent('download');
    await page.getByTestId('cmd-export').click();
    await download;
    await page.waitForFunction(() => !document.querySelector('[data-testid=cmd-export]')?.hasAttribute('aria-busy'));
    const seen = await page.evaluate(() => /** @type {any} */ (window).exportSeen);
    assert.ok(seen.includes('busy=true') && seen.includes('busy=null'), seen.join());
    assert.ok(seen.some((/** @type {string} */ s) => /^toast=Making the PNG/.test(s)), seen.join());
    assert.equal(await page.getByTestId('toast').isVisible(), false, 'the message goes once the file is made');
  } finally {
    await context.close();
  }
});

test('accessible names: every button with a label says its visible text; the board is the main landmark, with a heading', async () => {
  const { page, context } = await join(browser, `${host.adminUrl}&room=names`, 'Eve');
  try {
    await addFrames(page, ['One', 'Two', 'Three']);
    const toggle = page.getByTestId('sb-toggle');
    if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
    await page.getByTestId('host-panel').waitFor();
    const mismatched = await page.evaluate(() => {
      /** @param {string} s */
      const words = (s) => s.toLowerCase().replace(/[^\p{L}\p{N}%&]+/gu, ' ').trim();
      /** @type {string[]} */
      const out = [];
      for (const b of document.querySelectorAll('button, [role=button]')) {
        const label = b.getAttribute('aria-label');
        const shown = words(/** @type {HTMLElement} */ (b).innerText || '');
        if (!label || !/** @type {HTMLElement} */ (b).checkVisibility() || shown.replace(/[^\p{L}\p{N}]/gu, '').length < 2) continue;
        if (!words(label).includes(shown)) out.push(`"${shown}" is named "${label}"`);
      }
      return out;
    });
    assert.deepEqual(mismatched, []);
    // Each frame's two look buttons are among those checked.
    assert.equal(await page.getByTestId('sb-motion').count(), 3);

    const landmarks = await page.evaluate(() => [...document.querySelectorAll('main, [role=main]')].filter((m) => /** @type {HTMLElement} */ (m).checkVisibility()).map((m) => ({
      hasCanvas: !!m.querySelector('[data-testid=canvas]'), name: m.getAttribute('aria-labelledby') ? document.getElementById(/** @type {string} */ (m.getAttribute('aria-labelledby')))?.textContent : m.getAttribute('aria-label'),
    })));
    assert.deepEqual(landmarks, [{ hasCanvas: true, name: 'Drawing board' }]);
    const h1 = await page.evaluate(() => [...document.querySelectorAll('h1')].filter((h) => /** @type {HTMLElement} */ (h).checkVisibility()).map((h) => h.textContent?.replace(/\s+/g, ' ').trim()));
    assert.deepEqual(h1, ['CoCo · names']);
  } finally {
    await context.close();
  }
});
