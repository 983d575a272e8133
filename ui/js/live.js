// @ts-check
/**
 * What the others see of a change while it happens: the cursor, the stroke
 * being drawn (`draft`) and the shapes being moved, resized or typed
 * (`edits`), all riding on CURSOR_MOVE and never stored. Sending is paced
 * to one message per animation frame and one shape payload per
 * DRAFT_INTERVAL_MS; receiving trusts nothing a peer sends.
 */

/** How often a shape being drawn or changed is shown to the others. */
export const DRAFT_INTERVAL_MS = 66;
/** Most shapes taken from one peer's `edits`. */
const MAX_REMOTE_EDITS = 20;

/** @typedef {import('./board.js').Point} Point */

export class LiveSender {
  /**
   * @param {import('./net.js').Net} net
   * @param {import('./render.js').Renderer} renderer
   * @param {() => {editing: () => boolean, liveEdits: () => any[]|null}} tools
   */
  constructor(net, renderer, tools) {
    this.net = net;
    this.renderer = renderer;
    this.tools = tools;
    /** @type {Point|null} where the pointer moved since the last message */
    this.pointer = null;
    /** @type {Point|null} where it last was */
    this.last = null;
    this.lastSent = 0;
    this.queued = false;
    /** the last message carried edits, so one without them clears them */
    this.editsShown = false;
  }

  /** The pointer moved over the board: sent with the next frame. @param {Point} p */
  moved(p) {
    this.pointer = p;
    this.last = p;
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.send(); });
  }

  /** Typing, or the end of a move or resize: the others see it now. */
  changed() {
    if (this.tools().editing() || this.editsShown) this.send(true);
  }

  /**
   * The cursor, and at most every DRAFT_INTERVAL_MS what is being drawn or
   * changed (`force`: now).
   * @param {boolean} [force]
   */
  send(force = false) {
    const at = this.pointer || (force ? this.last : null);
    if (!at) return;
    const tools = this.tools();
    const now = performance.now();
    const live = !!this.renderer.draft || tools.editing();
    const due = force || now - this.lastSent >= DRAFT_INTERVAL_MS;
    if (live && !due) return; // keep the pointer: the next frame sends it with the shapes
    if (live) this.lastSent = now;
    const edits = live ? tools.liveEdits() : null;
    this.net.sendCursor(at.x, at.y, this.renderer.draft || undefined, edits || undefined);
    this.editsShown = !!edits;
    this.pointer = null;
  }
}

/**
 * The shapes another person is changing, from their cursor message: only
 * well-formed ones, at most MAX_REMOTE_EDITS (a peer's message is not trusted).
 * @param {unknown} edits @returns {import('./board.js').Shape[]}
 */
export function liveShapes(edits) {
  if (!Array.isArray(edits)) return [];
  return edits.slice(0, MAX_REMOTE_EDITS).filter((e) => e && typeof e === 'object' && typeof e.id === 'string'
    && typeof e.type === 'string' && Array.isArray(e.points));
}
