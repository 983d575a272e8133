// @ts-check
/**
 * The geometry of drawing with the keys (keyboard-draw.js): a new shape at
 * the focus point, a polyline's points, a shape moved or resized by a key
 * press. Pure functions of numbers, the same in any page or test.
 */
import { pointsBox } from './board.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Point} Point */

/** The smallest side a key press shrinks a shape to, in board units. */
export const MIN_SIDE = 2;
/** A polyline's points are this far apart at most along a segment, so that the board's smoothing keeps its segments straight. */
export const POLYLINE_SPACING = 8;

/** @param {number} v */
const round = (v) => Math.round(v * 100) / 100;

/**
 * A rectangle's or an ellipse's two corners: `w` × `h`, centred on `c`.
 * @param {Point} c @param {number} w @param {number} h @returns {Point[]}
 */
export function boxAround(c, w, h) {
  return [{ x: round(c.x - w / 2), y: round(c.y - h / 2) }, { x: round(c.x + w / 2), y: round(c.y + h / 2) }];
}

/**
 * A polyline's points for a pencil stroke: the corners the person placed,
 * with points in between every POLYLINE_SPACING at most, so that the stroke
 * (drawn smoothed through the midpoints of its points) runs straight from
 * corner to corner and passes through each.
 * @param {Point[]} corners @param {number} [max] at most this many points in all
 * @returns {Point[]}
 */
export function polylinePoints(corners, max = 10_000) {
  if (corners.length < 2) return corners.map((p) => ({ ...p }));
  const total = corners.slice(1).reduce((n, p, i) => n + Math.hypot(p.x - corners[i].x, p.y - corners[i].y), 0);
  const spacing = Math.max(POLYLINE_SPACING, total / Math.max(1, max - corners.length));
  /** @type {Point[]} */
  const out = [{ ...corners[0] }];
  for (let i = 1; i < corners.length; i++) {
    const a = corners[i - 1], b = corners[i];
    const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / spacing));
    // A corner twice (before and after it) keeps the curve through it nearly sharp.
    if (i > 1) out.push({ ...a });
    for (let k = 1; k <= steps; k++) out.push({ x: round(a.x + ((b.x - a.x) * k) / steps), y: round(a.y + ((b.y - a.y) * k) / steps) });
  }
  return out;
}

/**
 * A shape moved by (dx, dy): the change to send.
 * @param {Shape} s @param {number} dx @param {number} dy @returns {Partial<Shape>}
 */
export function nudged(s, dx, dy) {
  return { points: s.points.map((p) => ({ x: round(p.x + dx), y: round(p.y + dy) })) };
}

/**
 * A shape resized by a key press: its right edge moves by `dx` and its
 * bottom edge by `dy` (the top-left corner stays), never below MIN_SIDE; a
 * line's second end moves; a text's size changes by `dx || dy` (down or right
 * is larger). The change to send, or null when there is none.
 * @param {Shape} s @param {number} dx @param {number} dy @returns {Partial<Shape>|null}
 */
export function grown(s, dx, dy) {
  const pts = s.points || [];
  if (pts.length === 0) return null;
  if (s.type === 'text') {
    const size = s.style?.fontSize || 20;
    const next = Math.max(6, Math.min(400, Math.round(size + (dy || dx))));
    return next === size ? null : { style: { ...s.style, fontSize: next } };
  }
  if (s.type === 'line') {
    const b = pts[1] || pts[0];
    return { points: [{ ...pts[0] }, { x: round(b.x + dx), y: round(b.y + dy) }] };
  }
  const box = pointsBox(pts);
  const w = box.maxX - box.minX, h = box.maxY - box.minY;
  // A straight pencil stroke has no height (or width) to scale.
  const flat = s.type === 'pencil';
  const nw = flat && w === 0 ? 0 : Math.max(MIN_SIDE, w + dx), nh = flat && h === 0 ? 0 : Math.max(MIN_SIDE, h + dy);
  if (nw === w && nh === h) return null;
  if (s.type === 'pencil') {
    const fx = w ? nw / w : 1, fy = h ? nh / h : 1;
    return { points: pts.map((p) => ({ x: round(box.minX + (p.x - box.minX) * fx), y: round(box.minY + (p.y - box.minY) * fy) })) };
  }
  const corners = [{ x: box.minX, y: box.minY }, { x: round(box.minX + nw), y: round(box.minY + nh) }];
  return s.type === 'image' ? { points: corners, width: round(nw), height: round(nh) } : { points: corners };
}

/**
 * The view's offset after the focus point moved to screen (sx, sy): it
 * scrolls so that the point stays `margin` pixels inside a w × h view.
 * @param {{ox: number, oy: number}} view @param {number} sx @param {number} sy
 * @param {number} w @param {number} h @param {number} margin
 * @returns {{ox: number, oy: number}}
 */
export function pushedView(view, sx, sy, w, h, margin) {
  let { ox, oy } = view;
  if (sx < margin) ox += margin - sx;
  else if (sx > w - margin) ox -= sx - (w - margin);
  if (sy < margin) oy += margin - sy;
  else if (sy > h - margin) oy -= sy - (h - margin);
  return { ox, oy };
}
