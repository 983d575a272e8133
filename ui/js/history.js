// @ts-check
/**
 * History: a slider over the room's timeline that shows the board as it was
 * to the person dragging it only, read-only (the live board goes on taking
 * everyone's changes underneath, and is back when History closes); "Restore
 * this moment" for everyone, as one undoable step of ordinary ops; "Bring
 * back this shape"; checkpoints (checkpoints.js); and "Only my part", the
 * shapes one person drew exported as PNG or SVG.
 *
 * Open means the app's drawer is `history-panel` (drawers.js): on a phone it
 * is a drawer like the others, on a desktop the top bar's History button
 * opens it in the side panel.
 */
import { t, formatTime, onLanguage } from './i18n.js';
import { Board } from './board.js';
import { Interaction } from './interaction.js';
import { exportPng, exportSvg } from './exporting.js';
import { embedPictures } from './images.js';
import { adminSecret } from './host.js';
import { SEATS } from './ui.js';
import { loadTimeline, PastBoards, authors, peopleOf, restoreAction, pastShape } from './historydata.js';
import { startCheckpoints } from './checkpoints.js';

/** @typedef {import('./historydata.js').Entry} Entry */
/** @typedef {import('./board.js').Shape} Shape */

/** Waits this long after a change arrives before extending the timeline (a stroke is a burst of them). */
const REFRESH_MS = 700;
/** How long a toast of this panel stays. */
const TOAST_MS = 5000;
/** Gone shapes listed at most. */
const MAX_GONE = 30;
const PANEL = 'history-panel';

/**
 * @typedef {object} HistoryDeps
 * @property {HTMLElement} app
 * @property {HTMLCanvasElement} canvas
 * @property {Board} board the live board
 * @property {import('./render.js').Renderer} renderer
 * @property {import('./interaction.js').Interaction} interaction
 * @property {import('./net.js').Net} net
 * @property {import('./actions.js').Actions} actions
 * @property {import('./tools.js').Tools} tools
 * @property {string} room
 * @property {string} me
 * @property {{say: (text: string) => void}} announcer
 * @property {(text: string, kind: 'info'|'bad', ms: number) => void} toast
 */

/** @param {HistoryDeps} d */
export function startHistory(d) {
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const panel = $(PANEL);
  const opener = /** @type {HTMLButtonElement} */ ($('history-open'));
  const slider = /** @type {HTMLInputElement} */ ($('history-slider'));
  const when = $('history-when');
  const note = $('history-note');
  const strip = /** @type {HTMLCanvasElement} */ ($('history-strip'));
  const restoreBtn = /** @type {HTMLButtonElement} */ ($('history-restore'));
  const confirmBox = $('history-confirm');
  const confirmText = $('history-confirm-text');
  const goneList = $('history-gone');
  const person = /** @type {HTMLSelectElement} */ ($('mypart-person'));

  /** The board shown while History is open: the moment on the slider. */
  const past = new Board();
  past.version = 1e9; // never the live board's version: the renderer's cached layer is redrawn
  /** What the renderer draws instead of the live cursors, drafts and selection: nothing. */
  const quiet = new Interaction();
  let open = false;
  /** @type {Entry[]} */
  let entries = [];
  /** @type {Entry[]} */
  let marks = [];
  /** @type {Map<number, Entry>} */
  let byRev = new Map();
  let range = { firstRev: 0, currentRev: 0, firstTime: /** @type {number|null} */ (null) };
  /** @type {import('./historydata.js').PastBoard|null} the moment shown */
  let shown = null;
  /** @type {number|null} the revision to show once the timeline is there (a checkpoint opened) */
  let pendingRev = null;
  /** @type {string|null} a shape of the moment shown that is gone now, picked to bring back */
  let picked = null;
  let loading = null;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let refreshTimer;

  const boards = new PastBoards(d.room, (b) => { shown = b; past.replaceAll(b.shapes); afterShown(); });
  boards.onError = () => { note.textContent = t('history.failed'); };

  // Read-only while History is open, whatever the lock and watching say.
  let baseReadOnly = d.tools.readOnly;
  Object.defineProperty(d.tools, 'readOnly', { get: () => baseReadOnly || open, set: (v) => { baseReadOnly = v; }, configurable: true });
  const lockedForMe = () => d.net.watching || (d.net.locked && !adminSecret());

  const checkpoints = startCheckpoints({
    room: d.room, me: d.me, toast: d.toast,
    show: (rev) => showRev(rev),
    restore: (rev) => showRev(rev).then(() => askRestore()),
    saved: () => refresh(),
  });

  // ---- open and close ----
  new MutationObserver(() => {
    const want = d.app.dataset.drawer === PANEL;
    if (want && !open) enter(); else if (!want && open) leave();
  }).observe(d.app, { attributes: true, attributeFilter: ['data-drawer'] });
  opener.addEventListener('click', () => {
    if (open) { delete d.app.dataset.drawer; return; }
    d.app.dataset.drawer = PANEL;
    slider.focus({ preventScroll: true });
  });
  $('history-close').addEventListener('click', () => {
    const back = panel.contains(document.activeElement);
    delete d.app.dataset.drawer;
    if (back) (opener.checkVisibility() ? opener : d.canvas).focus({ preventScroll: true });
  });
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !(/** @type {HTMLElement} */ (e.target)).closest('input:not([type=range]), select')) {
      e.stopPropagation();
      $('history-close').click();
    }
  });

  function enter() {
    open = true;
    opener.setAttribute('aria-expanded', 'true');
    d.tools.clearSelection();
    past.replaceAll([...d.board.shapes.values()]);
    d.renderer.board = past;
    d.renderer.state = quiet;
    d.renderer.lastVersion = -1;
    d.renderer.request();
    d.app.toggleAttribute('data-history', true);
    note.textContent = t('history.loading');
    load();
    checkpoints.refresh();
  }

  function leave() {
    open = false;
    opener.setAttribute('aria-expanded', 'false');
    boards.cancel();
    shown = null;
    picked = null;
    pendingRev = null;
    confirmBox.hidden = true;
    d.renderer.board = d.board;
    d.renderer.state = d.interaction;
    d.renderer.lastVersion = -1;
    d.renderer.request();
    d.app.toggleAttribute('data-history', false);
  }

  // ---- the timeline ----
  async function load() {
    const mine = loading = loadTimeline(d.room);
    try {
      const tl = await mine;
      if (loading !== mine || !open) return;
      entries = tl.entries;
      marks = tl.marks;
      range = tl.range;
      indexEntries();
      slider.min = String(range.firstRev);
      slider.max = String(range.currentRev);
      slider.value = String(pendingRev ?? range.currentRev);
      pendingRev = null;
      note.textContent = '';
      renderPeople();
      drawStrip();
      label();
      boards.want(Number(slider.value));
    } catch {
      if (loading === mine && open) note.textContent = t('history.failed');
    } finally {
      if (loading === mine) loading = null;
    }
  }

  /** Adds what happened since the timeline was read; follows "now" when the slider was there. */
  async function refresh() {
    if (!open || loading) return;
    try {
      // From the last revision known (always valid), so nothing new is no error.
      const tl = await loadTimeline(d.room, range.currentRev);
      if (!open || tl.range.currentRev <= range.currentRev) return;
      const atEnd = Number(slider.value) === range.currentRev;
      entries.push(...tl.entries.filter((e) => e.rev > range.currentRev));
      const seen = new Set(marks.map((m) => `${m.rev}.${m.seq}`));
      marks.push(...tl.marks.filter((m) => !seen.has(`${m.rev}.${m.seq}`)));
      range = tl.range;
      indexEntries();
      slider.min = String(range.firstRev);
      slider.max = String(range.currentRev);
      if (atEnd) { slider.value = String(range.currentRev); boards.want(range.currentRev); }
      renderPeople();
      drawStrip();
      label();
    } catch { /* the host is away: the next change tries again */ }
  }

  function indexEntries() {
    byRev = new Map(entries.map((e) => [e.rev, e]));
  }

  d.net.onFrame((type) => {
    if (!open || !/^(SHAPE_ADDED|SHAPE_UPDATED|SHAPES_DELETED|ACK|USER_JOINED|USER_LEFT)$/.test(type)) return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, REFRESH_MS);
    if (shown) renderGone();
  });

  /** Shows `rev` (a checkpoint): opens History if needed. @param {number} rev */
  async function showRev(rev) {
    if (!open) { pendingRev = rev; d.app.dataset.drawer = PANEL; }
    if (loading) await loading.catch(() => {});
    if (!open) return;
    const r = Math.max(range.firstRev, Math.min(range.currentRev, rev));
    slider.value = String(r);
    label();
    boards.want(r);
    const until = Date.now() + 10000;
    await new Promise((resolve) => {
      const done = () => ((shown && shown.rev <= r && !boards.inflight) || Date.now() > until ? resolve(null) : setTimeout(done, 50));
      done();
    });
  }

  slider.addEventListener('input', () => {
    confirmBox.hidden = true;
    picked = null;
    label();
    boards.want(Number(slider.value));
  });

  /** The slider's label: when, and who changed what. */
  function label() {
    const rev = Number(slider.value);
    const text = describe(rev);
    slider.setAttribute('aria-valuetext', text);
    when.textContent = text;
  }

  /** @param {number} rev */
  function describe(rev) {
    const e = byRev.get(rev);
    const now = rev === range.currentRev ? ` (${t('history.now')})` : '';
    if (!e) {
      const at = shown && shown.rev === rev ? shown.t : rev === range.firstRev ? range.firstTime : null;
      return `${at ? `${formatTime(at)} · ` : ''}${t('history.change', { n: rev })}${now}`;
    }
    const count = e.shapeIds?.length || 1;
    const what = t(`history.did.${typeof e.restore === 'number' ? 'restore' : e.kind}`, { name: e.name || t('history.someone'), count });
    return `${formatTime(e.t)} · ${what}${now}`;
  }

  /** Who drew, by seat colour, and where people came, went and checkpoints were made. */
  function drawStrip() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(strip.clientWidth * dpr)), h = Math.max(1, Math.round(strip.clientHeight * dpr));
    strip.width = w; strip.height = h;
    const ctx = /** @type {CanvasRenderingContext2D} */ (strip.getContext('2d'));
    ctx.clearRect(0, 0, w, h);
    const span = Math.max(1, range.currentRev - range.firstRev);
    const rtl = getComputedStyle(strip).direction === 'rtl';
    const x = (/** @type {number} */ rev) => { const f = (rev - range.firstRev) / span; return Math.round((rtl ? 1 - f : f) * (w - 2)) + 1; };
    const colour = (/** @type {string|undefined} */ seat) => SEATS.find((s) => s.pos === seat)?.color || '#57606a';
    for (const e of entries) {
      ctx.fillStyle = colour(e.seat);
      ctx.fillRect(x(e.rev) - dpr, h * 0.35, Math.max(1, 2 * dpr), h * 0.65);
    }
    for (const m of marks) {
      ctx.fillStyle = m.kind === 'checkpoint' ? '#3b5bdb' : colour(m.seat);
      if (m.kind === 'checkpoint') ctx.fillRect(x(m.rev) - dpr, 0, 2 * dpr, h);
      else {
        const cx = x(m.rev), s = h * 0.16;
        ctx.beginPath();
        // A join points down into the strip, a leave points up out of it.
        if (m.kind === 'join') { ctx.moveTo(cx - s, 0); ctx.lineTo(cx + s, 0); ctx.lineTo(cx, 2 * s); }
        else { ctx.moveTo(cx - s, 2 * s); ctx.lineTo(cx + s, 2 * s); ctx.lineTo(cx, 0); }
        ctx.fill();
      }
    }
  }
  new ResizeObserver(() => { if (open) drawStrip(); }).observe(strip);

  // ---- the moment shown ----
  function afterShown() {
    if (!shown) return;
    note.textContent = shown.exact ? '' : t('history.inexact', { time: formatTime(shown.t) });
    label();
    renderGone();
    restoreBtn.disabled = lockedForMe();
    restoreBtn.title = lockedForMe() ? t('lock.refused') : '';
    d.renderer.request();
  }

  /** The shapes of the moment shown that are gone now, each to bring back. */
  function renderGone() {
    const names = peopleOf([...entries, ...marks]);
    const by = authors(entries, past.shapes.values());
    const gone = [...past.shapes.values()].filter((s) => !d.board.shapes.has(s.id)).slice(-MAX_GONE).reverse();
    goneList.replaceChildren(...(gone.length ? gone.map((s) => {
      const who = names.get(by.get(s.id) || '')?.name || t('history.someone');
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.testid = 'history-bring-back';
      b.dataset.shape = s.id;
      b.textContent = t('history.bringBack', { kind: t(`board.shape.kind.${KINDS.has(s.type) ? s.type : 'shape'}`), name: who });
      b.setAttribute('aria-pressed', String(picked === s.id));
      b.disabled = lockedForMe();
      b.addEventListener('click', () => bringBack(s.id));
      b.addEventListener('focus', () => { picked = s.id; d.renderer.request(); });
      const li = document.createElement('li');
      li.append(b);
      return li;
    }) : [Object.assign(document.createElement('li'), { className: 'muted', textContent: t('history.noneGone') })]));
  }

  // A click on the board in History picks a gone shape of the moment shown.
  d.canvas.addEventListener('click', (e) => {
    if (!open) return;
    const r = d.canvas.getBoundingClientRect();
    const p = d.renderer.view.toWorld(e.clientX - r.left, e.clientY - r.top);
    const slack = 6 / d.renderer.view.scale;
    const hit = [...past.shapes.values()].reverse().find((s) => {
      if (d.board.shapes.has(s.id)) return false;
      const b = past.bounds(s);
      return p.x >= b.minX - slack && p.x <= b.maxX + slack && p.y >= b.minY - slack && p.y <= b.maxY + slack;
    });
    picked = hit ? hit.id : null;
    renderGone();
    d.renderer.request();
    if (hit) /** @type {HTMLElement|null} */ (goneList.querySelector(`[data-shape="${CSS.escape(hit.id)}"]`))?.focus({ preventScroll: true });
  });
  d.renderer.addOverlay((ctx, view) => {
    if (!open || !picked) return;
    const s = past.shapes.get(picked);
    if (!s) return;
    const b = past.bounds(s);
    ctx.save();
    ctx.setLineDash([6 / view.scale, 4 / view.scale]);
    ctx.lineWidth = 2 / view.scale;
    ctx.strokeStyle = '#2f9e44';
    ctx.strokeRect(b.minX - 6, b.minY - 6, b.maxX - b.minX + 12, b.maxY - b.minY + 12);
    ctx.restore();
  });

  /** @param {string} id */
  async function bringBack(id) {
    if (lockedForMe()) { d.toast(t('lock.refused'), 'bad', TOAST_MS); return; }
    try {
      const res = await pastShape(d.room, id);
      if (!res.shape || d.board.shapes.has(id)) return;
      d.actions.record({ kind: 'group', actions: [{ kind: 'add', shapes: [res.shape] }], restore: res.rev });
      picked = null;
      renderGone();
      const sentence = t('history.broughtBack', { kind: t(`board.shape.kind.${KINDS.has(res.shape.type) ? res.shape.type : 'shape'}`) });
      d.announcer.say(sentence);
      d.toast(sentence, 'info', TOAST_MS);
    } catch (e) {
      d.toast(e instanceof Error ? e.message : t('history.failed'), 'bad', TOAST_MS);
    }
  }

  // ---- restore ----
  function askRestore() {
    if (!shown) return;
    if (lockedForMe()) { d.toast(t('lock.refused'), 'bad', TOAST_MS); return; }
    confirmText.textContent = t('history.confirm', { time: formatTime(shown.t) });
    confirmBox.hidden = false;
    $('history-confirm-yes').focus({ preventScroll: true });
  }
  restoreBtn.addEventListener('click', askRestore);
  $('history-confirm-no').addEventListener('click', () => { confirmBox.hidden = true; restoreBtn.focus({ preventScroll: true }); });
  $('history-confirm-yes').addEventListener('click', () => {
    confirmBox.hidden = true;
    if (!shown) return;
    const rev = shown.rev, time = formatTime(shown.t);
    const action = restoreAction(d.board.shapes, shown.shapes, rev);
    if (!action) { d.toast(t('history.same'), 'info', TOAST_MS); return; }
    const before = d.actions.undoStack.length;
    d.actions.record(action);
    if (d.actions.undoStack.length === before) return; // refused (the lock): lock.js said why
    delete d.app.dataset.drawer;
    d.canvas.focus({ preventScroll: true });
    const sentence = t('history.restored', { time });
    d.announcer.say(sentence);
    d.toast(sentence, 'info', TOAST_MS);
  });

  // ---- only my part ----
  function renderPeople() {
    const people = peopleOf(entries);
    const keep = person.value;
    person.replaceChildren(...[...people.values()].map((p) => {
      const o = document.createElement('option');
      o.value = p.userId;
      o.textContent = p.userId === d.me ? t('history.me', { name: p.name }) : p.name;
      return o;
    }));
    person.value = people.has(keep) ? keep : people.has(d.me) ? d.me : person.options[0]?.value || '';
  }

  /** The shapes of the moment shown that `userId` drew, as a board of their own. @param {string} userId */
  function partOf(userId) {
    const by = authors(entries, past.shapes.values());
    const part = new Board();
    part.replaceAll([...past.shapes.values()].filter((s) => by.get(s.id) === userId));
    return part;
  }
  /** @param {'png'|'svg'} kind */
  async function exportPart(kind) {
    const userId = person.value;
    const part = partOf(userId);
    if (!part.shapes.size) { d.toast(t('history.part.empty'), 'info', TOAST_MS); return; }
    const name = (person.selectedOptions[0]?.textContent || 'part').replace(/[^\p{L}\p{N}_-]+/gu, '-');
    try {
      const blob = kind === 'png' ? await exportPng(part)
        : new Blob([exportSvg(part, await embedPictures(part.shapes.values()))], { type: 'image/svg+xml' });
      if (blob) save(blob, `coco-${d.room}-${name}.${kind}`);
    } catch {
      d.toast(t(kind === 'png' ? 'board.export.png_failed' : 'board.export.svg_failed'), 'bad', TOAST_MS);
    }
  }
  $('mypart-png').addEventListener('click', () => exportPart('png'));
  $('mypart-svg').addEventListener('click', () => exportPart('svg'));

  onLanguage(() => { if (open) { label(); renderGone(); renderPeople(); } });

  return {
    /** Read-only, for tests: whether History is open, the revision shown and its shapes' ids. */
    state: () => ({
      open, rev: shown ? shown.rev : null, slider: Number(slider.value), min: Number(slider.min), max: Number(slider.max),
      shown: open ? [...past.shapes.keys()] : null, picked,
    }),
  };
}

const KINDS = new Set(['pencil', 'line', 'rectangle', 'ellipse', 'text', 'image']);

/** Saves a blob under `name` through a temporary link. @param {Blob} blob @param {string} name */
function save(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
