// @ts-check
/**
 * Accessibility checks for the browser tests: an axe-core audit of what a
 * page shows, and what the page says to a screen reader (its live region,
 * its list of shapes).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
/**
 * axe-core's browser bundle. It is evaluated in the page rather than added
 * as a script element: the host's Content-Security-Policy (rightly) refuses
 * inline scripts, and the tests keep that policy on.
 */
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts that fail a test: a person with a screen reader or low vision is blocked or badly hindered. */
const BLOCKING = new Set(['serious', 'critical']);

/**
 * @typedef {{id: string, impact: string, help: string, helpUrl: string,
 *   nodes: {target: string[], failureSummary?: string}[]}} Violation
 */

/**
 * Runs axe-core on what the page shows now (WCAG 2.x A and AA rules and
 * axe's best practices) and returns its serious and critical violations,
 * each printed with the elements it found, so a failing test says what to fix.
 * @param {import('playwright-core').Page} page
 * @param {string} where what the page shows, for the printout
 * @returns {Promise<Violation[]>}
 */
export async function seriousViolations(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  /** @type {Violation[]} */
  const violations = await page.evaluate(async () => {
    const axe = /** @type {any} */ (window).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((/** @type {any} */ v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((/** @type {any} */ n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  const bad = violations.filter((v) => BLOCKING.has(v.impact));
  for (const v of bad) {
    console.error(`axe (${where}): ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes) console.error(`  ${n.target.join(' ')}${n.failureSummary ? `\n    ${n.failureSummary.replace(/\n/g, '\n    ')}` : ''}`);
  }
  return bad;
}

/**
 * The ids of the violations, for an assertion whose message names them.
 * @param {Violation[]} violations
 */
export const summary = (violations) => violations.map((v) => `${v.id} (${v.nodes.length})`).join(', ');

/**
 * What the live region has said, oldest first (it keeps its last 20 sentences).
 * @param {import('playwright-core').Page} page @returns {Promise<string[]>}
 */
export const said = (page) => page.getByTestId('announcer').locator('p').allTextContents();

/**
 * Waits until the live region says something matching `re`, among what it
 * said after its first `since` sentences; returns that sentence.
 * @param {import('playwright-core').Page} page @param {RegExp} re
 * @param {number} [since] how many sentences it had said before (see `said`)
 * @param {number} [timeout]
 */
export async function waitSaid(page, re, since = 0, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let last = /** @type {string[]} */ ([]);
  while (Date.now() < deadline) {
    last = await said(page);
    const hit = last.slice(since).find((t) => re.test(t));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the live region never said ${re}; it said: ${JSON.stringify(last.slice(since))}`);
}

/** The items of the board's shapes list, as a screen reader reads them. @param {import('playwright-core').Page} page @returns {Promise<string[]>} */
export const shapeItems = (page) => page.getByTestId('shapes-list').locator('li').allTextContents();
