// @ts-check
/** The join-link QR code decodes to the link (checked with zbarimg when installed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeQr } from '../../ui/js/qr.js';

const hasZbar = spawnSync('zbarimg', ['--version']).status === 0;

/** A PGM picture of the code, 4 pixels a module. @param {boolean[][]} m */
function pgm(m) {
  const s = 4, n = (m.length + 8) * s;
  const rows = [];
  for (let y = 0; y < n; y++) {
    const row = [];
    for (let x = 0; x < n; x++) {
      const mx = Math.floor(x / s) - 4, my = Math.floor(y / s) - 4;
      row.push(m[my]?.[mx] ? 0 : 255);
    }
    rows.push(row.join(' '));
  }
  return `P2\n${n} ${n}\n255\n${rows.join('\n')}\n`;
}

test('QR codes of every supported size decode to their text', { skip: hasZbar ? false : 'zbarimg not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'coco-qr-'));
  const texts = ['http://192.168.1.20:5001/?code=K7PX3M', `http://10.0.0.7:5001/?code=ABCDEF&room=${'r'.repeat(60)}`, 'Z'.repeat(200)];
  for (const [i, text] of texts.entries()) {
    const m = encodeQr(text);
    assert.ok(m);
    const file = join(dir, `qr${i}.pgm`);
    writeFileSync(file, pgm(m));
    const out = spawnSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8' });
    assert.equal(out.stdout.trim(), text);
  }
});

test('text too long for version 10 gives no code', () => {
  assert.equal(encodeQr('x'.repeat(300)), null);
});
