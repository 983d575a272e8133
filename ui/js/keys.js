// @ts-check
/**
 * The board's keyboard shortcuts: a key press is matched against the table
 * in shortcuts.js (which the shortcuts help `?` lists too) and the row's
 * handler here runs. Tools by their letter, undo and redo, delete, export,
 * zoom, Space held to pan, and drawing, choosing, moving and resizing shapes
 * with the keys alone (keyboard-draw.js). Keys typed into a field or a dialog
 * are theirs, except Escape.
 */
import { TOOLS } from './ui.js';
import { SHORTCUTS, shortcutsHelp } from './shortcuts.js';
import { startKeyboardDraw } from './keyboard-draw.js';

/** @typedef {import('./ui.js').Command} Command */
/** @typedef {import('./tools.js').Tool} Tool */
/** A shortcut's action: false when it does not apply now (the key goes on to the next row, then the browser). @typedef {(e: KeyboardEvent) => boolean|void} Handler */

/**
 * @param {{canvas: HTMLCanvasElement, tools: import('./tools.js').Tools, laser?: {ring: (center: import('./board.js').Point) => void},
 *   toolbar: {toggleFill: () => void}, storyboard: {add: () => void},
 *   command: (c: Command) => void, setTool: (t: Tool) => void, resetZoom: () => void,
 *   zoom: (factor: number) => void, announcer: {say: (text: string) => void}, who: (userId: string) => string}} o
 */
export function startKeys(o) {
  const { canvas, tools } = o;
  const help = shortcutsHelp(canvas);
  // The Help panel's button: pressed with a key, the focus comes back to it; clicked, to the board.
  const button = document.getElementById('open-shortcuts');
  button?.addEventListener('click', (e) => help.open(e.detail === 0 ? button : canvas));
  const draw = startKeyboardDraw({ canvas, tools, announcer: o.announcer, who: o.who, laser: o.laser });
  /** @param {Tool} tool */
  const setTool = (tool) => { draw.finish(); o.setTool(tool); };
  /** @type {Record<string, Handler>} */
  const handlers = {
    ...Object.fromEntries(TOOLS.map((x) => [`tool-${x.tool}`, () => setTool(x.tool)])),
    ...draw.handlers,
    fill: () => o.toolbar.toggleFill(),
    image: () => o.command('image'),
    enhance: () => o.command('enhance'),
    storyboard: () => o.storyboard.add(),
    delete: () => o.command('delete'),
    deselect: () => { tools.clearSelection(); draw.release(); },
    undo: () => o.command('undo'),
    redo: () => o.command('redo'),
    export: () => o.command('export'),
    'export-svg': () => o.command('export-svg'),
    'pan-space': (e) => {
      const t = e.target;
      if (t !== canvas && t !== document.body) return false;
      tools.spaceDown = true;
    },
    'zoom-in': () => o.zoom(1.2),
    'zoom-out': () => o.zoom(1 / 1.2),
    'zoom-reset': () => o.resetZoom(),
    fit: () => o.command('fit'),
    help: () => help.open(),
  };
  /** Keys whose browser default is harmless to keep (a letter's typing goes nowhere on the board). */
  const keepDefault = new Set(['delete', 'deselect', 'fill', 'image', 'storyboard', 'zoom-in', 'zoom-out', 'zoom-reset', 'fit',
    ...TOOLS.map((x) => `tool-${x.tool}`)]);

  /** @param {KeyboardEvent} e */
  function onKey(e) {
    const t = /** @type {HTMLElement} */ (e.target);
    if (t.closest('dialog')) return; // a dialog handles its own keys (Escape closes it)
    if (t.closest('input, textarea, select') && e.key !== 'Escape') return;
    for (const s of SHORTCUTS) {
      if ((s.board && t !== canvas) || !s.match(e)) continue;
      const run = handlers[s.id];
      if (!run || run(e) === false) continue;
      if (!keepDefault.has(s.id)) e.preventDefault();
      return;
    }
  }
  addEventListener('keydown', onKey);
  addEventListener('keyup', (e) => { if (e.key === ' ') tools.spaceDown = false; });
  return { help, draw };
}
