// @ts-check
/** The UI modules and these tests type-check (JSDoc types, `// @ts-check`). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

test('tsc --noEmit passes on ui/js and tests/e2e', () => {
  const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(here, 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
});

test('the service worker keeps every UI module for an offline reload', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const ui = join(here, '..', '..', 'ui');
  const sw = readFileSync(join(ui, 'sw.js'), 'utf8');
  const missing = readdirSync(join(ui, 'js'), { recursive: true })
    .map((f) => String(f).replaceAll('\\', '/'))
    .filter((f) => f.endsWith('.js'))
    .filter((f) => !sw.includes(`'/js/${f}'`));
  assert.deepEqual(missing, [], 'add these to SHELL in ui/sw.js');
});
