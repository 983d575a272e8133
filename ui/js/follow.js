// @ts-check
/**
 * Following someone's view, and where everyone looks.
 *
 * Each page tells the others what part of the board it shows (`VIEWPORT`,
 * relayed by the host and never stored): when its view changes (at most
 * every VIEW_INTERVAL_MS, the last change always), once connected, and
 * when someone joins. A page that follows someone fits that person's
 * rectangle into its own board area whenever it changes; any change of its
 * own view that this module did not make (a pan, a zoom, Fit) ends the
 * following, and so does Escape. `PRESENT` (the host's "bring everyone to
 * me") makes every page follow the host's person. The host can also draw
 * everyone's rectangle, in their colour, on the board.
 */

import { inkOn, MIN_SCALE, MAX_SCALE } from './render.js';
import { t } from './i18n.js';

/** Least time between two `VIEWPORT` messages. */
export const VIEW_INTERVAL_MS = 50;

/** @typedef {{x: number, y: number, w: number, h: number}} Rect */
/** @typedef {{scale: number, ox: number, oy: number}} ViewNumbers */

/** @param {number} v */
const round = (v) => Math.round(v * 100) / 100;

/**
 * The part of the board a canvas shows through a view, in board coordinates.
 * @param {import('./render.js').View} view @param {HTMLCanvasElement} canvas @returns {Rect}
 */
export function viewRect(view, canvas) {
  const tl = view.toWorld(0, 0);
  return { x: round(tl.x), y: round(tl.y), w: round(canvas.clientWidth / view.scale), h: round(canvas.clientHeight / view.scale) };
}

export class Follow {
  /**
   * @param {{canvas: HTMLCanvasElement, view: import('./render.js').View, renderer: import('./render.js').Renderer, me: string,
   *   users: () => Map<string, import('./net.js').User>, send: (type: string, payload: any) => boolean,
   *   status: HTMLElement, onChange: () => void, toast: (text: string, kind: 'info'|'bad', ms: number) => void}} o
   *   `send` says whether the message went out; `onChange` is told when whom this page follows changes
   */
  constructor(o) {
    this.canvas = o.canvas;
    this.view = o.view;
    this.renderer = o.renderer;
    this.me = o.me;
    this.users = o.users;
    this.sendMessage = o.send;
    this.status = o.status;
    this.onChange = o.onChange;
    this.toast = o.toast;
    /** @type {Map<string, {rect: Rect, following: string|null}>} the others' views, by user id */
    this.peers = new Map();
    /** @type {string|null} whose view this page follows */
    this.following = null;
    /** the following started with the host's "bring everyone to me" */
    this.presented = false;
    /** @type {(ViewNumbers & {w: number, h: number})|null} the view this module set last, and the board area it was fitted to */
    this.applied = null;
    /** whether the others' rectangles are drawn */
    this.showViews = false;
    /** @type {string} the rectangle sent last (JSON), to send only changes */
    this.sentKey = '';
    this.lastSent = 0;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.timer = undefined;
    /** @type {HTMLElement} */ (this.status.querySelector('[data-follow-stop]')).addEventListener('click', () => this.stop());
    addEventListener('keydown', (e) => {
      const t = /** @type {HTMLElement} */ (e.target);
      if (e.key === 'Escape' && this.following && !t.closest?.('dialog')) this.stop();
    });
    o.renderer.addOverlay((ctx, view) => this.drawn(ctx, view));
  }

  /** The part of the board this page shows, in board coordinates. @returns {Rect} */
  rect() { return viewRect(this.view, this.canvas); }

  /** Tells the others this page's view now (connected, someone joined, before presenting). */
  sendNow() {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rect = this.rect();
    if (!(rect.w > 0 && rect.h > 0)) return; // not laid out yet
    const payload = { userId: this.me, rect, following: this.following };
    if (!this.sendMessage('VIEWPORT', payload)) return;
    this.sentKey = JSON.stringify([rect, this.following]);
    this.lastSent = performance.now();
  }

  /** Sends the view if it changed, paced to VIEW_INTERVAL_MS. */
  viewChanged() {
    if (JSON.stringify([this.rect(), this.following]) === this.sentKey || this.timer) return;
    const wait = VIEW_INTERVAL_MS - (performance.now() - this.lastSent);
    if (wait <= 0) this.sendNow();
    else this.timer = setTimeout(() => this.sendNow(), wait);
  }

  /**
   * Another person's `VIEWPORT`: kept (only a well-formed one of someone in
   * the room), and applied when this page follows them.
   * @param {string} userId @param {any} p
   */
  received(userId, p) {
    const r = p?.rect;
    if (userId === this.me || !this.users().has(userId) || !r) return;
    if (![r.x, r.y, r.w, r.h].every(Number.isFinite) || !(r.w > 0 && r.h > 0)) return;
    const following = typeof p.following === 'string' ? p.following : null;
    this.peers.set(userId, { rect: { x: r.x, y: r.y, w: r.w, h: r.h }, following });
    if (this.following === userId) this.apply();
    if (this.showViews) this.renderer.request();
  }

  /** `PRESENT {userId}`: the host asks everyone to follow that person. @param {any} p */
  onPresent(p) {
    const id = typeof p?.userId === 'string' ? p.userId : '';
    if (id === this.me) {
      this.toast(t('board.follow.presenting_you'), 'info', 4000);
      return;
    }
    if (this.users().has(id)) this.follow(id, true);
  }

  /** Follows `userId`'s view (or, already following them, stops). @param {string} userId @param {boolean} [presented] */
  toggle(userId, presented = false) {
    if (this.following === userId && !presented) this.stop();
    else this.follow(userId, presented);
  }

  /** @param {string} userId @param {boolean} [presented] */
  follow(userId, presented = false) {
    this.following = userId;
    this.presented = presented;
    this.applied = null;
    this.apply();
    this.showStatus();
    this.viewChanged();
    this.onChange();
  }

  stop() {
    if (!this.following) return;
    this.following = null;
    this.presented = false;
    this.applied = null;
    this.showStatus();
    this.viewChanged();
    this.onChange();
  }

  /** Forgets the people no longer in the room (and stops following one who left). @param {{has: (id: string) => boolean}} present */
  keep(present) {
    for (const id of [...this.peers.keys()]) if (!present.has(id)) this.peers.delete(id);
    if (this.following && !present.has(this.following)) this.stop();
  }

  /**
   * Fits the followed person's rectangle into this page's board area. A
   * view changed since this module last set it was moved by this page's
   * person: that ends the following instead.
   */
  apply() {
    const peer = this.following ? this.peers.get(this.following) : undefined;
    if (this.movedByHand()) { this.stop(); return; }
    // Who follows this page is not followed back: the two would chase each other's view.
    if (!peer || peer.following === this.me) return;
    const { rect } = peer;
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    if (!(w > 0 && h > 0)) return;
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.min(w / rect.w, h / rect.h)));
    const v = this.view;
    v.scale = scale;
    v.ox = w / 2 - (rect.x + rect.w / 2) * scale;
    v.oy = h / 2 - (rect.y + rect.h / 2) * scale;
    this.applied = { scale: v.scale, ox: v.ox, oy: v.oy, w, h };
    this.renderer.request();
  }

  /** Whether the view is no longer the one this module set. */
  movedByHand() {
    const a = this.applied, v = this.view;
    return !!a && (a.scale !== v.scale || a.ox !== v.ox || a.oy !== v.oy);
  }

  showStatus() {
    const name = this.following ? this.users().get(this.following)?.name || t('board.someone.lower') : '';
    const text = /** @type {HTMLElement} */ (this.status.querySelector('[data-follow-text]'));
    text.textContent = name ? t(this.presented ? 'board.follow.status.presenting' : 'board.follow.status', { name }) : '';
    this.status.hidden = !name;
  }

  /**
   * After every draw: a view its person moved ends the following; a
   * resized board area is fitted again; a changed view is told to the
   * others; and the others' rectangles are drawn when asked for.
   * @param {CanvasRenderingContext2D} ctx @param {import('./render.js').View} view
   */
  drawn(ctx, view) {
    if (this.following && this.movedByHand()) this.stop();
    else if (this.following && this.applied && (this.applied.w !== this.canvas.clientWidth || this.applied.h !== this.canvas.clientHeight)) this.apply();
    this.viewChanged();
    if (!this.showViews) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.lineWidth = 2;
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    // From its left edge whatever the page's direction: right to left, `start` would put it outside the box.
    ctx.textAlign = 'left';
    for (const [id, { rect }] of this.peers) {
      const u = this.users().get(id);
      if (!u) continue;
      const x = Math.round(rect.x * view.scale + view.ox), y = Math.round(rect.y * view.scale + view.oy);
      const w = Math.round(rect.w * view.scale), h = Math.round(rect.h * view.scale);
      ctx.strokeStyle = u.color;
      ctx.fillStyle = u.color;
      ctx.strokeRect(x + 1, y + 1, w - 2, h - 2);
      const label = t('board.follow.sees', { name: u.name });
      ctx.fillRect(x + 1, y + 1, ctx.measureText(label).width + 10, 18);
      ctx.fillStyle = inkOn(u.color);
      ctx.fillText(label, x + 6, y + 4);
    }
    ctx.restore();
  }

  /** The others' views as this page knows them (for tests). */
  list() {
    return [...this.peers].map(([id, { rect, following }]) => ({ id, ...rect, following }));
  }
}
