// @ts-check
/**
 * A full disk, in the browser: the host's data directory is on a small
 * tmpfs the test fills. The status line says the host is not saving and
 * how many changes wait; once the disk has room and the host restarts,
 * every stroke drawn meanwhile reaches the host and the other person.
 * Needs root (`mount`); skipped elsewhere, but CI must be able to run it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { startHost, launchBrowser, allowConsoleError, join, waitState, stroke, zigzag, artifacts } from './helpers.js';

/** @returns {{dir: string, why: string|null}} a 24 MiB tmpfs, or why there is none */
function mountSmallDisk() {
  const dir = mkdtempSync(joinPath(tmpdir(), 'coco-e2e-disk-'));
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { dir, why: 'not root' };
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir], { encoding: 'utf8' });
  return { dir, why: r.status === 0 ? null : `mount: ${(r.stderr || r.error?.message || '').trim()}` };
}

const disk = mountSmallDisk();
if (disk.why && process.env.CI) throw new Error(`CI must be able to mount a tmpfs: ${disk.why}`);
const filler = joinPath(disk.dir, 'filler');

/** Writes until the disk has no byte left. */
function fill() {
  const fd = openSync(filler, 'a');
  try {
    for (let size = 1 << 20; size >= 1;) {
      try { writeSync(fd, Buffer.alloc(size, 0xa5)); } catch { size = Math.floor(size / 2); }
    }
  } finally {
    closeSync(fd);
  }
}

/** @type {import('playwright-core').Browser} */
let browser;
before(async () => {
  if (disk.why) return;
  browser = await launchBrowser();
  allowConsoleError(browser, /ERR_CONNECTION_REFUSED/, 'the test stops the host and starts it again: until it is back, every attempt to reach it is refused');
});
after(async () => {
  await browser?.close();
  if (!disk.why) spawnSync('umount', ['-l', disk.dir]);
  rmSync(disk.dir, { recursive: true, force: true });
});

test('a full disk: the status line says the host is not saving, and nothing drawn is lost', { skip: disk.why ? `cannot mount a tmpfs here (${disk.why})` : false }, async () => {
  const dataDir = joinPath(disk.dir, 'data');
  mkdirSync(dataDir);
  let host = await startHost({ dataDir });
  const { port, wsPort } = host;
  const url = `${host.url}?room=disk`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'top-right');
  try {
    await stroke(a.page, zigzag(100, 100));
    await waitState(a.page, (s) => s.unacked === 0 && s.shapesCount === 1);

    fill();
    // Keep drawing until the host finds it cannot save.
    let drawn = 1;
    for (; drawn < 40; drawn++) {
      await stroke(a.page, zigzag(60 + (drawn % 10) * 60, 160 + Math.floor(drawn / 10) * 60));
      const s = await a.page.evaluate(() => /** @type {any} */ (window).coco.state());
      if (s.storageProblem) break;
    }
    drawn += 1;
    const stuck = await waitState(a.page, (s) => !!s.storageProblem && s.unacked >= 1);
    assert.match(stuck.storageProblem, /cannot save.*free space/);
    const conn = a.page.getByTestId('conn');
    assert.match(await conn.textContent() ?? '', /Connected · not saving on the host · \d+ changes? not saved on host/);
    assert.match(await conn.getAttribute('title') ?? '', /free space/);
    // The other person is told too.
    await waitState(b.page, (s) => !!s.storageProblem);
    await a.page.screenshot({ path: `${artifacts}/full-disk.png` });

    // Room again, and a restart (sled keeps its error until reopened).
    await host.kill('SIGKILL');
    rmSync(filler);
    host = await startHost({ dataDir, port, wsPort });
    await waitState(a.page, (s) => s.connection === 'connected' && s.unacked === 0 && !s.storageProblem && s.shapesCount === drawn, 20000);
    await waitState(b.page, (s) => s.shapesCount === drawn && !s.storageProblem, 20000);
    assert.match(await conn.textContent() ?? '', /Connected · saved on host/);
    // On the host's disk: a newcomer gets all of it.
    const c = await join(browser, url, 'Cy', 'bottom-left');
    await waitState(c.page, (s) => s.shapesCount === drawn);
    await c.context.close();
  } finally {
    await a.context.close();
    await b.context.close();
    await host.kill();
  }
});
