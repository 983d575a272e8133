// @ts-check
/**
 * Local edits: each applies to the board at once, goes to the host as an
 * ordinary op, and is recorded so that undo/redo can send its inverse.
 * Only one's own actions are undone; an undo of a shape someone else has
 * since deleted is simply dropped by the host.
 */

/** @typedef {import('./board.js').Shape} Shape */
/**
 * @typedef {{kind: 'add', shapes: Shape[]} | {kind: 'delete', shapes: Shape[]} | {kind: 'update', id: string, before: Partial<Shape>, after: Partial<Shape>}} Action
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
  }

  /** @param {Shape} shape */
  add(shape) {
    this.record({ kind: 'add', shapes: [shape] });
  }

  /** @param {string} id @param {Partial<Shape>} after */
  update(id, after) {
    const shape = this.board.shapes.get(id);
    if (!shape) return;
    /** @type {any} */
    const before = {};
    for (const k of Object.keys(after)) before[k] = /** @type {any} */ (shape)[k];
    this.record({ kind: 'update', id, before, after });
  }

  /** @param {string[]} ids */
  remove(ids) {
    const shapes = ids.map((id) => this.board.shapes.get(id)).filter((s) => !!s);
    if (shapes.length) this.record({ kind: 'delete', shapes: /** @type {Shape[]} */ (shapes) });
  }

  /** @param {Action} action */
  record(action) {
    this.apply(action);
    this.undoStack.push(action);
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
  }

  undo() {
    const a = this.undoStack.pop();
    if (!a) return;
    this.apply(invert(a));
    this.redoStack.push(a);
  }

  redo() {
    const a = this.redoStack.pop();
    if (!a) return;
    this.apply(a);
    this.undoStack.push(a);
  }

  /** @param {Action} a */
  apply(a) {
    if (a.kind === 'add') {
      for (const s of a.shapes) {
        this.board.put(s);
        this.sink.submit('SHAPE_ADDED', { shape: s });
      }
    } else if (a.kind === 'delete') {
      const ids = a.shapes.map((s) => s.id);
      this.board.remove(ids);
      this.sink.submit('SHAPES_DELETED', { shapeIds: ids });
    } else {
      if (!this.board.shapes.has(a.id)) return;
      this.board.update(a.id, a.after);
      this.sink.submit('SHAPE_UPDATED', { shapeId: a.id, updates: a.after });
    }
  }
}

/** @param {Action} a @returns {Action} */
function invert(a) {
  if (a.kind === 'add') return { kind: 'delete', shapes: a.shapes };
  if (a.kind === 'delete') return { kind: 'add', shapes: a.shapes };
  return { kind: 'update', id: a.id, before: a.after, after: a.before };
}
