// @ts-check
/**
 * The room's history as the host keeps it (docs/PROTOCOL.md, "History"):
 * its timeline (entries and marks), boards at past revisions (fetched one at
 * a time, the newest wanted one first, and cached so that dragging back and
 * forth shows frames at once), who drew each shape, and the changes that
 * make the board equal to a past one. No DOM here.
 */
import { hostJson } from './hostjson.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./actions.js').Action} Action */
/**
 * @typedef {{rev: number, seq: number, t: number, kind: string, userId?: string, name?: string, seat?: string,
 *   shapeIds?: string[], restore?: number, checkpoint?: {id: string, name: string}}} Entry
 * @typedef {{firstRev: number, currentRev: number, firstTime: number|null, lastTime: number|null, keyframes: number[], thinnedBefore: number}} Range
 * @typedef {{rev: number, t: number, exact: boolean, shapes: Shape[]}} PastBoard
 * @typedef {{userId: string, name: string, seat: string}} Person
 */

/** Pages of entries read at most when the panel opens (1,000 each): enough for hours of drawing. */
const MAX_PAGES = 30;
/** Past boards kept in memory, the least recently shown dropped first. */
const CACHE_BOARDS = 80;

/** @param {string} room */
export const historyPath = (room) => `/api/rooms/${encodeURIComponent(room)}`;

/**
 * The timeline from `from` (default: the oldest kept) to now: the range,
 * every change (page after page) and the marks.
 * @param {string} room @param {number} [from]
 * @returns {Promise<{range: Range, entries: Entry[], marks: Entry[]}>}
 */
export async function loadTimeline(room, from) {
  /** @type {Entry[]} */
  const entries = [];
  let q = from === undefined ? '' : `?from=${from}`;
  let first = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await hostJson('GET', `${historyPath(room)}/history${q}`);
    if (!first) first = res;
    entries.push(...(res.entries || []));
    if (typeof res.next !== 'number') break;
    q = `?from=${res.next}&to=${first.range.currentRev}`;
  }
  const f = /** @type {any} */ (first);
  return { range: f.range, entries, marks: f.marks || [] };
}

/**
 * Past boards, fetched one at a time: while one is on its way, only the
 * latest wanted revision waits (a drag asks for many; the frames in between
 * that no one waits for any more are never fetched), and each answer is
 * shown as it comes.
 */
export class PastBoards {
  /** @param {string} room @param {(b: PastBoard) => void} show */
  constructor(room, show) {
    this.room = room;
    this.show = show;
    /** @type {Map<number, PastBoard>} */
    this.cache = new Map();
    /** @type {number|null} */
    this.wanted = null;
    /** @type {AbortController|null} */
    this.inflight = null;
    /** @type {(e: unknown) => void} */
    this.onError = () => {};
  }

  /** Shows the board at `rev`: at once when cached, else when it arrives. @param {number} rev */
  want(rev) {
    this.wanted = rev;
    const hit = this.cache.get(rev);
    if (hit) {
      this.cache.delete(rev);
      this.cache.set(rev, hit);
      this.show(hit);
      return;
    }
    this.pump();
  }

  /** The board at `rev`, from the cache or the host. @param {number} rev @param {AbortSignal} [signal] @returns {Promise<PastBoard>} */
  async get(rev, signal) {
    const hit = this.cache.get(rev);
    if (hit) return hit;
    const res = await hostJson('GET', `${historyPath(this.room)}/history/board?rev=${rev}`, undefined, signal);
    /** @type {PastBoard} */
    const b = { rev: res.rev, t: res.t, exact: res.exact !== false, shapes: res.shapes || [] };
    this.cache.set(rev, b);
    while (this.cache.size > CACHE_BOARDS) this.cache.delete(/** @type {number} */ (this.cache.keys().next().value));
    return b;
  }

  async pump() {
    if (this.inflight || this.wanted === null) return;
    const rev = this.wanted;
    const ctrl = new AbortController();
    this.inflight = ctrl;
    try {
      const b = await this.get(rev, ctrl.signal);
      if (this.inflight !== ctrl) return;
      this.inflight = null;
      // An older frame is still news while a drag goes on: it is shown, and the newest wanted is asked for next.
      this.show(b);
      if (this.wanted !== rev) this.want(/** @type {number} */ (this.wanted));
    } catch (e) {
      if (this.inflight !== ctrl) return;
      this.inflight = null;
      if (this.wanted !== rev) this.pump(); else this.onError(e);
    }
  }

  /** Stops waiting for anything (History closed). */
  cancel() {
    this.wanted = null;
    this.inflight?.abort();
    this.inflight = null;
  }
}

/**
 * Who drew each shape: the person whose change added it (the last such
 * change that was not itself a restore; a restore brings back another's
 * drawing), else the `createdBy` the shape carries.
 * @param {Entry[]} entries @param {Iterable<Shape>} shapes
 * @returns {Map<string, string>} shape id → userId
 */
export function authors(entries, shapes) {
  /** @type {Map<string, string>} */
  const by = new Map();
  /** @type {Map<string, string>} */
  const restoredBy = new Map();
  for (const e of entries) {
    if (e.kind !== 'add' || !e.userId) continue;
    for (const id of e.shapeIds || []) (typeof e.restore === 'number' ? restoredBy : by).set(id, e.userId);
  }
  for (const s of shapes) {
    if (by.has(s.id)) continue;
    const who = s.createdBy || restoredBy.get(s.id);
    if (who) by.set(s.id, who);
  }
  return by;
}

/**
 * The people in the timeline, in the order they first appear.
 * @param {Entry[]} list @returns {Map<string, Person>}
 */
export function peopleOf(list) {
  /** @type {Map<string, Person>} */
  const out = new Map();
  for (const e of list) {
    if (!e.userId) continue;
    out.set(e.userId, { userId: e.userId, name: e.name || out.get(e.userId)?.name || e.userId, seat: e.seat || out.get(e.userId)?.seat || '' });
  }
  return out;
}

/**
 * The changes that make the board `now` equal to `then`: the shapes to
 * bring back, the ones to change back (every field as it was; a field it
 * did not have is cleared), and the ones added since, deleted in one op.
 * Null when the boards are already equal.
 * @param {Map<string, Shape>} now @param {Shape[]} then @param {number} rev
 * @returns {import('./actions.js').GroupAction|null}
 */
export function restoreAction(now, then, rev) {
  /** @type {Action[]} */
  const actions = [];
  const keep = new Set(then.map((s) => s.id));
  const gone = [...now.values()].filter((s) => !keep.has(s.id));
  if (gone.length) actions.push({ kind: 'delete', shapes: gone });
  /** @type {Shape[]} */
  const back = [];
  for (const old of then) {
    const cur = now.get(old.id);
    if (!cur) { back.push(old); continue; }
    /** @type {any} */
    const after = {};
    /** @type {any} */
    const before = {};
    for (const k of new Set([...Object.keys(cur), ...Object.keys(old)])) {
      const a = /** @type {any} */ (old)[k], b = /** @type {any} */ (cur)[k];
      if (JSON.stringify(a ?? null) === JSON.stringify(b ?? null)) continue;
      after[k] = a === undefined ? null : a;
      before[k] = b === undefined ? null : b;
    }
    if (Object.keys(after).length) actions.push({ kind: 'update', id: old.id, before, after });
  }
  if (back.length) actions.push({ kind: 'add', shapes: back });
  return actions.length ? { kind: 'group', actions, restore: rev } : null;
}

/** The last state the history kept of a shape. @param {string} room @param {string} id */
export function pastShape(room, id) {
  return hostJson('GET', `${historyPath(room)}/history/shape/${encodeURIComponent(id)}`);
}
