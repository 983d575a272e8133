// @ts-check
/**
 * Canvas 2D rendering. Nothing is drawn until something asks for a frame,
 * and then at most once per animation frame; shapes outside the view are
 * skipped and pencil strokes are drawn from a cached Path2D.
 */

import { smoothPath, resizeHandles, RESIZABLE, HANDLE_PX } from './board.js';
import { imageFor, onImageLoad } from './images.js';
import { textFont, textSize, LINE_HEIGHT } from './text.js';
import { pressuresOf, pressurePath } from './pressure.js';

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

/**
 * After a zoom settles the layer is redrawn sharp over several frames, at
 * most this many ms of drawing in each (and at least a batch of 16 shapes),
 * while the layer it replaces is shown scaled: drawn in one frame it held a
 * 10,000-stroke board zoomed out to fit for 100–220 ms.
 */
export const LAYER_SLICE_MS = 8;
/** Boards smaller than this redraw the layer in one frame (a few ms at most). */
export const LAYER_SLICED_MIN_SHAPES = 1000;

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
    /**
     * The next layer while it is drawn a slice a frame (see LAYER_SLICE_MS).
     * @type {{canvas: HTMLCanvasElement, key: string, version: number, shapes: Shape[], next: number, tl: Point, br: Point, scale: number, ox: number, oy: number}|null}
     */
    this.building = null;
    /** @type {HTMLCanvasElement|null} the layer last replaced, drawn into next */
    this.spare = null;
    /** boards below this many shapes redraw the layer in one frame, and a slice is this long (tests lower both) */
    this.slicedMinShapes = LAYER_SLICED_MIN_SHAPES;
    this.sliceMs = LAYER_SLICE_MS;
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
    this.fitCanvas();
    this.request();
  }

  /** Sizes the canvas to its box (setting a size clears it, so only when it changed). */
  fitCanvas() {
    const dpr = window.devicePixelRatio || 1;
    const r = this.canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(r.width * dpr)), h = Math.max(1, Math.round(r.height * dpr));
    if (this.canvas.width !== w) this.canvas.width = w;
    if (this.canvas.height !== h) this.canvas.height = h;
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
    // The first frame: the page around the board was built since the canvas
    // was sized; drawn at the old size, the whole layer would be drawn twice.
    if (this.drawCount === 0) this.fitCanvas();
    const { ctx, view, canvas, state } = this;
    this.editedElsewhere = new Set();
    for (const edits of state.remoteEdits.values()) for (const e of edits) if (this.board.shapes.has(e.id)) this.editedElsewhere.add(e.id);
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    // A board that just changed is likely to change again next frame (a shape
    // being moved): draw it directly rather than rebuild the layer each time.
    // Not so a whole new board or order (redrawn into the layer once), nor
    // shapes added on top (drawn onto the layer alone).
    const changed = this.board.version !== this.lastVersion && this.board.settledAt !== this.board.version;
    this.lastVersion = this.board.version;
    if (this.useLayer && (!changed || this.appendToLayer(dpr))) {
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
   * The visible shapes (of `shapes`, all of the board's by default), culled
   * to the world rectangle tl..br.
   * @param {CanvasRenderingContext2D} ctx @param {Point} tl @param {Point} br
   * @param {Iterable<import('./board.js').Shape>} [shapes]
   */
  drawShapes(ctx, tl, br, shapes = this.board.shapes.values()) {
    for (const s of shapes) {
      if (this.state.hidden.has(s.id) || this.editedElsewhere.has(s.id)) continue;
      const b = this.board.bounds(s);
      if (b.maxX < tl.x || b.minX > br.x || b.maxY < tl.y || b.minY > br.y) continue;
      drawShape(ctx, s, this.board);
    }
  }

  /**
   * Draws only the shapes added on top since the layer was drawn onto it
   * (the parts of a board as they arrive), so that each part costs its own
   * strokes, not the whole board again. False when the board changed
   * otherwise or there is no layer yet.
   * @param {number} dpr
   */
  appendToLayer(dpr) {
    const L = this.layer;
    const ids = L.canvas && L.version >= 0 && L.dpr === dpr ? this.board.appendedSince(L.version) : null;
    if (!ids || !L.canvas) return false;
    const m = Math.round(LAYER_MARGIN_PX * dpr);
    const lctx = /** @type {CanvasRenderingContext2D} */ (L.canvas.getContext('2d'));
    lctx.setTransform(dpr * L.scale, 0, 0, dpr * L.scale, dpr * L.ox + m, dpr * L.oy + m);
    const tl = { x: (-m / dpr - L.ox) / L.scale, y: (-m / dpr - L.oy) / L.scale };
    const br = { x: ((L.w + m) / dpr - L.ox) / L.scale, y: ((L.h + m) / dpr - L.oy) / L.scale };
    const added = [];
    for (const id of ids) { const s = this.board.shapes.get(id); if (s) added.push(s); }
    this.drawShapes(lctx, tl, br, added);
    L.version = this.board.version;
    return true;
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
      this.drawLayerScaled(dpr, m);
      clearTimeout(this.settle);
      this.settle = setTimeout(() => this.request(), ZOOM_SETTLE_MS);
      return;
    }
    const valid = same && L.scale === view.scale && Math.abs(dx) <= m && Math.abs(dy) <= m;
    // Only a new scale is drawn in slices: the old layer, scaled, shows the
    // whole view meanwhile. A pan past the margin would show blank edges
    // for as long, so it is redrawn at once.
    if (!valid && same && L.scale !== view.scale && this.board.shapes.size >= this.slicedMinShapes) {
      if (!this.buildSlice(dpr, w, h, m, hiddenKey)) {
        // Not done: the layer it replaces, scaled and moved; the next slice next frame.
        this.drawLayerScaled(dpr, m);
        this.request();
        return;
      }
      dx = Math.round((view.ox - L.ox) * dpr); dy = Math.round((view.oy - L.oy) * dpr);
    } else if (!valid) {
      this.building = null;
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

  /** Copies the layer as it is onto the canvas, scaled and moved to the current view. @param {number} dpr @param {number} m */
  drawLayerScaled(dpr, m) {
    const { view, layer: L } = this;
    const k = view.scale / L.scale, lc = /** @type {HTMLCanvasElement} */ (L.canvas);
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.drawImage(lc, (view.ox - L.ox * k) * dpr - m * k, (view.oy - L.oy * k) * dpr - m * k, lc.width * k, lc.height * k);
  }

  /**
   * Draws the next slice of the layer for the current view; true once it is
   * whole and has replaced the old one. A build goes on while the board only grows,
   * the scale and the size stay and the view stays within its margin;
   * anything else starts it again.
   * @param {number} dpr @param {number} w @param {number} h @param {number} m @param {string} hiddenKey
   */
  buildSlice(dpr, w, h, m, hiddenKey) {
    const { view, layer: L } = this;
    const key = [hiddenKey, dpr, w, h, view.scale].join();
    let B = this.building;
    // Shapes added on top meanwhile (someone drawing) join the build; any other change starts it again.
    if (B && B.version !== this.board.version) {
      const ids = this.board.appendedSince(B.version);
      if (ids) for (const id of ids) { const s = this.board.shapes.get(id); if (s) B.shapes.push(s); }
      B.version = ids ? this.board.version : -1;
    }
    if (!B || B.version < 0 || B.key !== key || Math.abs(view.ox - B.ox) * dpr > m || Math.abs(view.oy - B.oy) * dpr > m) {
      const lc = this.spare || document.createElement('canvas');
      this.spare = null;
      if (lc.width !== w + 2 * m || lc.height !== h + 2 * m) { lc.width = w + 2 * m; lc.height = h + 2 * m; }
      const lctx = /** @type {CanvasRenderingContext2D} */ (lc.getContext('2d'));
      lctx.setTransform(1, 0, 0, 1, 0, 0);
      lctx.clearRect(0, 0, lc.width, lc.height);
      B = this.building = { canvas: lc, key, version: this.board.version, shapes: [...this.board.shapes.values()], next: 0,
        tl: view.toWorld(-m / dpr, -m / dpr), br: view.toWorld((w + m) / dpr, (h + m) / dpr), scale: view.scale, ox: view.ox, oy: view.oy };
    }
    const lctx = /** @type {CanvasRenderingContext2D} */ (B.canvas.getContext('2d'));
    lctx.setTransform(dpr * B.scale, 0, 0, dpr * B.scale, dpr * B.ox + m, dpr * B.oy + m);
    const t0 = performance.now();
    // At least one batch a frame, however slow the machine.
    do {
      const end = Math.min(B.shapes.length, B.next + 16);
      this.drawShapes(lctx, B.tl, B.br, B.shapes.slice(B.next, end));
      B.next = end;
    } while (B.next < B.shapes.length && performance.now() - t0 < this.sliceMs);
    if (B.next < B.shapes.length) return false;
    this.spare = L.canvas;
    Object.assign(L, { canvas: B.canvas, version: this.board.version, hiddenKey, scale: B.scale, ox: B.ox, oy: B.oy, w, h, dpr });
    this.building = null;
    return true;
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
