// @ts-check
/**
 * What is happening on the board besides its shapes: what this person has
 * selected, the shape they are drawing, the box they are dragging, the
 * shapes hidden while the eraser passes over them (or while a text is
 * edited in place), and what the others are doing right now (their cursors,
 * the strokes they are drawing, the shapes they are moving).
 *
 * Only this module changes it, through the methods below: the tools call
 * them for this person's pointer, the connection for the others'. The
 * renderer gets the object and only reads it (the getters' types are
 * read-only, so a write elsewhere fails the type check).
 */

import { CursorGlide } from './glide.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Point} Point */
/**
 * Another person's cursor as last received; `t` is the sender's time of the
 * move (its own clock, ms), which lets the cursor be played back smoothly.
 * @typedef {{x: number, y: number, name: string, color: string, at: number, t?: number}} Cursor
 */
/** @typedef {{a: Point, b: Point}} Marquee */

/** How many of each person's finished strokes are remembered, so that a late copy of one being drawn is not shown again. */
export const LANDED_REMEMBERED = 32;

export class Interaction {
  /** @type {Shape|null} */
  #draft = null;
  /** @type {Set<string>} */
  #selected = new Set();
  /** @type {Set<string>} */
  #hidden = new Set();
  /** @type {Marquee|null} */
  #marquee = null;
  /** @type {Map<string, Cursor>} */
  #cursors = new Map();
  /** @type {Map<string, Shape>} */
  #remoteDrafts = new Map();
  /** @type {Map<string, Shape[]>} */
  #remoteEdits = new Map();
  /** @type {Map<string, string[]>} the ids of the last strokes each person finished, oldest first */
  #landed = new Map();
  #glide = new CursorGlide();

  /** @returns {Readonly<Shape>|null} the shape being drawn, not yet on the board */
  get draft() { return this.#draft; }
  /** @returns {ReadonlySet<string>} the ids of the selected shapes */
  get selected() { return this.#selected; }
  /** @returns {ReadonlySet<string>} shapes not drawn for now (erased by the drag under way, or being edited in place) */
  get hidden() { return this.#hidden; }
  /** @returns {Readonly<Marquee>|null} the box select under way, world coordinates */
  get marquee() { return this.#marquee; }
  /** @returns {ReadonlyMap<string, Readonly<Cursor>>} the others' cursors, by user id */
  get cursors() { return this.#cursors; }
  /** @returns {ReadonlyMap<string, Readonly<Shape>>} shapes others are drawing right now, by user id */
  get remoteDrafts() { return this.#remoteDrafts; }
  /**
   * Shapes others are moving, resizing or typing right now, by user id, as
   * they are at this moment: drawn in place of the board's (never stored).
   * @returns {ReadonlyMap<string, readonly Shape[]>}
   */
  get remoteEdits() { return this.#remoteEdits; }
  /**
   * Where to draw the others' cursors: played back from what was received.
   * Its playout clock is presentation, advanced by the renderer once per frame.
   */
  get cursorGlide() { return this.#glide; }

  /** Starts (or, with null, drops) the shape being drawn. @param {Shape|null} shape */
  setDraft(shape) { this.#draft = shape; }
  /**
   * Adds a point to the stroke being drawn, with its pen pressure when the
   * stroke keeps pressures (one per point).
   * @param {Point} p @param {number|null} [pressure]
   */
  addDraftPoint(p, pressure = null) {
    if (!this.#draft) return;
    this.#draft.points.push(p);
    if (this.#draft.pressures) this.#draft.pressures.push(pressure ?? 0.5);
  }
  /** Moves the second point of the line, rectangle or ellipse being drawn. @param {Point} p */
  setDraftEnd(p) { if (this.#draft) this.#draft.points[1] = p; }
  /** The shape drawn, now done with (null when nothing was being drawn). */
  takeDraft() {
    const d = this.#draft;
    this.#draft = null;
    return d;
  }

  /** Selects `ids`, in addition to the selection when `extend`. @param {Iterable<string>} ids @param {boolean} [extend] */
  select(ids, extend = false) {
    if (!extend) this.#selected.clear();
    for (const id of ids) this.#selected.add(id);
  }
  /** @param {string} id */
  deselect(id) { this.#selected.delete(id); }
  /** Selects nothing. @returns {boolean} whether anything was selected */
  clearSelection() {
    const had = this.#selected.size > 0;
    this.#selected.clear();
    return had;
  }

  /** @param {Marquee|null} box */
  setMarquee(box) { this.#marquee = box; }
  /** The box select, now over (null when there was none). */
  takeMarquee() {
    const m = this.#marquee;
    this.#marquee = null;
    return m;
  }

  /** Stops drawing a shape for now. @param {string} id @returns {boolean} whether it was shown until now */
  hide(id) {
    if (this.#hidden.has(id)) return false;
    this.#hidden.add(id);
    return true;
  }
  /** Draws a hidden shape again. @param {string} id */
  show(id) { this.#hidden.delete(id); }
  /** The hidden shapes' ids, all shown again (what the eraser passed over). */
  takeHidden() {
    const ids = [...this.#hidden];
    this.#hidden.clear();
    return ids;
  }

  /**
   * Another person's cursor message: where they are, the shape they are
   * drawing (or null) and the shapes they are changing (checked by the caller).
   * @param {string} userId @param {Cursor} cursor @param {Shape|null} draft @param {Shape[]} edits
   */
  peerMoved(userId, cursor, draft, edits) {
    this.#cursors.set(userId, cursor);
    this.#glide.add(userId, cursor.x, cursor.y, cursor.t, performance.now());
    // The host sends a receiver's queued changes before the newest cursor
    // move of each sender, so the last move of a stroke being drawn may come
    // after the stroke itself (and after its undo): it is not shown again.
    if (draft && !this.#landed.get(userId)?.includes(draft.id)) this.#remoteDrafts.set(userId, draft);
    else this.#remoteDrafts.delete(userId);
    if (edits.length) this.#remoteEdits.set(userId, edits);
    else this.#remoteEdits.delete(userId);
  }

  /**
   * Another person's change has landed: its live form gives way to the real
   * one (and a shape they added, `shapeId`, ends the one they were drawing).
   * @param {string} userId @param {boolean} added @param {string} [shapeId]
   */
  peerLanded(userId, added, shapeId) {
    if (added) this.#remoteDrafts.delete(userId);
    if (added && typeof shapeId === 'string') {
      const ids = this.#landed.get(userId) || [];
      ids.push(shapeId);
      if (ids.length > LANDED_REMEMBERED) ids.shift();
      this.#landed.set(userId, ids);
    }
    this.#remoteEdits.delete(userId);
  }

  /** Forgets everything of the people no longer in the room. @param {{has: (id: string) => boolean}} present */
  keepPeers(present) {
    for (const id of [...this.#cursors.keys()]) {
      if (!present.has(id)) { this.#cursors.delete(id); this.#remoteDrafts.delete(id); this.#remoteEdits.delete(id); this.#glide.forget(id); }
    }
    for (const id of [...this.#landed.keys()]) if (!present.has(id)) this.#landed.delete(id);
  }
}
