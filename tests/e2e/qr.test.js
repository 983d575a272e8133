// @ts-check
/**
 * The host panel's QR code is made by the host and decodes to the join link
 * the panel shows (read with zbarimg from a screenshot of the panel), for
 * the default room and for a long room name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { useHostAndBrowser, join } from './helpers.js';

const hasZbar = spawnSync('zbarimg', ['--version']).status === 0;

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => { host = h; browser = b; });

test('the QR code in the host panel decodes to the join link', { skip: hasZbar ? false : 'zbarimg not installed' }, async () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'coco-qr-'));
  for (const room of ['main', `class-${'r'.repeat(55)}`]) {
    const page = (await join(browser, `${host.adminUrl}&room=${room}`, 'Teacher')).page;
    try {
      const image = page.getByTestId('host-qr-image');
      await image.waitFor();
      await page.waitForFunction(() => /** @type {HTMLImageElement|null} */ (document.querySelector('[data-testid=host-qr-image]'))?.naturalWidth);
      const link = await page.getByTestId('host-url').inputValue();
      assert.match(link, /[?&]code=[A-Z2-9]{6}/, 'the link carries the code');
      if (room !== 'main') assert.ok(link.includes(`room=${room}`), link);
      const file = joinPath(dir, `${room.length}.png`);
      writeFileSync(file, await image.screenshot());
      const out = spawnSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8' });
      assert.equal(out.stdout.trim(), link);
    } finally {
      await page.context().close();
    }
  }
});
