// @ts-check
/**
 * The catalogs are complete: every key of the English catalog is in every
 * other with the same {placeholders} and plural shape, no catalog has a key
 * English lacks, and every key the UI names (t('…'), data-i18n…="…") exists.
 * No browser needed: the catalogs and the UI sources are read as files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from './helpers.js';

const ui = join(repo, 'ui');
const LANGS = ['en', 'de', 'ar'];
/** @type {Record<string, Record<string, string | Record<string, string>>>} */
const catalogs = {};
for (const l of LANGS) catalogs[l] = (await import(join(ui, 'js', 'lang', `${l}.js`))).default;
const en = catalogs.en;

/** @param {string | Record<string, string>} entry */
function placeholders(entry) {
  const texts = typeof entry === 'string' ? [entry] : Object.values(entry);
  return [...new Set(texts.flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();
}

/** Every UI source: index.html and the modules (not the catalogs). */
function sources() {
  const files = readdirSync(join(ui, 'js'), { recursive: true }).map(String)
    .filter((f) => f.endsWith('.js') && !f.startsWith('lang'))
    .map((f) => join(ui, 'js', f));
  return [join(ui, 'index.html'), ...files].map((f) => ({ f, text: readFileSync(f, 'utf8') }));
}

test('every catalog has exactly the English keys, placeholders and plural shape', () => {
  for (const l of LANGS.filter((x) => x !== 'en')) {
    const c = catalogs[l];
    assert.deepEqual(Object.keys(en).filter((k) => !(k in c)), [], `keys missing from ${l}.js`);
    assert.deepEqual(Object.keys(c).filter((k) => !(k in en)), [], `keys in ${l}.js that en.js lacks`);
    for (const k of Object.keys(en)) {
      assert.deepEqual(placeholders(c[k]), placeholders(en[k]), `${l}.js "${k}": placeholders differ from English`);
      assert.equal(typeof c[k], typeof en[k], `${l}.js "${k}": a plural in one catalog is plural in all`);
      if (typeof c[k] === 'object') assert.ok('other' in /** @type {object} */ (c[k]), `${l}.js "${k}" needs an "other" form`);
      assert.notEqual(placeholders(c[k]).length === 0 && String(c[k]).trim(), '', `${l}.js "${k}" is empty`);
    }
  }
  for (const [k, v] of Object.entries(en)) {
    if (typeof v === 'object') assert.ok('one' in v && 'other' in v, `en.js "${k}": a plural has "one" and "other"`);
  }
});

test('every key the UI names is in the English catalog, and every English key is used', () => {
  const used = new Set();
  /** Keys built at run time: `t(\`error.${code}\`)` uses every "error." key. */
  const prefixes = new Set();
  for (const { text } of sources()) {
    for (const m of text.matchAll(/\bt\(\s*'([^']+)'/g)) used.add(m[1]);
    for (const m of text.matchAll(/data-i18n(?:-\w+)?="([^"]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/['"]([a-z][\w-]*(?:\.[\w-]+)+)['"]/g)) if (m[1] in en) used.add(m[1]);
    for (const m of text.matchAll(/`([a-z][\w-]*(?:\.[\w-]+)*\.)\$\{/g)) prefixes.add(m[1]);
  }
  const missing = [...used].filter((k) => k.includes('.') && !k.startsWith('./') && !(k in en) && /^[a-z]/.test(k)
    && !/\.(js|css|html|png|svg|mp4)$/.test(k));
  assert.deepEqual(missing, [], 'keys the UI names that en.js lacks');
  const unused = Object.keys(en).filter((k) => !used.has(k) && ![...prefixes].some((p) => k.startsWith(p)));
  assert.deepEqual(unused, [], 'keys in en.js that no part of the UI uses');
});
