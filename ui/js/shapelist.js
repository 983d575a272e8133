// @ts-check
/**
 * The board for a screen reader: the canvas is pixels, so its shapes are
 * also a list (hidden from sight, next to the canvas) that says of each
 * what it is, its colour, where it is, who drew it and a text's words.
 */

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Bounds} Bounds */

/** How long changes gather before the list is brought up to date: a stroke storm rebuilds it a few times a second, not per point. */
export const LIST_DELAY_MS = 300;

import { t, formatNumber } from './i18n.js';

/** The kinds of shape with a name of their own (`board.shape.kind.<type>` in the catalogs). */
const KINDS = new Set(['pencil', 'line', 'rectangle', 'ellipse', 'text', 'image']);

/**
 * A plain colour name for a CSS colour (`#rgb`, `#rrggbb`): hue words and
 * light/dark, as a person would say it; '' for one it cannot read.
 * @param {string|undefined} css
 */
export function colourName(css) {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(css || '').trim());
  if (!m) return '';
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const max = Math.max(r, g, b), min = Math.min(r, g, b);
  const l = (max + min) / 2;
  const s = max === min ? 0 : (max - min) / (1 - Math.abs(2 * l - 1));
  /** @param {string} c */
  const colour = (c) => t(`board.colour.${c}`);
  if (s < 0.15 || l < 0.12 || l > 0.95) {
    if (l < 0.18) return colour('black');
    if (l > 0.92) return colour('white');
    return l < 0.4 ? t('board.colour.dark', { colour: colour('grey') }) : l > 0.7 ? t('board.colour.light', { colour: colour('grey') }) : colour('grey');
  }
  let h = 0;
  if (max === r) h = ((g - b) / (max - min) + 6) % 6;
  else if (max === g) h = (b - r) / (max - min) + 2;
  else h = (r - g) / (max - min) + 4;
  h *= 60;
  let name = h < 15 || h >= 345 ? 'red' : h < 40 ? 'orange' : h < 70 ? 'yellow' : h < 165 ? 'green'
    : h < 195 ? 'teal' : h < 255 ? 'blue' : h < 290 ? 'purple' : 'pink';
  if (name === 'orange' && l < 0.35) return colour('brown');
  if (name === 'red' && l > 0.7) return colour('pink');
  if (name === 'pink' && l > 0.7) return colour('pink');
  if (l > 0.72) return t('board.colour.light', { colour: colour(name) });
  if (l < 0.3) return t('board.colour.dark', { colour: colour(name) });
  return colour(name);
}

/** Each shape's box, by shape object: a change replaces the object, so an entry never goes stale. @type {WeakMap<Shape, Bounds>} */
const boxes = new WeakMap();

/** The box around a shape's points (as drawn, without its stroke's width). @param {Shape} s @returns {Bounds} */
function boundsOf(s) {
  let box = boxes.get(s);
  if (box) return box;
  const pts = Array.isArray(s.points) ? s.points : [];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of pts) {
    minX = Math.min(minX, p.x); minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x); maxY = Math.max(maxY, p.y);
  }
  box = pts.length ? { minX, minY, maxX, maxY } : { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  boxes.set(s, box);
  return box;
}

/**
 * Where a point is within the drawing, in words ("top left"), so that a
 * person can picture the board without its coordinates.
 * @param {number} x @param {number} y @param {Bounds} all the drawing's bounds
 */
function area(x, y, all) {
  /** @param {number} v @param {number} lo @param {number} hi */
  const third = (v, lo, hi) => (hi - lo < 1 ? 1 : Math.min(2, Math.floor(((v - lo) / (hi - lo)) * 3)));
  const row = ['top', '', 'bottom'][third(y, all.minY, all.maxY)];
  const col = ['left', '', 'right'][third(x, all.minX, all.maxX)];
  return t(`board.shape.area.${row || col ? `${row}${row && col ? '-' : ''}${col}` : 'middle'}`);
}

/**
 * One shape in words: kind (and a text's words), colour, size, where it is
 * in the drawing and its centre's coordinates, who drew it.
 * @param {Shape} s
 * @param {{all: Bounds, who: (userId: string) => string}} ctx `who`: a name, "you", or '' when unknown
 */
export function describeShape(s, ctx) {
  const kind = t(`board.shape.kind.${KINDS.has(s.type) ? s.type : 'shape'}`);
  const parts = [s.type === 'text' ? t('board.shape.text', { text: String(s.text || '').replace(/\s+/g, ' ').trim() }) : kind];
  if (s.type !== 'image') {
    const ink = colourName(s.style?.strokeColor);
    const fill = s.style?.fillColor && s.style.fillColor !== 'transparent' && s.style.fillColor !== 'none' ? colourName(s.style.fillColor) : '';
    if (ink) parts.push(fill && (s.type === 'rectangle' || s.type === 'ellipse') ? t('board.shape.filled', { ink, fill }) : ink);
  }
  const b = boundsOf(s);
  const w = Math.round(b.maxX - b.minX), h = Math.round(b.maxY - b.minY);
  if (s.type !== 'text' && (w || h)) parts.push(t('board.shape.size', { w: formatNumber(w, { useGrouping: false }), h: formatNumber(h, { useGrouping: false }) }));
  const cx = (b.minX + b.maxX) / 2, cy = (b.minY + b.maxY) / 2;
  /** @param {number} v */
  const num = (v) => formatNumber(Math.round(v), { useGrouping: false });
  parts.push(t('board.shape.where', { area: area(cx, cy, ctx.all), x: num(cx), y: num(cy) }));
  const by = s.createdBy ? ctx.who(s.createdBy) : '';
  if (by) parts.push(t('board.shape.by', { name: by }));
  return parts.join(t('board.list_sep'));
}

/**
 * Keeps `list` (a `<ul>`) in step with the board: `changed()` after any
 * change; the list is brought up to date at most every `LIST_DELAY_MS`,
 * touching only the items whose words changed.
 */
export class ShapesList {
  /**
   * @param {HTMLElement} list
   * @param {{shapes: Map<string, Shape>}} board
   * @param {(userId: string) => string} who a person's name, "you", or '' when unknown
   */
  constructor(list, board, who) {
    this.list = list;
    this.board = board;
    this.who = who;
    /** @type {Map<string, HTMLElement>} one item per shape id */
    this.items = new Map();
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.timer = undefined;
  }

  /** Something on the board (or a name) changed: the list follows soon. */
  changed() {
    if (!this.timer) this.timer = setTimeout(() => this.render(), LIST_DELAY_MS);
  }

  render() {
    this.timer = undefined;
    const shapes = [...this.board.shapes.values()];
    let all = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    for (const s of shapes) {
      const b = boundsOf(s);
      all = { minX: Math.min(all.minX, b.minX), minY: Math.min(all.minY, b.minY), maxX: Math.max(all.maxX, b.maxX), maxY: Math.max(all.maxY, b.maxY) };
    }
    /** @type {Map<string, HTMLElement>} */
    const next = new Map();
    let sameOrder = shapes.length === this.items.size;
    const old = [...this.items.keys()];
    shapes.forEach((s, i) => {
      let li = this.items.get(s.id);
      if (!li) {
        li = document.createElement('li');
        li.dataset.testid = 'shape-item';
      }
      const text = describeShape(s, { all, who: this.who });
      if (li.textContent !== text) li.textContent = text;
      next.set(s.id, li);
      if (old[i] !== s.id) sameOrder = false;
    });
    this.items = next;
    if (!sameOrder) this.list.replaceChildren(...next.values());
  }
}
