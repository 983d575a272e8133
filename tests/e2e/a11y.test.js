// @ts-check
/**
 * Screen readers and keyboards: an axe-core audit finds no serious or
 * critical problem on the join screen, the board, the host panel, the
 * enhancement dialog and the video panel; the board's shapes are a list a
 * screen reader can walk; joins, leaves, the saved state and finished jobs
 * (an enhancement, a video) are said in the live region; every control of
 * the toolbar, the people list, the host panel and the enhance dialog shows
 * where the keyboard focus is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, waitState, stroke, zigzag, shapesOf, useHostAndBrowser } from './helpers.js';
import { seriousViolations, summary, said, waitSaid, shapeItems } from './a11y-kit.js';
import { startEnhance } from './enhance-kit.js';
import { colourName } from '../../ui/js/shapelist.js';
import { saveState } from '../../ui/js/a11y.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
});

/** @param {import('playwright-core').Page} page @param {string} where */
async function auditClean(page, where) {
  const bad = await seriousViolations(page, where);
  assert.equal(bad.length, 0, `${where}: axe found ${summary(bad)}`);
}

test('axe: the join screen, the board, the host panel, the history panel, the enhancement dialog and the video panel', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  try {
    await page.goto(`${host.adminUrl}&room=axe`);
    await page.getByTestId('join-name').waitFor();
    await auditClean(page, 'join screen');
    await page.getByTestId('join-name').fill('Ada');
    await page.getByTestId('join-submit').click();
    await waitState(page, (s) => s.connection === 'connected');
    await stroke(page, zigzag(200, 200));
    await waitState(page, (s) => s.shapesCount === 1 && s.unacked === 0);
    await page.getByTestId('host-panel').waitFor();
    await auditClean(page, 'board with the host panel');

    await page.getByTestId('history-open').click();
    await page.getByTestId('history-panel').waitFor();
    await page.getByTestId('history-when').filter({ hasText: /\S/ }).waitFor();
    await auditClean(page, 'history panel');
    await page.getByTestId('history-close').click();

    await page.getByTestId('tool-enhance').click();
    await page.getByTestId('enhance-dialog').waitFor();
    await auditClean(page, 'enhancement dialog');
    await page.getByTestId('enhance-close').click();

    // The storyboard with a frame (the whole board), then its video panel.
    const toggle = page.getByTestId('sb-toggle');
    if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
    await page.getByTestId('sb-add').click();
    await page.getByTestId('sb-frame').first().waitFor();
    await page.getByTestId('sb-make-video').click();
    await page.getByTestId('video-panel').waitFor();
    await auditClean(page, 'video panel');
  } finally {
    await context.close();
  }
});

test('the shapes list names each shape: kind, colour, size, where, who drew it, a text\'s words', async () => {
  const url = `${host.url}?room=shapes-list`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'bottom-left');
  try {
    await stroke(a.page, zigzag(100, 100));
    await b.page.keyboard.press('r');
    await stroke(b.page, [{ x: 500, y: 350 }, { x: 640, y: 450 }]);
    const box = await a.page.getByTestId('canvas').boundingBox();
    assert.ok(box);
    await a.page.keyboard.press('t');
    await a.page.mouse.click(box.x + 300, box.y + 250);
    await a.page.getByTestId('text-editor').fill('Hello there');
    await a.page.keyboard.press('Enter');
    await waitState(a.page, (s) => s.shapesCount === 3 && s.unacked === 0);
    await waitState(b.page, (s) => s.shapesCount === 3 && s.unacked === 0);

    const shapes = await shapesOf(a.page);
    const [pencil, rect, text] = ['pencil', 'rectangle', 'text'].map((t) => shapes.find((s) => s.type === t));
    /** Where the list says a shape is: its centre, rounded. @param {any} s */
    const at = (s) => {
      const xs = s.points.map((/** @type {any} */ p) => p.x), ys = s.points.map((/** @type {any} */ p) => p.y);
      return `(x ${Math.round((Math.min(...xs) + Math.max(...xs)) / 2)}, y ${Math.round((Math.min(...ys) + Math.max(...ys)) / 2)})`;
    };
    const items = await waitItems(a.page, 3);
    assert.equal(items[0], `Pencil stroke, red, 80 by 30, top left of the drawing ${at(pencil)}, drawn by you`);
    assert.equal(items[1], `Rectangle, green, 140 by 100, bottom right of the drawing ${at(rect)}, drawn by Bo`);
    assert.equal(items[2], `Text “Hello there”, red, middle of the drawing ${at(text)}, drawn by you`);
    const theirs = await waitItems(b.page, 3);
    assert.match(theirs[0], /^Pencil stroke, red, .*drawn by Ada$/);
    assert.match(theirs[1], /^Rectangle, green, .*drawn by you$/);
    assert.match(theirs[2], /^Text “Hello there”, .*drawn by Ada$/);
    // The list is hidden from sight, not from screen readers.
    const list = a.page.getByTestId('shapes-list');
    assert.equal(await list.getAttribute('aria-label'), 'Shapes on the board');
    assert.equal(await list.evaluate((e) => getComputedStyle(e).clipPath), 'inset(50%)');

    // It follows the board: Ada's undo takes her text away for both.
    await a.page.keyboard.press('Control+z');
    assert.equal((await waitItems(b.page, 2))[1], theirs[1]);
    // Bo is gone, and still named as who drew the rectangle.
    await b.context.close();
    await waitState(a.page, (s) => s.users.length === 1);
    await a.page.keyboard.press('p');
    await stroke(a.page, zigzag(100, 500));
    assert.match((await waitItems(a.page, 3))[1], /^Rectangle, green, .*drawn by Bo$/);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

/**
 * The shapes list's items, once there are `n`.
 * @param {import('playwright-core').Page} page @param {number} n
 */
async function waitItems(page, n) {
  const deadline = Date.now() + 10000;
  let items = await shapeItems(page);
  while (items.length !== n) {
    if (Date.now() > deadline) throw new Error(`the shapes list never had ${n} items: ${JSON.stringify(items)}`);
    await new Promise((r) => setTimeout(r, 100));
    items = await shapeItems(page);
  }
  return items;
}

test('the live region says who joins and leaves, whether the changes are saved, and when a job is done', async () => {
  const url = `${host.url}?room=say`;
  const a = await join(browser, url, 'Ada', 'top-left');
  /** @type {{context: import('playwright-core').BrowserContext, page: import('playwright-core').Page}|undefined} */
  let b;
  try {
    await waitSaid(a.page, /^You joined room say\. No one else is here yet\.$/);
    await waitSaid(a.page, /^All changes are saved on the host\.$/);
    assert.equal(await a.page.getByTestId('announcer').getAttribute('aria-live'), 'polite');

    let n = (await said(a.page)).length;
    b = await join(browser, url, 'Bo', 'bottom-right');
    await waitSaid(a.page, /^Bo joined\.$/, n);
    await waitSaid(b.page, /^You joined room say\. Here now: Ada\.$/);

    // Offline, a stroke waits in the browser; back online it is saved, and that is said.
    n = (await said(a.page)).length;
    await a.context.setOffline(true);
    await waitSaid(a.page, /^Offline: your changes are kept in this browser/, n);
    await stroke(a.page, zigzag(100, 100));
    await waitState(a.page, (s) => s.unacked === 1);
    n = (await said(a.page)).length;
    await a.context.setOffline(false);
    await waitState(a.page, (s) => s.connection === 'connected' && s.unacked === 0);
    await waitSaid(a.page, /^All changes are saved on the host\.$/, n);
    // Ordinary strokes are saved at once: nothing is said about them.
    n = (await said(a.page)).length;
    await stroke(a.page, zigzag(100, 200));
    await waitState(a.page, (s) => s.unacked === 0 && s.shapesCount === 2);
    await a.page.waitForTimeout(1200);
    assert.deepEqual((await said(a.page)).slice(n).filter((t) => !/joined/.test(t)), []);

    // A local enhancement of Ada's (nothing selected: the whole board): both hear it is done.
    await startEnhance(a.page, 'local', 'a sunny day');
    await a.page.getByTestId('enhance-result').waitFor({ timeout: 30000 });
    await waitSaid(a.page, /^Your enhanced picture is ready and on the board\.$/, n);
    await waitSaid(b.page, /^Ada’s enhanced picture is ready and on the board\.$/);
    await a.page.getByTestId('enhance-close').click();

    n = (await said(a.page)).length;
    await b.context.close();
    await waitSaid(a.page, /^Bo left\.$/, n);
  } finally {
    await a.context.close();
    await b?.context.close();
  }
});

test('the live region says when a video is ready, to the one who made it and to the other person', async () => {
  const url = `${host.url}?room=say-video`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'bottom-right');
  try {
    await waitState(b.page, (s) => s.users.length === 2);
    await stroke(a.page, zigzag(200, 200));
    await waitState(a.page, (s) => s.shapesCount === 1 && s.unacked === 0);
    // Two frames of the whole board, a second each, made into a small video.
    const toggle = a.page.getByTestId('sb-toggle');
    if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
    for (let i = 0; i < 2; i++) {
      await a.page.getByTestId('sb-add').click();
      await a.page.getByTestId('sb-frame').nth(i).waitFor();
      const secs = a.page.getByTestId('sb-frame').nth(i).getByTestId('sb-duration');
      await secs.fill('1');
      await secs.press('Enter');
    }
    const na = (await said(a.page)).length, nb = (await said(b.page)).length;
    await a.page.getByTestId('sb-make-video').click();
    await a.page.getByTestId('video-size').selectOption('360p');
    await a.page.getByTestId('video-title').fill('Two seconds');
    await a.page.getByTestId('video-make').click();
    await a.page.getByTestId('video-result').waitFor({ timeout: 120000 });
    await waitSaid(a.page, /^Your video, “Two seconds”, is ready, under Make video\.$/, na);
    await waitSaid(b.page, /^Ada’s video, “Two seconds”, is ready, under Make video\.$/, nb);
    // Said once each, however many updates of the job arrive.
    await a.page.waitForTimeout(1000);
    assert.equal((await said(a.page)).slice(na).filter((x) => /Two seconds/.test(x)).length, 1);
    assert.equal((await said(b.page)).slice(nb).filter((x) => /Two seconds/.test(x)).length, 1);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

/** The toolbar's controls a keyboard reaches, by test id, in order. @param {import('playwright-core').Page} page @returns {Promise<string[]>} */
const toolbarControls = (page) => page.evaluate(() => [...document.querySelectorAll('#toolbar button, #toolbar input, #toolbar select')]
  .filter((e) => /** @type {HTMLElement} */ (e).checkVisibility() && !(/** @type {HTMLButtonElement} */ (e).disabled))
  .map((e) => String(/** @type {HTMLElement} */ (e).dataset.testid)));

/** WCAG's contrast ratio of two `rgb(…)` colours. @param {string} a @param {string} b */
function contrast(a, b) {
  /** @param {string} c */
  const lum = (c) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) || []).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('every toolbar control shows a focus ring when the keyboard reaches it', async () => {
  const { page, context } = await join(browser, `${host.url}?room=focus`, 'Ada');
  try {
    await page.keyboard.press('t'); // the text tool: its size control shows too
    const controls = await toolbarControls(page);
    assert.ok(controls.includes('text-size') && controls.includes('stroke-color') && controls.includes('opacity'), controls.join());
    /** How a control looks now, as far as a focus ring goes. @param {string} id */
    const look = (id) => page.getByTestId(id).evaluate((e) => {
      const s = getComputedStyle(e);
      const r = e.getBoundingClientRect();
      const bar = /** @type {HTMLElement} */ (document.getElementById('toolbar')).getBoundingClientRect();
      const ring = s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth) + parseFloat(s.outlineOffset);
      return {
        outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
        color: s.outlineColor, shadow: s.boxShadow, focusVisible: e.matches(':focus-visible'),
        background: getComputedStyle(/** @type {HTMLElement} */ (document.getElementById('toolbar'))).backgroundColor,
        // The ring is drawn whole: the toolbar (which scrolls) does not cut it.
        inside: r.left - ring >= bar.left - 0.5 && r.right + ring <= bar.right + 0.5 && r.top - ring >= bar.top - 0.5 && r.bottom + ring <= bar.bottom + 0.5,
      };
    });
    /** @type {Record<string, Awaited<ReturnType<typeof look>>>} */
    const unfocused = {};
    for (const id of controls) unfocused[id] = await look(id);
    // From the board, backwards through the toolbar with Shift+Tab.
    await page.getByTestId('canvas').focus();
    const visited = [];
    for (let i = 0; i < controls.length; i++) {
      await page.keyboard.press('Shift+Tab');
      const id = String(await page.evaluate(() => /** @type {HTMLElement|null} */ (document.activeElement)?.dataset.testid));
      visited.push(id);
      const now = await look(id);
      const before = unfocused[id];
      assert.ok(now.focusVisible, `${id} matches :focus-visible`);
      assert.ok(now.outline !== before.outline || now.shadow !== before.shadow, `${id} looks the same focused: ${now.outline}`);
      assert.ok(now.style !== 'none' && now.width >= 2, `${id}: a ring at least 2 px wide, not ${now.outline}`);
      assert.ok(contrast(now.color, now.background) >= 3, `${id}: the ring ${now.color} stands out from ${now.background}`);
      assert.ok(now.inside, `${id}: the toolbar cuts its ring`);
    }
    assert.deepEqual(visited, [...controls].reverse());
  } finally {
    await context.close();
  }
});

/**
 * @typedef {{name: string, focusVisible: boolean, outline: string, shadow: string, style: string, width: number,
 *   color: string, background: string, cut: string}} Ring
 */

/**
 * The focused control's ring as a person sees it, against what is behind
 * it: its outline (or, for a radio or checkbox whose label draws the ring,
 * the label's), whether a scrolling box around it cuts the ring, and its
 * name. The control is kept in `window.ringSeen` to look at it unfocused later.
 * @param {import('playwright-core').Page} page @returns {Promise<Ring>}
 */
const focusedRing = (page) => page.evaluate(() => {
  const e = /** @type {HTMLElement} */ (document.activeElement);
  const w = /** @type {any} */ (window);
  (w.ringSeen ||= []).push(e);
  const own = getComputedStyle(e);
  const label = e.closest('label');
  const drawn = own.outlineStyle === 'none' && label && getComputedStyle(label).outlineStyle !== 'none' ? label : e;
  const s = getComputedStyle(drawn);
  let background = 'rgb(255, 255, 255)';
  for (let p = drawn.parentElement; p; p = p.parentElement) {
    const bg = getComputedStyle(p).backgroundColor;
    if (bg !== 'transparent' && !/rgba\(.*, 0\)$/.test(bg)) { background = bg; break; }
  }
  const r = drawn.getBoundingClientRect();
  const ring = s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth) + parseFloat(s.outlineOffset);
  let cut = '';
  for (let p = drawn.parentElement; p && !cut; p = p.parentElement) {
    const ps = getComputedStyle(p);
    if (ps.overflowX === 'visible' && ps.overflowY === 'visible') continue;
    const c = p.getBoundingClientRect();
    if (r.left - ring < c.left - 0.5 || r.right + ring > c.right + 0.5 || r.top - ring < c.top - 0.5 || r.bottom + ring > c.bottom + 0.5) cut = p.className || p.tagName;
  }
  return {
    name: e.dataset.testid || e.id || `${e.tagName.toLowerCase()} "${(e.textContent || '').trim().slice(0, 20)}"`,
    focusVisible: e.matches(':focus-visible'), outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, shadow: s.boxShadow,
    style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, background, cut,
  };
});

/** @param {Ring} ring */
function assertRing(ring) {
  assert.ok(ring.focusVisible, `${ring.name} matches :focus-visible`);
  assert.ok(ring.style !== 'none' && ring.width >= 2, `${ring.name}: a ring at least 2 px wide, not ${ring.outline}`);
  assert.ok(contrast(ring.color, ring.background) >= 3, `${ring.name}: the ring ${ring.color} stands out from ${ring.background}`);
  assert.equal(ring.cut, '', `${ring.name}: a scrolling box cuts its ring`);
}

/**
 * The controls `ringSeen` kept, looked at with the focus elsewhere: none may
 * look as it did focused.
 * @param {import('playwright-core').Page} page @param {Ring[]} focused
 */
async function assertRingsGo(page, focused) {
  await page.getByTestId('canvas').focus();
  const unfocused = await page.evaluate(() => /** @type {HTMLElement[]} */ (/** @type {any} */ (window).ringSeen).map((e) => {
    const label = e.closest('label');
    const own = getComputedStyle(e);
    const s = own.outlineStyle === 'none' && label ? getComputedStyle(label) : own;
    return { outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, shadow: s.boxShadow };
  }));
  focused.forEach((f, i) => assert.ok(f.outline !== unfocused[i].outline || f.shadow !== unfocused[i].shadow, `${f.name} looks the same unfocused: ${f.outline}`));
  await page.evaluate(() => { /** @type {any} */ (window).ringSeen = []; });
}

test('the people list, the host panel and the enhance dialog show a focus ring on every control the keyboard reaches', async () => {
  const room = 'focus-panels';
  const t = await join(browser, `${host.adminUrl}&room=${room}`, 'Teacher', 'top-right', { viewport: { width: 1280, height: 1000 } });
  const p = await join(browser, `${host.url}?room=${room}`, 'Pia', 'top-left');
  try {
    // Pia draws: the host's "Undo Pia's last change" is enabled, so the keyboard reaches it.
    await stroke(p.page, zigzag(100, 100));
    await waitState(t.page, (s) => s.users.length === 2 && s.shapesCount === 1);
    const page = t.page;
    await page.getByTestId('host-panel').waitFor();
    await page.getByTestId('host-undo-person').and(page.locator(':enabled')).waitFor();
    // Every control there a keyboard can reach, in the page's order.
    const controls = await page.evaluate(() => [...document.querySelectorAll('#people-section, #host-panel')]
      .flatMap((sec) => [...sec.querySelectorAll('button, input, select, textarea, summary, a[href]')])
      .filter((e) => /** @type {HTMLElement} */ (e).checkVisibility() && !(/** @type {HTMLButtonElement} */ (e).disabled) && /** @type {HTMLElement} */ (e).tabIndex >= 0)
      .map((e) => /** @type {HTMLElement} */ (e).dataset.testid || e.id || e.tagName.toLowerCase()));
    for (const id of ['follow', 'host-copy', 'host-rotate', 'host-open', 'kick', 'host-present', 'host-show-views', 'host-lock', 'host-lock-shape', 'host-undo-person', 'host-gemini-summary']) {
      assert.ok(controls.includes(id), `${id} is among the controls: ${controls.join()}`);
    }
    // From the people list's first control on, with Tab.
    await page.getByTestId('people').getByTestId('follow').focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const rings = [];
    for (let i = 0; i < controls.length; i++) {
      if (i) await page.keyboard.press('Tab');
      const ring = await focusedRing(page);
      assert.equal(ring.name, controls[i], `Tab ${i} reaches ${controls[i]}`);
      assertRing(ring);
      rings.push(ring);
    }
    await assertRingsGo(page, rings);

    // A dialog: the enhance dialog, opened with its key, walked with Tab (it keeps the focus in).
    await page.getByTestId('canvas').focus();
    await page.keyboard.press('Shift+E');
    const dialog = page.getByTestId('enhance-dialog');
    await dialog.waitFor();
    const inDialog = await dialog.evaluate((d) => [...d.querySelectorAll('button, input, select, textarea, summary, a[href]')]
      .filter((e) => /** @type {HTMLElement} */ (e).checkVisibility() && !(/** @type {HTMLButtonElement} */ (e).disabled)
        && !(e instanceof HTMLInputElement && e.type === 'radio' && !e.checked))
      .map((e) => /** @type {HTMLElement} */ (e).dataset.testid || e.id));
    for (const id of ['enhance-x', 'enhance-prompt', 'engine-auto', 'enhance-upscale', 'enhance-close', 'enhance-start']) {
      assert.ok(inDialog.includes(id), `${id} is in the dialog: ${inDialog.join()}`);
    }
    const seen = new Set();
    const dialogRings = [];
    for (let i = 0; i < 3 * inDialog.length && seen.size < inDialog.length; i++) {
      await page.keyboard.press('Tab');
      const inside = await dialog.evaluate((d) => d.contains(document.activeElement));
      if (!inside) continue;
      const ring = await focusedRing(page);
      if (seen.has(ring.name)) continue;
      seen.add(ring.name);
      assertRing(ring);
      dialogRings.push(ring);
    }
    assert.deepEqual([...seen].sort(), [...inDialog].sort(), 'Tab reaches every control of the dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await assertRingsGo(page, dialogRings);
  } finally {
    await t.context.close();
    await p.context.close();
  }
});

test('colour names are the words a person would use', () => {
  const named = Object.fromEntries(['#1f2328', '#ffffff', '#868e96', '#e03131', '#1971c2', '#2f9e44', '#f08c00', '#a5d8ff', '#fab005', '#7048e8', '#f783ac', '#8b4513', '#0b2e59', '#adb5bd']
    .map((c) => [c, colourName(c)]));
  assert.deepEqual(named, {
    '#1f2328': 'black', '#ffffff': 'white', '#868e96': 'grey', '#e03131': 'red', '#1971c2': 'blue', '#2f9e44': 'green',
    '#f08c00': 'orange', '#a5d8ff': 'light blue', '#fab005': 'yellow', '#7048e8': 'purple', '#f783ac': 'pink', '#8b4513': 'brown',
    '#0b2e59': 'dark blue', '#adb5bd': 'light grey',
  });
  assert.equal(colourName('transparent'), '');
});

test('a watcher hears nothing about saving, and still hears that the connection is lost', () => {
  const connected = { state: 'connected', pending: [], storageProblem: null };
  assert.equal(saveState(connected), 'saved');
  assert.equal(saveState({ ...connected, watching: true }), null);
  assert.equal(saveState({ ...connected, state: 'offline', watching: true }), 'offline');
});
