// @ts-check
/**
 * Every keyboard shortcut of the board, in one table: what keys.js matches a
 * key press against and what the shortcuts help (`?`) lists, so the two never
 * drift apart. A row names its keys as shown (key names translated), the
 * catalog key of what it does, its group in the help, and `match`, which tells
 * whether a key press is it. Rows marked `board` act only while the board
 * (the canvas) has the focus. Several rows may match the same keys (Enter
 * with each tool): keys.js tries them in order, and a row's handler that
 * returns false leaves the key to the next row, then to the browser.
 */
import { TOOLS } from './ui.js';
import { t } from './i18n.js';

/**
 * @typedef {object} Shortcut
 * @property {string} id the handler's name (keys.js, keyboard-draw.js)
 * @property {string[][]} keys each way to press it, as key names (`Ctrl`, `Shift`, `Z`)
 * @property {'tools'|'draw'|'select'|'view'|'more'} group
 * @property {string} help the catalog key of what it does
 * @property {Record<string, string>} [vars] for the help text
 * @property {boolean} [board] only while the board has the focus
 * @property {(e: KeyboardEvent) => boolean} match
 */

/** @param {KeyboardEvent} e */
const mod = (e) => e.ctrlKey || e.metaKey;
/** @param {KeyboardEvent} e */
const plain = (e) => !e.ctrlKey && !e.metaKey && !e.altKey;
/** @param {KeyboardEvent} e */
const arrow = (e) => e.key.startsWith('Arrow');
/** @param {KeyboardEvent} e */
const lower = (e) => e.key.toLowerCase();

/** @type {Shortcut[]} */
export const SHORTCUTS = [
  // Tools, by their letter (the toolbar's list).
  ...TOOLS.map((x) => /** @type {Shortcut} */ ({
    id: `tool-${x.tool}`, keys: [[x.key.toUpperCase()]], group: 'tools', help: `keys.tool.${x.tool}`,
    match: (e) => plain(e) && lower(e) === x.key && !e.shiftKey,
  })),
  { id: 'fill', keys: [['F']], group: 'tools', help: 'keys.do.fill', match: (e) => plain(e) && lower(e) === 'f' },
  { id: 'image', keys: [['I']], group: 'tools', help: 'keys.do.image', match: (e) => plain(e) && lower(e) === 'i' },
  { id: 'enhance', keys: [['Shift', 'E']], group: 'tools', help: 'keys.do.enhance', match: (e) => plain(e) && e.shiftKey && lower(e) === 'e' },

  // Drawing with the keys, at the focus point (the crosshair on the board).
  { id: 'point', keys: [['Arrows'], ['Shift', 'Arrows']], group: 'draw', help: 'keys.do.point', board: true, match: (e) => arrow(e) && plain(e) },
  { id: 'create', keys: [['Enter']], group: 'draw', help: 'keys.do.create', board: true, match: (e) => e.key === 'Enter' && plain(e) },
  { id: 'polyline', keys: [['Enter']], group: 'draw', help: 'keys.do.polyline', board: true, match: (e) => e.key === 'Enter' && plain(e) },
  { id: 'polyline-end', keys: [['Escape']], group: 'draw', help: 'keys.do.polyline-end', board: true, match: (e) => e.key === 'Escape' },
  { id: 'polyline-back', keys: [['Backspace']], group: 'draw', help: 'keys.do.polyline-back', board: true, match: (e) => e.key === 'Backspace' && plain(e) },
  { id: 'text-here', keys: [['Enter']], group: 'draw', help: 'keys.do.text', board: true, match: (e) => e.key === 'Enter' && plain(e) },
  { id: 'erase-here', keys: [['Enter']], group: 'draw', help: 'keys.do.erase', board: true, match: (e) => e.key === 'Enter' && plain(e) },
  { id: 'laser-here', keys: [['Enter']], group: 'draw', help: 'keys.do.laser', board: true, match: (e) => e.key === 'Enter' && plain(e) },
  { id: 'size-down', keys: [['[']], group: 'draw', help: 'keys.do.size-down', board: true, match: (e) => e.key === '[' && !e.metaKey },
  { id: 'size-up', keys: [[']']], group: 'draw', help: 'keys.do.size-up', board: true, match: (e) => e.key === ']' && !e.metaKey },

  // Choosing shapes and changing them.
  { id: 'next-shape', keys: [['Tab']], group: 'select', help: 'keys.do.next', board: true, match: (e) => e.key === 'Tab' && plain(e) && !e.shiftKey },
  { id: 'previous-shape', keys: [['Shift', 'Tab']], group: 'select', help: 'keys.do.previous', board: true, match: (e) => e.key === 'Tab' && plain(e) && e.shiftKey },
  { id: 'select-here', keys: [['Enter']], group: 'select', help: 'keys.do.select-here', board: true, match: (e) => e.key === 'Enter' && plain(e) },
  { id: 'move', keys: [['Arrows'], ['Shift', 'Arrows']], group: 'select', help: 'keys.do.move', board: true, match: (e) => arrow(e) && plain(e) },
  { id: 'resize', keys: [['Alt', 'Arrows'], ['Alt', 'Shift', 'Arrows']], group: 'select', help: 'keys.do.resize', board: true,
    match: (e) => arrow(e) && e.altKey && !e.ctrlKey && !e.metaKey },
  { id: 'delete', keys: [['Delete'], ['Backspace']], group: 'select', help: 'keys.do.delete', match: (e) => plain(e) && (e.key === 'Delete' || e.key === 'Backspace') },
  { id: 'deselect', keys: [['Escape']], group: 'select', help: 'keys.do.deselect', match: (e) => e.key === 'Escape' },
  { id: 'undo', keys: [['Ctrl', 'Z']], group: 'select', help: 'keys.do.undo', match: (e) => mod(e) && !e.shiftKey && lower(e) === 'z' },
  { id: 'redo', keys: [['Ctrl', 'Shift', 'Z'], ['Ctrl', 'Y']], group: 'select', help: 'keys.do.redo',
    match: (e) => mod(e) && ((e.shiftKey && lower(e) === 'z') || lower(e) === 'y') },

  // The view.
  { id: 'pan', keys: [['Ctrl', 'Arrows']], group: 'view', help: 'keys.do.pan', board: true, match: (e) => arrow(e) && mod(e) && !e.altKey },
  { id: 'pan-space', keys: [['Space']], group: 'view', help: 'keys.do.pan-space', match: (e) => e.key === ' ' && plain(e) },
  { id: 'zoom-in', keys: [['+']], group: 'view', help: 'keys.do.zoom-in', match: (e) => plain(e) && (e.key === '+' || e.key === '=') },
  { id: 'zoom-out', keys: [['-']], group: 'view', help: 'keys.do.zoom-out', match: (e) => plain(e) && e.key === '-' },
  { id: 'zoom-reset', keys: [['0']], group: 'view', help: 'keys.do.zoom-reset', match: (e) => plain(e) && e.key === '0' },
  { id: 'fit', keys: [['Shift', '1']], group: 'view', help: 'keys.do.fit', match: (e) => plain(e) && e.shiftKey && e.code === 'Digit1' },

  // The rest.
  { id: 'storyboard', keys: [['A']], group: 'more', help: 'keys.do.storyboard', match: (e) => plain(e) && lower(e) === 'a' },
  { id: 'export', keys: [['Ctrl', 'Shift', 'E']], group: 'more', help: 'keys.do.export', match: (e) => mod(e) && e.shiftKey && lower(e) === 'e' },
  { id: 'export-svg', keys: [['Ctrl', 'Shift', 'S']], group: 'more', help: 'keys.do.export-svg', match: (e) => mod(e) && e.shiftKey && lower(e) === 's' },
  // `?` is Shift+/ on a US keyboard, Shift+ß on a German one, AltGr on some: its character, whatever it takes.
  { id: 'help', keys: [['?']], group: 'more', help: 'keys.do.help', match: (e) => e.key === '?' && !e.metaKey && !(e.ctrlKey && !e.altKey) },
];

/** The help's groups, in order. */
export const GROUPS = /** @type {const} */ (['tools', 'draw', 'select', 'view', 'more']);

/** Key names said in the language (the letters and signs are as printed on the keys). */
const NAMED = new Set(['Ctrl', 'Shift', 'Alt', 'Enter', 'Escape', 'Delete', 'Backspace', 'Tab', 'Space', 'Arrows']);

/** @param {string} name */
function keyName(name) {
  if (name === 'Ctrl' && /Mac|iPhone|iPad/.test(navigator.platform)) return '⌘';
  return NAMED.has(name) ? t(`keys.name.${name.toLowerCase()}`) : name;
}

/**
 * A `<kbd>` for each way of pressing a shortcut (nested ones for each key).
 * @param {string[][]} ways @returns {HTMLElement}
 */
function keysCell(ways) {
  const cell = document.createElement('td');
  ways.forEach((way, i) => {
    if (i) cell.append(` ${t('keys.or')} `);
    const combo = document.createElement('kbd');
    way.forEach((k, j) => {
      if (j) combo.append('+');
      const one = document.createElement('kbd');
      one.textContent = keyName(k);
      combo.append(one);
    });
    cell.append(combo);
  });
  return cell;
}

/**
 * The shortcuts help: a modal dialog with a table per group, built from
 * SHORTCUTS when it opens (so in the language of the moment). Escape or its
 * Close button closes it, and the focus goes back to the board (or to the
 * button that opened it, pressed with the keyboard).
 * @param {HTMLElement} board
 * @returns {{open: (from?: HTMLElement) => void, dialog: HTMLDialogElement}}
 */
export function shortcutsHelp(board) {
  const dialog = document.createElement('dialog');
  dialog.className = 'dialog shortcuts';
  dialog.id = 'shortcuts';
  dialog.dataset.testid = 'shortcuts-dialog';
  dialog.setAttribute('aria-labelledby', 'shortcuts-title');
  document.body.append(dialog);
  /** Where the focus goes when it closes. */
  let back = board;
  dialog.addEventListener('close', () => back.focus({ preventScroll: true }));

  function build() {
    const head = document.createElement('header');
    head.className = 'dialog-head';
    const title = document.createElement('h2');
    title.id = 'shortcuts-title';
    title.textContent = t('keys.help.title');
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'icon-button';
    close.textContent = '×';
    close.setAttribute('aria-label', t('keys.help.close'));
    close.dataset.testid = 'shortcuts-close';
    close.addEventListener('click', () => dialog.close());
    head.append(title, close);
    const body = document.createElement('div');
    body.className = 'shortcuts-body';
    const intro = document.createElement('p');
    intro.textContent = t('keys.help.intro');
    body.append(intro);
    for (const group of GROUPS) {
      const table = document.createElement('table');
      const caption = document.createElement('caption');
      caption.textContent = t(`keys.group.${group}`);
      const headRow = document.createElement('tr');
      for (const text of [t('keys.help.keys'), t('keys.help.does')]) {
        const th = document.createElement('th');
        th.scope = 'col';
        th.textContent = text;
        headRow.append(th);
      }
      const thead = document.createElement('thead');
      thead.append(headRow);
      const tbody = document.createElement('tbody');
      for (const s of SHORTCUTS.filter((x) => x.group === group)) {
        const tr = document.createElement('tr');
        tr.dataset.testid = 'shortcut';
        tr.dataset.shortcut = s.id;
        const what = document.createElement('td');
        what.textContent = t(s.help, s.vars);
        tr.append(keysCell(s.keys), what);
        tbody.append(tr);
      }
      table.append(caption, thead, tbody);
      body.append(table);
    }
    dialog.replaceChildren(head, body);
    return close;
  }

  return {
    dialog,
    /** @param {HTMLElement} [from] where the focus goes back to (the board unless said) */
    open(from = board) {
      if (dialog.open) return;
      back = from;
      const close = build();
      dialog.showModal();
      close.focus();
    },
  };
}
