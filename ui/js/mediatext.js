// @ts-check
/**
 * The words of the media parts (pictures, enhancement, storyboard, video)
 * that are not fixed text: the host's job messages in the UI's language,
 * and seconds and file sizes in the language's digits.
 *
 * The host reports a job's stage and its errors in English, with an error
 * code. In English its own words are shown (they are written for people);
 * in another language a stage or a code the catalog knows is said in that
 * language, and anything else falls back to the host's words.
 */
import { t, language, formatNumber } from './i18n.js';

/** The host's progress messages (jobs::runner, jobs::kinds), the key and the values each one carries. */
const STAGES = /** @type {[RegExp, string, string[]][]} */ ([
  [/^waiting for its turn$/, 'media.job.queued', []],
  [/^started$/, 'media.job.started', []],
  [/^done$/, 'media.job.done', []],
  [/^cancelled$/, 'media.job.cancelled', []],
  [/^reading the sketch$/, 'media.job.readingSketch', []],
  [/^asking Gemini \((.+)\)$/, 'media.job.askingGemini', ['model']],
  [/^asking Gemini again \(attempt (\d+)\)$/, 'media.job.askingAgain', ['n']],
  [/^.*; trying again in (\d+) s$/, 'media.job.retryIn', ['seconds']],
  [/^enhancing on this computer$/, 'media.job.enhancingHere', []],
  [/^storing the picture$/, 'media.job.storing', []],
  [/^reading the pictures$/, 'media.job.readingPictures', []],
  [/^reading picture (\d+) of (\d+)$/, 'media.job.readingPicture', ['n', 'count']],
  [/^Gemini is writing the story$/, 'media.job.writingStory', []],
  [/^Gemini is reading the narration aloud: (\d+) of (\d+) lines$/, 'media.job.readingAloud', ['n', 'count']],
  [/^frame (\d+) of (\d+)$/, 'media.job.frame', ['n', 'count']],
  [/^interrupted by restart$/, 'media.job.error.interrupted', []],
]);

/**
 * A job's progress message as people read it, or '' when there is none.
 * @param {unknown} message the host's `job.message`
 */
export function stageText(message) {
  const said = typeof message === 'string' ? message.trim() : '';
  if (!said || language() === 'en') return said;
  for (const [re, key, names] of STAGES) {
    const m = re.exec(said);
    if (!m) continue;
    /** @type {Record<string, string|number>} */
    const vars = {};
    names.forEach((name, i) => { vars[name] = /^\d+$/.test(m[i + 1]) ? Number(m[i + 1]) : m[i + 1]; });
    if (names.includes('seconds')) vars.seconds = seconds(Number(vars.seconds) * 1000);
    return t(key, vars);
  }
  return said;
}

/**
 * A job's error as people read it: the catalog's sentence for its code
 * outside English, else the host's message, else `fallback`.
 * @param {{code?: string, message?: string}|undefined|null} error @param {string} fallback
 */
export function errorText(error, fallback) {
  const said = typeof error?.message === 'string' ? error.message.trim() : '';
  const code = typeof error?.code === 'string' ? error.code : '';
  if (language() !== 'en' || !said) {
    const key = `media.job.error.${code}`;
    const known = code && t(key);
    if (known && known !== key) return known;
  }
  return said || fallback;
}

/** Seconds to a tenth, e.g. "4.5 s" / "4,5 s" / "٤٫٥ ث". @param {number} ms */
export function seconds(ms) {
  return t('media.seconds', { n: formatNumber(Math.round(ms / 100) / 10, { maximumFractionDigits: 1 }) });
}

/** A file's size, e.g. "2.4 MB", "310 kB". @param {number} bytes */
export function fileSize(bytes) {
  const mb = 1024 * 1024;
  return bytes >= mb
    ? formatNumber(bytes / mb, { style: 'unit', unit: 'megabyte', minimumFractionDigits: 1, maximumFractionDigits: 1 })
    : formatNumber(Math.max(1, Math.round(bytes / 1024)), { style: 'unit', unit: 'kilobyte' });
}

/** Whole megabytes, e.g. "25 MB". @param {number} bytes */
export function megabytes(bytes) {
  return formatNumber(Math.round(bytes / 1024 / 1024), { style: 'unit', unit: 'megabyte' });
}

/** A picture's size in pixels, "1280 × 720", in the language's digits without grouping. @param {number} w @param {number} h @param {string} [sep] */
export function pixels(w, h, sep = ' × ') {
  const n = (/** @type {number} */ v) => formatNumber(Math.round(v), { useGrouping: false });
  return `${n(w)}${sep}${n(h)}`;
}

/**
 * Text from the catalog that a language switch says again (i18n.applyTo):
 * the attributes of an element whose text is `key` (and whose `attr` is `attrKey`).
 * @param {string} key @param {Record<string, string>} [attrs] attribute → key
 */
export function said(key, attrs = {}) {
  /** @type {Record<string, string>} */
  const out = key ? { 'data-i18n': key } : {};
  const data = { 'aria-label': 'label', title: 'title', placeholder: 'placeholder', alt: 'alt' };
  for (const [attr, k] of Object.entries(attrs)) {
    out[attr] = t(k);
    out[`data-i18n-${data[/** @type {keyof typeof data} */ (attr)]}`] = k;
  }
  return out;
}

/**
 * Why Gemini is off or its check failed (`/api/ai/status`'s `gemini`), without
 * a closing full stop: the host's words in English, else its check code's
 * sentence, else "no API key" (the one reason the host gives without a code).
 * @param {{available?: boolean, check?: string, reason?: string}} g
 */
export function geminiReason(g) {
  const said = String(g.reason || '').replace(/[.\s]+$/, '');
  if (language() === 'en' && said) return said;
  const code = g.check && g.check !== 'ok' && g.check !== 'pending' ? g.check : '';
  const key = `media.job.error.${code}`;
  const known = code ? t(key) : '';
  if (known && known !== key) return known;
  return language() === 'en' || !said || !code ? t('media.enhance.noKey') : said;
}

/**
 * A storyboard's name as people read it: the host names a new storyboard
 * "Storyboard N" (in English, it knows no language); until someone renames
 * it, that name is said in the UI's language.
 * @param {string} name
 */
export function storyboardName(name) {
  const m = /^Storyboard (\d+)$/.exec(name || '');
  return m ? t('media.story.numbered', { n: Number(m[1]) }) : name;
}
