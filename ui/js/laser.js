// @ts-check
/**
 * The laser pointer: a tool for showing, not drawing. While it is pressed,
 * its trail goes to the others (`LASER`, relayed by the host and never
 * stored) and everyone, its holder too, sees it in the holder's colour for
 * a moment (LASER_FADE_MS) before it fades away. Nothing on the board
 * changes, so there is nothing to undo and nothing to sync.
 *
 * From the keyboard, Enter with the laser leaves a ring around the focus
 * point (keyboard-draw.js), sent the same way.
 *
 * Sending is paced to one message every LASER_INTERVAL_MS with at most the
 * host's `maxLaserPoints` points; receiving trusts nothing a peer sends.
 */
import { limits } from './limits.js';

/** How long a stretch of trail stays visible: fully for the first half, then fading. */
export const LASER_FADE_MS = 1000;
/** Least time between two `LASER` messages (25 a second, under the host's `maxLaserMessagesPerSec`). */
export const LASER_INTERVAL_MS = 40;
/** Most trail points kept per person (older ones go first): a bound on what a peer can make this page hold. */
const MAX_TRAIL_POINTS = 600;
/** Closest two points of a trail may be, in screen pixels. */
const MIN_STEP_PX = 2;
/** Widths of the trail's bright core and of its glow, in screen pixels. */
const CORE_PX = 4;
const GLOW_PX = 12;
/** The trail Enter makes from the keyboard: a ring this wide around the focus point, in screen pixels, of RING_STEPS stretches. */
const RING_PX = 16;
const RING_STEPS = 24;

/** @typedef {{x: number, y: number, at: number}} TrailPoint */
/** @typedef {{stroke: number, color: string, points: TrailPoint[]}} Trail */

/** @param {number} v */
const round = (v) => Math.round(v * 100) / 100;

export class Laser {
  /**
   * @param {{canvas: HTMLCanvasElement, view: import('./render.js').View, renderer: import('./render.js').Renderer,
   *   me: string, active: (e: PointerEvent) => boolean, colorOf: (userId: string) => string|null,
   *   send: (type: string, payload: any) => void}} o
   *   `active`: whether a press starts the laser (its tool is chosen, and the press is not a pan)
   */
  constructor(o) {
    this.canvas = o.canvas;
    this.view = o.view;
    this.renderer = o.renderer;
    this.me = o.me;
    this.active = o.active;
    this.colorOf = o.colorOf;
    this.send = o.send;
    /** @type {Map<string, Trail[]>} everyone's trails still shown, by user id */
    this.trails = new Map();
    /** numbers this person's presses, so the others never join two trails */
    this.stroke = Date.now() % 1_000_000;
    /** @type {number|null} the pointer drawing the trail now */
    this.pointerId = null;
    /** @type {{x: number, y: number}[]} points not sent yet */
    this.pending = [];
    this.lastSent = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.timer = undefined;
    const c = o.canvas;
    c.addEventListener('pointerdown', (e) => this.down(e));
    c.addEventListener('pointermove', (e) => this.move(e));
    c.addEventListener('pointerup', (e) => this.up(e));
    c.addEventListener('pointercancel', (e) => this.up(e));
    o.renderer.addOverlay((ctx, view) => this.draw(ctx, view));
  }

  /** @param {PointerEvent} e */
  down(e) {
    if (this.pointerId !== null) {
      // A second finger: a pinch or a pan, not the laser.
      if (e.pointerId !== this.pointerId) this.end();
      return;
    }
    if (e.button !== 0 || !this.active(e)) return;
    this.pointerId = e.pointerId;
    this.stroke++;
    this.add(this.world(e));
  }

  /** @param {PointerEvent} e */
  move(e) {
    if (e.pointerId !== this.pointerId) return;
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) this.add(this.world(ev));
  }

  /** @param {PointerEvent} e */
  up(e) {
    if (e.pointerId === this.pointerId) this.end();
  }

  end() {
    this.pointerId = null;
    this.flush();
  }

  /**
   * A short trail around a board point, as a pointer circling it would
   * leave: what Enter does with the laser at the keyboard's focus point.
   * It goes to the others as any trail (paced, one press of its own).
   * @param {{x: number, y: number}} center
   */
  ring(center) {
    if (this.pointerId !== null) return; // a pointer is drawing a trail now
    this.stroke++;
    const r = RING_PX / this.view.scale;
    for (let i = 0; i <= RING_STEPS; i++) {
      const a = (2 * Math.PI * i) / RING_STEPS;
      this.add({ x: round(center.x + r * Math.cos(a)), y: round(center.y + r * Math.sin(a)) });
    }
  }

  /** @param {PointerEvent} e */
  world(e) {
    const r = this.canvas.getBoundingClientRect();
    const w = this.view.toWorld(e.clientX - r.left, e.clientY - r.top);
    return { x: round(w.x), y: round(w.y) };
  }

  /** A point of this person's trail: shown here at once, sent with the next message. @param {{x: number, y: number}} p */
  add(p) {
    const own = this.trailOf(this.me, this.stroke, this.colorOf(this.me) || '#e03131');
    const last = own.points[own.points.length - 1];
    if (last && Math.hypot(p.x - last.x, p.y - last.y) * this.view.scale < MIN_STEP_PX) return;
    this.push(this.me, own, [p]);
    this.pending.push(p);
    const wait = LASER_INTERVAL_MS - (performance.now() - this.lastSent);
    if (wait <= 0) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends the points gathered since the last message (the newest, when there are too many). */
  flush() {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const points = this.pending.slice(-limits.protocol.maxLaserPoints);
    this.pending = [];
    this.lastSent = performance.now();
    this.send('LASER', { userId: this.me, stroke: this.stroke, points });
  }

  /**
   * Another person's `LASER`: only well-formed points of someone in the
   * room (`colorOf` knows them), at most the host's limit.
   * @param {string} userId @param {any} p
   */
  received(userId, p) {
    const color = this.colorOf(userId);
    if (!color || userId === this.me || !p || !Number.isSafeInteger(p.stroke) || !Array.isArray(p.points)) return;
    const points = p.points.slice(0, limits.protocol.maxLaserPoints)
      .filter((/** @type {any} */ q) => q && Number.isFinite(q.x) && Number.isFinite(q.y))
      .map((/** @type {any} */ q) => ({ x: q.x, y: q.y }));
    if (points.length) this.push(userId, this.trailOf(userId, p.stroke, color), points);
  }

  /** Forgets the trails of the people no longer in the room. @param {{has: (id: string) => boolean}} present */
  keep(present) {
    for (const id of [...this.trails.keys()]) if (id !== this.me && !present.has(id)) this.trails.delete(id);
  }

  /** Trail points shown now, everyone's (for tests). */
  pointCount() {
    let n = 0;
    for (const trails of this.trails.values()) for (const t of trails) n += t.points.length;
    return n;
  }

  /**
   * The trail of `userId`'s press `stroke`: the last one, or a new one.
   * @param {string} userId @param {number} stroke @param {string} color @returns {Trail}
   */
  trailOf(userId, stroke, color) {
    let trails = this.trails.get(userId);
    if (!trails) { trails = []; this.trails.set(userId, trails); }
    const last = trails[trails.length - 1];
    if (last && last.stroke === stroke) return last;
    const trail = { stroke, color, points: /** @type {TrailPoint[]} */ ([]) };
    trails.push(trail);
    return trail;
  }

  /** @param {string} userId @param {Trail} trail @param {{x: number, y: number}[]} points */
  push(userId, trail, points) {
    const at = performance.now();
    for (const q of points) trail.points.push({ x: q.x, y: q.y, at });
    // Bound what one person's trails hold, oldest first.
    const trails = /** @type {Trail[]} */ (this.trails.get(userId));
    let total = trails.reduce((n, t) => n + t.points.length, 0);
    while (total > MAX_TRAIL_POINTS && trails.length) {
      const first = trails[0];
      const drop = Math.min(first.points.length, total - MAX_TRAIL_POINTS);
      first.points.splice(0, drop);
      total -= drop;
      if (first.points.length === 0) trails.shift();
    }
    this.renderer.request();
  }

  /**
   * Draws every trail in board coordinates, each stretch as faded as it is
   * old, and asks for the next frame while any is left.
   * @param {CanvasRenderingContext2D} ctx @param {import('./render.js').View} view
   */
  draw(ctx, view) {
    const now = performance.now();
    for (const [id, trails] of this.trails) {
      for (const t of trails) {
        const old = t.points.findIndex((q) => now - q.at < LASER_FADE_MS);
        if (old < 0) t.points.length = 0;
        else if (old > 1) t.points.splice(0, old - 1); // keep one to start the oldest stretch from
      }
      const left = trails.filter((t) => t.points.length > 0 && now - t.points[t.points.length - 1].at < LASER_FADE_MS);
      if (left.length) this.trails.set(id, left);
      else this.trails.delete(id);
    }
    if (this.trails.size === 0) return;
    ctx.save();
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const trails of this.trails.values()) {
      for (const t of trails) {
        ctx.strokeStyle = t.color;
        ctx.fillStyle = t.color;
        const pts = t.points;
        if (pts.length === 1) {
          ctx.globalAlpha = alpha(now - pts[0].at);
          ctx.beginPath();
          ctx.arc(pts[0].x, pts[0].y, CORE_PX / view.scale, 0, 2 * Math.PI);
          ctx.fill();
          continue;
        }
        for (const [width, strength] of [[GLOW_PX, 0.25], [CORE_PX, 1]]) {
          ctx.lineWidth = width / view.scale;
          // Round ends where the translucent glow's stretches meet would overlap as beads.
          ctx.lineCap = width === GLOW_PX ? 'butt' : 'round';
          for (let i = 1; i < pts.length; i++) {
            ctx.globalAlpha = strength * alpha(now - pts[i].at);
            ctx.beginPath();
            ctx.moveTo(pts[i - 1].x, pts[i - 1].y);
            ctx.lineTo(pts[i].x, pts[i].y);
            ctx.stroke();
          }
        }
      }
    }
    ctx.restore();
    this.renderer.request();
  }
}

/** Opacity of a stretch `age` ms old: full for the first half of LASER_FADE_MS, then down to none. @param {number} age */
function alpha(age) {
  return Math.max(0, Math.min(1, 2 * (1 - age / LASER_FADE_MS)));
}
