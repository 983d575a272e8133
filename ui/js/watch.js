// @ts-check
/**
 * Watching: a person past the four seats (a class around a projector) sees
 * the board, the cursors and the strokes live, and changes nothing. The
 * connection (net.js) watches and takes a seat by itself when one frees;
 * this module makes the page read-only meanwhile: the toolbar unavailable
 * (saying why), a drag on the board pans instead of drawing, the keys,
 * pastes and drops that would change the board ignored, the storyboard
 * looked at only, and the status line saying how many seats are taken. On
 * WELCOME all of it is undone: the page is an ordinary seated board.
 */
import { SEATS_PER_ROOM, randomId } from './net.js';
import { TOOLS } from './ui.js';
import { t } from './i18n.js';

/** Toolbar commands that only look (they stay available to a watcher). */
const VIEW_COMMANDS = new Set(['cmd-fit', 'cmd-export', 'cmd-export-svg']);
/** Keys (without Ctrl) that change the board: the tools, a picture, the storyboard, fill, delete. */
const CHANGE_KEYS = new Set([...TOOLS.map((t) => t.key), 'i', 'a', 'f', 'delete', 'backspace']);

/**
 * Starts the page again as a watcher, under `name` (and the id it had, if
 * any: its seat comes back to it if still free).
 * @param {string} joinKey where the page keeps its join (sessionStorage) @param {string} name
 */
export function watchFromNowOn(joinKey, name) {
  let before = null;
  try { before = JSON.parse(sessionStorage.getItem(joinKey) || 'null'); } catch { /* a new id */ }
  sessionStorage.setItem(joinKey, JSON.stringify({ ...(before || { userId: randomId('u-'), position: '' }), name, watch: true }));
  location.reload();
}

/** @param {number} seated @returns {string} what the status line says while watching */
export function watchingSentence(seated) {
  return t('board.watching', { count: seated, seats: SEATS_PER_ROOM });
}

/**
 * @typedef {object} WatchDeps
 * @property {import('./net.js').Net} net
 * @property {import('./tools.js').Tools} tools
 * @property {HTMLElement} app the board's page
 * @property {HTMLElement} toolbar
 * @property {HTMLElement} conn the status line
 * @property {HTMLElement|null} storyboard
 * @property {{say: (text: string) => void}} announcer
 */

/**
 * Follows the connection's watching state. `render()` after each status
 * render puts the watching sentence on the status line.
 * @param {WatchDeps} d
 */
export function startWatch(d) {
  /** @type {boolean|null} what the page shows now (null: nothing applied yet) */
  let shown = null;
  let said = false;
  const controls = () => /** @type {NodeListOf<HTMLButtonElement|HTMLInputElement|HTMLSelectElement>} */ (
    d.toolbar.querySelectorAll('button, input, select'));

  /** @param {boolean} on */
  function apply(on) {
    if (shown === on) return;
    shown = on;
    d.tools.readOnly = on;
    d.app.toggleAttribute('data-watching', on);
    for (const c of controls()) {
      if (VIEW_COMMANDS.has(c.dataset.testid || '')) continue;
      if (on) {
        c.dataset.titleSeated = c.title;
        c.title = t('board.watching.title');
        c.disabled = true;
      } else if (c.dataset.titleSeated !== undefined) {
        c.title = c.dataset.titleSeated;
        delete c.dataset.titleSeated;
        c.disabled = false;
      }
    }
    // Seen, not changed: the storyboard's buttons take no press while watching.
    if (d.storyboard) d.storyboard.inert = on;
  }

  function render() {
    apply(d.net.watching);
    if (!d.net.watching || d.net.state !== 'connected') return;
    const sentence = watchingSentence(d.net.users.size);
    const text = /** @type {HTMLElement} */ (d.conn.querySelector('#conn-text'));
    text.textContent = sentence;
    d.conn.title = sentence;
    d.conn.dataset.watching = '';
    if (!said) {
      said = true;
      d.announcer.say(`${sentence}.`);
    }
  }

  d.net.onFrame((type) => {
    if (type === 'WELCOME') {
      delete d.conn.dataset.watching;
      d.conn.title = '';
      render();
    }
  });

  /** @param {EventTarget|null} t */
  const typing = (t) => t instanceof Element && !!t.closest('input, textarea, select, dialog');
  // Capture on the window: these run before the board's own handlers and stop them while watching.
  addEventListener('keydown', (e) => {
    if (!d.net.watching || typing(e.target)) return;
    const k = e.key.toLowerCase();
    const mod = e.ctrlKey || e.metaKey;
    if ((mod && (k === 'z' || k === 'y')) || (!mod && !e.altKey && CHANGE_KEYS.has(k))) e.stopImmediatePropagation();
  }, true);
  addEventListener('paste', (e) => {
    if (d.net.watching && !typing(e.target)) e.stopImmediatePropagation();
  }, true);
  for (const type of ['dragover', 'drop']) {
    addEventListener(type, (e) => {
      if (!d.net.watching) return;
      const drag = /** @type {DragEvent} */ (e);
      e.stopImmediatePropagation();
      // Not dropped here, and not opened by the browser either.
      e.preventDefault();
      if (drag.dataTransfer) drag.dataTransfer.dropEffect = 'none';
    }, true);
  }

  apply(d.net.watching);
  return { render };
}
