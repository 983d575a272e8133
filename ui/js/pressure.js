// @ts-check
/**
 * Pencil strokes whose width follows pen pressure. Such a stroke carries
 * `pressures`, one number in 0..1 per point (the same index as `points`);
 * a stroke without it, or whose list does not match its points (a client
 * that knows nothing of pressure may send anything), is drawn with one
 * width as always.
 *
 * The stroke is a filled outline: a disc at every sample along the same
 * curve as smoothPath (board.js), each joined to the next by the band that
 * touches both. One geometry feeds every picture of a stroke (the board,
 * a stroke being drawn, the others' strokes being drawn, the PNG and the
 * SVG export), so all of them match. Being one filled path, a translucent
 * stroke is evenly translucent where its discs overlap.
 */

/** @typedef {import('./board.js').Shape} Shape */

/** Width at pressure 0, as a share of the chosen width (a feather-light touch still leaves a line). */
const THINNEST = 0.2;
/** Width at pressure 1, as a share of the chosen width; at 0.5, a pen's middle, it is the chosen width. */
const THICKEST = 1.8;
/** Longest piece of curve between two discs, in board units: finer costs more discs, not a smoother edge. */
const STEP = 4;
/** Most discs per curve segment between two points. */
const MAX_STEPS = 8;

/** @param {number} v */
const round = (v) => Math.round(v * 100) / 100;

/**
 * The width a pressure gives, as a share of the style's width.
 * @param {number} p 0..1
 */
export function widthFactor(p) {
  const q = Number.isFinite(p) ? Math.max(0, Math.min(1, p)) : 0.5;
  return THINNEST + (THICKEST - THINNEST) * q;
}

/**
 * The pressure of a pointer event to store with a point, or null when the
 * device has none to give: only a pen's varies (a mouse reports 0.5 while
 * a button is down, a finger 0.5 or nothing).
 * @param {PointerEvent} e @returns {number|null}
 */
export function eventPressure(e) {
  if (e.pointerType !== 'pen') return null;
  return round(Math.max(0, Math.min(1, e.pressure)));
}

/**
 * The stroke's pressures, when it is a pencil stroke with one per point.
 * @param {Shape} s @returns {number[]|null}
 */
export function pressuresOf(s) {
  const p = s.pressures;
  return s.type === 'pencil' && Array.isArray(p) && Array.isArray(s.points) && p.length === s.points.length && p.length > 0 ? p : null;
}

/**
 * Half the widest the stroke gets (how far its ink reaches from its points).
 * @param {Shape} s
 */
export function halfWidth(s) {
  const p = pressuresOf(s);
  if (!p) return (s.style?.strokeWidth || 1) / 2;
  let most = 0;
  for (const v of p) most = Math.max(most, widthFactor(v));
  return ((s.style?.strokeWidth || 2) * most) / 2;
}

/**
 * Where the outline goes: a disc (drawn clockwise) or a quadrilateral
 * (turned clockwise too, so that under the nonzero rule every part adds ink
 * and none cuts a hole).
 * @typedef {{disc: (x: number, y: number, r: number) => void, quad: (q: number[]) => void}} Sink
 */

/**
 * The samples of the stroke's curve with their radii: the quadratic curves
 * through the midpoints of successive points, as smoothPath draws them,
 * with a radius interpolated along each curve the same way.
 * @param {Shape} s @param {number[]} pressures @returns {number[]} x, y, r, x, y, r, …
 */
function spine(s, pressures) {
  const pts = s.points;
  const base = s.style?.strokeWidth || 2;
  const r = (/** @type {number} */ i) => (base * widthFactor(pressures[i])) / 2;
  const out = [pts[0].x, pts[0].y, r(0)];
  if (pts.length < 3) {
    if (pts.length === 2) out.push(pts[1].x, pts[1].y, r(1));
    return out;
  }
  let sx = pts[0].x, sy = pts[0].y, sr = r(0);
  for (let i = 1; i < pts.length - 1; i++) {
    const c = pts[i], n = pts[i + 1];
    const ex = (c.x + n.x) / 2, ey = (c.y + n.y) / 2, er = (r(i) + r(i + 1)) / 2, cr = r(i);
    const steps = Math.max(1, Math.min(MAX_STEPS, Math.ceil(Math.hypot(ex - sx, ey - sy) / STEP)));
    for (let k = 1; k <= steps; k++) {
      const t = k / steps, u = 1 - t;
      out.push(u * u * sx + 2 * u * t * c.x + t * t * ex, u * u * sy + 2 * u * t * c.y + t * t * ey, u * u * sr + 2 * u * t * cr + t * t * er);
    }
    sx = ex; sy = ey; sr = er;
  }
  const last = pts.length - 1;
  out.push(pts[last].x, pts[last].y, r(last));
  return out;
}

/**
 * Sends the stroke's outline to `sink`.
 * @param {Shape} s @param {number[]} pressures @param {Sink} sink
 */
function outline(s, pressures, sink) {
  const sp = spine(s, pressures);
  for (let i = 0; i < sp.length; i += 3) {
    const ax = sp[i], ay = sp[i + 1], ar = sp[i + 2];
    sink.disc(ax, ay, ar);
    if (i + 3 >= sp.length) break;
    const bx = sp[i + 3], by = sp[i + 4], br = sp[i + 5];
    const len = Math.hypot(bx - ax, by - ay);
    if (len <= Math.abs(ar - br) + 1e-6) continue; // one disc holds the other
    // The two lines touching both discs: at angle acos((ar - br) / len) from the segment.
    const ux = (bx - ax) / len, uy = (by - ay) / len;
    const cos = (ar - br) / len, sin = Math.sqrt(1 - cos * cos);
    const px = cos * ux - sin * uy, py = cos * uy + sin * ux; // rotated one way…
    const qx = cos * ux + sin * uy, qy = cos * uy - sin * ux; // …and the other
    const q = [ax + ar * px, ay + ar * py, bx + br * px, by + br * py, bx + br * qx, by + br * qy, ax + ar * qx, ay + ar * qy];
    let area = 0;
    for (let j = 0; j < 8; j += 2) area += q[j] * q[(j + 3) % 8] - q[(j + 2) % 8] * q[j + 1];
    if (area < 0) sink.quad([q[6], q[7], q[4], q[5], q[2], q[3], q[0], q[1]]);
    else sink.quad(q);
  }
}

/**
 * The stroke's outline as a Path2D, to fill with its colour.
 * @param {Shape} s @returns {Path2D}
 */
export function pressurePath(s) {
  const path = new Path2D();
  const p = pressuresOf(s);
  if (!p) return path;
  outline(s, p, {
    disc(x, y, r) {
      path.moveTo(x + r, y);
      path.arc(x, y, r, 0, 2 * Math.PI);
      path.closePath();
    },
    quad(q) {
      path.moveTo(q[0], q[1]);
      path.lineTo(q[2], q[3]);
      path.lineTo(q[4], q[5]);
      path.lineTo(q[6], q[7]);
      path.closePath();
    },
  });
  return path;
}

/**
 * The same outline as SVG path data, to fill with the stroke's colour.
 * @param {Shape} s @returns {string}
 */
export function pressureSvgPath(s) {
  const p = pressuresOf(s);
  if (!p) return '';
  /** @type {string[]} */
  const d = [];
  outline(s, p, {
    // Two half circles, clockwise (sweep 1) as the canvas's arc.
    disc(x, y, r) {
      const R = round(r);
      d.push(`M${round(x + r)} ${round(y)}A${R} ${R} 0 1 1 ${round(x - r)} ${round(y)}A${R} ${R} 0 1 1 ${round(x + r)} ${round(y)}Z`);
    },
    quad(q) {
      d.push(`M${round(q[0])} ${round(q[1])}L${round(q[2])} ${round(q[3])}L${round(q[4])} ${round(q[5])}L${round(q[6])} ${round(q[7])}Z`);
    },
  });
  return d.join('');
}
