// @ts-check
/**
 * Shapes reshaped by the select tool's handles and by Shift while drawing:
 * pure geometry, the same for every input.
 */
import { resizeHandles } from './board.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Point} Point */

/** @param {number} v */
const round = (v) => Math.round(v * 100) / 100;

/**
 * The shape being resized, as it would be with its handle at `p`.
 * @param {Shape} s @param {number} handle @param {Point} p @param {boolean} shift
 * @returns {Partial<Shape>}
 */
export function resized(s, handle, p, shift) {
  if (s.type === 'line') {
    const pts = s.points.map((q) => ({ ...q }));
    pts[handle] = shift ? constrain('line', pts[1 - handle], p) : p;
    return { points: pts };
  }
  if (s.type === 'text') {
    const lines = String(s.text || '').split('\n').length;
    const size = Math.round(Math.max(6, Math.min(400, (p.y - s.points[0].y) / (lines * 1.25))));
    return { style: { ...s.style, fontSize: size } };
  }
  const corners = resizeHandles(s);
  const fixed = corners[(handle + 2) % 4];
  if (s.type === 'pencil') {
    // Every point scales about the opposite corner of the bounding box; Shift keeps the ratio.
    const moving = corners[handle];
    const w = moving.x - fixed.x, h = moving.y - fixed.y;
    let fx = w ? (p.x - fixed.x) / w : 1;
    let fy = h ? (p.y - fixed.y) / h : 1;
    if (shift) {
      const f = Math.max(w ? Math.abs(fx) : 0, h ? Math.abs(fy) : 0) || 1;
      fx = Math.sign(fx || 1) * f;
      fy = Math.sign(fy || 1) * f;
    }
    return { points: s.points.map((q) => ({ x: round(fixed.x + (q.x - fixed.x) * fx), y: round(fixed.y + (q.y - fixed.y) * fy) })) };
  }
  if (s.type === 'image') {
    // Shift keeps the picture's proportions.
    let q = p;
    if (shift) {
      const ratio = Math.abs(s.points[1].x - s.points[0].x) / (Math.abs(s.points[1].y - s.points[0].y) || 1) || 1;
      const dx = p.x - fixed.x, dy = p.y - fixed.y;
      const h = Math.max(Math.abs(dy), Math.abs(dx) / ratio);
      q = { x: round(fixed.x + Math.sign(dx || 1) * h * ratio), y: round(fixed.y + Math.sign(dy || 1) * h) };
    }
    return { points: [{ ...fixed }, q], width: round(Math.abs(q.x - fixed.x)), height: round(Math.abs(q.y - fixed.y)) };
  }
  return { points: [{ ...fixed }, shift ? constrain(s.type, fixed, p) : p] };
}

/**
 * Shift-drag: squares, circles, and lines at 45° steps.
 * @param {string} type @param {Point} a @param {Point} b @returns {Point}
 */
export function constrain(type, a, b) {
  const dx = b.x - a.x, dy = b.y - a.y;
  if (type === 'line') {
    const angle = Math.round(Math.atan2(dy, dx) / (Math.PI / 4)) * (Math.PI / 4);
    const len = Math.hypot(dx, dy);
    return { x: round(a.x + Math.cos(angle) * len), y: round(a.y + Math.sin(angle) * len) };
  }
  const s = Math.max(Math.abs(dx), Math.abs(dy));
  return { x: a.x + Math.sign(dx || 1) * s, y: a.y + Math.sign(dy || 1) * s };
}
