// @ts-check
/**
 * Late joiners in Chromium over a link (see bench/slow_link_browser.sh, which
 * runs this inside the clients' network namespace): each opens the host's
 * network address in a new browser context (no cache, no service worker: a
 * first visit), enters a name (TYPING_MS on the join screen), presses Join,
 * and waits for the first frame drawn after the board arrived (the UI's
 * 'coco-board-shown' mark). The
 * board comes in parts, nearest the view first: the frames that first show
 * a part ('coco-first-part-shown') and every stroke in the view
 * ('coco-view-shown') are timed too.
 *
 * Bytes are the interface's receive counter in this namespace (IP level:
 * headers and packets sent again included), read around loading the page and
 * around the join, so they count everything the browser received.
 *
 *   node bench/ui/slow_link.js URL DEVICE JOINS EXPECTED_SHAPES
 *   (URL: the host's network link, with ?code= and &room=)
 * Prints one JSON object on stdout.
 */
import { readFileSync } from 'node:fs';
import { launchBrowser } from '../../tests/e2e/helpers.js';

const [url, device, joinsArg, expectArg] = process.argv.slice(2);
const joins = Number(joinsArg || 3);
const expected = Number(expectArg || 0);
/** Longest a page may take to load, or a join to show the board, in ms. */
const TIMEOUT_MS = 300_000;
/**
 * How long the person spends on the join screen (reading it, typing a
 * name) before pressing Join: what the page does meanwhile (the UI opens
 * its socket then) is not part of their wait.
 */
const TYPING_MS = 1500;

const rx = () => Number(readFileSync(`/sys/class/net/${device}/statistics/rx_bytes`, 'utf8'));

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const browser = await launchBrowser();
/** @type {{page_ms: number, page_bytes: number, first_ms: number, view_ms: number, painted_ms: number, join_bytes: number, shapes: number}[]} */
const runs = [];
try {
  for (let i = 0; i < joins; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const before = rx();
    const started = Date.now();
    await page.goto(url, { timeout: TIMEOUT_MS });
    await page.getByTestId('join-name').waitFor({ timeout: TIMEOUT_MS });
    const pageMs = Date.now() - started;
    const loaded = rx();
    await page.getByTestId('join-name').fill(`Slow ${i + 1}`);
    await page.waitForTimeout(TYPING_MS);
    const pressed = await page.evaluate(() => performance.now());
    await page.getByTestId('join-submit').click();
    await page.waitForFunction(() => performance.getEntriesByName('coco-board-shown').length > 0, null,
      { timeout: TIMEOUT_MS, polling: 20 });
    const mark = (/** @type {string} */ name) => page.evaluate((n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN, name);
    const shown = await mark('coco-board-shown');
    // A board that fits in one part has no part marks: it is shown whole.
    const first = (await mark('coco-first-part-shown')) || shown;
    const view = (await mark('coco-view-shown')) || shown;
    const shapes = await page.evaluate(() => /** @type {any} */ (window).coco.state().shapesCount);
    const joined = rx();
    if (shapes < expected) throw new Error(`join ${i + 1}: the board shows ${shapes} of ${expected} shapes`);
    runs.push({ page_ms: pageMs, page_bytes: loaded - before, first_ms: first - pressed, view_ms: view - pressed,
      painted_ms: shown - pressed, join_bytes: joined - loaded, shapes });
    console.error(`  … join ${i + 1}: page ${pageMs} ms (${((loaded - before) / 1024).toFixed(0)} KiB), ` +
      `Join → first part ${(first - pressed).toFixed(0)} ms, view ${(view - pressed).toFixed(0)} ms, ` +
      `whole board ${(shown - pressed).toFixed(0)} ms (${((joined - loaded) / 1024).toFixed(0)} KiB), ${shapes} shapes`);
    await context.close();
  }
} finally {
  await browser.close();
}
const pick = (/** @type {keyof typeof runs[0]} */ k) => median(runs.map((r) => r[k]));
console.log(JSON.stringify({
  scenario: 'browser-join', url, joins: runs.length,
  median: { page_ms: pick('page_ms'), page_bytes: pick('page_bytes'), first_ms: pick('first_ms'), view_ms: pick('view_ms'),
    painted_ms: pick('painted_ms'), join_bytes: pick('join_bytes') },
  runs,
}));
