// @ts-check
/**
 * Pointer input on the canvas: the drawing tools, select/move, eraser, pan
 * (space-drag, middle button, two fingers; one finger too under "Pen only",
 * see pen.js) and zoom (wheel, pinch). What the
 * pointer does shows through the interaction state (interaction.js), which
 * the tools change and the renderer draws.
 */
import { capEdits } from './live.js';
import { randomId } from './net.js';
import { resizeHandles, HANDLE_GRAB_PX } from './board.js';
import { limits } from './limits.js';
import { resized, constrain } from './reshape.js';
import { textEditor } from './texteditor.js';
import { eventPressure } from './pressure.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Point} Point */
/** @typedef {'select'|'pencil'|'line'|'rectangle'|'ellipse'|'text'|'eraser'|'laser'} Tool */

/** Closest two points of a stroke may be, in screen pixels: finer adds points, not shape. */
const MIN_SAMPLE_PX = 2;
/** How near the eraser (a press, or Enter at the keyboard's focus point) must come to a shape, in screen pixels. */
export const ERASER_REACH_PX = 8;

/** @param {number} v */
const round = (v) => Math.round(v * 100) / 100;

export class Tools {
  /**
   * @param {{canvas: HTMLCanvasElement, board: import('./board.js').Board, renderer: import('./render.js').Renderer,
   *   state: import('./interaction.js').Interaction, view: import('./render.js').View, actions: import('./actions.js').Actions, userId: string,
   *   style: () => import('./board.js').Style, onPointer: (p: Point, at: number) => void, onSelection: () => void,
   *   onLive?: () => void, pen?: {pressure: boolean, only: boolean, sawPen: () => void}}} o
   */
  constructor(o) {
    Object.assign(this, o);
    this.canvas = o.canvas;
    this.board = o.board;
    this.renderer = o.renderer;
    this.state = o.state;
    this.view = o.view;
    this.actions = o.actions;
    this.userId = o.userId;
    this.style = o.style;
    this.onPointer = o.onPointer;
    this.onSelection = o.onSelection;
    /** Told when what `liveEdits` returns changes other than by the pointer (typing, an end). */
    this.onLive = o.onLive || (() => {});
    /** The pen settings: pressure on or off, fingers kept from drawing (`only`). */
    this.pen = o.pen || { pressure: true, only: false, sawPen() {} };
    /** @type {Shape|null} the text being typed, as it would be placed now */
    this.typing = null;
    /** @type {Tool} */
    this.tool = 'pencil';
    this.spaceDown = false;
    /** Watching (no seat), or the host locked the board: a drag pans (the laser still points), nothing is drawn or changed. */
    this.readOnly = false;
    /** Whether this page may not select or change `shape` (the host locked it; lock.js). @type {(shape: Shape) => boolean} */
    this.lockedForMe = () => false;
    /** Told when a press lands on a shape `lockedForMe` keeps. @type {() => void} */
    this.onLockedShape = () => {};
    /** @type {null | {kind: 'pan', sx: number, sy: number, ox: number, oy: number} | {kind: 'draw'} | {kind: 'move', start: Point, orig: Map<string, Point[]>} | {kind: 'resize', handle: number, orig: Shape} | {kind: 'box', start: Point} | {kind: 'erase'}} */
    this.drag = null;
    /** the kind of pointer (mouse, pen, touch) that started `drag`, the only one that moves it */
    this.dragBy = '';
    /** @type {Map<number, {sx: number, sy: number}>} */
    this.touches = new Map();
    /** @type {null | {dist: number, scale: number}} */
    this.pinch = null;
    const c = o.canvas;
    c.addEventListener('pointerdown', (e) => this.down(e));
    c.addEventListener('pointermove', (e) => this.move(e));
    c.addEventListener('pointerup', (e) => this.up(e));
    c.addEventListener('pointercancel', (e) => this.up(e));
    c.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    c.addEventListener('auxclick', (e) => e.preventDefault());
    c.addEventListener('dblclick', (e) => this.editTextAt(e));
  }

  /** @param {PointerEvent} e */
  local(e) {
    const r = this.canvas.getBoundingClientRect();
    return { sx: e.clientX - r.left, sy: e.clientY - r.top };
  }

  /** @param {PointerEvent} e @returns {Point} */
  world(e) {
    const { sx, sy } = this.local(e);
    const w = this.view.toWorld(sx, sy);
    return { x: round(w.x), y: round(w.y) };
  }

  /** @param {Tool} tool */
  setTool(tool) {
    this.tool = tool;
    if (tool !== 'select') this.clearSelection();
    this.canvas.dataset.tool = tool;
  }

  clearSelection() {
    if (!this.state.clearSelection()) return;
    this.renderer.request();
    this.onSelection();
  }

  /**
   * Under "Pen only", a finger the board does not follow: one that came down
   * while the pen was at work (a hand resting on the screen), or that was
   * panning when the pen came down.
   * @param {PointerEvent} e
   */
  ignored(e) {
    return e.pointerType === 'touch' && this.pen.only && !this.touches.has(e.pointerId);
  }

  /** @param {PointerEvent} e */
  down(e) {
    if (e.pointerType === 'pen') this.pen.sawPen();
    const fingerOnly = e.pointerType === 'touch' && this.pen.only;
    // A hand on the screen while the pen (or a mouse) is at work.
    if (fingerOnly && this.drag && this.dragBy !== 'touch') return;
    if (this.pen.only && e.pointerType !== 'touch') {
      // The pen takes over from fingers panning or pinching.
      this.touches.clear();
      this.pinch = null;
    }
    if (e.button === 0 || e.button === 1) this.dragBy = e.pointerType;
    if (e.pointerType === 'touch') {
      this.touches.set(e.pointerId, this.local(e));
      if (this.touches.size === 2) {
        this.cancelDraw();
        const [a, b] = [...this.touches.values()];
        this.pinch = { dist: Math.hypot(a.sx - b.sx, a.sy - b.sy), scale: this.view.scale };
        this.startPan((a.sx + b.sx) / 2, (a.sy + b.sy) / 2);
        return;
      }
    }
    if (fingerOnly || e.button === 1 || this.spaceDown || (e.button === 0 && e.pointerType === 'mouse' && e.buttons === 4)) {
      e.preventDefault();
      const { sx, sy } = this.local(e);
      this.startPan(sx, sy);
      this.canvas.setPointerCapture(e.pointerId);
      return;
    }
    if (e.button !== 0) return;
    if (this.readOnly && this.tool !== 'laser') {
      const { sx, sy } = this.local(e);
      this.startPan(sx, sy);
      this.canvas.setPointerCapture(e.pointerId);
      return;
    }
    this.canvas.setPointerCapture(e.pointerId);
    const p = this.world(e);
    const t = this.tool;
    if (t === 'pencil' || t === 'line' || t === 'rectangle' || t === 'ellipse') {
      const pressure = t === 'pencil' && this.pen.pressure ? eventPressure(e) : null;
      this.state.setDraft({
        id: randomId('s-'), type: t, points: t === 'pencil' ? [p] : [p, { ...p }],
        ...(pressure === null ? {} : { pressures: [pressure] }),
        style: this.style(), isSelected: false, createdBy: this.userId,
      });
      this.drag = { kind: 'draw' };
    } else if (t === 'text') {
      e.preventDefault();
      this.openTextEditor(p, e);
    } else if (t === 'select') {
      this.selectDown(p, e.shiftKey);
    } else if (t === 'eraser') {
      this.drag = { kind: 'erase' };
      this.eraseAt(p);
    }
    this.renderer.request();
  }

  /**
   * Select tool: a resize handle of the one selected shape, else a shape
   * (moves the whole selection if it is part of it), else a box select.
   * @param {Point} p @param {boolean} extend shift: add to the selection
   */
  selectDown(p, extend) {
    const sel = this.state.selected;
    if (sel.size === 1) {
      const only = this.board.shapes.get([...sel][0]);
      const grab = HANDLE_GRAB_PX / this.view.scale;
      const i = only ? resizeHandles(only).findIndex((h) => Math.abs(h.x - p.x) <= grab && Math.abs(h.y - p.y) <= grab) : -1;
      if (only && i >= 0) {
        this.drag = { kind: 'resize', handle: i, orig: only };
        return;
      }
    }
    const hit = this.board.hit(p, 6 / this.view.scale);
    if (hit && this.lockedForMe(hit)) {
      // The host's: not selected to be moved or changed.
      this.onLockedShape();
      this.drag = null;
      return;
    }
    if (hit) {
      if (!sel.has(hit.id)) this.state.select([hit.id], extend);
      /** @type {Map<string, Point[]>} */
      const orig = new Map();
      for (const id of sel) {
        const s = this.board.shapes.get(id);
        if (s) orig.set(id, s.points.map((q) => ({ ...q })));
      }
      this.drag = { kind: 'move', start: p, orig };
    } else {
      if (!extend) this.state.clearSelection();
      this.drag = { kind: 'box', start: p };
      this.state.setMarquee({ a: p, b: p });
    }
    this.onSelection();
  }

  /** @param {number} sx @param {number} sy */
  startPan(sx, sy) {
    this.drag = { kind: 'pan', sx, sy, ox: this.view.ox, oy: this.view.oy };
  }

  /** @param {PointerEvent} e */
  move(e) {
    if (this.ignored(e)) return;
    const p = this.world(e);
    this.onPointer(p, e.timeStamp);
    if (e.pointerType === 'touch' && this.touches.has(e.pointerId)) {
      this.touches.set(e.pointerId, this.local(e));
      if (this.pinch && this.touches.size === 2 && this.drag?.kind === 'pan') {
        const [a, b] = [...this.touches.values()];
        const mx = (a.sx + b.sx) / 2, my = (a.sy + b.sy) / 2;
        const factor = (this.pinch.scale * Math.hypot(a.sx - b.sx, a.sy - b.sy) / (this.pinch.dist || 1)) / this.view.scale;
        this.view.ox = this.drag.ox + mx - this.drag.sx;
        this.view.oy = this.drag.oy + my - this.drag.sy;
        this.view.zoomAt(factor, mx, my);
        this.drag = { kind: 'pan', sx: mx, sy: my, ox: this.view.ox, oy: this.view.oy };
        this.renderer.request();
        return;
      }
    }
    const d = this.drag;
    // Only the kind of pointer that started it moves it (not a pen hovering while a finger pans).
    if (!d || e.pointerType !== this.dragBy) return;
    if (d.kind === 'pan') {
      const { sx, sy } = this.local(e);
      this.view.ox = d.ox + sx - d.sx;
      this.view.oy = d.oy + sy - d.sy;
    } else if (d.kind === 'draw' && this.state.draft) {
      const draft = this.state.draft;
      if (draft.type === 'pencil') {
        const last = draft.points[draft.points.length - 1];
        const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
        for (const ev of events.length ? events : [e]) {
          const q = this.world(ev);
          const tail = draft.points[draft.points.length - 1] || last;
          if (Math.hypot(q.x - tail.x, q.y - tail.y) * this.view.scale >= MIN_SAMPLE_PX && draft.points.length < limits.protocol.maxPointsPerShape) this.state.addDraftPoint(q, eventPressure(ev));
        }
      } else {
        this.state.setDraftEnd(e.shiftKey ? constrain(draft.type, draft.points[0], p) : p);
      }
    } else if (d.kind === 'move') {
      const dx = p.x - d.start.x, dy = p.y - d.start.y;
      for (const [id, orig] of d.orig) this.board.update(id, { points: orig.map((q) => ({ x: round(q.x + dx), y: round(q.y + dy) })) });
    } else if (d.kind === 'resize') {
      this.board.update(d.orig.id, resized(d.orig, d.handle, p, e.shiftKey));
    } else if (d.kind === 'box') {
      this.state.setMarquee({ a: d.start, b: p });
    } else if (d.kind === 'erase') {
      this.eraseAt(p);
    }
    this.renderer.request();
  }

  /** @param {PointerEvent} e */
  up(e) {
    if (this.ignored(e)) return;
    this.touches.delete(e.pointerId);
    queueMicrotask(() => this.onPointer(this.world(e), e.timeStamp));
    if (this.touches.size < 2) this.pinch = null;
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    if (d.kind === 'move' || d.kind === 'resize') queueMicrotask(() => this.onLive());
    const draft = d.kind === 'draw' ? this.state.takeDraft() : null;
    if (draft) {
      const [a, b] = draft.points;
      const tiny = draft.type !== 'pencil' && b && Math.hypot(b.x - a.x, b.y - a.y) * this.view.scale < 3;
      if (!tiny) this.actions.add(draft);
    } else if (d.kind === 'move') {
      /** @type {{id: string, after: Partial<Shape>}[]} */
      const moves = [];
      for (const [id, orig] of d.orig) {
        const shape = this.board.shapes.get(id);
        if (!shape || !shape.points.some((q, i) => q.x !== orig[i]?.x || q.y !== orig[i]?.y)) continue;
        moves.push({ id, after: { points: shape.points } });
        this.board.update(id, { points: orig });
      }
      this.actions.updateMany(moves);
    } else if (d.kind === 'resize') {
      const now = this.board.shapes.get(d.orig.id);
      if (now) {
        const after = now.type === 'text' ? { style: now.style } : now.type === 'image' ? { points: now.points, width: now.width, height: now.height } : { points: now.points };
        const before = now.type === 'text' ? { style: d.orig.style } : now.type === 'image' ? { points: d.orig.points, width: d.orig.width, height: d.orig.height } : { points: d.orig.points };
        this.board.update(d.orig.id, { points: d.orig.points, style: d.orig.style, ...(now.type === 'image' ? { width: d.orig.width, height: d.orig.height } : {}) });
        if (JSON.stringify(after) !== JSON.stringify(before)) this.actions.update(d.orig.id, after);
        if (now.type === 'text') this.onSelection(); // the text size control shows the new size
      }
    } else if (d.kind === 'box') {
      const m = this.state.takeMarquee();
      if (m) {
        const minX = Math.min(m.a.x, m.b.x), maxX = Math.max(m.a.x, m.b.x);
        const minY = Math.min(m.a.y, m.b.y), maxY = Math.max(m.a.y, m.b.y);
        if (maxX - minX > 0 || maxY - minY > 0) {
          const inside = [...this.board.shapes.values()].filter((s) => {
            const b = this.board.bounds(s);
            return b.minX >= minX && b.maxX <= maxX && b.minY >= minY && b.maxY <= maxY && !this.lockedForMe(s);
          });
          this.state.select(inside.map((s) => s.id), true);
        }
        this.onSelection();
      }
    } else if (d.kind === 'erase') {
      const ids = this.state.takeHidden();
      if (ids.length) this.actions.remove(ids);
    }
    this.renderer.request();
  }

  cancelDraw() {
    this.state.setDraft(null);
    this.drag = null;
  }

  /** @param {Point} p */
  eraseAt(p) {
    const hit = this.board.hit(p, ERASER_REACH_PX / this.view.scale);
    if (hit && this.lockedForMe(hit)) { this.onLockedShape(); return; }
    if (hit && this.state.hide(hit.id)) {
      const saved = this.board.shapes.get(hit.id);
      // Hide it from later hit tests during this drag.
      if (saved) this.board.boundsCache.set(hit.id, { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity });
    }
  }

  /** @param {WheelEvent} e */
  wheel(e) {
    e.preventDefault();
    const r = this.canvas.getBoundingClientRect();
    const sx = e.clientX - r.left, sy = e.clientY - r.top;
    if (e.ctrlKey || e.metaKey || !e.shiftKey) {
      this.view.zoomAt(Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)), sx, sy);
    } else {
      this.view.ox -= e.deltaX || e.deltaY;
    }
    this.renderer.request();
  }

  /** Whether something is being moved, resized or typed (cheap, unlike `liveEdits`). */
  editing() {
    return this.drag?.kind === 'move' || this.drag?.kind === 'resize' || !!this.typing;
  }

  /**
   * What this person is changing right now, for the others to see live
   * (never stored): the shapes being moved or resized as they are now, or
   * the text being typed. Null when nothing is.
   * @returns {Shape[]|null}
   */
  liveEdits() {
    const d = this.drag;
    /** @type {Shape[]} */
    let shapes = [];
    if (d?.kind === 'move') shapes = [...d.orig.keys()].map((id) => this.board.shapes.get(id)).filter((s) => !!s);
    else if (d?.kind === 'resize') shapes = [this.board.shapes.get(d.orig.id)].filter((s) => !!s);
    else if (this.typing) shapes = [this.typing];
    const sent = capEdits(shapes);
    return sent.length ? sent : null;
  }

  /** @param {Point} p @param {PointerEvent} e */
  openTextEditor(p, e) {
    const { sx, sy } = this.local(e);
    const style = this.style();
    const id = randomId('s-');
    this.textEditor(sx, sy, style, '', (text) => {
      if (text) this.actions.add({ id, type: 'text', points: [p], text, style, isSelected: false, createdBy: this.userId });
    }, (text) => ({ id, type: 'text', points: [p], text, style, isSelected: false, createdBy: this.userId }));
  }

  /**
   * Select tool, double-click: edits the text under the pointer in place. A
   * change is one (undoable) update; emptying the text deletes it.
   * @param {MouseEvent} e
   */
  editTextAt(e) {
    if (this.tool !== 'select' || this.readOnly) return;
    const r = this.canvas.getBoundingClientRect();
    const sx = e.clientX - r.left, sy = e.clientY - r.top;
    const w = this.view.toWorld(sx, sy);
    const hit = this.board.hit(w, 6 / this.view.scale);
    if (!hit || hit.type !== 'text' || !hit.points?.[0]) return;
    if (this.lockedForMe(hit)) { this.onLockedShape(); return; }
    e.preventDefault();
    this.drag = null;
    const id = hit.id;
    const at = hit.points[0];
    this.state.hide(id);
    this.renderer.request();
    this.textEditor(at.x * this.view.scale + this.view.ox, at.y * this.view.scale + this.view.oy, hit.style, String(hit.text || ''), (text, cancelled) => {
      this.state.show(id);
      this.renderer.request();
      const now = this.board.shapes.get(id);
      if (cancelled || !now || text === now.text) return;
      if (text) this.actions.update(id, { text });
      else {
        this.actions.remove([id]);
        this.state.deselect(id);
        this.onSelection();
      }
    }, (text) => ({ ...hit, text }));
  }

  /**
   * The text editor at screen (sx, sy) (see texteditor.js), what is typed
   * shown live to the others as `preview` makes it.
   * @param {number} sx @param {number} sy @param {import('./board.js').Style} style @param {string} initial
   * @param {(text: string, cancelled: boolean) => void} done
   * @param {(text: string) => Shape} preview the shape as typed so far
   */
  textEditor(sx, sy, style, initial, done, preview) {
    textEditor({
      parent: /** @type {HTMLElement} */ (this.canvas.parentElement), sx, sy, scale: this.view.scale, style, initial, done,
      typed: (text) => { this.typing = text === null ? null : preview(text); },
      changed: () => this.onLive(),
    });
  }
}
