// @ts-check
/**
 * Drawing without a pointer. While the board has the focus it shows a focus
 * point (a crosshair) that the arrow keys move; the view follows it at the
 * edge. With a tool chosen, Enter makes the shape there: a rectangle or an
 * ellipse of the chosen size ([ and ] change it) centred on the point; with
 * the line or the pencil, each Enter adds a point of a polyline, and Enter
 * again without moving, or Escape, finishes it; with the text tool Enter
 * opens the text editor there; with the eraser Enter erases the shape there
 * (the topmost, as a click of the eraser would; a ring shows which); with
 * the laser Enter shows the others a short trail around it. With the select tool, Tab and Shift+Tab walk
 * the shapes in their drawing order (the order of the shapes list), and Tab
 * past the last one, or Escape then Tab, leaves the board. The selection
 * moves with the arrow keys, and Alt with the arrow keys resizes it (Shift:
 * ten times as far); Ctrl with the arrow keys pans.
 *
 * Every change goes through the same actions as a pointer's, so it is sent,
 * saved and undone alike: one undo step per key press (a held key's repeats
 * are each a step, as each is sent).
 *
 * What happens is said through the live region, and the focused shapes get
 * a solid ring while the keyboard is in use on the board.
 */
import { randomId } from './net.js';
import { t } from './i18n.js';
import { describeShape } from './shapelist.js';
import { drawingBounds } from './exporting.js';
import { limits } from './limits.js';
import { ERASER_REACH_PX } from './tools.js';
import { boxAround, polylinePoints, nudged, grown, pushedView } from './keygeometry.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Point} Point */

/** How far an arrow moves the focus point, in screen pixels (Shift: FAR times as far). */
const POINT_STEP_PX = 10;
/** How far an arrow moves or resizes the selection, in screen pixels (Shift: FAR times as far). */
const SHAPE_STEP_PX = 1;
const FAR = 10;
/** How far Ctrl+arrow pans, in screen pixels (Shift: FAR times as far). */
const PAN_STEP_PX = 40;
/** The focus point stays this far inside the board's edges: past it, the view scrolls. */
const EDGE_PX = 48;
/** A new rectangle's or ellipse's side, in board units, and its range and step ([ and ]). */
export const SIZE = { initial: 100, min: 20, max: 1000, step: 20 };
/** Sentences about moves wait this long for the next key press: a held key is said once it stops. */
const SAY_SETTLE_MS = 300;

/** @type {Record<string, [number, number]>} */
const DIRECTIONS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** @param {number} v */
const round = (v) => Math.round(v * 100) / 100;

/**
 * @param {{canvas: HTMLCanvasElement, tools: import('./tools.js').Tools,
 *   announcer: {say: (text: string) => void}, who: (userId: string) => string,
 *   laser?: {ring: (center: Point) => void}}} o
 */
export function startKeyboardDraw(o) {
  const { canvas, tools, announcer } = o;
  const { board, view, renderer, state, actions } = tools;
  /** @type {Point|null} the focus point, board coordinates */
  let point = null;
  /** Whether the keyboard is in use on the board (the point shows); a pointer press on it ends that. */
  let keyed = false;
  let size = SIZE.initial;
  /** @type {null | {tool: string, id: string, corners: Point[]}} the polyline being placed */
  let poly = null;
  /** Escape was pressed: the next Tab leaves the board instead of choosing a shape. */
  let released = false;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let sayTimer;

  /** Says `text` once no other key press follows for a moment. @param {string} text */
  const sayLater = (text) => {
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => announcer.say(text), SAY_SETTLE_MS);
  };
  /** @param {string} text */
  const say = (text) => {
    clearTimeout(sayTimer);
    announcer.say(text);
  };
  /** @param {Shape} s */
  const describe = (s) => describeShape(s, { all: drawingBounds(board), who: o.who });
  /** @param {Point} p */
  const toScreen = (p) => ({ x: p.x * view.scale + view.ox, y: p.y * view.scale + view.oy });
  /** Whether the board's focus ring would show (a web view without `:focus-visible` shows it). */
  const focusVisible = () => { try { return canvas.matches(':focus-visible'); } catch { return true; } };
  const shown = () => document.activeElement === canvas && (keyed || focusVisible());

  /** The focus point, brought to the middle of the view when it is out of it (or new). */
  function here() {
    const w = canvas.clientWidth, h = canvas.clientHeight;
    const s = point && toScreen(point);
    if (!point || !s || s.x < 0 || s.y < 0 || s.x > w || s.y > h) {
      const c = view.toWorld(w / 2, h / 2);
      point = { x: Math.round(c.x), y: Math.round(c.y) };
    }
    return point;
  }

  /** @param {KeyboardEvent} e @returns {[number, number]} */
  const direction = (e) => DIRECTIONS[e.key] || [0, 0];

  canvas.addEventListener('focus', () => { renderer.request(); });
  canvas.addEventListener('blur', () => { renderer.request(); });
  canvas.addEventListener('keydown', (e) => {
    if (e.key !== 'Shift' && e.key !== 'Control' && e.key !== 'Alt' && e.key !== 'Meta') keyed = true;
    if (e.key !== 'Escape' && e.key !== 'Tab' && e.key !== 'Shift') released = false;
    // The tool changed from the toolbar while a polyline was under way: it is done.
    if (poly && tools.tool !== poly.tool) finish();
    renderer.request();
  });
  canvas.addEventListener('pointerdown', (e) => {
    keyed = false;
    finish();
    const r = canvas.getBoundingClientRect();
    const p = view.toWorld(e.clientX - r.left, e.clientY - r.top);
    point = { x: round(p.x), y: round(p.y) };
  }, { capture: true });

  /** The polyline being placed, as a draft the renderer draws. */
  function showPoly() {
    if (!poly) { state.setDraft(null); return; }
    state.setDraft(polyShape(poly));
    renderer.request();
  }

  /** @param {{tool: string, id: string, corners: Point[]}} p @returns {Shape} */
  function polyShape(p) {
    const line = p.tool === 'line' && p.corners.length <= 2;
    return {
      id: p.id, type: line ? 'line' : 'pencil', points: line ? p.corners.map((q) => ({ ...q })) : polylinePoints(p.corners, limits.protocol.maxPointsPerShape),
      style: tools.style(), isSelected: false, createdBy: tools.userId,
    };
  }

  /** Ends the polyline under way: placed on the board with two points or more. */
  function finish() {
    if (!poly) return;
    const done = poly;
    poly = null;
    state.setDraft(null);
    renderer.request();
    if (done.corners.length < 2) { say(t('keys.said.polyline-dropped')); return; }
    const shape = polyShape(done);
    actions.add(shape);
    say(t('keys.said.added', { shape: describe(shape) }));
  }

  /** Selects one shape (null: none), brought into view, and says which. @param {Shape|null} s @param {number} i @param {number} n */
  function choose(s, i, n) {
    if (!s) { tools.clearSelection(); return; }
    state.select([s.id]);
    tools.onSelection();
    const b = board.bounds(s);
    const tl = toScreen({ x: b.minX, y: b.minY }), br = toScreen({ x: b.maxX, y: b.maxY });
    if (br.x < 0 || br.y < 0 || tl.x > canvas.clientWidth || tl.y > canvas.clientHeight) {
      view.ox = canvas.clientWidth / 2 - ((b.minX + b.maxX) / 2) * view.scale;
      view.oy = canvas.clientHeight / 2 - ((b.minY + b.maxY) / 2) * view.scale;
    }
    renderer.request();
    say(t('keys.said.shape', { n: i + 1, count: n, shape: describe(s) }));
  }

  /** The shape Enter with the eraser would erase: the topmost within the eraser's reach of the focus point. */
  const underEraser = () => board.hit(here(), ERASER_REACH_PX / view.scale);

  /** The selected shapes, as on the board now. */
  const selection = () => [...state.selected].map((id) => board.shapes.get(id)).filter((s) => !!s);

  /** @param {number} dir 1 next, -1 previous @returns {boolean} false: the focus leaves the board */
  function walk(dir) {
    // A watcher changes nothing: Tab is the browser's.
    if (tools.tool !== 'select' || tools.readOnly) return false;
    if (released) { released = false; return false; }
    const shapes = [...board.shapes.values()];
    const sel = state.selected.size === 1 ? [...state.selected][0] : null;
    const at = sel ? shapes.findIndex((s) => s.id === sel) : -1;
    const next = at < 0 ? (dir > 0 ? 0 : shapes.length - 1) : at + dir;
    if (next < 0 || next >= shapes.length) {
      // Past either end: the board lets the focus go on (no trap).
      tools.clearSelection();
      return false;
    }
    choose(shapes[next], next, shapes.length);
    return true;
  }

  /** @type {Record<string, (e: KeyboardEvent) => boolean|void>} */
  const handlers = {
    point(e) {
      if (state.selected.size) return false;
      const [dx, dy] = direction(e);
      const step = (e.shiftKey ? FAR : 1) * POINT_STEP_PX / view.scale;
      const p = here();
      point = { x: round(p.x + dx * step), y: round(p.y + dy * step) };
      const s = toScreen(point);
      Object.assign(view, pushedView(view, s.x, s.y, canvas.clientWidth, canvas.clientHeight, EDGE_PX));
      renderer.request();
      sayLater(t('keys.said.point', { x: Math.round(point.x), y: Math.round(point.y) }));
    },
    move(e) {
      const shapes = selection();
      if (!shapes.length || tools.readOnly) return false;
      const [dx, dy] = direction(e);
      const step = (e.shiftKey ? FAR : 1) * SHAPE_STEP_PX / view.scale;
      actions.updateMany(shapes.map((s) => ({ id: s.id, after: nudged(s, round(dx * step), round(dy * step)) })));
      const b = board.bounds(/** @type {Shape} */ (board.shapes.get(shapes[0].id)));
      sayLater(t('keys.said.moved', { x: Math.round(b.minX), y: Math.round(b.minY) }));
    },
    resize(e) {
      const shapes = selection();
      if (!shapes.length || tools.readOnly) return false;
      const [dx, dy] = direction(e);
      const step = (e.shiftKey ? FAR : 1) * SHAPE_STEP_PX / view.scale;
      const changes = shapes.map((s) => ({ id: s.id, after: grown(s, round(dx * step), round(dy * step)) })).filter((c) => c.after);
      actions.updateMany(/** @type {{id: string, after: Partial<Shape>}[]} */ (changes));
      const now = /** @type {Shape} */ (board.shapes.get(shapes[0].id));
      const b = board.bounds(now);
      sayLater(now.type === 'text' ? t('keys.said.text-size', { size: now.style?.fontSize || 20 })
        : t('keys.said.resized', { w: Math.round(b.maxX - b.minX), h: Math.round(b.maxY - b.minY) }));
    },
    pan(e) {
      const [dx, dy] = direction(e);
      const step = (e.shiftKey ? FAR : 1) * PAN_STEP_PX;
      const p = here();
      // The view moves on, the focus point stays where it is on the screen.
      view.ox -= dx * step;
      view.oy -= dy * step;
      point = { x: round(p.x + (dx * step) / view.scale), y: round(p.y + (dy * step) / view.scale) };
      renderer.request();
    },
    create() {
      const tool = tools.tool;
      if ((tool !== 'rectangle' && tool !== 'ellipse') || tools.readOnly) return false;
      const shape = { id: randomId('s-'), type: tool, points: boxAround(here(), size, size), style: tools.style(), isSelected: false, createdBy: tools.userId };
      actions.add(shape);
      say(t('keys.said.added', { shape: describe(shape) }));
    },
    polyline() {
      const tool = tools.tool;
      if ((tool !== 'line' && tool !== 'pencil') || tools.readOnly) return false;
      const p = { ...here() };
      if (!poly) {
        poly = { tool, id: randomId('s-'), corners: [p] };
        say(t('keys.said.polyline-start', { x: Math.round(p.x), y: Math.round(p.y) }));
      } else {
        const last = poly.corners[poly.corners.length - 1];
        if (last.x === p.x && last.y === p.y) { finish(); return; }
        poly.corners.push(p);
        if (tool === 'line' && poly.corners.length === 2) { finish(); return; }
        say(t('keys.said.polyline-point', { count: poly.corners.length, x: Math.round(p.x), y: Math.round(p.y) }));
      }
      showPoly();
    },
    'polyline-end'() {
      if (!poly) return false;
      finish();
    },
    'polyline-back'() {
      if (!poly) return false;
      poly.corners.pop();
      if (!poly.corners.length) poly = null;
      say(t('keys.said.polyline-back', { count: poly ? poly.corners.length : 0 }));
      showPoly();
    },
    'text-here'() {
      if (tools.tool !== 'text' || tools.readOnly) return false;
      const p = { ...here() };
      const s = toScreen(p);
      const style = tools.style();
      const id = randomId('s-');
      /** @param {string} text @returns {Shape} */
      const shape = (text) => ({ id, type: 'text', points: [p], text, style, isSelected: false, createdBy: tools.userId });
      tools.textEditor(s.x, s.y, style, '', (text) => {
        if (text) actions.add(shape(text));
        // Back to the board, unless the person moved the focus somewhere else.
        setTimeout(() => { if (!document.activeElement || document.activeElement === document.body) canvas.focus({ preventScroll: true }); });
      }, shape);
    },
    'erase-here'() {
      if (tools.tool !== 'eraser' || tools.readOnly) return false;
      const hit = underEraser();
      if (!hit) { say(t('keys.said.nothing-here')); return; }
      // A shape the host locked is the host's: the same toast as a press of the eraser on it.
      if (tools.lockedForMe(hit)) { tools.onLockedShape(); return; }
      actions.remove([hit.id]);
      say(t('keys.said.erased', { shape: describe(hit) }));
    },
    'laser-here'() {
      if (tools.tool !== 'laser' || !o.laser) return false;
      const p = here();
      o.laser.ring(p);
      say(t('keys.said.laser', { x: Math.round(p.x), y: Math.round(p.y) }));
    },
    'select-here'() {
      if (tools.tool !== 'select' || tools.readOnly) return false;
      const hit = board.hit(here(), 6 / view.scale);
      if (!hit) { say(t('keys.said.nothing-here')); return; }
      const shapes = [...board.shapes.values()];
      choose(hit, shapes.indexOf(hit), shapes.length);
    },
    'next-shape': () => walk(1),
    'previous-shape': () => walk(-1),
    'size-down'() { size = Math.max(SIZE.min, size - SIZE.step); say(t('keys.said.size', { size })); },
    'size-up'() { size = Math.min(SIZE.max, size + SIZE.step); say(t('keys.said.size', { size })); },
  };

  // Drawn over the board while the keyboard is in use on it: rings around the
  // selection, the shape Enter would make, the polyline's next segment, the point.
  renderer.addOverlay((ctx, v) => {
    if (!shown()) return;
    const px = 1 / v.scale;
    const p = here();
    ctx.save();
    ctx.setLineDash([]);
    /** Strokes the current path twice: white under the accent, so it shows on any colour. @param {number} width */
    const ink = (width) => {
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = (width + 3) * px;
      ctx.stroke();
      ctx.strokeStyle = '#3b5bdb';
      ctx.lineWidth = width * px;
      ctx.stroke();
    };
    for (const s of selection()) {
      const b = board.bounds(s);
      ctx.beginPath();
      ctx.rect(b.minX - 9 * px, b.minY - 9 * px, b.maxX - b.minX + 18 * px, b.maxY - b.minY + 18 * px);
      ink(3);
    }
    if (!state.selected.size && (tools.tool === 'rectangle' || tools.tool === 'ellipse')) {
      const [a, b] = boxAround(p, size, size);
      ctx.beginPath();
      if (tools.tool === 'rectangle') ctx.rect(a.x, a.y, b.x - a.x, b.y - a.y);
      else ctx.ellipse(p.x, p.y, size / 2, size / 2, 0, 0, Math.PI * 2);
      ctx.setLineDash([4 * px, 4 * px]);
      ink(1);
      ctx.setLineDash([]);
    }
    const erasing = tools.tool === 'eraser' && !tools.readOnly ? underEraser() : undefined;
    if (erasing) {
      const b = board.bounds(erasing);
      ctx.beginPath();
      ctx.rect(b.minX - 6 * px, b.minY - 6 * px, b.maxX - b.minX + 12 * px, b.maxY - b.minY + 12 * px);
      ctx.setLineDash([4 * px, 4 * px]);
      ink(2);
      ctx.setLineDash([]);
    }
    if (poly) {
      const last = poly.corners[poly.corners.length - 1];
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.setLineDash([4 * px, 4 * px]);
      ink(1);
      ctx.setLineDash([]);
    }
    ctx.beginPath();
    ctx.arc(p.x, p.y, 6 * px, 0, Math.PI * 2);
    for (const [dx, dy] of Object.values(DIRECTIONS)) {
      ctx.moveTo(p.x + dx * 9 * px, p.y + dy * 9 * px);
      ctx.lineTo(p.x + dx * 18 * px, p.y + dy * 18 * px);
    }
    ink(2);
    ctx.restore();
  });

  return {
    handlers,
    /** Ends a polyline under way (another tool was chosen). */
    finish,
    /** Escape: the next Tab leaves the board. */
    release() { released = true; },
    /** The focus point, board coordinates (null until the board had the focus). */
    point: () => (point ? { ...point } : null),
    /** The side of the next rectangle or ellipse. */
    size: () => size,
  };
}
