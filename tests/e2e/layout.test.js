// @ts-check
/**
 * Phones and tablets: the board takes most of the screen, nothing spills out
 * of it, and the panels (people, the host panel, the storyboard, help) are
 * drawers opened from the dock (on the phone, axe audits each open drawer).
 * The desktop keeps its side panel and strip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join as joinPath } from 'node:path';
import { useHostAndBrowser, join, waitState, artifacts, repo } from './helpers.js';
import { seriousViolations, summary } from './a11y-kit.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** @typedef {import('playwright-core').Page} Page */

const DEVICES = {
  phone: { hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } },
  'tablet portrait': { hasTouch: true, isMobile: true, viewport: { width: 768, height: 1024 } },
  'tablet landscape': { hasTouch: true, isMobile: true, viewport: { width: 1024, height: 768 } },
};

/**
 * What cannot be seen whole: the page's own width past the viewport, and
 * every shown element whose box is not wholly on screen or is cut by a box
 * around it (a toolbar or dock too small for its buttons). Only two cuts are
 * meant: a name shortened with an ellipsis, and a box that scrolls (the
 * storyboard's row of frames, a drawer longer than the screen), where each
 * element is checked by scrolling it into view.
 * @param {Page} page @param {number} width the device's width @param {number} height
 * @returns {Promise<string[]>} one line per offender
 */
function overflow(page, width, height) {
  return page.evaluate(({ width, height }) => {
    /** @type {string[]} */
    const out = [];
    const doc = document.documentElement;
    if (innerWidth !== width) out.push(`the layout viewport is ${innerWidth} px wide, not ${width} (the page is zoomed out)`);
    if (innerHeight !== height) out.push(`the layout viewport is ${innerHeight} px high, not ${height}`);
    if (doc.scrollWidth > innerWidth) out.push(`the page is ${doc.scrollWidth} px wide`);
    if (doc.scrollHeight > innerHeight) out.push(`the page is ${doc.scrollHeight} px high`);
    /** @param {Element} e */
    const name = (e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.getAttribute('data-testid') ? `[${e.getAttribute('data-testid')}]` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''}`;
    /** The part of `e` its clipping boxes and the screen let through. @param {Element} e */
    const visible = (e) => {
      const r = e.getBoundingClientRect();
      let left = Math.max(r.left, 0), top = Math.max(r.top, 0), right = Math.min(r.right, innerWidth), bottom = Math.min(r.bottom, innerHeight);
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
        if (s.textOverflow === 'ellipsis') return null; // cut on purpose
        // A box that scrolls (the storyboard's row of frames, a drawer taller than a phone): its content is checked by scrolling to it.
        if (p.matches('.sb-frames') || /auto|scroll/.test(`${s.overflowX} ${s.overflowY}`)) return { scroller: p };
        const b = p.getBoundingClientRect();
        left = Math.max(left, b.left); top = Math.max(top, b.top); right = Math.min(right, b.right); bottom = Math.min(bottom, b.bottom);
      }
      return { r, cut: right - left < r.width - 0.5 || bottom - top < r.height - 0.5 };
    };
    for (const e of document.querySelectorAll('#app *')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const s = getComputedStyle(e);
      if (s.visibility === 'hidden' || s.display === 'contents') continue;
      if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg') continue;
      if (s.clipPath === 'inset(50%)') continue; // visually hidden: for screen readers only
      if (e.closest('details:not([open])') && !e.closest('summary')) continue; // folded away until asked for
      const v = visible(e);
      if (v === null) continue;
      if (v.scroller) {
        // The scrolled content itself (the whole drawer) is longer than its box: that is why it scrolls.
        const box = v.scroller.getBoundingClientRect();
        if (r.height > box.height + 0.5 || r.width > box.width + 0.5) continue;
        e.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        const b = e.getBoundingClientRect();
        if (b.left >= -0.5 && b.top >= -0.5 && b.right <= innerWidth + 0.5 && b.bottom <= innerHeight + 0.5) continue;
      } else if (!v.cut) continue;
      out.push(`${name(e)} at ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return out;
  }, { width, height });
}

/** The share of the screen the board covers. @param {Page} page */
async function boardShare(page) {
  const box = await page.getByTestId('canvas').boundingBox();
  const vp = /** @type {{width: number, height: number}} */ (page.viewportSize());
  assert.ok(box);
  return (box.width * box.height) / (vp.width * vp.height);
}

/**
 * Opens a drawer with its dock button, checks its controls are on screen
 * (and, with `audit`, that axe finds no serious or critical problem in the
 * open drawer), then closes it with the same button.
 * @param {Page} page @param {string} id the panel's id @param {string} label the button's text
 * @param {boolean} [audit]
 */
async function checkDrawer(page, id, label, audit = false) {
  const button = page.locator(`#dock [data-drawer="${id}"]`);
  assert.match(await button.innerText(), new RegExp(`^${label}`));
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  const panel = page.locator(`#${id}`);
  assert.equal(await panel.isVisible(), false, `${id} is closed at first`);
  await button.click();
  await panel.waitFor({ state: 'visible' });
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  const vp = /** @type {{width: number, height: number}} */ (page.viewportSize());
  assert.deepEqual(await overflow(page, vp.width, vp.height), [], `${id} open`);
  // Its controls can be pressed where they are, once the drawer is scrolled to them (read at once: the host panel redraws its list every few seconds).
  const off = await panel.evaluate((root) => [...root.querySelectorAll('button, input, select, textarea')]
    .filter((c) => /** @type {HTMLElement} */ (c).checkVisibility())
    .map((c) => { c.scrollIntoView({ block: 'nearest' }); return { c: c.outerHTML.slice(0, 80), r: c.getBoundingClientRect() }; })
    .filter(({ r }) => r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
    .map(({ c, r }) => `${c} at ${Math.round(r.left)},${Math.round(r.top)}`));
  assert.deepEqual(off, [], id);
  if (audit) {
    const bad = await seriousViolations(page, `${id} drawer`);
    assert.equal(bad.length, 0, `${id} drawer: axe found ${summary(bad)}`);
  }
  await button.click();
  await panel.waitFor({ state: 'hidden' });
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
}

/**
 * A screenshot in artifacts/, and in docs/ (for the README) when
 * COCO_DOCS_SCREENSHOTS=1, so that an ordinary run leaves the repository alone.
 * @param {Page} page @param {string} name
 */
async function shoot(page, name) {
  await page.screenshot({ path: joinPath(artifacts, name) });
  if (process.env.COCO_DOCS_SCREENSHOTS === '1') await page.screenshot({ path: joinPath(repo, 'docs', name) });
}

/**
 * Puts `n` frames in the room's storyboard, as another person's client would.
 * @param {Page} page @param {number} n
 */
async function addFrames(page, n) {
  await page.evaluate(async (n) => {
    const room = new URLSearchParams(location.search).get('room');
    /** @param {string} path @param {any} body */
    const post = async (path, body) => (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    const [sb] = (await (await fetch(`/api/storyboards?room=${room}`)).json()).storyboards;
    for (let i = 0; i < n; i++) {
      const cv = document.createElement('canvas');
      cv.width = 64; cv.height = 36;
      const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
      ctx.fillStyle = `hsl(${i * 90}, 70%, 50%)`;
      ctx.fillRect(0, 0, 64, 36);
      const up = await post('/api/save-image', { imageData: cv.toDataURL('image/png') });
      await post(`/api/storyboards/${sb.id}/frames?room=${room}`, { image: up.path, caption: `Scene ${i + 1}: the long way round` });
    }
  }, n);
  await page.getByTestId('sb-frame').nth(n - 1).waitFor({ state: 'attached' });
}

for (const [device, options] of Object.entries(DEVICES)) {
  test(`${device} (${options.viewport.width}×${options.viewport.height}): the board fills the screen, nothing overflows, every panel is a drawer`, async () => {
    const { width, height } = options.viewport;
    const url = `${host.adminUrl}&room=${device.replace(' ', '-')}`;
    const me = await join(browser, url, 'Teacher Marguerite', 'top-left', options);
    const others = [];
    try {
      // A full room: four seat badges to show.
      for (const [n, seat] of [['Bo', 'top-right'], ['Cy', 'bottom-left'], ['Di', 'bottom-right']]) {
        others.push(await join(browser, `${host.url}?room=${device.replace(' ', '-')}`, n, seat));
      }
      await waitState(me.page, (s) => s.users.length === 4);
      await me.page.getByTestId('host-panel').waitFor({ state: 'attached' });
      await me.page.locator('[data-drawer="host-panel"]:not([hidden])').waitFor({ state: 'attached' });
      const share = await boardShare(me.page);
      assert.ok(share >= 0.75, `the board covers ${Math.round(share * 100)}% of the screen`);
      assert.deepEqual(await overflow(me.page, width, height), []);
      // The text tool's size control fits in the toolbar too.
      await me.page.getByTestId('tool-text').click();
      assert.deepEqual(await overflow(me.page, width, height), [], 'with the text tool');
      await me.page.getByTestId('tool-pencil').click();
      for (const seat of ['top-left', 'top-right', 'bottom-left', 'bottom-right']) {
        assert.ok(await me.page.getByTestId(`badge-${seat}`).isVisible(), seat);
      }
      assert.ok(await me.page.getByTestId('conn').isVisible());
      if (device === 'phone') await shoot(me.page, 'phone-board.png');

      // The drawers are audited on the phone (the tablets show the same panels).
      const audit = device === 'phone';
      await checkDrawer(me.page, 'people-section', 'People', audit);
      await checkDrawer(me.page, 'host-panel', 'Join link', audit);
      await addFrames(me.page, 3);
      await checkDrawer(me.page, 'storyboard', 'Storyboard', audit);
      await checkDrawer(me.page, 'help', 'Help', audit);
      await checkDrawer(me.page, 'history-panel', 'History', audit);

      // The close button and a touch on the board put a drawer away too; the touch draws nothing.
      await me.page.getByTestId('open-people').click();
      await me.page.getByTestId('drawer-close').click();
      await me.page.locator('#people-section').waitFor({ state: 'hidden' });
      await me.page.getByTestId('open-help').click();
      const box = /** @type {{x: number, y: number}} */ (await me.page.getByTestId('canvas').boundingBox());
      await me.page.touchscreen.tap(box.x + 20, box.y + 60);
      await me.page.locator('#help').waitFor({ state: 'hidden' });
      assert.equal((await me.page.evaluate(() => /** @type {any} */ (window).coco.state())).shapesCount, 0);

      if (device === 'phone') {
        await me.page.getByTestId('open-storyboard').click();
        const toggle = me.page.getByTestId('sb-toggle');
        if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
        await me.page.screenshot({ path: joinPath(artifacts, 'phone-storyboard.png') });
        await me.page.getByTestId('open-host-panel').click();
        await me.page.getByTestId('host-qr').locator('img').waitFor();
        await shoot(me.page, 'phone-drawer.png');
      }
    } finally {
      await me.context.close();
      for (const o of others) await o.context.close();
    }
  });
}

test('the desktop (1280×800) keeps its side panel and storyboard strip, with no dock', async () => {
  const me = await join(browser, `${host.url}?room=desk`, 'Ada', 'top-left', { viewport: { width: 1280, height: 800 } });
  try {
    assert.equal(await me.page.getByTestId('dock').isVisible(), false);
    assert.ok(await me.page.getByTestId('people').isVisible());
    assert.ok(await me.page.getByTestId('storyboard').isVisible());
    assert.ok(await me.page.locator('#help').isVisible());
    assert.deepEqual(await overflow(me.page, 1280, 800), []);
    const canvas = /** @type {{x: number, y: number, width: number, height: number}} */ (await me.page.getByTestId('canvas').boundingBox());
    const side = /** @type {{x: number}} */ (await me.page.locator('.side').boundingBox());
    assert.ok(canvas.x + canvas.width <= side.x + 1 && canvas.width > 800, JSON.stringify({ canvas, side }));
  } finally {
    await me.context.close();
  }
});
