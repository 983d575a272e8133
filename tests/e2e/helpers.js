// @ts-check
/**
 * Test fixtures: a real CoCo host on loopback (temp data dir, ports chosen by
 * the OS) and Debian's Chromium driven by playwright-core.
 */
import { spawn, spawnSync } from 'node:child_process';
import { before, after } from 'node:test';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** A tablet held in landscape: touch, a mobile viewport, 1024 × 768. */
export const TABLET = { hasTouch: true, isMobile: true, viewport: { width: 1024, height: 768 } };

export const repo = joinPath(here, '..', '..');
export const artifacts = joinPath(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

/**
 * The host binary: $COCO_BIN, else the debug build (it serves ui/ from disk,
 * so it is always current), else the release build (ui/ baked in).
 */
export function hostBinary() {
  if (process.env.COCO_BIN) return process.env.COCO_BIN;
  const debug = joinPath(repo, 'target', 'debug', 'coco');
  return existsSync(debug) ? debug : joinPath(repo, 'target', 'release', 'coco');
}

/**
 * @typedef {{url: string, adminUrl: string, port: number, wsPort: number, dataDir: string,
 *   kill: (signal?: NodeJS.Signals) => Promise<void>}} Host
 * `adminUrl` is the admin link the host prints: the page opened with it is
 * the host panel; `url` is an ordinary seat, as any other loopback page.
 */

/**
 * Starts a host and waits for its "on this machine" line.
 * The host never reads the developer's own config file or Gemini key: it
 * gets a config file in its data directory and `opts.env` on top of an
 * environment without keys.
 * @param {{dataDir?: string, port?: number, wsPort?: number, args?: string[],
 *   env?: Record<string, string>}} [opts]
 * @returns {Promise<Host>}
 */
export async function startHost(opts = {}) {
  const dataDir = opts.dataDir || mkdtempSync(joinPath(tmpdir(), 'coco-e2e-'));
  const args = ['--headless', '--no-mdns', '--data-dir', dataDir, '--bind', '127.0.0.1',
    '--port', String(opts.port ?? 0), '--ws-port', String(opts.wsPort ?? 0),
    '--config', joinPath(dataDir, 'config.toml'), ...(opts.args || [])];
  const env = { ...process.env, ...(opts.env || {}) };
  if (!opts.env?.GEMINI_API_KEY) delete env.GEMINI_API_KEY;
  if (!opts.env?.GOOGLE_API_KEY) delete env.GOOGLE_API_KEY;
  const child = spawn(hostBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${out}`)), 15000);
    const onData = (/** @type {Buffer} */ b) => {
      out += b.toString();
      const http = out.match(/on this machine:\s+http:\/\/127\.0\.0\.1:(\d+)\//);
      const ws = out.match(/WebSocket:\s+ws:\/\/127\.0\.0\.1:(\d+)\//);
      const admin = out.match(/admin link:\s+(http:\/\/\S+)/);
      if (http && ws && admin) { clearTimeout(timer); resolve({ port: Number(http[1]), wsPort: Number(ws[1]), adminUrl: admin[1] }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (b) => { out += b.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`host exited ${code}:\n${out}`)); });
  });
  const { port, wsPort, adminUrl } = /** @type {{port: number, wsPort: number, adminUrl: string}} */ (await ready);
  return {
    url: `http://127.0.0.1:${port}/`, adminUrl, port, wsPort, dataDir,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Runs `ip ARGS`. @param {string[]} args @returns {string|null} null on success, else why it failed */
export function ip(args) {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error) return `ip ${args.join(' ')}: ${r.error.message}`;
  return r.status === 0 ? null : `ip ${args.join(' ')}: ${(r.stderr || '').trim()}`;
}

/**
 * Starts a host inside network namespace `ns`, listening on every address there.
 * @param {string} ns @param {string} dataDir @param {string[]} [extra] more flags, e.g. ['--no-mdns']
 * @returns {Promise<{port: number, code: string, kill: () => Promise<void>}>}
 */
export async function startNsHost(ns, dataDir, extra = []) {
  const child = spawn('ip', ['netns', 'exec', ns, hostBinary(), '--headless', '--bind', '0.0.0.0',
    '--port', '0', '--ws-port', '0', '--data-dir', dataDir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${out}`)), 15000);
    const onData = (/** @type {Buffer} */ b) => {
      out += b.toString();
      const http = out.match(/on this machine:\s+http:\/\/[^:/\s]+:(\d+)\//);
      const code = out.match(/join code:\s+([A-Z0-9]+)/);
      if (http && code) { clearTimeout(timer); resolve({ port: Number(http[1]), code: code[1] }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (b) => { out += b.toString(); });
    child.once('exit', (c) => { clearTimeout(timer); reject(new Error(`host exited ${c}:\n${out}`)); });
  });
  try {
    const { port, code } = /** @type {{port: number, code: string}} */ (await ready);
    return {
      port, code,
      async kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw e;
  }
}

/** @param {string} dir */
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * @param {string} [executablePath] e.g. a wrapper that runs Chromium inside a network namespace
 */
export async function launchBrowser(executablePath) {
  const browser = await chromium.launch({
    executablePath: executablePath || process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // The tests read English words: the UI takes the browser's language, so pin it whatever the machine's.
      '--lang=en-US'],
  });
  watchPages(browser);
  return browser;
}

/** @type {WeakMap<import('playwright-core').Browser, {pattern: RegExp, why: string}[]>} */
const allowed = new WeakMap();

/**
 * Lets console errors matching `pattern` pass in `browser`'s pages: only for
 * errors a test provokes on purpose (a refused request it checks, a host it
 * stops), each with why.
 * @param {import('playwright-core').Browser} browser @param {RegExp} pattern @param {string} why
 */
export function allowConsoleError(browser, pattern, why) {
  if (!why) throw new Error('say why the error is expected');
  allowed.get(browser)?.push({ pattern, why });
}

/**
 * Every page the browser opens reports what the host's Content-Security-Policy
 * blocked, its uncaught errors and its console errors; if there were any
 * (other than those `allowConsoleError` expects), closing the browser says
 * what and fails the test file (through its exit code, so that the file's
 * other clean-up still runs). So every browser test also checks that the UI
 * works under the policy and logs no error in any flow.
 * @param {import('playwright-core').Browser} browser
 */
function watchPages(browser) {
  /** @type {string[]} */
  const blocked = [];
  /** @type {string[]} */
  const errors = [];
  allowed.set(browser, []);
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    // English unless a test asks for another language (a fresh context has no saved `coco.lang`).
    const context = await newContext({ locale: 'en-US', ...options });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.documentURI}`);
      });
    });
    context.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const where = msg.location();
      const text = `${msg.text()}${where.url ? ` (${where.url}${where.lineNumber ? `:${where.lineNumber}` : ''})` : ''}`;
      if (/CSP violation|Content Security Policy/.test(msg.text())) blocked.push(text);
      else if (!allowed.get(browser)?.some((a) => a.pattern.test(text))) errors.push(text);
    });
    context.on('weberror', (e) => errors.push(`uncaught: ${e.error().message} (${e.page()?.url() ?? ''})`));
    return context;
  };
  const close = browser.close.bind(browser);
  browser.close = async (options) => {
    await close(options);
    if (blocked.length) {
      console.error(`the page broke the host's Content-Security-Policy:\n${blocked.join('\n')}`);
      process.exitCode = 1;
    }
    if (errors.length) {
      console.error(`the page logged errors:\n${errors.join('\n')}`);
      process.exitCode = 1;
    }
  };
  /** @type {any} */ (browser).policyViolations = blocked;
  /** @type {any} */ (browser).pageErrors = errors;
}

/**
 * Opens the board in a fresh context and joins with a name and seat.
 * @param {import('playwright-core').Browser} browser @param {string} url
 * @param {string} name @param {string} [seat] e.g. 'top-left'
 * @param {import('playwright-core').BrowserContextOptions} [contextOptions] e.g. a touch device's
 */
export async function join(browser, url, name, seat, contextOptions) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true, ...contextOptions });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error:`, e.message));
  /** @type {string[]} */
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.goto(url);
  try {
    await page.getByTestId('join-name').waitFor({ timeout: 20000 });
  } catch (e) {
    throw new Error(`[${name}] no join screen: ${await screensOf(page)}; console errors: ${consoleErrors.join(' | ') || 'none'}`, { cause: e });
  }
  await page.getByTestId('join-name').fill(name);
  if (seat) await page.getByTestId(`seat-${seat}`).click();
  await page.getByTestId('join-submit').click();
  await waitState(page, (s) => s.connection === 'connected');
  return { context, page };
}

/**
 * Which of the start screens a page shows, with its words: what a failed
 * join reports, so a join that never reaches the seat picker says why.
 * @param {import('playwright-core').Page} page
 */
export async function screensOf(page) {
  return page.evaluate(() => [...document.querySelectorAll('#screens > section')]
    .map((s) => `${s.id}${/** @type {HTMLElement} */ (s).hidden ? ' (hidden)' : ` shown: ${s.getAttribute('data-reason') ?? ''} ${(s.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 200)}`}`)
    .join('; ')).catch((e) => `page not readable: ${e.message}`);
}

/** The board's shapes as the page holds them. @param {import('playwright-core').Page} page @returns {Promise<any[]>} */
export const shapesOf = (page) => page.evaluate(() => /** @type {any} */ (window).coco.shapes());

/** The page's view of the board. @param {import('playwright-core').Page} page @returns {Promise<{scale: number, ox: number, oy: number}>} */
export const viewOf = (page) => page.evaluate(() => /** @type {any} */ (window).coco.view());

/**
 * Polls window.coco.state() until `pred` holds.
 * @param {import('playwright-core').Page} page
 * @param {(s: any) => boolean} pred @param {number} [timeout]
 */
export async function waitState(page, pred, timeout = 15000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await page.evaluate(() => /** @type {any} */ (window).coco?.state() ?? null).catch(() => null);
    if (last && pred(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`state never matched; last: ${JSON.stringify(last)}`);
}

/**
 * Draws a pencil stroke with the mouse, in canvas-relative pixels.
 * @param {import('playwright-core').Page} page
 * @param {{x: number, y: number}[]} points
 */
export async function stroke(page, points) {
  const box = await page.getByTestId('canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  await page.mouse.move(box.x + points[0].x, box.y + points[0].y);
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(box.x + p.x, box.y + p.y, { steps: 4 });
  await page.mouse.up();
}

/**
 * Columns of the canvas, between x0 and x1, where some pixel within 3 rows
 * of y is drawn in `rgb` (any opacity over a third): what a person would
 * see as a line of that colour along row y.
 * @param {import('playwright-core').Page} page @param {number} y @param {number} x0 @param {number} x1 @param {number[]} rgb
 */
export function inkAlong(page, y, x0, x1, rgb) {
  return page.evaluate(({ y, x0, x1, rgb }) => {
    const c = /** @type {HTMLCanvasElement} */ (document.getElementById('canvas'));
    const dpr = window.devicePixelRatio || 1;
    const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
    const top = Math.round((y - 3) * dpr), rows = Math.round(7 * dpr);
    const left = Math.round(x0 * dpr), width = Math.round((x1 - x0) * dpr);
    const px = ctx.getImageData(left, top, width, rows).data;
    let columns = 0;
    for (let x = 0; x < width; x++) {
      for (let r = 0; r < rows; r++) {
        const i = (r * width + x) * 4;
        if (px[i + 3] > 85 && Math.abs(px[i] - rgb[0]) < 40 && Math.abs(px[i + 1] - rgb[1]) < 40 && Math.abs(px[i + 2] - rgb[2]) < 40) { columns++; break; }
      }
    }
    return columns / dpr;
  }, { y, x0, x1, rgb });
}

/**
 * How many pixels within `r` of screen point (x, y) are drawn in `rgb` (at
 * more than a third of full opacity): what a person sees of a laser trail
 * there in that colour.
 * @param {import('playwright-core').Page} page @param {number} x @param {number} y @param {number} r @param {number[]} rgb
 */
export function inkNear(page, x, y, r, rgb) {
  return page.evaluate(({ x, y, r, rgb }) => {
    const c = /** @type {HTMLCanvasElement} */ (document.getElementById('canvas'));
    const dpr = window.devicePixelRatio || 1;
    const side = Math.round(2 * r * dpr);
    const d = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d')).getImageData(Math.round((x - r) * dpr), Math.round((y - r) * dpr), side, side).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 85 && Math.abs(d[i] - rgb[0]) < 40 && Math.abs(d[i + 1] - rgb[1]) < 40 && Math.abs(d[i + 2] - rgb[2]) < 40) n++;
    }
    return n / (dpr * dpr);
  }, { x, y, r, rgb });
}

/** A zig-zag stroke starting at (x, y). @param {number} x @param {number} y */
export function zigzag(x, y) {
  return [0, 1, 2, 3, 4].map((i) => ({ x: x + i * 20, y: y + (i % 2) * 30 }));
}

/**
 * One host and one browser for a whole test file: started before its first
 * test, handed to `use`, and stopped (data dir removed) after its last.
 * @param {(host: Host, browser: import('playwright-core').Browser) => void} use
 */
export function useHostAndBrowser(use) {
  /** @type {Host | undefined} */
  let host;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  before(async () => {
    host = await startHost();
    browser = await launchBrowser();
    use(host, browser);
  });
  after(async () => {
    await browser?.close();
    await host?.kill();
    if (host) removeDir(host.dataDir);
  });
}
