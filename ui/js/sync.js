// @ts-check
/**
 * Applies the host's `SYNC_SHAPES` to the board. A plain one, as ever: a
 * full sync replaces the board, a delta puts and removes. A late joiner
 * asks for the board in parts (`REQUEST_SYNC {parts: true, view}`): the
 * host sends the shapes nearest this page's view first, each part with
 * `part`, `parts`, `total`, `inView` (how many of the first shapes touch
 * the view) and `at` (each shape's place in the host's board order). Each
 * part is painted as it arrives and never wipes the ones before it; after
 * the last one the board is exactly what one plain sync would have made
 * it: the shapes the host no longer has are gone (full sync) or the
 * deleted ones (`deletedIds`, in the last part only), and the shapes are
 * put back in the host's order (at the next quiet moment: it redraws the
 * whole board), so overlapping strokes stack as they do for everyone else.
 *
 * Marks for the benchmarks: `coco-first-part-shown` after the frame that
 * first shows the first part, `coco-view-shown` after the frame that shows
 * every shape touching the view; the whole board is `coco-board-shown`
 * (main.js), as for a plain sync.
 */

/** @typedef {import('./board.js').Shape} Shape */
/**
 * @typedef {{shapes?: Shape[], deletedIds?: string[], full?: boolean, rev?: number,
 *   part?: number, parts?: number, total?: number, inView?: number, at?: number[]}} Sync
 */

/** The longest the host's stacking order waits for a quiet moment after the last part. */
const REORDER_WITHIN_MS = 500;
/** Where there is no idle callback (older WebKit), it waits this long. */
const REORDER_FALLBACK_MS = 50;

/**
 * A stroke's points as the host packs them in a sync (`packedPoints`:
 * `{scale, xy}`, whole numbers: the first point times `scale`, then each
 * point's step from the one before) made `[{x, y}, …]` again, in place.
 * Exact: the host packs only what divides back to the very same numbers.
 * @param {any} s a shape
 */
export function unpackPoints(s) {
  const p = s && s.points;
  if (!p || Array.isArray(p) || typeof p.scale !== 'number' || !Array.isArray(p.xy)) return s;
  const points = new Array(p.xy.length >> 1);
  let x = 0, y = 0;
  for (let i = 0; i < points.length; i++) {
    x += p.xy[2 * i];
    y += p.xy[2 * i + 1];
    points[i] = { x: x / p.scale, y: y / p.scale };
  }
  s.points = points;
  return s;
}

/** Whether a `SYNC_SHAPES` is one part of a sync in parts. @param {Sync} s */
export const isPart = (s) => typeof s.part === 'number' && typeof s.parts === 'number';

/** Whether it is the last message of its sync (a plain sync is its own last). @param {Sync} s */
export const isLast = (s) => !isPart(s) || s.part === s.parts;

export class SyncApplier {
  /**
   * @param {import('./board.js').Board} board
   * @param {{afterNextDraw: (cb: () => void) => void}} renderer
   */
  constructor(board, renderer) {
    this.board = board;
    this.renderer = renderer;
    /** Board place of every shape of the sync in parts so far, by id. @type {Map<string, number>} */
    this.places = new Map();
    /** Shapes the parts brought that the board did not have (a delta appends them). @type {Set<string>} */
    this.fresh = new Set();
    /** How many shapes the parts so far held, and of how many. */
    this.received = 0;
    this.total = 0;
    this.viewMarked = false;
    /** Grows with every sync in parts: a stacking order left from an older one is not applied. */
    this.generation = 0;
  }

  /** The share of the board in so far, 0..1; null when no sync in parts is under way. */
  progress() {
    return this.total > 0 && this.received < this.total ? this.received / this.total : null;
  }

  /** @param {Sync} sync */
  apply(sync) {
    for (const s of sync.shapes || []) unpackPoints(s);
    if (!isPart(sync)) {
      this.total = 0;
      this.generation++;
      this.places.clear();
      if (sync.full !== false) this.board.replaceAll(sync.shapes || []);
      else {
        for (const s of sync.shapes || []) this.board.put(s);
        this.board.remove(sync.deletedIds || []);
      }
      return;
    }
    const shapes = sync.shapes || [];
    const at = sync.at || [];
    if (sync.part === 1) {
      this.places.clear();
      this.fresh.clear();
      this.received = 0;
      this.total = Number(sync.total) || 0;
      this.viewMarked = false;
      this.generation++;
      this.renderer.afterNextDraw(() => performance.mark('coco-first-part-shown'));
    }
    shapes.forEach((s, i) => {
      if (!s || typeof s.id !== 'string') return;
      if (!this.board.shapes.has(s.id)) this.fresh.add(s.id);
      this.places.set(s.id, Number(at[i]));
    });
    this.board.putAll(shapes);
    this.received += shapes.length;
    if (!this.viewMarked && this.received >= (Number(sync.inView) || 0)) {
      this.viewMarked = true;
      this.renderer.afterNextDraw(() => performance.mark('coco-view-shown'));
    }
    if (sync.part === sync.parts) this.finish(sync.full !== false, sync.deletedIds || []);
  }

  /**
   * After the last part: what one plain sync would have left.
   * @param {boolean} full @param {string[]} deletedIds
   */
  finish(full, deletedIds) {
    const { board, places, fresh } = this;
    this.total = 0; // no longer loading: the order's change below is saved and listed
    const byPlace = (/** @type {string} */ a, /** @type {string} */ b) => /** @type {number} */ (places.get(a)) - /** @type {number} */ (places.get(b));
    if (full) board.remove([...board.shapes.keys()].filter((id) => !places.has(id)));
    else board.remove(deletedIds);
    const synced = [...places.keys()].filter((id) => board.shapes.has(id));
    // A full sync is the host's board in its order; a delta keeps what the
    // board had in place and appends the new shapes in the host's order.
    const order = full ? synced.sort(byPlace)
      : [...[...board.shapes.keys()].filter((id) => !fresh.has(id)), ...synced.filter((id) => fresh.has(id)).sort(byPlace)];
    places.clear();
    fresh.clear();
    // Every shape is on screen now; putting them in the host's stacking
    // order redraws the whole board, which waits for a quiet moment rather
    // than hold up the frame that shows the last part.
    const generation = ++this.generation;
    const reorder = () => { if (generation === this.generation) board.setOrder(order); };
    const later = window.requestIdleCallback || ((/** @type {() => void} */ f) => setTimeout(f, REORDER_FALLBACK_MS));
    later(reorder, { timeout: REORDER_WITHIN_MS });
  }

  /** The connection went before the last part: the next sync starts again (and what came stays until it ends). */
  cancel() {
    if (this.total === 0) return;
    this.total = 0;
    this.places.clear();
    this.fresh.clear();
    this.board.onChange();
  }
}
