// @ts-check
/**
 * Host controls, for a teacher at a projector: the host locks the board (the
 * others look and point, and change nothing), locks single shapes (a padlock
 * marks them; only the host moves, changes or deletes them), and undoes a
 * person's last change as its own change (its own undo takes that back).
 *
 * The host enforces all of it (`ERROR locked`); this page only keeps a
 * person from trying, and says why. The host's page is the one with the
 * admin secret: its socket carries it, so the host knows it (net.js).
 */
import { t, onLanguage } from './i18n.js';
import { adminSecret, post } from './host.js';
import { el } from './ui.js';
import { invert } from './actions.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./actions.js').Action} Action */

/** Toolbar controls that stay usable on a locked board: pointing and looking. */
const POINTING = new Set(['tool-laser', 'cmd-fit', 'cmd-export', 'cmd-export-svg']);
/** Changes per person the host's page keeps to undo. */
const UNDO_PER_PERSON = 50;
/** Ops of one person closer together than this are one change (a moved selection is one op per shape). */
const SAME_CHANGE_MS = 150;
/** How long a "why not" toast stays. */
const TOAST_MS = 4000;
/** Waits for more refusals before asking for the board again, once. */
const RESYNC_DELAY_MS = 200;
/** The padlock's size on screen, in CSS pixels. */
const MARKER_PX = 14;

/** @param {Shape} s @returns {boolean} */
export const isLocked = (s) => /** @type {any} */ (s).locked === true;

/**
 * @typedef {object} LockDeps
 * @property {import('./net.js').Net} net
 * @property {import('./tools.js').Tools} tools
 * @property {import('./actions.js').Actions} actions
 * @property {import('./board.js').Board} board
 * @property {import('./render.js').Renderer} renderer
 * @property {() => ReadonlySet<string>} selected
 * @property {HTMLElement} app
 * @property {HTMLElement} toolbar
 * @property {HTMLElement} conn the status line
 * @property {string} room
 * @property {string} me
 * @property {{say: (text: string) => void}} announcer
 * @property {(text: string, kind: 'info'|'bad', ms: number) => void} toast
 */

/**
 * Starts the host controls. `render()` after each status render (after the
 * watching one) applies the lock to the page; `sawRemote` is handed every
 * remote change before it is applied, so the host's page can undo it.
 * @param {LockDeps} d
 */
export function startLock(d) {
  const host = () => !!adminSecret();
  /** The board is read-only for this page. */
  const lockedForMe = () => d.net.locked && !host();
  /** @type {boolean|null} the toolbar as last set (null: never) */
  let shown = null;
  /** @type {boolean|null} the lock as last said aloud */
  let said = null;

  d.tools.lockedForMe = (s) => isLocked(s) && !host();
  d.tools.onLockedShape = () => d.toast(t('lock.shapeLocked'), 'info', TOAST_MS);
  d.actions.allowed = (a) => {
    if (host()) return true;
    if (d.net.locked) { d.toast(t('lock.refused'), 'bad', TOAST_MS); return false; }
    if (touched(a).some((id) => { const s = d.board.shapes.get(id); return !!s && isLocked(s); })) {
      d.toast(t('lock.shapeLocked'), 'info', TOAST_MS);
      return false;
    }
    return true;
  };

  // A change the host refused (the lock came first): it left the outbox;
  // the board is asked for again, once, to take it off this page too.
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let resync;
  d.net.onFrame((type, p) => {
    if (type === 'ERROR' && p.code === 'locked') {
      d.toast(d.net.locked ? t('lock.refused') : t('lock.shapeLocked'), 'bad', TOAST_MS);
      clearTimeout(resync);
      resync = setTimeout(() => { d.net.rev = null; d.net.requestSync(); }, RESYNC_DELAY_MS);
    }
  });

  /** @param {boolean} on */
  function applyToolbar(on) {
    if (shown === on) return;
    shown = on;
    for (const c of /** @type {NodeListOf<HTMLButtonElement|HTMLInputElement|HTMLSelectElement>} */ (d.toolbar.querySelectorAll('button, input, select'))) {
      if (POINTING.has(c.dataset.testid || '')) continue;
      if (on) {
        if (c.dataset.titleUnlocked === undefined) c.dataset.titleUnlocked = c.title;
        c.title = t('lock.toolbarTitle');
        c.disabled = true;
      } else if (c.dataset.titleUnlocked !== undefined) {
        c.title = c.dataset.titleUnlocked;
        delete c.dataset.titleUnlocked;
        c.disabled = false;
      }
    }
  }

  function render() {
    const mine = lockedForMe();
    d.tools.readOnly = d.net.watching || mine;
    d.app.toggleAttribute('data-locked', mine);
    // A watcher's toolbar is the watching one's to set.
    if (!d.net.watching) applyToolbar(mine);
    else shown = null;
    if (d.net.state === 'connected' && d.net.locked) {
      const sentence = host() ? t('lock.statusHost') : t('lock.status');
      if (!d.net.watching) {
        const text = /** @type {HTMLElement} */ (d.conn.querySelector('#conn-text'));
        text.textContent = sentence;
        d.conn.title = sentence;
      }
      d.conn.dataset.locked = '';
      if (said !== true) d.announcer.say(`${sentence}.`);
      said = true;
    } else {
      if (said === true && d.net.state === 'connected') d.announcer.say(`${t('lock.unlocked')}.`);
      if (d.net.state === 'connected') said = false;
      delete d.conn.dataset.locked;
    }
    panel.render();
  }

  // What would change the board without a tool: a picture (I, paste, drop), an enhancement (Shift+E).
  /** @param {EventTarget|null} tg */
  const typing = (tg) => tg instanceof Element && !!tg.closest('input, textarea, select, dialog');
  addEventListener('keydown', (e) => {
    const k = e.key.toLowerCase();
    if (lockedForMe() && !typing(e.target) && !e.ctrlKey && !e.metaKey && (k === 'i' || (k === 'e' && e.shiftKey))) {
      e.stopImmediatePropagation();
      d.toast(t('lock.refused'), 'info', TOAST_MS);
    }
  }, true);
  for (const type of ['paste', 'dragover', 'drop']) {
    addEventListener(type, (e) => {
      if (!lockedForMe() || typing(e.target)) return;
      e.stopImmediatePropagation();
      e.preventDefault();
    }, true);
  }

  const panel = startPanel(d, host);
  d.renderer.addOverlay((ctx, view) => drawMarkers(ctx, view, d.board));
  onLanguage(() => { shown = null; render(); });
  return { render, sawRemote: panel.sawRemote };
}

/**
 * The ids an action changes.
 * @param {Action} a @returns {string[]}
 */
function touched(a) {
  if (a.kind === 'add' || a.kind === 'delete') return a.shapes.map((s) => s.id);
  if (a.kind === 'batch') return a.updates.map((u) => u.id);
  if (a.kind === 'group') return a.actions.flatMap(touched);
  return [a.id];
}

/**
 * A padlock at the top right of every locked shape, the same size at any zoom.
 * @param {CanvasRenderingContext2D} ctx in board coordinates
 * @param {import('./render.js').View} view @param {import('./board.js').Board} board
 */
function drawMarkers(ctx, view, board) {
  const k = 1 / view.scale;
  const size = MARKER_PX * k;
  for (const s of board.shapes.values()) {
    if (!isLocked(s)) continue;
    const b = board.bounds(s);
    if (!Number.isFinite(b.maxX)) continue;
    const x = b.maxX + 2 * k, y = b.minY - size - 2 * k;
    ctx.save();
    ctx.globalAlpha = 0.9;
    ctx.fillStyle = '#1f2328';
    ctx.strokeStyle = '#1f2328';
    ctx.lineWidth = 2 * k;
    ctx.beginPath();
    ctx.arc(x + size / 2, y + size * 0.45, size * 0.28, Math.PI, 0);
    ctx.stroke();
    ctx.fillRect(x + size * 0.12, y + size * 0.45, size * 0.76, size * 0.55);
    ctx.restore();
  }
}

/**
 * The host panel's controls: the lock switch, lock/unlock the selected
 * shapes, and "Undo NAME's last change" per person. Also keeps, per person,
 * the inverse of their recent changes as they arrive (host's page only).
 * @param {LockDeps} d @param {() => boolean} host
 */
function startPanel(d, host) {
  const boardSwitch = /** @type {HTMLInputElement} */ (document.getElementById('host-lock'));
  const list = /** @type {HTMLElement} */ (document.getElementById('host-undo'));
  /** @type {Map<string, {at: number, undo: Action}[]>} per person, oldest first */
  const history = new Map();
  let drawn = '';

  boardSwitch.addEventListener('change', async () => {
    const res = await post('/api/host/lock', { room: d.room, locked: boardSwitch.checked });
    if (!res || !res.ok) {
      boardSwitch.checked = d.net.locked;
      d.toast(t('lock.failed'), 'bad', TOAST_MS);
    }
  });
  /** @param {boolean} locked */
  const lockSelected = (locked) => {
    const ids = [...d.selected()].filter((id) => d.board.shapes.has(id));
    if (!ids.length) { d.toast(t('lock.selectFirst'), 'info', TOAST_MS); return; }
    d.actions.updateMany(ids.map((id) => ({ id, after: /** @type {any} */ ({ locked }) })));
    d.toast(t(locked ? 'lock.shapesLocked' : 'lock.shapesUnlocked', { count: ids.length }), 'info', TOAST_MS);
  };
  /** @type {HTMLElement} */ (document.getElementById('host-lock-shape')).addEventListener('click', () => lockSelected(true));
  /** @type {HTMLElement} */ (document.getElementById('host-unlock-shape')).addEventListener('click', () => lockSelected(false));

  /** @param {string} userId */
  function undoLast(userId) {
    const mine = history.get(userId);
    const last = mine?.pop();
    if (!last) return;
    // As the host's own change: relayed under the host's id, on the host's undo stack.
    d.actions.record(last.undo);
    const name = d.net.users.get(userId)?.name || userId;
    d.toast(t('lock.undone', { name }), 'info', TOAST_MS);
    render();
  }

  /**
   * A change by someone else, before this page applies it: its inverse,
   * against the board as it is now.
   * @param {{type: string, payload: any}} m
   */
  function sawRemote(m) {
    if (!host()) return;
    const p = m.payload, who = p.userId;
    if (typeof who !== 'string' || who === d.me) return;
    /** @type {Action|null} */
    let undo = null;
    if (m.type === 'SHAPE_ADDED' && p.shape && typeof p.shape.id === 'string') {
      const old = d.board.shapes.get(p.shape.id);
      undo = old ? { kind: 'update', id: old.id, before: p.shape, after: /** @type {any} */ (fieldsOf(old, p.shape)) } : { kind: 'delete', shapes: [p.shape] };
    } else if (m.type === 'SHAPE_UPDATED' && p.updates && d.board.shapes.has(p.shapeId)) {
      const old = /** @type {Shape} */ (d.board.shapes.get(p.shapeId));
      undo = { kind: 'update', id: old.id, before: p.updates, after: /** @type {any} */ (fieldsOf(old, p.updates)) };
    } else if (m.type === 'SHAPES_DELETED' && Array.isArray(p.shapeIds)) {
      const gone = p.shapeIds.map((/** @type {string} */ id) => d.board.shapes.get(id)).filter((/** @type {any} */ s) => !!s);
      if (gone.length) undo = { kind: 'add', shapes: gone };
    }
    if (!undo) return;
    const mine = history.get(who) || [];
    const now = Date.now();
    const last = mine[mine.length - 1];
    if (last && now - last.at < SAME_CHANGE_MS && undo.kind === 'update' && (last.undo.kind === 'update' || last.undo.kind === 'batch')) {
      // One moved selection: undone as one.
      last.undo = { kind: 'batch', updates: [undo, ...(last.undo.kind === 'batch' ? last.undo.updates : [last.undo])] };
      last.at = now;
    } else {
      mine.push({ at: now, undo });
    }
    if (mine.length > UNDO_PER_PERSON) mine.shift();
    history.set(who, mine);
    render();
  }

  function render() {
    boardSwitch.checked = d.net.locked;
    const people = [...d.net.users.values()].filter((u) => u.id !== d.me);
    const key = JSON.stringify([people.map((u) => [u.id, u.name, history.get(u.id)?.length || 0]), t('lock.nobody')]);
    if (key === drawn || !host()) return;
    drawn = key;
    // A keyboard user pressing Undo again and again keeps the focus on the button (the list is built anew).
    const focused = list.contains(document.activeElement) ? /** @type {HTMLElement} */ (document.activeElement).dataset.user : undefined;
    list.replaceChildren(...(people.length ? people.map((u) => {
      const n = history.get(u.id)?.length || 0;
      const b = el('button', { type: 'button', 'data-testid': 'host-undo-person', 'data-user': u.id }, [t('lock.undoPerson', { name: u.name })]);
      b.title = n ? t('lock.undoCount', { name: u.name, count: n }) : t('lock.undoNone', { name: u.name });
      /** @type {HTMLButtonElement} */ (b).disabled = n === 0;
      b.addEventListener('click', () => undoLast(u.id));
      return el('li', {}, [b]);
    }) : [el('li', { class: 'muted' }, [t('lock.nobody')])]));
    if (focused) /** @type {HTMLElement|null} */ (list.querySelector(`[data-user="${CSS.escape(focused)}"]`))?.focus();
  }

  return { render, sawRemote };
}

/** @param {Shape} shape @param {object} like @returns {object} `shape`'s values of the keys of `like` (null where it has none) */
function fieldsOf(shape, like) {
  /** @type {any} */
  const out = {};
  for (const k of Object.keys(like)) out[k] = k in shape ? /** @type {any} */ (shape)[k] : null;
  return out;
}
