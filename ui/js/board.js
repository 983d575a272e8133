// @ts-check
/**
 * The shapes on the board, in drawing order, with per-shape caches (bounds,
 * Path2D for pencil strokes) that are dropped whenever a shape changes.
 */
import { pressuresOf, pressurePath, halfWidth } from './pressure.js';

/**
 * @typedef {{x: number, y: number}} Point
 * @typedef {{strokeColor: string, fillColor: string, strokeWidth: number, opacity: number, fontSize?: number}} Style
 * @typedef {{id: string, type: string, points: Point[], pressures?: number[], text?: string, image?: string, width?: number, height?: number, style: Style, isSelected: boolean, createdBy?: string}} Shape
 * @typedef {{minX: number, minY: number, maxX: number, maxY: number}} Bounds
 */

/** Add-only changes the board remembers for `appendedSince`. */
const MAX_APPENDS = 32;

export class Board {
  constructor() {
    /** @type {Map<string, Shape>} insertion order is drawing order */
    this.shapes = new Map();
    /** @type {Map<string, Bounds>} */
    this.boundsCache = new Map();
    /** @type {Map<string, Path2D>} */
    this.pathCache = new Map();
    /** @type {() => void} */
    this.onChange = () => {};
    /** grows on every change; the renderer's cached layer is valid for one version */
    this.version = 0;
    /**
     * The latest changes that only added new shapes on top (the parts of a
     * board as it arrives): the renderer draws just those onto its layer
     * instead of drawing the whole board again for each part.
     * @type {{from: number, to: number, ids: string[]}[]}
     */
    this.appends = [];
    /** The version made by the last change that redraws the board once and is done (a whole sync, a new order). */
    this.settledAt = -1;
  }

  /** @param {Shape} shape */
  put(shape) {
    if (!shape || typeof shape.id !== 'string') return;
    this.invalidate(shape.id);
    this.shapes.set(shape.id, shape);
    this.onChange();
  }

  /** @param {string} id @param {Partial<Shape>} updates */
  update(id, updates) {
    const shape = this.shapes.get(id);
    if (!shape) return;
    this.invalidate(id);
    this.shapes.set(id, { ...shape, ...updates });
    this.onChange();
  }

  /** @param {string[]} ids */
  remove(ids) {
    for (const id of ids) {
      this.invalidate(id);
      this.shapes.delete(id);
    }
    this.onChange();
  }

  /** @param {Shape[]} shapes */
  replaceAll(shapes) {
    this.version++;
    this.settledAt = this.version;
    this.appends = [];
    this.shapes.clear();
    this.boundsCache.clear();
    this.pathCache.clear();
    for (const s of shapes) if (s && typeof s.id === 'string') this.shapes.set(s.id, s);
    this.onChange();
  }

  /**
   * Puts many shapes at once (a part of the board as it arrives): one
   * change for all of them.
   * @param {Shape[]} shapes
   */
  putAll(shapes) {
    const from = this.version;
    /** @type {string[]|null} */
    let ids = [];
    for (const s of shapes) {
      if (!s || typeof s.id !== 'string') continue;
      if (ids && this.shapes.has(s.id)) ids = null;
      else if (ids) ids.push(s.id);
      this.invalidate(s.id);
      this.shapes.set(s.id, s);
    }
    if (ids) {
      this.appends.push({ from, to: this.version, ids });
      if (this.appends.length > MAX_APPENDS) this.appends.shift();
    }
    this.onChange();
  }

  /**
   * The ids of the shapes added on top since `version`, when nothing else
   * changed since; null otherwise (then only a whole redraw is right).
   * @param {number} version
   * @returns {string[]|null}
   */
  appendedSince(version) {
    /** @type {string[][]} */
    const runs = [];
    let at = this.version;
    for (let i = this.appends.length - 1; i >= 0 && at > version; i--) {
      const a = this.appends[i];
      if (a.to !== at) return null;
      runs.unshift(a.ids);
      at = a.from;
    }
    return at === version ? runs.flat() : null;
  }

  /**
   * Sets the drawing order: `ids` first, in that order, then the other
   * shapes as they were. Keeps every cached bound and path.
   * @param {string[]} ids
   */
  setOrder(ids) {
    const ordered = new Map();
    for (const id of ids) { const s = this.shapes.get(id); if (s) ordered.set(id, s); }
    for (const [id, s] of this.shapes) if (!ordered.has(id)) ordered.set(id, s);
    // The same order (a board that came whole, then an empty delta): nothing to redraw.
    const now = this.shapes.keys();
    if ([...ordered.keys()].every((id) => id === now.next().value)) return;
    this.shapes.clear();
    for (const [id, s] of ordered) this.shapes.set(id, s);
    this.version++;
    this.settledAt = this.version;
    this.onChange();
  }

  /** @param {string} id */
  invalidate(id) {
    this.version++;
    this.boundsCache.delete(id);
    this.pathCache.delete(id);
  }

  /** @param {Shape} shape @returns {Bounds} */
  bounds(shape) {
    let b = this.boundsCache.get(shape.id);
    if (!b) {
      b = shapeBounds(shape);
      this.boundsCache.set(shape.id, b);
    }
    return b;
  }

  /**
   * The stroke's path: its line, or for a stroke with pen pressure its
   * outline, to fill (see pressure.js).
   * @param {Shape} shape @returns {Path2D}
   */
  pencilPath(shape) {
    let p = this.pathCache.get(shape.id);
    if (!p) {
      p = pressuresOf(shape) ? pressurePath(shape) : smoothPath(shape.points || []);
      this.pathCache.set(shape.id, p);
    }
    return p;
  }

  /**
   * The topmost shape under a world point.
   * @param {Point} pt @param {number} tolerance world units
   * @returns {Shape|undefined}
   */
  hit(pt, tolerance) {
    const list = [...this.shapes.values()];
    for (let i = list.length - 1; i >= 0; i--) {
      if (hits(list[i], this.bounds(list[i]), pt, tolerance)) return list[i];
    }
    return undefined;
  }
}

/** @param {Shape} shape @returns {Bounds} */
export function shapeBounds(shape) {
  const pts = Array.isArray(shape.points) ? shape.points : [];
  if (pts.length === 0) return { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  let { minX, minY, maxX, maxY } = pointsBox(pts);
  if (shape.type === 'text') {
    const size = shape.style?.fontSize || 20;
    const lines = String(shape.text || '').split('\n');
    const longest = Math.max(...lines.map((l) => l.length));
    maxX = minX + longest * size * 0.6;
    maxY = minY + lines.length * size * 1.25;
  }
  const pad = halfWidth(shape) + 1;
  return { minX: minX - pad, minY: minY - pad, maxX: maxX + pad, maxY: maxY + pad };
}

/** Half the side of a resize handle as drawn, in screen pixels. */
export const HANDLE_PX = 5;
/** Half the side of the area that grabs a handle, in screen pixels: a little larger than drawn. */
export const HANDLE_GRAB_PX = 8;

/** Shapes the select tool can resize by a handle. */
export const RESIZABLE = new Set(['rectangle', 'ellipse', 'line', 'text', 'image', 'pencil']);

/**
 * The resize handles of a shape, in world coordinates: the four corners of a
 * rectangle, ellipse or image (dragging one keeps the opposite corner still), the
 * four corners of a pencil stroke's bounding box (dragging one scales every point
 * about the opposite corner), the two ends of a line, the bottom-right corner of a
 * text (it scales the font). Corners are in the order top-left, top-right,
 * bottom-right, bottom-left, so the opposite of corner i is (i + 2) % 4.
 * @param {Shape} shape @returns {Point[]}
 */
export function resizeHandles(shape) {
  const pts = Array.isArray(shape.points) ? shape.points : [];
  if (!RESIZABLE.has(shape.type) || pts.length === 0) return [];
  const a = pts[0], b = pts[1] || pts[0];
  if (shape.type === 'line') return [{ x: a.x, y: a.y }, { x: b.x, y: b.y }];
  if (shape.type === 'pencil') {
    const { minX, minY, maxX, maxY } = pointsBox(pts);
    return [{ x: minX, y: minY }, { x: maxX, y: minY }, { x: maxX, y: maxY }, { x: minX, y: maxY }];
  }
  if (shape.type === 'text') {
    const size = shape.style?.fontSize || 20;
    const lines = String(shape.text || '').split('\n');
    const longest = Math.max(...lines.map((l) => l.length));
    return [{ x: a.x + longest * size * 0.6, y: a.y + lines.length * size * 1.25 }];
  }
  return [{ x: a.x, y: a.y }, { x: b.x, y: a.y }, { x: b.x, y: b.y }, { x: a.x, y: b.y }];
}

/**
 * The bounding box of the points themselves (no stroke-width padding).
 * @param {Point[]} pts @returns {Bounds}
 */
export function pointsBox(pts) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of pts) {
    if (p.x < minX) minX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  if (minX === Infinity) return { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  return { minX, minY, maxX, maxY };
}

/**
 * Quadratic curves through the midpoints of successive points: a smooth line
 * that still passes close to every sample.
 * @param {Point[]} pts @returns {Path2D}
 */
export function smoothPath(pts) {
  const path = new Path2D();
  if (pts.length === 0) return path;
  path.moveTo(pts[0].x, pts[0].y);
  if (pts.length < 3) {
    for (const p of pts.slice(1)) path.lineTo(p.x, p.y);
    if (pts.length === 1) path.lineTo(pts[0].x + 0.01, pts[0].y);
    return path;
  }
  for (let i = 1; i < pts.length - 1; i++) {
    const mx = (pts[i].x + pts[i + 1].x) / 2;
    const my = (pts[i].y + pts[i + 1].y) / 2;
    path.quadraticCurveTo(pts[i].x, pts[i].y, mx, my);
  }
  const last = pts[pts.length - 1];
  path.lineTo(last.x, last.y);
  return path;
}

/** @param {Point} p @param {Point} a @param {Point} b */
function segmentDistance(p, a, b) {
  const dx = b.x - a.x, dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** @param {Shape} shape @param {Bounds} b @param {Point} pt @param {number} tol */
function hits(shape, b, pt, tol) {
  if (pt.x < b.minX - tol || pt.x > b.maxX + tol || pt.y < b.minY - tol || pt.y > b.maxY + tol) return false;
  const pts = shape.points || [];
  const reach = tol + halfWidth(shape);
  if (shape.type === 'pencil' || shape.type === 'line') {
    if (pts.length === 1) return Math.hypot(pt.x - pts[0].x, pt.y - pts[0].y) <= reach;
    for (let i = 1; i < pts.length; i++) if (segmentDistance(pt, pts[i - 1], pts[i]) <= reach) return true;
    return false;
  }
  return true;
}
