// @ts-check
/**
 * The board's keyboard shortcuts, in one place: tools by their letter,
 * undo and redo, delete, export, zoom, and Space held to pan. Keys typed
 * into a field or a dialog are theirs, except Escape.
 */
import { TOOLS } from './ui.js';

/** @typedef {import('./ui.js').Command} Command */
/** @typedef {import('./tools.js').Tool} Tool */

/**
 * @param {{canvas: HTMLElement, tools: {spaceDown: boolean, clearSelection: () => void},
 *   toolbar: {toggleFill: () => void}, storyboard: {add: () => void},
 *   command: (c: Command) => void, setTool: (t: Tool) => void, resetZoom: () => void,
 *   zoom: (factor: number) => void}} o
 */
export function startKeys(o) {
  const { canvas, tools } = o;
  /** @param {KeyboardEvent} e */
  function onKey(e) {
    const t = /** @type {HTMLElement} */ (e.target);
    if (t.closest('dialog')) return; // a dialog handles its own keys (Escape closes it)
    if (t.closest('input, textarea, select') && e.key !== 'Escape') return;
    const mod = e.ctrlKey || e.metaKey;
    const k = e.key.toLowerCase();
    if (e.key === ' ' && (t === canvas || t === document.body)) { tools.spaceDown = true; e.preventDefault(); return; }
    if (mod && k === 'z') { e.preventDefault(); o.command(e.shiftKey ? 'redo' : 'undo'); return; }
    if (mod && k === 'y') { e.preventDefault(); o.command('redo'); return; }
    if (mod && e.shiftKey && k === 'e') { e.preventDefault(); o.command('export'); return; }
    if (mod && e.shiftKey && k === 's') { e.preventDefault(); o.command('export-svg'); return; }
    if (mod || e.altKey) return;
    if (k === 'i') { o.command('image'); return; }
    if (k === 'e' && e.shiftKey) { e.preventDefault(); o.command('enhance'); return; }
    if (k === 'a') { o.storyboard.add(); return; }
    const tool = TOOLS.find((x) => x.key === k);
    if (tool) { o.setTool(tool.tool); return; }
    if (k === 'f') o.toolbar.toggleFill();
    else if (e.key === 'Delete' || e.key === 'Backspace') o.command('delete');
    else if (e.key === 'Escape') tools.clearSelection();
    else if (e.key === '0') o.resetZoom();
    else if (e.code === 'Digit1' && e.shiftKey) o.command('fit');
    else if (e.key === '+' || e.key === '=') o.zoom(1.2);
    else if (e.key === '-') o.zoom(1 / 1.2);
  }
  addEventListener('keydown', onKey);
  addEventListener('keyup', (e) => { if (e.key === ' ') tools.spaceDown = false; });
}
