// @ts-check
/**
 * Canvas 2D rendering. Nothing is drawn until something asks for a frame,
 * and then at most once per animation frame; shapes outside the view are
 * skipped and pencil strokes are drawn from a cached Path2D.
 */

import { smoothPath } from './board.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Point} Point */
/** @typedef {{x: number, y: number, name: string, color: string, at: number}} Cursor */

export class View {
  constructor() {
    /** screen = world * scale + offset */
    this.scale = 1;
    this.ox = 0;
    this.oy = 0;
  }
  /** @param {number} sx @param {number} sy @returns {Point} */
  toWorld(sx, sy) { return { x: (sx - this.ox) / this.scale, y: (sy - this.oy) / this.scale }; }
  /** @param {number} factor @param {number} sx @param {number} sy keeps (sx, sy) still */
  zoomAt(factor, sx, sy) {
    const next = Math.min(8, Math.max(0.1, this.scale * factor));
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
      ctx.stroke(board ? board.pencilPath(s) : smoothPath(pts));
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
    case 'text': {
      const size = st.fontSize || 20;
      ctx.fillStyle = st.strokeColor || '#000';
      ctx.font = `${size}px system-ui, sans-serif`;
      ctx.textBaseline = 'top';
      String(s.text || '').split('\n').forEach((line, i) => ctx.fillText(line, a.x, a.y + i * size * 1.25));
      break;
    }
    default:
      break;
  }
  ctx.globalAlpha = 1;
}

export class Renderer {
  /**
   * @param {HTMLCanvasElement} canvas @param {import('./board.js').Board} board @param {View} view
   */
  constructor(canvas, board, view) {
    this.canvas = canvas;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    this.board = board;
    this.view = view;
    /** @type {Shape|null} shape being drawn, not yet on the board */
    this.draft = null;
    /** @type {Set<string>} */
    this.selected = new Set();
    /** @type {Set<string>} hidden while the eraser passes over them */
    this.hidden = new Set();
    /** @type {Map<string, Cursor>} */
    this.cursors = new Map();
    /** @type {Map<string, Shape>} shapes others are drawing right now, by user id */
    this.remoteDrafts = new Map();
    this.queued = false;
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

  request() {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.draw(); });
  }

  draw() {
    const { ctx, view, canvas } = this;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.ox, dpr * view.oy);
    const tl = view.toWorld(0, 0);
    const br = view.toWorld(canvas.width / dpr, canvas.height / dpr);
    for (const s of this.board.shapes.values()) {
      if (this.hidden.has(s.id)) continue;
      const b = this.board.bounds(s);
      if (b.maxX < tl.x || b.minX > br.x || b.maxY < tl.y || b.minY > br.y) continue;
      drawShape(ctx, s, this.board);
    }
    for (const d of this.remoteDrafts.values()) drawShape(ctx, d, null);
    if (this.draft) drawShape(ctx, this.draft, null);
    ctx.setLineDash([6 / view.scale, 4 / view.scale]);
    ctx.lineWidth = 1.5 / view.scale;
    ctx.strokeStyle = '#3b5bdb';
    for (const id of this.selected) {
      const s = this.board.shapes.get(id);
      if (!s) continue;
      const b = this.board.bounds(s);
      ctx.strokeRect(b.minX - 4, b.minY - 4, b.maxX - b.minX + 8, b.maxY - b.minY + 8);
    }
    ctx.setLineDash([]);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (const c of this.cursors.values()) this.drawCursor(c);
  }

  /** @param {Cursor} c */
  drawCursor(c) {
    const { ctx, view } = this;
    const x = c.x * view.scale + view.ox, y = c.y * view.scale + view.oy;
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
export function exportPng(board) {
  const shapes = [...board.shapes.values()];
  let minX = 0, minY = 0, maxX = 800, maxY = 600;
  if (shapes.length) {
    minX = Infinity; minY = Infinity; maxX = -Infinity; maxY = -Infinity;
    for (const s of shapes) {
      const b = board.bounds(s);
      minX = Math.min(minX, b.minX); minY = Math.min(minY, b.minY);
      maxX = Math.max(maxX, b.maxX); maxY = Math.max(maxY, b.maxY);
    }
  }
  const margin = 20;
  const scale = Math.min(1, 8000 / Math.max(maxX - minX + 2 * margin, maxY - minY + 2 * margin));
  const c = document.createElement('canvas');
  c.width = Math.ceil((maxX - minX + 2 * margin) * scale);
  c.height = Math.ceil((maxY - minY + 2 * margin) * scale);
  const ctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.setTransform(scale, 0, 0, scale, (margin - minX) * scale, (margin - minY) * scale);
  for (const s of shapes) drawShape(ctx, s, board);
  return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
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
