// @ts-check
/**
 * Canvas 2D rendering. Nothing is drawn until something asks for a frame,
 * and then at most once per animation frame; shapes outside the view are
 * skipped and pencil strokes are drawn from a cached Path2D.
 */

import { smoothPath, resizeHandles, RESIZABLE, HANDLE_PX } from './board.js';
import { imageFor, loadImage, onImageLoad, pictureSource } from './images.js';
import { textFont, textSize, LINE_HEIGHT } from './text.js';
import { pressuresOf, pressurePath, pressureSvgPath } from './pressure.js';

/**
 * While only the view moves (a pan), the shapes are drawn once into an
 * offscreen layer this much larger than the canvas on every side (CSS px)
 * and the frame is a single copy of it; a pan past the margin, a zoom or any
 * change to the board redraws the layer.
 */
const LAYER_MARGIN_PX = 256;
/** Mid-zoom the layer is drawn scaled, and redrawn sharp once the scale held still this long (ms): redrawn
 *  at every wheel notch it cost 250–300 ms a frame on a 10,000-stroke board zoomed out to fit. */
const ZOOM_SETTLE_MS = 150;

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Point} Point */
/** @typedef {import('./interaction.js').Cursor} Cursor */

/** The zoom range of the board: a tenth to eight times; following someone's view is fitted within it too. */
export const MIN_SCALE = 0.1;
export const MAX_SCALE = 8;

export class View {
  constructor() {
    /** screen = world * scale + offset */
    this.scale = 1;
    this.ox = 0;
    this.oy = 0;
  }
  /** @param {number} sx @param {number} sy @returns {Point} */
  toWorld(sx, sy) { return { x: (sx - this.ox) / this.scale, y: (sy - this.oy) / this.scale }; }
  /**
   * Shows all of `box` (world coordinates) in a w × h view with `margin`
   * pixels around it, centred, at most 2× (a small sketch is not blown up);
   * an empty board goes back to 100% at the origin.
   * @param {import('./board.js').Bounds|null} box @param {number} w @param {number} h @param {number} [margin]
   */
  fit(box, w, h, margin = 40) {
    if (!box) { this.scale = 1; this.ox = 0; this.oy = 0; return; }
    const bw = Math.max(1, box.maxX - box.minX), bh = Math.max(1, box.maxY - box.minY);
    this.scale = Math.min(2, Math.max(MIN_SCALE, Math.min((w - 2 * margin) / bw, (h - 2 * margin) / bh)));
    this.ox = w / 2 - ((box.minX + box.maxX) / 2) * this.scale;
    this.oy = h / 2 - ((box.minY + box.maxY) / 2) * this.scale;
  }
  /** @param {number} factor @param {number} sx @param {number} sy keeps (sx, sy) still */
  zoomAt(factor, sx, sy) {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    const w = this.toWorld(sx, sy);
    this.scale = next;
    this.ox = sx - w.x * next;
    this.oy = sy - w.y * next;
  }
}

/**
 * Draws one shape in world coordinates.
 * @param {CanvasRenderingContext2D} ctx @param {Shape} s @param {import('./board.js').Board|null} board
 */
export function drawShape(ctx, s, board) {
  const st = s.style || /** @type {any} */ ({});
  const pts = s.points || [];
  if (pts.length === 0) return;
  ctx.globalAlpha = typeof st.opacity === 'number' ? Math.max(0, Math.min(1, st.opacity)) : 1;
  ctx.strokeStyle = st.strokeColor || '#000';
  ctx.lineWidth = st.strokeWidth || 2;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  const fill = st.fillColor && st.fillColor !== 'transparent' && st.fillColor !== 'none' ? st.fillColor : '';
  const a = pts[0], b = pts[1] || pts[0];
  switch (s.type) {
    case 'pencil': {
      if (pressuresOf(s)) {
        // An outline (pen pressure): filled, in the stroke's colour.
        ctx.fillStyle = ctx.strokeStyle;
        ctx.fill(board ? board.pencilPath(s) : pressurePath(s));
      } else {
        ctx.stroke(board ? board.pencilPath(s) : smoothPath(pts));
      }
      break;
    }
    case 'line':
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
      break;
    case 'rectangle': {
      const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y), w = Math.abs(b.x - a.x), h = Math.abs(b.y - a.y);
      if (fill) { ctx.fillStyle = fill; ctx.fillRect(x, y, w, h); }
      ctx.strokeRect(x, y, w, h);
      break;
    }
    case 'ellipse': {
      ctx.beginPath();
      ctx.ellipse((a.x + b.x) / 2, (a.y + b.y) / 2, Math.abs(b.x - a.x) / 2, Math.abs(b.y - a.y) / 2, 0, 0, Math.PI * 2);
      if (fill) { ctx.fillStyle = fill; ctx.fill(); }
      ctx.stroke();
      break;
    }
    case 'image': {
      const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y), w = Math.abs(b.x - a.x), h = Math.abs(b.y - a.y);
      const { img, state } = imageFor(/** @type {any} */ (s).image);
      if (img) {
        ctx.drawImage(img, x, y, w, h);
      } else {
        // A placeholder while the picture loads (or when it cannot be).
        ctx.fillStyle = '#f1f3f5';
        ctx.fillRect(x, y, w, h);
        ctx.strokeStyle = state === 'error' ? '#cf222e' : '#adb5bd';
        ctx.lineWidth = Math.max(1, Math.min(w, h) / 100);
        ctx.strokeRect(x, y, w, h);
        if (state === 'error') {
          ctx.beginPath();
          ctx.moveTo(x, y); ctx.lineTo(x + w, y + h);
          ctx.moveTo(x + w, y); ctx.lineTo(x, y + h);
          ctx.stroke();
        }
      }
      break;
    }
    case 'text': {
      const size = textSize(s);
      ctx.fillStyle = st.strokeColor || '#000';
      ctx.font = textFont(size);
      ctx.textBaseline = 'top';
      String(s.text || '').split('\n').forEach((line, i) => ctx.fillText(line, a.x, a.y + i * size * LINE_HEIGHT));
      break;
    }
    default:
      break;
  }
  ctx.globalAlpha = 1;
}

/**
 * Draws the board and what is happening on it. It reads the interaction
 * state (selection, drafts, the others' cursors and live edits) from the
 * object it is given and never changes it.
 */
export class Renderer {
  /**
   * @param {HTMLCanvasElement} canvas @param {import('./board.js').Board} board @param {View} view
   * @param {import('./interaction.js').Interaction} state
   */
  constructor(canvas, board, view, state) {
    this.canvas = canvas;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    this.board = board;
    this.view = view;
    this.state = state;
    /** @type {Set<string>} board shapes someone else is changing, as of the last draw: their live form is drawn instead */
    this.editedElsewhere = new Set();
    this.queued = false;
    /** draw the shapes from the offscreen layer when only the view changed */
    this.useLayer = true;
    /** @type {{canvas: HTMLCanvasElement|null, version: number, hiddenKey: string, scale: number, ox: number, oy: number, w: number, h: number, dpr: number}} */
    this.layer = { canvas: null, version: -1, hiddenKey: '', scale: 0, ox: 0, oy: 0, w: 0, h: 0, dpr: 0 };
    this.lastVersion = -1;
    /** the scale of the last frame, and when it last changed (ms) */
    this.seenScale = 0; this.scaleChangedAt = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} the sharp redraw after a zoom */
    this.settle = undefined;
    /** the last 256 draw() durations in ms (a ring), for benchmarks */
    this.drawTimes = new Float64Array(256);
    this.drawCount = 0;
    /** @type {(() => void)|null} called once after the next draw */
    this.afterDraw = null;
    /** @type {((view: View) => void)|null} called after every draw (the zoom indicator) */
    this.drawn = null;
    /** @type {((ctx: CanvasRenderingContext2D, view: View) => void)[]} drawn over the board, in board coordinates, under the cursors */
    this.overlays = [];
    // A picture that finishes loading changes what the cached layer shows.
    onImageLoad(() => { this.board.version++; this.request(); });
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const r = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(r.width * dpr));
    this.canvas.height = Math.max(1, Math.round(r.height * dpr));
    this.request();
  }

  /** Calls `f` once, after the next draw (and after those asked for before it). @param {() => void} f */
  afterNextDraw(f) { const g = this.afterDraw; this.afterDraw = g ? () => { g(); f(); } : f; }

  /** Calls `f` after every draw. @param {(view: View) => void} f */
  onDrawn(f) { this.drawn = f; }

  /**
   * Draws `f` over the board in every frame (laser trails, where people
   * look): the context is in board coordinates; `f` may ask for the next
   * frame to animate.
   * @param {(ctx: CanvasRenderingContext2D, view: View) => void} f
   */
  addOverlay(f) { this.overlays.push(f); }

  /** Draws the shapes from the offscreen layer while only the view moves (on), or always directly (off). @param {boolean} on */
  setLayerCache(on) {
    this.useLayer = on;
    this.request();
  }

  request() {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.draw(); });
  }

  draw() {
    const t0 = performance.now();
    const { ctx, view, canvas, state } = this;
    this.editedElsewhere = new Set();
    for (const edits of state.remoteEdits.values()) for (const e of edits) if (this.board.shapes.has(e.id)) this.editedElsewhere.add(e.id);
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    // A board that just changed is likely to change again next frame (a shape
    // being moved): draw it directly rather than rebuild the layer each time.
    const changed = this.board.version !== this.lastVersion;
    this.lastVersion = this.board.version;
    if (this.useLayer && !changed) {
      this.drawLayer(dpr);
    } else {
      this.layer.version = -1;
      ctx.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.ox, dpr * view.oy);
      this.drawShapes(ctx, view.toWorld(0, 0), view.toWorld(canvas.width / dpr, canvas.height / dpr));
    }
    ctx.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.ox, dpr * view.oy);
    for (const d of state.remoteDrafts.values()) drawShape(ctx, d, null);
    for (const edits of state.remoteEdits.values()) for (const e of edits) drawShape(ctx, e, null);
    if (state.draft) drawShape(ctx, state.draft, null);
    ctx.setLineDash([6 / view.scale, 4 / view.scale]);
    ctx.lineWidth = 1.5 / view.scale;
    ctx.strokeStyle = '#3b5bdb';
    for (const id of state.selected) {
      const s = this.board.shapes.get(id);
      if (!s) continue;
      const b = this.board.bounds(s);
      ctx.strokeRect(b.minX - 4, b.minY - 4, b.maxX - b.minX + 8, b.maxY - b.minY + 8);
    }
    if (state.marquee) {
      const { a, b } = state.marquee;
      ctx.fillStyle = 'rgba(59, 91, 219, 0.08)';
      ctx.fillRect(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(b.x - a.x), Math.abs(b.y - a.y));
      ctx.strokeRect(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.abs(b.x - a.x), Math.abs(b.y - a.y));
    }
    ctx.setLineDash([]);
    if (state.selected.size === 1) {
      const s = this.board.shapes.get([...state.selected][0]);
      if (s && RESIZABLE.has(s.type)) {
        const h = HANDLE_PX / view.scale;
        ctx.fillStyle = '#fff';
        for (const p of resizeHandles(s)) {
          ctx.fillRect(p.x - h, p.y - h, 2 * h, 2 * h);
          ctx.strokeRect(p.x - h, p.y - h, 2 * h, 2 * h);
        }
      }
    }
    ctx.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.ox, dpr * view.oy);
    for (const f of this.overlays) f(ctx, view);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // The others' cursors where their playback is; another frame while any
    // still has moves to play (none at all while every cursor is still).
    const glide = state.cursorGlide;
    glide.advance(t0);
    for (const [id, c] of state.cursors) this.drawCursor(c, glide.position(id) || c);
    if (glide.moving()) this.request();
    this.drawTimes[this.drawCount++ % this.drawTimes.length] = performance.now() - t0;
    if (this.afterDraw) { const f = this.afterDraw; this.afterDraw = null; f(); }
    if (this.drawn) this.drawn(view);
  }

  /**
   * The visible shapes, culled to the world rectangle tl..br.
   * @param {CanvasRenderingContext2D} ctx @param {Point} tl @param {Point} br
   */
  drawShapes(ctx, tl, br) {
    for (const s of this.board.shapes.values()) {
      if (this.state.hidden.has(s.id) || this.editedElsewhere.has(s.id)) continue;
      const b = this.board.bounds(s);
      if (b.maxX < tl.x || b.minX > br.x || b.maxY < tl.y || b.minY > br.y) continue;
      drawShape(ctx, s, this.board);
    }
  }

  /** Copies the shapes from the offscreen layer, redrawing it when it no longer covers the view. @param {number} dpr */
  drawLayer(dpr) {
    const { view, canvas, layer: L } = this;
    const w = canvas.width, h = canvas.height, m = Math.round(LAYER_MARGIN_PX * dpr);
    const hidden = this.state.hidden;
    const hiddenKey = hidden.size || this.editedElsewhere.size ? [...hidden, '|', ...this.editedElsewhere].join() : '';
    let dx = Math.round((view.ox - L.ox) * dpr), dy = Math.round((view.oy - L.oy) * dpr);
    const now = performance.now();
    if (view.scale !== this.seenScale) { this.seenScale = view.scale; this.scaleChangedAt = now; }
    const same = L.canvas && L.version === this.board.version && L.hiddenKey === hiddenKey && L.dpr === dpr && L.w === w && L.h === h;
    if (same && L.scale !== view.scale && now - this.scaleChangedAt < ZOOM_SETTLE_MS) {
      // Mid-zoom: the layer as it is, scaled about the board's origin; sharp again once the zoom settles.
      const k = view.scale / L.scale, lc = /** @type {HTMLCanvasElement} */ (L.canvas);
      this.ctx.setTransform(1, 0, 0, 1, 0, 0);
      this.ctx.drawImage(lc, (view.ox - L.ox * k) * dpr - m * k, (view.oy - L.oy * k) * dpr - m * k, lc.width * k, lc.height * k);
      clearTimeout(this.settle);
      this.settle = setTimeout(() => this.request(), ZOOM_SETTLE_MS);
      return;
    }
    const valid = same && L.scale === view.scale && Math.abs(dx) <= m && Math.abs(dy) <= m;
    if (!valid) {
      if (!L.canvas) L.canvas = document.createElement('canvas');
      const lc = L.canvas;
      if (lc.width !== w + 2 * m || lc.height !== h + 2 * m) { lc.width = w + 2 * m; lc.height = h + 2 * m; }
      const lctx = /** @type {CanvasRenderingContext2D} */ (lc.getContext('2d'));
      lctx.setTransform(1, 0, 0, 1, 0, 0);
      lctx.clearRect(0, 0, lc.width, lc.height);
      lctx.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.ox + m, dpr * view.oy + m);
      this.drawShapes(lctx, view.toWorld(-m / dpr, -m / dpr), view.toWorld((w + m) / dpr, (h + m) / dpr));
      Object.assign(L, { version: this.board.version, hiddenKey, scale: view.scale, ox: view.ox, oy: view.oy, w, h, dpr });
      dx = 0; dy = 0;
    }
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.drawImage(/** @type {HTMLCanvasElement} */ (L.canvas), dx - m, dy - m);
  }

  /** @param {Cursor} c @param {Point} at where to draw it (board coordinates) */
  drawCursor(c, at) {
    const { ctx, view } = this;
    const x = at.x * view.scale + view.ox, y = at.y * view.scale + view.oy;
    ctx.fillStyle = c.color;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 4, y + 16);
    ctx.lineTo(x + 8, y + 10);
    ctx.lineTo(x + 15, y + 9);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
    ctx.font = '600 12px system-ui, sans-serif';
    const w = ctx.measureText(c.name).width + 10;
    ctx.fillRect(x + 12, y + 16, w, 18);
    ctx.fillStyle = inkOn(c.color);
    ctx.textBaseline = 'middle';
    ctx.fillText(c.name, x + 17, y + 25);
  }
}

/**
 * Renders every shape onto a white PNG sized to the drawing.
 * @param {import('./board.js').Board} board @returns {Promise<Blob|null>}
 */
export async function exportPng(board) {
  const out = await renderPng(board, [...board.shapes.values()], drawingBounds(board), { margin: EXPORT_MARGIN, scale: 1, maxSide: 8000 });
  return out.blob;
}

/**
 * Renders `shapes` onto a white PNG covering `box` (world coordinates) plus
 * `margin` on every side, at `scale` pixels per world unit, or less when a
 * side would pass `maxSide` pixels. Pictures are drawn once they have loaded.
 * Used by the PNG export and by the enhancement, which sends a region.
 * @param {import('./board.js').Board} board @param {Shape[]} shapes
 * @param {import('./board.js').Bounds} box
 * @param {{margin: number, scale: number, maxSide: number}} o
 * @returns {Promise<{blob: Blob|null, width: number, height: number}>}
 */
export async function renderPng(board, shapes, box, o) {
  await Promise.all(shapes.filter((s) => s.type === 'image').map((s) => loadImage(/** @type {any} */ (s).image)));
  const { minX, minY, maxX, maxY } = box;
  const margin = o.margin;
  const w = maxX - minX + 2 * margin, h = maxY - minY + 2 * margin;
  const scale = Math.min(o.scale, o.maxSide / Math.max(w, h));
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.ceil(w * scale));
  c.height = Math.max(1, Math.ceil(h * scale));
  const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.setTransform(scale, 0, 0, scale, (margin - minX) * scale, (margin - minY) * scale);
  for (const s of shapes) drawShape(ctx, s, board);
  const blob = await new Promise((/** @type {(b: Blob|null) => void} */ resolve) => c.toBlob(resolve, 'image/png'));
  return { blob, width: c.width, height: c.height };
}

/**
 * Black or white, whichever reads better on `hex` (WCAG relative luminance).
 * @param {string} hex like #F08C00
 */
export function inkOn(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return '#fff';
  const n = parseInt(m[1], 16);
  const lin = (/** @type {number} */ v) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const l = 0.2126 * lin(n >> 16) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#111' : '#fff';
}

const EXPORT_MARGIN = 20;

/**
 * The bounding box of every shape (800 × 600 at the origin for an empty board).
 * @param {import('./board.js').Board} board @returns {import('./board.js').Bounds}
 */
export function drawingBounds(board) {
  if (board.shapes.size === 0) return { minX: 0, minY: 0, maxX: 800, maxY: 600 };
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const s of board.shapes.values()) {
    const b = board.bounds(s);
    minX = Math.min(minX, b.minX); minY = Math.min(minY, b.minY);
    maxX = Math.max(maxX, b.maxX); maxY = Math.max(maxY, b.maxY);
  }
  return { minX, minY, maxX, maxY };
}

/** @param {unknown} v */
const esc = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** @param {unknown} v */
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 100) / 100 : 0);

/**
 * The same quadratic curves as smoothPath, as SVG path data.
 * @param {Point[]} pts
 */
export function svgPathData(pts) {
  if (pts.length === 0) return '';
  const P = (/** @type {Point} */ p) => `${num(p.x)} ${num(p.y)}`;
  let d = `M${P(pts[0])}`;
  if (pts.length < 3) {
    for (const p of pts.slice(1)) d += `L${P(p)}`;
    if (pts.length === 1) d += `L${num(pts[0].x + 0.01)} ${num(pts[0].y)}`;
    return d;
  }
  for (let i = 1; i < pts.length - 1; i++) {
    d += `Q${P(pts[i])} ${num((pts[i].x + pts[i + 1].x) / 2)} ${num((pts[i].y + pts[i + 1].y) / 2)}`;
  }
  return d + `L${P(pts[pts.length - 1])}`;
}

/**
 * The board as a standalone SVG document (transparent background): pencil
 * strokes as paths (one drawn with pen pressure as its filled outline, the
 * same as on the board), lines, rectangles, ellipses and text, each with its
 * stroke colour, width, fill and opacity. The viewBox is the bounding box
 * of all shapes plus a margin. Pictures are embedded as data URIs from
 * `embedded` (path → data URI, see `embedPictures`); one missing there is left out.
 * @param {import('./board.js').Board} board @param {Map<string, string>} [embedded]
 * @returns {string}
 */
export function exportSvg(board, embedded = new Map()) {
  const { minX, minY, maxX, maxY } = drawingBounds(board);
  const m = EXPORT_MARGIN;
  const x0 = num(minX - m), y0 = num(minY - m), w = num(maxX - minX + 2 * m), h = num(maxY - minY + 2 * m);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x0} ${y0} ${w} ${h}" width="${Math.ceil(w)}" height="${Math.ceil(h)}">`,
  ];
  for (const s of board.shapes.values()) {
    const st = s.style || /** @type {any} */ ({});
    const pts = Array.isArray(s.points) ? s.points : [];
    if (pts.length === 0) continue;
    const stroke = esc(st.strokeColor || '#000');
    const opacity = typeof st.opacity === 'number' ? num(Math.max(0, Math.min(1, st.opacity))) : 1;
    const fill = st.fillColor && st.fillColor !== 'transparent' && st.fillColor !== 'none' ? esc(st.fillColor) : 'none';
    const paint = `stroke="${stroke}" stroke-width="${num(st.strokeWidth || 2)}" stroke-linecap="round" stroke-linejoin="round" opacity="${opacity}"`;
    const a = pts[0], b = pts[1] || pts[0];
    if (s.type === 'pencil' && pressuresOf(s)) {
      out.push(`<path d="${pressureSvgPath(s)}" fill="${stroke}" opacity="${opacity}"/>`);
    } else if (s.type === 'pencil') {
      out.push(`<path d="${svgPathData(pts)}" fill="none" ${paint}/>`);
    } else if (s.type === 'line') {
      out.push(`<line x1="${num(a.x)}" y1="${num(a.y)}" x2="${num(b.x)}" y2="${num(b.y)}" ${paint}/>`);
    } else if (s.type === 'rectangle') {
      out.push(`<rect x="${num(Math.min(a.x, b.x))}" y="${num(Math.min(a.y, b.y))}" width="${num(Math.abs(b.x - a.x))}" height="${num(Math.abs(b.y - a.y))}" fill="${fill}" ${paint}/>`);
    } else if (s.type === 'ellipse') {
      out.push(`<ellipse cx="${num((a.x + b.x) / 2)}" cy="${num((a.y + b.y) / 2)}" rx="${num(Math.abs(b.x - a.x) / 2)}" ry="${num(Math.abs(b.y - a.y) / 2)}" fill="${fill}" ${paint}/>`);
    } else if (s.type === 'image') {
      const src = pictureSource(/** @type {any} */ (s).image);
      // Embedded, so that the file shows its pictures anywhere, host or not.
      const href = !src ? '' : 'data' in src ? src.data : embedded.get(src.path) || '';
      if (href) out.push(`<image href="${esc(href)}" x="${num(Math.min(a.x, b.x))}" y="${num(Math.min(a.y, b.y))}" width="${num(Math.abs(b.x - a.x))}" height="${num(Math.abs(b.y - a.y))}" preserveAspectRatio="none" opacity="${opacity}"/>`);
    } else if (s.type === 'text') {
      const size = num(st.fontSize || 20);
      const lines = String(s.text || '').split('\n')
        .map((line, i) => `<tspan x="${num(a.x)}" y="${num(a.y + i * size * 1.25)}">${esc(line)}</tspan>`).join('');
      out.push(`<text font-family="system-ui, sans-serif" font-size="${size}" dominant-baseline="text-before-edge" xml:space="preserve" fill="${stroke}" opacity="${opacity}">${lines}</text>`);
    }
  }
  out.push('</svg>', '');
  return out.join('\n');
}
