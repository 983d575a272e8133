// @ts-check
/**
 * The UI's languages: every string a person reads comes from a catalog
 * (`lang/en.js`, `lang/de.js`, `lang/ar.js`), looked up by key. The language
 * is the one chosen on the join screen, else the browser's first language we
 * have, else English. Arabic is laid out right to left (`dir` on <html>); the
 * board itself keeps its coordinates.
 *
 * Static text in index.html names its key: `data-i18n="key"` for the text,
 * `data-i18n-label`, `data-i18n-title`, `data-i18n-placeholder` and
 * `data-i18n-alt` for those attributes. Text built in JS calls `t(key, vars)`.
 * A catalog value may be an object of plural forms (`one`, `other`, and for
 * Arabic also `zero`, `two`, `few`, `many`), picked by `vars.count`.
 */
import en from './lang/en.js';
import de from './lang/de.js';
import ar from './lang/ar.js';

/** @typedef {string | Partial<Record<Intl.LDMLPluralRule, string>>} Entry */
/** @typedef {Record<string, Entry>} Catalog */

/** @type {Record<string, {name: string, dir: 'ltr'|'rtl', catalog: Catalog}>} */
export const LANGUAGES = {
  en: { name: 'English', dir: 'ltr', catalog: en },
  de: { name: 'Deutsch', dir: 'ltr', catalog: de },
  ar: { name: 'العربية', dir: 'rtl', catalog: ar },
};

const LANG_KEY = 'coco.lang';

/** @returns {string} the language to start in */
function initial() {
  const saved = safeGet(LANG_KEY);
  if (saved && saved in LANGUAGES) return saved;
  // No navigator outside a browser (a module test in Node): English.
  for (const l of typeof navigator === 'undefined' ? [] : navigator.languages || [navigator.language]) {
    const base = String(l).toLowerCase().split('-')[0];
    if (base in LANGUAGES) return base;
  }
  return 'en';
}

/** @param {string} k */
function safeGet(k) { try { return localStorage.getItem(k); } catch { return null; } }

let current = initial();
let plurals = new Intl.PluralRules(current);
/** @type {Set<() => void>} */
const listeners = new Set();

/** @returns {string} the current language code (en, de, ar) */
export function language() { return current; }

/**
 * The text for `key` in the current language, `{name}` placeholders filled
 * from `vars`. A key missing from a catalog falls back to English (the
 * catalog test keeps them complete), a key missing from English shows itself.
 * @param {string} key @param {Record<string, string|number>} [vars]
 */
export function t(key, vars = {}) {
  const entry = LANGUAGES[current].catalog[key] ?? en[key];
  if (entry === undefined) return key;
  let text;
  if (typeof entry === 'string') text = entry;
  else {
    const n = Number(vars.count ?? 0);
    // Arabic has its own form for 0, 2…; others say "0 seats" with `other`.
    text = entry[n === 0 && entry.zero !== undefined ? 'zero' : plurals.select(n)] ?? entry.other ?? '';
  }
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? format(vars[name]) : m));
}

/** Numbers in the language's own digits and grouping. @param {string|number} v */
function format(v) { return typeof v === 'number' ? new Intl.NumberFormat(current).format(v) : v; }

/**
 * Switches the language, remembers it for this browser, lays out the page
 * and tells every part that draws text.
 * @param {string} lang
 */
export function setLanguage(lang) {
  if (!(lang in LANGUAGES)) return;
  current = lang;
  plurals = new Intl.PluralRules(lang);
  try { localStorage.setItem(LANG_KEY, lang); } catch { /* private mode: for this page only */ }
  applyTo(document);
  for (const f of listeners) f();
}

/**
 * Calls `f` after every language switch (parts that build text in JS draw it again).
 * @param {() => void} f @returns {() => void} stops listening
 */
export function onLanguage(f) { listeners.add(f); return () => listeners.delete(f); }

const ATTRS = /** @type {const} */ ([['label', 'aria-label'], ['title', 'title'], ['placeholder', 'placeholder'], ['alt', 'alt']]);

/**
 * Fills the static text of `root` (index.html's `data-i18n*` attributes)
 * and sets the page's language and direction.
 * @param {Document|HTMLElement} root
 */
export function applyTo(root) {
  const html = document.documentElement;
  html.lang = current;
  html.dir = LANGUAGES[current].dir;
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(/** @type {string} */ (/** @type {HTMLElement} */ (e).dataset.i18n));
  for (const [data, attr] of ATTRS) {
    const name = `i18n${data[0].toUpperCase()}${data.slice(1)}`;
    for (const e of root.querySelectorAll(`[data-i18n-${data}]`)) {
      e.setAttribute(attr, t(/** @type {string} */ (/** @type {HTMLElement} */ (e).dataset[name])));
    }
  }
}

/** A duration, e.g. "1 min 5 s" / "1 Min. 5 Sek." @param {number} ms */
export function formatDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const unit = (/** @type {string} */ u, /** @type {number} */ n) =>
    new Intl.NumberFormat(current, { style: 'unit', unit: u, unitDisplay: 'short' }).format(n);
  if (s < 60) return unit('second', s);
  const m = Math.floor(s / 60);
  return s % 60 ? `${unit('minute', m)} ${unit('second', s % 60)}` : unit('minute', m);
}

/** A moment of today or another day, in the language's way. @param {number|Date} when */
export function formatTime(when) {
  const d = new Date(when);
  const today = new Date().toDateString() === d.toDateString();
  return new Intl.DateTimeFormat(current, today ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** Number formats by language and options: making one costs far more than using it (the shapes list formats thousands). @type {Map<string, Intl.NumberFormat>} */
const numberFormats = new Map();

/** A number in the language's digits. @param {number} n @param {Intl.NumberFormatOptions} [o] */
export function formatNumber(n, o) {
  const key = o ? `${current} ${JSON.stringify(o)}` : current;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, f = new Intl.NumberFormat(current, o));
  return f.format(n);
}

/**
 * The language switch on the join screens: each language named in itself,
 * the current one chosen.
 * @param {HTMLSelectElement} select
 */
export function startLanguageSwitch(select) {
  select.replaceChildren(...Object.entries(LANGUAGES).map(([code, l]) => {
    const o = document.createElement('option');
    o.value = code;
    o.lang = code;
    o.textContent = l.name;
    return o;
  }));
  select.value = current;
  select.addEventListener('change', () => setLanguage(select.value));
}
