// @ts-check
/**
 * The host's edges in a real browser: the page headers, a web site that
 * frames the board or posts to the host, and a name rebound to 127.0.0.1.
 * `evil.example` is mapped to 127.0.0.1 inside Chromium only (a resolver
 * rule), as a rebinding attacker's DNS would do it; nothing leaves loopback.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { startHost, removeDir, join, stroke, zigzag, waitState } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('node:http').Server} */
let site;
let sitePort = 0;
/** What the attacker's page is, per path. @type {Map<string, string>} */
const pages = new Map();

before(async () => {
  host = await startHost();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP evil.example 127.0.0.1'],
  });
  site = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(pages.get(req.url || '/') || '<p>nothing</p>');
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', () => resolve(undefined)));
  sitePort = /** @type {import('node:net').AddressInfo} */ (site.address()).port;
});

after(async () => {
  await browser?.close();
  site?.close();
  await host?.kill();
  if (host) removeDir(host.dataDir);
});

/** @param {string} path */
async function api(path) {
  const res = await fetch(new URL(path, host.url));
  return res.json();
}

test('the board works under its Content-Security-Policy, and the page says so in its headers', async () => {
  const { launchBrowser } = await import('./helpers.js');
  const strict = await launchBrowser();
  try {
    const context = await strict.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const answer = await page.goto(host.url);
    const headers = answer?.headers() || {};
    assert.match(headers['content-security-policy'] || '', /default-src 'self'/);
    assert.match(headers['content-security-policy'] || '', /frame-ancestors 'none'/);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['referrer-policy'], 'no-referrer');
    await context.close();
    const { page: board } = await join(strict, host.url, 'Ada');
    await stroke(board, zigzag(120, 120));
    await waitState(board, (s) => s.shapesCount === 1 && s.unacked === 0);
    // The service worker, the socket and the stylesheet all loaded: nothing was blocked.
    assert.deepEqual(/** @type {any} */ (strict).policyViolations, []);
  } finally {
    await strict.close(); // fails if the policy blocked anything on any page
  }
});

test('another web site cannot frame the board', async () => {
  pages.set('/frame', `<iframe id="f" src="${host.url}" width="800" height="600"></iframe>`);
  const context = await browser.newContext();
  const page = await context.newPage();
  /** @type {string[]} */
  const refused = [];
  page.on('console', (m) => { if (/frame-ancestors|Refused to frame/.test(m.text())) refused.push(m.text()); });
  await page.goto(`http://evil.example:${sitePort}/frame`);
  await page.waitForTimeout(500);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  const inside = frame ? await frame.evaluate(() => !!document.querySelector('[data-testid="join-name"]')).catch(() => false) : false;
  assert.equal(inside, false, 'the board must not render inside another site');
  assert.ok(refused.length > 0, 'Chromium reports the refused frame');
  await context.close();
});

/** A POST with a JSON body from this test (no Origin: not a browser). @param {string} path @param {any} body */
async function post(path, body) {
  const res = await fetch(new URL(path, host.url), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return res.json();
}

/** A 1×1 PNG. */
const DOT = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

test('a web site the host user visits cannot change the room', async () => {
  // Something to lose: a storyboard frame the clear would remove.
  const up = await post('/api/save-image', { imageData: `data:image/png;base64,${DOT}` });
  await post('/api/storyboard/add', { imagePath: up.path });
  const before = await api('/api/storyboard');
  assert.match(JSON.stringify(before), new RegExp(up.path), 'the storyboard has the frame');
  const health = await api('/api/health');
  pages.set('/csrf', `<script>
    const h = ${JSON.stringify(host.url)};
    window.done = Promise.allSettled([
      fetch(h + 'api/storyboard/clear', { method: 'POST', mode: 'no-cors', body: '' }),
      fetch(h + 'api/storyboards', { method: 'POST', mode: 'no-cors', body: '{"name":"spam"}' }),
      fetch(h + 'api/host/open', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"open":true}' }),
      fetch(h + 'api/generate-video', { method: 'POST', mode: 'no-cors', body: '{}' }),
    ]).then(() => 'sent');
  </script>`);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://evil.example:${sitePort}/csrf`);
  assert.equal(await page.evaluate(() => /** @type {any} */ (window).done), 'sent');
  assert.deepEqual(await api('/api/storyboard'), before);
  assert.equal((await api('/api/health')).codeRequired, health.codeRequired);
  const boards = await api('/api/storyboards?room=main');
  assert.ok(!boards.storyboards.some((/** @type {any} */ b) => b.name === 'spam'));
  await context.close();
});

test('a name rebound to 127.0.0.1 reaches nothing', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const answer = await page.goto(`http://evil.example:${host.port}/`);
  assert.equal(answer?.status(), 421);
  assert.match(await page.textContent('body') || '', /does not answer to the name/);
  const info = await page.evaluate(async () => {
    const res = await fetch('/api/host/info');
    return { status: res.status, body: await res.text() };
  });
  assert.equal(info.status, 421);
  assert.doesNotMatch(info.body, /"code":"[A-Z0-9]{6}"/);
  await context.close();
});
