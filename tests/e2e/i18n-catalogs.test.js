// @ts-check
/**
 * The catalogs are complete: every key of the English catalog is in every
 * other with the same {placeholders} and plural shape, no catalog has a key
 * English lacks, and every key the UI names (t('…'), data-i18n…="…") exists;
 * and no words are drawn on a canvas from a literal in the code (what the
 * page-text checks of the browser tests cannot see). No browser needed: the
 * catalogs and the UI sources are read as files.
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

/**
 * The first argument of each `fillText(`/`strokeText(` call in `text`, as
 * written (brackets, quotes and template literals balanced).
 * @param {string} text @returns {string[]}
 */
function drawnTextArgs(text) {
  const out = [];
  for (const m of text.matchAll(/\b(?:fillText|strokeText)\(/g)) {
    /** @type {string[]} open brackets and template literals */
    const open = [];
    const start = /** @type {number} */ (m.index) + m[0].length;
    let i = start;
    for (; i < text.length; i++) {
      const c = text[i];
      if (open[open.length - 1] === '`') {
        if (c === '\\') i++;
        else if (c === '`') open.pop();
        else if (c === '$' && text[i + 1] === '{') { open.push('{'); i++; }
      } else if (c === "'" || c === '"') {
        for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      } else if (c === '`' || c === '(' || c === '[' || c === '{') open.push(c);
      else if (c === ')' || c === ']' || c === '}') { if (!open.length) break; open.pop(); }
      else if (c === ',' && !open.length) break;
    }
    out.push(text.slice(start, i).trim());
  }
  return out;
}

/**
 * Words written in the code of an expression: its string and template
 * literals, less the catalog keys handed to `t(…)` and what `${…}` puts in.
 * @param {string} expr @returns {string[]}
 */
function literalWords(expr) {
  const rest = expr.replace(/\bt\(\s*(['"`])[^'"`]*\1/g, 't(');
  const literals = [...rest.matchAll(/'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)"|`((?:\\.|[^`\\])*)`/g)]
    .map((m) => (m[1] ?? m[2] ?? m[3] ?? '').replace(/\$\{[^}]*\}/g, ' '));
  return literals.flatMap((l) => l.match(/\p{L}{2,}/gu) || []);
}

/**
 * The words drawn on a canvas from literals in `text`: written in the call,
 * or in the `const`/`let` the call draws.
 * @param {string} text @returns {string[]}
 */
function drawnLiterals(text) {
  const bad = [];
  for (const arg of drawnTextArgs(text)) {
    const exprs = [arg];
    if (/^[A-Za-z_$][\w$]*$/.test(arg)) {
      for (const d of text.matchAll(new RegExp(`\\b(?:const|let|var)\\s+${arg.replace(/\$/g, '\\$')}\\s*=\\s*([^;\\n]+)`, 'g'))) exprs.push(d[1]);
    }
    for (const e of exprs) if (literalWords(e).length) bad.push(`${arg}: ${e}`);
  }
  return bad;
}

test('no words are drawn on a canvas from a literal: what the board draws as text comes from the catalogs (or is the people\'s own)', () => {
  // The check finds what it is for: an English label built in a template literal, or written in the call.
  assert.equal(drawnLiterals('const label = `${u.name} sees this`;\nctx.fillText(label, x + 6, y + 4);').length, 1);
  assert.equal(drawnLiterals('ctx.fillText(\'Loading…\', 0, 0);').length, 1);
  assert.equal(drawnLiterals('ctx.strokeText(`${n} left`, 0, 0);').length, 1);
  // ... and lets through the catalogs' words and the people's own.
  assert.deepEqual(drawnLiterals('const label = t(\'board.follow.sees\', { name: u.name });\nctx.fillText(label, x + 6, y + 4);'), []);
  assert.deepEqual(drawnLiterals('ctx.fillText(c.name, x + 17, y + 25);\nlines.forEach((line, i) => ctx.fillText(line, a.x, a.y + i * size));'), []);
  assert.deepEqual(drawnLiterals('ctx.fillText(`${a} · ${b}`, 0, 0);'), []);
  const bad = sources().filter(({ f }) => f.endsWith('.js')).flatMap(({ f, text }) => drawnLiterals(text).map((x) => `${f}: ${x}`));
  assert.deepEqual(bad, [], 'text drawn on a canvas that no catalog holds');
});
