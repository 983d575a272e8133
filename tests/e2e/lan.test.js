// @ts-check
/**
 * A person on another machine joins with the link, not without it. Loopback
 * is trusted by the host, so the host runs in a network namespace joined to
 * this one by a veth pair (as in tests/lan.rs) and the browser opens it at
 * its namespace address. Needs root and `ip`; skipped elsewhere, but CI must
 * be able to run it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { ip, startNsHost, removeDir, launchBrowser, allowConsoleError, waitState, stroke, zigzag, artifacts } from './helpers.js';

const pid = process.pid;
const NS = `coco-e2e-${pid}`;
const subnet = `10.232.${pid % 250}`;
const outer = `vce${pid % 100000}`;
const inner = `vie${pid % 100000}`;
const nsIp = `${subnet}.2`;

function deleteNamespace() {
  // Deleting the namespace removes its end of the veth pair, and so the pair.
  spawnSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
}

/** Creates the namespace and the link. @returns {string|null} why it cannot be made here */
function createNamespace() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  const steps = [
    ['netns', 'add', NS],
    ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner],
    ['link', 'set', inner, 'netns', NS],
    ['addr', 'add', `${subnet}.1/24`, 'dev', outer],
    // No IPv6 link-local address on this machine's end: it would appear a
    // moment after the link comes up, and Chromium, seeing the network
    // change, fails the page's requests in flight (ERR_NETWORK_CHANGED).
    ['link', 'set', outer, 'addrgenmode', 'none'],
    ['link', 'set', outer, 'up'],
    ['-n', NS, 'addr', 'add', `${nsIp}/24`, 'dev', inner],
    ['-n', NS, 'link', 'set', inner, 'up'],
    ['-n', NS, 'link', 'set', 'lo', 'up'],
  ];
  for (const step of steps) {
    const err = ip(step);
    if (err) { deleteNamespace(); spawnSync('ip', ['link', 'del', outer], { stdio: 'ignore' }); return err; }
  }
  return null;
}

const why = createNamespace();
if (why && process.env.CI) throw new Error(`CI must be able to create a network namespace: ${why}`);
process.once('exit', deleteNamespace);

test('a LAN peer is refused without the code, with a wrong code, and joins and draws with the link', { skip: why ? `cannot create a network namespace here (${why})` : false }, async () => {
  const dataDir = mkdtempSync(joinPath(tmpdir(), 'coco-e2e-lan-'));
  /** @type {Awaited<ReturnType<typeof startNsHost>>|undefined} */
  let host;
  /** @type {import('playwright-core').Browser|undefined} */
  let browser;
  try {
    host = await startNsHost(NS, dataDir, ['--no-mdns']);
    const base = `http://${nsIp}:${host.port}/`;
    browser = await launchBrowser();
    allowConsoleError(browser, /status of 401 .*\/api\/session\?room=main(&code=[A-Z0-9]+)?\)$/, 'the test comes without the code, then with a wrong one, to see both refused');
    allowConsoleError(browser, /status of 401 .*\/img\/[0-9a-f]+\.png\)$/, 'the test asks for a picture without the code, to see it refused');
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[lan] page error:', e.message));

    // No code: the screen says to ask the host for the link or the code.
    await page.goto(base);
    const screen = page.getByTestId('screen-code');
    await screen.waitFor();
    assert.match(await screen.innerText(), /ask the host for the join link or code/i);
    assert.equal(await page.getByTestId('board').isVisible(), false);

    // A wrong code: still refused, and it says so.
    const wrong = host.code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    await page.getByTestId('code-input').fill(wrong);
    await Promise.all([page.waitForURL(/code=/), page.getByTestId('code-input').press('Enter')]);
    await screen.waitFor();
    await page.getByTestId('code-error').filter({ hasText: /not accepted/i }).waitFor();
    assert.match(await screen.innerText(), /ask the host/i);
    await page.screenshot({ path: `${artifacts}/lan-wrong-code.png` });
    await context.close();

    // The link with the right code: joins and draws, and the host has it on disk.
    const ctx2 = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const p2 = await ctx2.newPage();
    p2.on('pageerror', (e) => console.error('[lan] page error:', e.message));
    await p2.goto(`${base}?code=${host.code}`);
    await p2.getByTestId('join-name').fill('Lan');
    await p2.getByTestId('join-submit').click();
    await waitState(p2, (s) => s.connection === 'connected');
    await stroke(p2, zigzag(200, 200));
    await waitState(p2, (st) => st.shapesCount === 1 && st.unacked === 0);

    // Pictures need the code too: the page sends it with the upload and with the image's URL.
    const b64 = await p2.evaluate(() => {
      const cv = document.createElement('canvas');
      cv.width = 20; cv.height = 20;
      const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
      ctx.fillStyle = '#2f9e44';
      ctx.fillRect(0, 0, 20, 20);
      return cv.toDataURL('image/png').split(',')[1];
    });
    await p2.getByTestId('image-file').setInputFiles({ name: 'g.png', mimeType: 'image/png', buffer: Buffer.from(b64, 'base64') });
    await waitState(p2, (st) => st.shapesCount === 2 && st.unacked === 0);
    const path = await p2.evaluate(() => /** @type {any} */ (window).coco.shapes().find((/** @type {any} */ x) => x.type === 'image')?.image);
    assert.match(String(path), /^\/img\//);
    const [withCode, without] = await p2.evaluate(async ([p, c]) => [
      (await fetch(`${p}?code=${c}`)).status, (await fetch(p)).status,
    ], [path, host.code]);
    assert.equal(withCode, 200);
    assert.equal(without, 401);
    await ctx2.close();
  } finally {
    await browser?.close().catch(() => {});
    await host?.kill().catch(() => {});
    deleteNamespace();
    removeDir(dataDir);
  }
});
