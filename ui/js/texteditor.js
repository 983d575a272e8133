// @ts-check
/**
 * The text editor: a textarea over the board where a text is typed or
 * edited in place, showing the text exactly as it will be placed.
 */
import { textFont, textSize, linesWidth, cssTextDrop, LINE_HEIGHT } from './text.js';
import { t } from './i18n.js';

/**
 * Longest text placed at once, in characters: a choice of this UI (the host
 * bounds a text only by the size of a shape, far above it).
 */
const MAX_TEXT = 5000;

/**
 * A textarea in `parent` at (sx, sy), where the text's top left will be;
 * `done` gets the text (trailing space trimmed) when Enter is pressed or
 * focus leaves, or `cancelled` on Escape. It shows the text as it will be
 * placed: the same font, size (at the view's zoom `scale`), colour, opacity
 * and line height, never wrapped, growing as one types. `typed` is told the
 * text so far at the start and on every change (`changed` follows a change),
 * and null once it ends, before `done`.
 * @param {{parent: HTMLElement, sx: number, sy: number, scale: number, style: import('./board.js').Style, initial: string,
 *   typed: (text: string|null) => void, changed: () => void, done: (text: string, cancelled: boolean) => void}} o
 */
export function textEditor(o) {
  const { style, initial } = o;
  const ta = document.createElement('textarea');
  ta.className = 'text-editor';
  ta.setAttribute('aria-label', initial ? t('board.text.edit') : t('board.text.new'));
  ta.setAttribute('wrap', 'off');
  ta.spellcheck = false;
  ta.dataset.testid = 'text-editor';
  const px = textSize({ style }) * o.scale;
  ta.style.left = `${o.sx}px`;
  ta.style.top = `${o.sy - cssTextDrop(px)}px`;
  ta.style.font = textFont(px);
  ta.style.lineHeight = `${px * LINE_HEIGHT}px`;
  ta.style.color = style?.strokeColor || '#000';
  ta.style.opacity = String(typeof style?.opacity === 'number' ? style.opacity : 1);
  ta.value = initial;
  /** Sized to the text (one line's height and a caret's width when empty). */
  const fit = () => {
    const lines = ta.value.split('\n');
    ta.style.width = `${Math.ceil(linesWidth(lines, px)) + 2}px`;
    ta.style.height = `${lines.length * px * LINE_HEIGHT}px`;
  };
  fit();
  o.typed(initial);
  ta.addEventListener('input', () => {
    fit();
    o.typed(ta.value.slice(0, MAX_TEXT));
    o.changed();
  });
  let finished = false;
  /** @param {boolean} cancelled */
  const finish = (cancelled) => {
    if (finished) return;
    finished = true;
    const text = ta.value.replace(/\s+$/, '').slice(0, MAX_TEXT);
    ta.remove();
    o.typed(null);
    o.done(cancelled ? '' : text, cancelled);
    o.changed();
  };
  ta.addEventListener('keydown', (ev) => {
    ev.stopPropagation();
    if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); finish(false); }
    if (ev.key === 'Escape') finish(true);
  });
  ta.addEventListener('blur', () => finish(false));
  o.parent.appendChild(ta);
  ta.focus();
  if (initial) ta.select();
}
