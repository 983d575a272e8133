// @ts-check
/**
 * What the others see of a change while it happens: the cursor, the stroke
 * being drawn (`draft`) and the shapes being moved, resized or typed
 * (`edits`), all riding on CURSOR_MOVE and never stored. Sending is paced
 * to one message per animation frame and one shape payload per
 * DRAFT_INTERVAL_MS; receiving trusts nothing a peer sends.
 */
import { limits } from './limits.js';

/** How often a shape being drawn or changed is shown to the others. */
export const DRAFT_INTERVAL_MS = 66;
/** Most shapes sent live while a selection is moved (the rest jump on release), and taken from a peer's `edits`. */
export const MAX_LIVE_EDITS = 20;
/**
 * Most JSON bytes of shapes sent live in one cursor message: a choice of this
 * UI (the host relays the message whole), a quarter of the host's frame limit
 * at most, so the cursor and a stroke being drawn fit beside them.
 */
export const MAX_LIVE_EDIT_BYTES = 512 * 1024;

/** @typedef {import('./board.js').Point} Point */

export class LiveSender {
  /**
   * @param {import('./net.js').Net} net
   * @param {import('./interaction.js').Interaction} state what this person is drawing
   * @param {() => {editing: () => boolean, liveEdits: () => any[]|null}} tools
   */
  constructor(net, state, tools) {
    this.net = net;
    this.state = state;
    this.tools = tools;
    /** @type {Point|null} where the pointer moved since the last message */
    this.pointer = null;
    /** @type {Point|null} where it last was */
    this.last = null;
    /** when the pointer was at `last` (performance.now() ms) */
    this.lastAt = 0;
    this.lastSent = 0;
    this.queued = false;
    /** the last message carried edits, so one without them clears them */
    this.editsShown = false;
    /** @type {ReturnType<typeof setTimeout>|undefined} a send held back by DRAFT_INTERVAL_MS, due when it is over */
    this.later = undefined;
  }

  /**
   * The pointer moved over the board: sent with the next frame, stamped with
   * when it was there (the event's time, so that the others can play it back
   * at the pace it was made even when this page sends late).
   * @param {Point} p @param {number} [at] performance.now() time of the move
   */
  moved(p, at = performance.now()) {
    this.pointer = p;
    this.last = p;
    this.lastAt = at;
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
    const live = !!this.state.draft || tools.editing();
    const due = force || now - this.lastSent >= DRAFT_INTERVAL_MS;
    if (live && !due) {
      // Keep the pointer: it goes out with the shapes when the interval is
      // over, even if the pointer then stays still (the end of a drag).
      if (!this.later) this.later = setTimeout(() => { this.later = undefined; this.send(); }, DRAFT_INTERVAL_MS - (now - this.lastSent));
      return;
    }
    if (live) this.lastSent = now;
    const edits = live ? tools.liveEdits() : null;
    this.net.sendCursor(at.x, at.y, this.state.draft || undefined, edits || undefined, this.lastAt);
    this.editsShown = !!edits;
    this.pointer = null;
  }
}

/**
 * The shapes another person is changing, from their cursor message: only
 * well-formed ones, at most MAX_LIVE_EDITS (a peer's message is not trusted).
 * @param {unknown} edits @returns {import('./board.js').Shape[]}
 */
export function liveShapes(edits) {
  if (!Array.isArray(edits)) return [];
  return edits.slice(0, MAX_LIVE_EDITS).filter((e) => e && typeof e === 'object' && typeof e.id === 'string'
    && typeof e.type === 'string' && Array.isArray(e.points));
}

/**
 * The shapes to send live: the first MAX_LIVE_EDITS, and of those as many
 * as fit in MAX_LIVE_EDIT_BYTES of JSON.
 * @template T @param {T[]} shapes @returns {T[]}
 */
export function capEdits(shapes) {
  /** @type {T[]} */
  const sent = [];
  let bytes = 0;
  const most = Math.min(MAX_LIVE_EDIT_BYTES, limits.protocol.maxFrameBytes / 4);
  for (const shape of shapes.slice(0, MAX_LIVE_EDITS)) {
    bytes += JSON.stringify(shape).length;
    if (bytes > most) break;
    sent.push(shape);
  }
  return sent;
}
