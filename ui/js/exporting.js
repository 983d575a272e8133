// @ts-check
/**
 * The board out of the app: a PNG of the drawing (or of a region, for the
 * enhancement) and a standalone SVG, both drawn as the board draws them.
 */

import { drawShape } from './render.js';
import { loadImage, pictureSource } from './images.js';
import { pressuresOf, pressureSvgPath } from './pressure.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Point} Point */

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
