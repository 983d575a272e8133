// @ts-check
/**
 * "Sessions nearby": host B's join screen lists host A, found over mDNS, and
 * choosing it with A's code opens A's own page. A and B each run in a network
 * namespace, joined by a veth pair the test makes (mDNS stays on that link).
 * Chromium runs inside B's namespace, so B's page is the host's own machine
 * (as in its desktop window) and A is another machine on the LAN. A second
 * session also called "Host A" runs on B's machine: both are listed, each
 * with the address it opens, both marked as sharing a name, and the person
 * picks the one at A's address. Needs root and `ip`; skipped elsewhere, but CI
 * must be able to run it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { ip, startNsHost, removeDir, launchBrowser, artifacts } from './helpers.js';
import en from '../../ui/js/lang/en.js';

/** Shown under each of two or more sessions with the same name. */
const SAME_NAME = en['join.nearby.same_name'];

const pid = process.pid;
const NS_A = `coco-mdns-ea${pid}`;
const NS_B = `coco-mdns-eb${pid}`;
const subnet = `10.234.${pid % 250}`;
const aIp = `${subnet}.1`;
const bIp = `${subnet}.2`;

function deleteNamespaces() {
  // Deleting a namespace removes its end of the veth pair, and so the pair.
  for (const ns of [NS_A, NS_B]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

/** @returns {string|null} why the namespaces cannot be made here */
function createNamespaces() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  const [va, vb] = [`cne${pid % 100000}a`, `cne${pid % 100000}b`];
  const steps = [
    ['netns', 'add', NS_A],
    ['netns', 'add', NS_B],
    ['link', 'add', va, 'type', 'veth', 'peer', 'name', vb],
    ['link', 'set', va, 'netns', NS_A],
    ['link', 'set', vb, 'netns', NS_B],
    ['-n', NS_A, 'addr', 'add', `${aIp}/24`, 'dev', va],
    ['-n', NS_B, 'addr', 'add', `${bIp}/24`, 'dev', vb],
    // No IPv6 link-local addresses: one would appear a moment after the link
    // comes up, and Chromium in B, seeing its network change, fails the
    // page's requests in flight (ERR_NETWORK_CHANGED), so the join screen
    // never came (2 runs in 33). mDNS and the pages use IPv4 only.
    ['-n', NS_A, 'link', 'set', va, 'addrgenmode', 'none'],
    ['-n', NS_B, 'link', 'set', vb, 'addrgenmode', 'none'],
    ['-n', NS_A, 'link', 'set', va, 'multicast', 'on', 'up'],
    ['-n', NS_B, 'link', 'set', vb, 'multicast', 'on', 'up'],
    ['-n', NS_A, 'link', 'set', 'lo', 'up'],
    ['-n', NS_B, 'link', 'set', 'lo', 'up'],
  ];
  for (const step of steps) {
    const err = ip(step);
    if (err) { deleteNamespaces(); spawnSync('ip', ['link', 'del', va], { stdio: 'ignore' }); return err; }
  }
  return null;
}

const why = createNamespaces();
if (why && process.env.CI) throw new Error(`CI must be able to create network namespaces: ${why}`);
process.once('exit', deleteNamespaces);

test('host B lists host A under "Sessions nearby", and choosing it with the code opens A', { skip: why ? `cannot create network namespaces here (${why})` : false }, async () => {
  const tmp = mkdtempSync(joinPath(tmpdir(), 'coco-e2e-nearby-'));
  /** @type {{kill: () => Promise<void>}[]} */
  const hosts = [];
  /** @type {import('playwright-core').Browser|undefined} */
  let browser;
  try {
    const hostB = await startNsHost(NS_B, joinPath(tmp, 'b'), ['--name', 'Host B']);
    hosts.push(hostB);
    const hostA = await startNsHost(NS_A, joinPath(tmp, 'a'), ['--name', 'Host A']);
    hosts.push(hostA);
    const aReady = Date.now();
    // Another session with A's name, on B's machine.
    const twin = await startNsHost(NS_B, joinPath(tmp, 'twin'), ['--name', 'Host A']);
    hosts.push(twin);
    const quiet = await startNsHost(NS_B, joinPath(tmp, 'quiet'), ['--name', 'Quiet', '--no-mdns']);
    hosts.push(quiet);

    // Chromium on B's machine.
    const wrapper = joinPath(tmp, 'chromium-in-b');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NS_B} ${process.env.CHROMIUM_BIN || '/usr/bin/chromium'} "$@"\n`);
    chmodSync(wrapper, 0o755);
    browser = await launchBrowser(wrapper);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[nearby] page error:', e.message));

    await page.goto(`http://127.0.0.1:${hostB.port}/`);
    await page.getByTestId('screen-join').waitFor();
    const aAddress = `${aIp}:${hostA.port}`;
    const twinAddress = `${bIp}:${twin.port}`;
    const item = page.locator(`[data-testid="nearby-item"][data-address="${aAddress}"]`);
    const twinItem = page.locator(`[data-testid="nearby-item"][data-address="${twinAddress}"]`);
    await item.waitFor({ timeout: 15000 });
    await twinItem.waitFor({ timeout: 15000 });
    console.log(`host A and its twin listed on B's join screen ${Date.now() - aReady} ms after A was ready`);
    // Each shows its name, its address and the same-name mark.
    for (const { it, address } of [{ it: item, address: aAddress }, { it: twinItem, address: twinAddress }]) {
      const text = await it.innerText();
      assert.match(text, /Host A/);
      assert.equal(await it.getByTestId('nearby-address').innerText(), address);
      assert.equal(await it.getByTestId('nearby-same-name').innerText(), SAME_NAME);
      assert.match(text, /4 seats free · code needed/);
    }
    assert.equal(await page.getByTestId('nearby-item').filter({ hasText: 'Host A' }).count(), 2);
    assert.equal(await page.getByTestId('nearby-item').filter({ hasText: 'Host B' }).count(), 0, 'B does not list itself');
    // Both answer B's check (a session is listed before its first check)...
    await page.waitForFunction(async () => {
      const res = await fetch('/api/discovery', { cache: 'no-store' });
      const { sessions } = await res.json();
      return sessions.length === 2 && sessions.every((/** @type {any} */ s) => s.answers === true);
    }, undefined, { timeout: 30000, polling: 500 });
    // ...so the list has them by name, then address: A first, neither dimmed.
    await page.waitForFunction(([a, t]) => {
      const shown = [...document.querySelectorAll('[data-testid="nearby-address"]')].map((e) => e.textContent);
      return shown.length === 2 && shown[0] === a && shown[1] === t;
    }, [aAddress, twinAddress], { timeout: 15000 });
    assert.equal(await page.locator('.nearby-silent').count(), 0);
    await page.screenshot({ path: `${artifacts}/nearby-list.png` });

    // Choose A by its address, type A's code: A's own page, with the code, at A's address.
    await item.click();
    await page.getByTestId('nearby-code-form').waitFor();
    assert.equal(await page.locator('#nearby-code-label').innerText(), `Join code for Host A at ${aAddress}`);
    await page.getByTestId('nearby-code').fill(hostA.code.toLowerCase());
    await Promise.all([
      page.waitForURL(`http://${aIp}:${hostA.port}/?code=${hostA.code}`),
      page.getByTestId('nearby-go').click(),
    ]);
    await page.getByTestId('screen-join').waitFor();
    assert.equal(await page.locator('#join-session').innerText(), 'Host A');
    // A, in turn, lists B (its page asks with the code it was opened with).
    await page.getByTestId('nearby-item').filter({ hasText: 'Host B' }).waitFor({ timeout: 15000 });

    // A host that does not look says why nothing is listed, and what to do instead.
    await page.goto(`http://127.0.0.1:${quiet.port}/`);
    const hint = page.getByTestId('nearby-hint');
    await hint.filter({ hasText: 'No other sessions found on this network.' }).waitFor();
    // The network detail is there for who asks, not in everyone's way.
    const detail = page.getByTestId('nearby-why-text');
    assert.equal(await detail.isVisible(), false);
    await page.getByText('Nothing listed?').click();
    await detail.filter({ hasText: /UDP port 5353/ }).waitFor();
    const text = await detail.innerText();
    assert.match(text, /--no-mdns/);
    assert.match(text, /guest Wi-Fi/);
    assert.match(text, /VPN/);
    assert.equal(await page.getByTestId('nearby-item').count(), 0);
    await page.screenshot({ path: `${artifacts}/nearby-quiet.png` });
    await context.close();
  } finally {
    await browser?.close().catch(() => {});
    for (const h of hosts.reverse()) await h.kill().catch(() => {});
    deleteNamespaces();
    removeDir(tmp);
  }
});
