// @ts-check
/**
 * Local edits: each applies to the board at once, goes to the host as an
 * ordinary op, and is recorded so that undo/redo can send its inverse.
 * Only one's own actions are undone; an undo of a shape someone else has
 * since deleted is simply dropped by the host.
 */

/** @typedef {import('./board.js').Shape} Shape */
/**
 * @typedef {{kind: 'update', id: string, before: Partial<Shape>, after: Partial<Shape>}} UpdateAction
 * @typedef {{kind: 'add', shapes: Shape[]} | {kind: 'delete', shapes: Shape[]} | UpdateAction | {kind: 'batch', updates: UpdateAction[]} | GroupAction} Action
 * @typedef {{kind: 'group', actions: Action[], restore?: number}} GroupAction several changes that undo and redo as one
 *   step (restoring a past moment: `restore` is its revision, sent with each of its ops so that the history records it)
 */

const HISTORY_LIMIT = 200;

export class Actions {
  /**
   * @param {import('./board.js').Board} board
   * @param {{submit: (type: 'SHAPE_ADDED'|'SHAPE_UPDATED'|'SHAPES_DELETED', payload: any) => void}} sink
   */
  constructor(board, sink) {
    this.board = board;
    this.sink = sink;
    /** @type {Action[]} */
    this.undoStack = [];
    /** @type {Action[]} */
    this.redoStack = [];
    /**
     * Whether this page may make `a` now (lock.js: not while the host has
     * locked the board, nor on a shape the host locked). A refused undo or
     * redo stays on its stack, to be done once the host unlocks.
     * @type {(a: Action) => boolean}
     */
    this.allowed = () => true;
  }

  /** @param {Shape} shape */
  add(shape) {
    this.record({ kind: 'add', shapes: [shape] });
  }

  /** @param {string} id @param {Partial<Shape>} after */
  update(id, after) {
    const a = this.updateAction(id, after);
    if (a) this.record(a);
  }

  /**
   * Several updates that undo and redo as one step (moving a selection).
   * @param {{id: string, after: Partial<Shape>}[]} list
   */
  updateMany(list) {
    const updates = /** @type {UpdateAction[]} */ (list.map((u) => this.updateAction(u.id, u.after)).filter((a) => !!a));
    if (updates.length === 1) this.record(updates[0]);
    else if (updates.length > 1) this.record({ kind: 'batch', updates });
  }

  /** @param {string} id @param {Partial<Shape>} after @returns {UpdateAction|null} */
  updateAction(id, after) {
    const shape = this.board.shapes.get(id);
    if (!shape) return null;
    /** @type {any} */
    const before = {};
    for (const k of Object.keys(after)) before[k] = /** @type {any} */ (shape)[k];
    return { kind: 'update', id, before, after };
  }

  /** @param {string[]} ids */
  remove(ids) {
    const shapes = ids.map((id) => this.board.shapes.get(id)).filter((s) => !!s);
    if (shapes.length) this.record({ kind: 'delete', shapes: /** @type {Shape[]} */ (shapes) });
  }

  /** @param {Action} action */
  record(action) {
    if (!this.allowed(action)) return;
    this.apply(action);
    this.undoStack.push(action);
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
  }

  undo() {
    const a = this.undoStack[this.undoStack.length - 1];
    if (!a || !this.allowed(invert(a))) return;
    this.undoStack.pop();
    this.apply(invert(a));
    this.redoStack.push(a);
  }

  redo() {
    const a = this.redoStack[this.redoStack.length - 1];
    if (!a || !this.allowed(a)) return;
    this.redoStack.pop();
    this.apply(a);
    this.undoStack.push(a);
  }

  /** @param {Action} a @param {{restore?: number}} [extra] fields added to every op's payload */
  apply(a, extra = {}) {
    if (a.kind === 'add') {
      for (const s of a.shapes) {
        this.board.put(s);
        this.sink.submit('SHAPE_ADDED', { shape: s, ...extra });
      }
    } else if (a.kind === 'delete') {
      const ids = a.shapes.map((s) => s.id);
      this.board.remove(ids);
      this.sink.submit('SHAPES_DELETED', { shapeIds: ids, ...extra });
    } else if (a.kind === 'batch') {
      for (const u of a.updates) this.apply(u, extra);
    } else if (a.kind === 'group') {
      const more = typeof a.restore === 'number' ? { ...extra, restore: a.restore } : extra;
      for (const x of a.actions) this.apply(x, more);
    } else {
      if (!this.board.shapes.has(a.id)) return;
      this.board.update(a.id, a.after);
      this.sink.submit('SHAPE_UPDATED', { shapeId: a.id, updates: a.after, ...extra });
    }
  }
}

/** @param {Action} a @returns {Action} */
export function invert(a) {
  if (a.kind === 'add') return { kind: 'delete', shapes: a.shapes };
  if (a.kind === 'delete') return { kind: 'add', shapes: a.shapes };
  if (a.kind === 'batch') return { kind: 'batch', updates: a.updates.map((u) => /** @type {UpdateAction} */ (invert(u))).reverse() };
  // Undoing a restore is an ordinary change back, not a restore.
  if (a.kind === 'group') return { kind: 'group', actions: a.actions.map(invert).reverse() };
  return { kind: 'update', id: a.id, before: a.after, after: a.before };
}
