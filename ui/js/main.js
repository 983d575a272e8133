// @ts-check
/** Wiring: join, then the board, the tools, the connection and the chrome. */
import { Board } from './board.js';
import { View, Renderer } from './render.js';
import { exportPng, exportSvg, drawingBounds } from './exporting.js';
import { Interaction } from './interaction.js';
import { Net, randomId, preconnect } from './net.js';
import { Actions } from './actions.js';
import { Tools } from './tools.js';
import { LiveSender, liveShapes } from './live.js';
import { loadBoard, saveBoard } from './store.js';
import { showScreen, showStopped, waitForSession, pickSeat, waitForSeat } from './join.js';
import { buildToolbar, renderConnection, renderBadges, renderPeople, SEATS } from './ui.js';
import { startHostPanel, keepAdminSecret } from './host.js';
import { uploadImage, loadImage, UploadError, embedPictures } from './images.js';
import { Enhance } from './enhance.js';
import { startStoryboard } from './storyboard.js';
import { startDrawers } from './drawers.js';
import { returnFocusToBoard, pointerWasLast } from './focus.js';
import { textSize } from './text.js';
import { loadLimits } from './limits.js';
import { setJoinCode } from './hostjson.js';
import { startA11y } from './a11y.js';
import { PenSettings } from './pen.js';
import { startWatch, watchFromNowOn } from './watch.js';
import { startShowing } from './showing.js';
import { viewRect } from './follow.js';
import { startKeys } from './keys.js';
import { applyTo, startLanguageSwitch, t, formatNumber } from './i18n.js';
import { startLock } from './lock.js';
import { startHistory } from './history.js';
import { SyncApplier } from './sync.js';
import { registerWorkerSoon, BOARD_IN, JOINING } from './offline.js';
import { prefetchBoard } from './prefetch.js';
import { startToast } from './toast.js';

const SAVE_DELAY_MS = 400;
const params = new URLSearchParams(location.search);
const room = params.get('room') || 'main';
const code = params.get('code') || '';
const boardKey = `${location.host}/${room}`;
const JOIN_KEY = `coco.join.${boardKey}`;
/**
 * The id the host removed from this board, for every tab of this browser: it
 * joins again under that id, so the host (which keeps the removal while it
 * runs) refuses it, and a restarted host lets it in.
 */
const REMOVED_KEY = `coco.removed.${boardKey}`;

/** @typedef {{userId: string, name: string, position: string, secret?: string, watch?: boolean}} Joined watch: watching until a seat frees */

document.documentElement.dataset.booted = '1'; // every module loaded: the loading guard (boot.js) stands down
document.dispatchEvent(new Event('coco-booted'));
applyTo(document);
startLanguageSwitch(/** @type {HTMLSelectElement} */ (document.getElementById('lang-select')));
setJoinCode(code);
keepAdminSecret();
boot();

async function boot() {
  registerWorkerSoon();
  // Read while the person picks a seat: a new browser's first IndexedDB open
  // takes a while. The limits need the join code, so they wait for the session.
  const stored = loadBoard(boardKey);
  /** @type {Promise<boolean>|null} */
  let limitsRead = null;
  showScreen('loading');
  /** @type {Joined|null} */
  let joined = null;
  try { joined = JSON.parse(sessionStorage.getItem(JOIN_KEY) || 'null'); } catch { /* start over */ }
  const removedId = localStorage.getItem(REMOVED_KEY);
  if (!joined && removedId) {
    joined = { userId: removedId, name: localStorage.getItem('coco.name') || t('join.guest'), position: 'top-left', secret: '' };
    sessionStorage.setItem(JOIN_KEY, JSON.stringify(joined));
  }
  const checked = !joined;
  let board = stored;
  if (!joined) {
    const session = await waitForSession(room, code);
    if (session.seatsFree === 0) return roomFull();
    limitsRead = loadLimits();
    // Meanwhile the board is fetched and the socket opened: Join shows it at once, then asks what changed.
    const early = prefetchBoard(room, boardKey);
    const pick = await pickSeat(session, () => preconnect(room, code));
    board = stored.then((s) => early.take() || s);
    joined = { userId: randomId('u-'), ...pick };
    sessionStorage.setItem(JOIN_KEY, JSON.stringify(joined));
  }
  startBoard(joined, Promise.all([board, limitsRead || loadLimits()]), checked);
}

function roomFull() {
  waitForSeat(room, (name) => watchFromNowOn(JOIN_KEY, name));
}

/**
 * @param {Joined} joined @param {Promise<[import('./store.js').BoardSnapshot|undefined, boolean]>} ready this browser's copy of the board, and the host's limits
 * @param {boolean} checked the join screen has just checked the session: connect at once
 */
async function startBoard(joined, ready, checked) {
  document.dispatchEvent(new Event(JOINING)); // the offline copy waits for the board
  const board = new Board();
  const view = new View();
  // The host's limits, before anything that checks them is built.
  const [snapshot] = await ready;
  if (snapshot) board.replaceAll(snapshot.shapes);
  showScreen(null);
  /** @type {HTMLElement} */ (document.getElementById('room-label')).textContent = `· ${room}`;
  const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById('canvas'));
  /** What is happening on the board: changed by the tools and the connection only, drawn by the renderer. */
  const interaction = new Interaction();
  /** For screen readers: the shapes as a list, and joins, leaves, saving and finished jobs said aloud. */
  const a11y = startA11y({ board, userId: joined.userId, room });
  a11y.shapesChanged();
  const renderer = new Renderer(canvas, board, view, interaction);
  const sync = new SyncApplier(board, renderer);
  const connEl = /** @type {HTMLElement} */ (document.getElementById('conn'));
  const badgesEl = /** @type {HTMLElement} */ (document.getElementById('seat-badges'));
  const peopleEl = /** @type {HTMLElement} */ (document.getElementById('people'));
  const peopleCount = /** @type {HTMLElement} */ (document.getElementById('dock-people-count'));
  let strokeChosen = false;
  let boardShown = false;
  /** @type {((shapeId: string) => void)[]} */
  const remoteShapeListeners = [];
  let lastWho = '';
  const refreshHost = startHostPanel(room, joined.userId);
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  startDrawers({ app, canvas });
  returnFocusToBoard(app, canvas);

  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let saveTimer;
  const saveNow = () => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    if (sync.progress() != null) return; // half a board is not saved: the last part's change saves it whole
    saveBoard({ board: boardKey, shapes: [...board.shapes.values()], rev: net.rev });
  };
  const scheduleSave = () => { if (!saveTimer) saveTimer = setTimeout(saveNow, SAVE_DELAY_MS); };
  addEventListener('pagehide', () => { if (saveTimer) saveNow(); });

  /** @param {string} type @param {any} p */
  const applyOp = (type, p) => {
    if (type === 'SHAPE_ADDED' && p.shape) board.put(p.shape);
    else if (type === 'SHAPE_UPDATED' && p.shapeId) board.update(p.shapeId, p.updates || {});
    else if (type === 'SHAPES_DELETED' && Array.isArray(p.shapeIds)) board.remove(p.shapeIds);
  };

  const net = new Net({
    room, code, boardKey, userId: joined.userId, secret: joined.secret || '', username: joined.name, position: joined.position,
    rev: snapshot ? snapshot.rev : null, watch: !!joined.watch,
    hooks: {
      onRemoteOp: (m) => {
        interaction.peerLanded(m.payload.userId, m.type === 'SHAPE_ADDED', m.payload.shape?.id);
        lock.sawRemote(m); // before it is applied: the host's page can undo it
        applyOp(m.type, m.payload);
        if (m.type === 'SHAPE_ADDED' && m.payload.shape) for (const cb of remoteShapeListeners) cb(m.payload.shape.id);
      },
      onSync: (s) => sync.apply(s),
      view: () => viewRect(view, canvas), // asked with the join, while the page is still being built
      reapply: (pending) => { for (const op of pending) applyOp(op.type, op.payload); },
      onStatus: () => {
        if (net.state !== 'connected') sync.cancel();
        const loading = sync.progress();
        if (!boardShown && net.state === 'connected' && loading == null) {
          // The first frame with the whole board after the join's sync.
          boardShown = true;
          renderer.afterNextDraw(() => { performance.mark('coco-board-shown'); document.dispatchEvent(new Event(BOARD_IN)); });
        }
        renderConnection(connEl, { state: net.state, unacked: net.pending.length, storageProblem: net.storageProblem, loading });
        watch.render();
        lock.render();
        const users = seen();
        renderBadges(badgesEl, users, joined.userId);
        renderPeopleList();
        peopleCount.textContent = String(users.size);
        const who = [...net.users.keys()].sort().join();
        if (who !== lastWho) { lastWho = who; refreshHost(); }
        interaction.keepPeers(net.users);
        showing.keepPeers();
        renderer.request();
        scheduleSave();
        a11y.statusChanged();
      },
      onCursor: (userId, pos, draft, edits) => {
        const u = net.users.get(userId);
        if (!u || typeof pos.x !== 'number' || typeof pos.y !== 'number') return;
        const drawing = draft && typeof draft.type === 'string' && Array.isArray(draft.points) && !board.shapes.has(draft.id);
        interaction.peerMoved(userId, { x: pos.x, y: pos.y, t: pos.t, name: u.name, color: u.color, at: Date.now() }, drawing ? draft : null, liveShapes(edits));
        renderer.request();
      },
      onWelcome: (w) => {
        localStorage.removeItem(REMOVED_KEY);
        if (typeof w.userId === 'string' && w.userId !== joined.userId) {
          // The host did not take our id as ours (its seat secret was lost):
          // it seated us as someone new; start over as that person.
          sessionStorage.setItem(JOIN_KEY, JSON.stringify({ ...joined, userId: w.userId, secret: w.secret, position: w.position }));
          location.reload();
          return;
        }
        joined.position = w.position;
        delete joined.watch;
        if (typeof w.secret === 'string') joined.secret = w.secret;
        sessionStorage.setItem(JOIN_KEY, JSON.stringify(joined));
        if (!strokeChosen && w.color) toolbar.setStroke(w.color);
      },
      onStop: (reason, message) => stopped(reason, message),
      onJob: (job) => enhance.onJob(job),
    },
  });
  if (checked) net.connectEarly(); // the handshake runs while the rest of the page is built
  // While a board arrives in parts the list and the save wait for the last part.
  board.onChange = () => { renderer.request(); if (sync.progress() == null) { scheduleSave(); a11y.shapesChanged(); } };
  a11y.follow(net);

  const actions = new Actions(board, net);
  const toolbar = buildToolbar(/** @type {HTMLElement} */ (document.getElementById('toolbar')), {
    onTool: (t) => setTool(t),
    onCommand: (c) => command(c),
    onStyle: (what) => {
      const { fontSize, ...style } = toolbar.style();
      if (what === 'style') strokeChosen = true;
      for (const id of interaction.selected) {
        const s = board.shapes.get(id);
        if (!s) continue;
        // The text size control sizes texts only; the others restyle every shape but keep a text's size.
        if (what === 'fontSize') { if (s.type === 'text') actions.update(id, { style: { ...s.style, fontSize } }); }
        else actions.update(id, { style: { ...s.style, ...style } });
      }
    },
  });

  /** @type {import('./board.js').Point|null} where the pointer last was over the board: pasted pictures go there */
  let lastWorld = null;
  const live = new LiveSender(net, interaction, () => tools);
  const pen = new PenSettings(localStorage);
  pen.mount(/** @type {HTMLElement} */ (document.getElementById('help')));
  const tools = new Tools({
    canvas, board, renderer, state: interaction, view, actions, userId: joined.userId, pen,
    style: () => toolbar.style(),
    onPointer: (p, at) => {
      lastWorld = p;
      live.moved(p, at);
    },
    onSelection: () => showTextSize(),
    onLive: () => live.changed(),
  });
  const watch = startWatch({ net, tools, app, toolbar: /** @type {HTMLElement} */ (document.getElementById('toolbar')), conn: connEl,
    storyboard: document.getElementById('storyboard'), announcer: a11y.announcer });
  const lock = startLock({ net, tools, actions, board, renderer, selected: () => interaction.selected, app, toolbar: /** @type {HTMLElement} */ (document.getElementById('toolbar')),
    conn: connEl, room, me: joined.userId, announcer: a11y.announcer, toast: (text, kind, ms) => showToast(text, kind, ms) });
  const history = startHistory({ app, canvas, board, renderer, interaction, net, actions, tools, room, me: joined.userId,
    announcer: a11y.announcer, toast: (text, kind, ms) => showToast(text, kind, ms) });
  /** Who to show in the seats: a watcher sits in none. */
  const seen = () => (net.watching ? net.users : withMe(net.users, joined));

  // The laser pointer, following a person's view and the host's "bring everyone to me".
  const showing = startShowing({
    net, canvas, view, renderer, tools, room, me: joined.userId,
    toast: (text, kind, ms) => showToast(text, kind, ms), onFollowChange: () => renderPeopleList(),
  });
  const { laser, follow } = showing;

  /** The people here, each other one with a Follow button. */
  function renderPeopleList() {
    const users = seen();
    renderPeople(peopleEl, [...users.values()], joined.userId, null, { following: follow.following, onFollow: (u) => follow.toggle(u.id) });
  }

  /** @param {import('./tools.js').Tool} t */
  function setTool(t) {
    tools.setTool(t);
    toolbar.setTool(t);
    showTextSize();
  }

  /** The text size control, while the text tool or a text is chosen (showing that text's size). */
  function showTextSize() {
    const text = [...interaction.selected].map((id) => board.shapes.get(id)).find((s) => s?.type === 'text');
    toolbar.showTextSize(tools.tool === 'text' || !!text, text ? textSize(text) : undefined);
  }

  const fileInput = /** @type {HTMLInputElement} */ (document.getElementById('image-file'));
  const stage = /** @type {HTMLElement} */ (canvas.parentElement);
  const toast = /** @type {HTMLElement} */ (document.getElementById('toast'));
  const showToast = startToast(toast);
  /** @param {number} v */
  const round2 = (v) => Math.round(v * 100) / 100;

  const enhance = new Enhance({
    board, selected: () => interaction.selected, actions, room, userId: joined.userId,
    userName: (id) => net.users.get(id)?.name ?? null,
    connected: () => net.state === 'connected',
    // `storyboard` is made further down; this runs only after a picture is made.
    toStoryboard: (image) => storyboard.addImage(image),
    onPlaced: (shape) => {
      setTool('select');
      interaction.select([shape.id]);
      renderer.request();
    },
    toast: showToast,
  });

  /**
   * Uploads a picture and puts it on the board, centred on `at` (world
   * coordinates; the middle of the view when null), at most 600 units wide.
   * @param {Blob} blob @param {import('./board.js').Point|null} at
   */
  async function insertImage(blob, at) {
    showToast(t('board.image.adding'), 'info', 0);
    try {
      const up = await uploadImage(blob);
      let w = up.width, h = up.height;
      if (!w || !h) {
        const img = await loadImage(up.path);
        w = img?.naturalWidth || 200; h = img?.naturalHeight || 150;
      }
      const maxSide = Math.min(600, 0.6 * Math.min(canvas.clientWidth, canvas.clientHeight) / view.scale);
      const k = Math.min(1, maxSide / Math.max(w, h));
      const dw = round2(w * k), dh = round2(h * k);
      const c = at || view.toWorld(canvas.clientWidth / 2, canvas.clientHeight / 2);
      const x = round2(c.x - dw / 2), y = round2(c.y - dh / 2);
      const st = toolbar.style();
      const shape = {
        id: randomId('s-'), type: 'image', image: up.path, points: [{ x, y }, { x: round2(x + dw), y: round2(y + dh) }],
        width: dw, height: dh, style: { strokeColor: st.strokeColor, fillColor: 'transparent', strokeWidth: 1, opacity: 1 },
        isSelected: false, createdBy: joined.userId,
      };
      loadImage(up.path); // start fetching it now
      actions.add(shape);
      setTool('select');
      interaction.select([shape.id], true);
      renderer.request();
      toast.hidden = true;
    } catch (e) {
      showToast(e instanceof UploadError ? e.message : t('board.image.failed'), 'bad', 8000);
    }
  }

  const storyboard = startStoryboard({
    room, board, net, stage, selected: () => [...interaction.selected], toast: showToast,
    userId: joined.userId, userName: (id) => net.users.get(id)?.name ?? null,
  });

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (file) insertImage(file, null);
  });
  document.addEventListener('paste', (e) => {
    const t = /** @type {HTMLElement|null} */ (e.target);
    if (t && t.closest && t.closest('input, textarea, select')) return;
    const items = [...(e.clipboardData?.items || [])].filter((i) => i.kind === 'file');
    if (items.length === 0) return;
    e.preventDefault();
    const file = (items.find((i) => i.type.startsWith('image/')) || items[0]).getAsFile();
    if (file) insertImage(file, lastWorld);
  });
  /** @param {DragEvent} e */
  const hasFiles = (e) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  stage.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    stage.classList.add('dropping');
  });
  stage.addEventListener('dragleave', () => stage.classList.remove('dropping'));
  stage.addEventListener('drop', (e) => {
    stage.classList.remove('dropping');
    if (!hasFiles(e)) return;
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (!file) return;
    const r = canvas.getBoundingClientRect();
    insertImage(file, view.toWorld(e.clientX - r.left, e.clientY - r.top));
  });

  let exporting = false;
  /** @param {import('./ui.js').Command} c */
  async function command(c) {
    if (c === 'image') { fileInput.click(); return; }
    if (c === 'enhance') {
      // Closed, the dialog gives the focus back to its button for a keyboard user, else to the board.
      const button = /** @type {HTMLElement} */ (document.querySelector('[data-testid=tool-enhance]'));
      const back = document.activeElement === button && !pointerWasLast() ? button : canvas;
      // Focused now, as the dialog itself gives the focus back to what had it when it opened.
      back.focus({ preventScroll: true });
      enhance.open(back);
      return;
    }
    if (c === 'undo') actions.undo();
    else if (c === 'redo') actions.redo();
    else if (c === 'delete') {
      actions.remove([...interaction.selected]);
      tools.clearSelection();
    } else if (c === 'fit') {
      view.fit(board.shapes.size ? drawingBounds(board) : null, canvas.clientWidth, canvas.clientHeight);
      renderer.request();
    } else if (c === 'export') {
      // A big board (or its pictures loading) can take seconds: say so, once.
      if (exporting) return;
      exporting = true;
      toolbar.setBusy('export', true);
      showToast(t('board.export.making'), 'info', 0);
      try {
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r))); // shown before the work starts
        const blob = await exportPng(board);
        if (blob) download(blob, `coco-${room}.png`);
        toast.hidden = true;
      } catch {
        showToast(t('board.export.png_failed'), 'bad', 6000);
      } finally {
        exporting = false;
        toolbar.setBusy('export', false);
      }
    } else if (c === 'export-svg') {
      embedPictures(board.shapes.values())
        .then((embedded) => download(new Blob([exportSvg(board, embedded)], { type: 'image/svg+xml' }), `coco-${room}.svg`))
        .catch(() => showToast(t('board.export.svg_failed'), 'bad', 6000));
    }
  }

  const keys = startKeys({ canvas, tools, laser, toolbar, storyboard, command, setTool, resetZoom, announcer: a11y.announcer, who: a11y.who,
    zoom: (f) => { view.zoomAt(f, canvas.clientWidth / 2, canvas.clientHeight / 2); renderer.request(); } });

  /** @param {string} reason @param {string} message */
  function stopped(reason, message) {
    if (reason === 'room_full') roomFull();
    else {
      if (reason === 'kicked') localStorage.setItem(REMOVED_KEY, joined.userId);
      showStopped(reason, message, !!code);
    }
  }

  /** Back to 100% at the origin (0, or a press on the zoom level). */
  function resetZoom() {
    view.fit(null, 0, 0);
    renderer.request();
  }
  const zoomLevel = /** @type {HTMLElement} */ (document.getElementById('zoom-level'));
  zoomLevel.addEventListener('click', resetZoom);
  renderer.onDrawn((v) => {
    const pct = formatNumber(v.scale, { style: 'percent' });
    const label = t('board.zoom.label', { pct });
    if (zoomLevel.getAttribute('aria-label') === label) return;
    zoomLevel.textContent = pct;
    zoomLevel.setAttribute('aria-label', label);
  });

  setTool('pencil');
  renderConnection(connEl, { state: net.state, unacked: 0 });
  renderBadges(badgesEl, seen(), joined.userId);
  await net.start(); // the outbox is loaded before anyone can inspect it

  /** Read-only inspection for tests and debugging. */
  /** @type {any} */ (window).coco = {
    state: () => ({
      connection: net.state, unacked: net.pending.length, storageProblem: net.storageProblem, shapesCount: board.shapes.size, rev: net.rev, loading: sync.progress(),
      users: [...net.users.values()].map((u) => ({ ...u })), userId: joined.userId, position: net.position,
      cursors: [...interaction.cursors.entries()].map(([id, c]) => ({ id, x: c.x, y: c.y, drawn: interaction.cursorGlide.drawn(id) })),
      drafts: [...interaction.remoteDrafts.values()].map((d) => ({ type: d.type, points: d.points.length })),
      edits: [...interaction.remoteEdits.values()].flat().map((e) => ({ id: e.id, type: e.type, points: e.points, text: e.text })),
      editedElsewhere: [...renderer.editedElsewhere],
      following: follow.following, views: follow.list(), showViews: follow.showViews, laserPoints: laser.pointCount(),
    }),
    shapes: () => JSON.parse(JSON.stringify([...board.shapes.values()])),
    selected: () => [...interaction.selected],
    /** History: open, the revision shown and its shapes' ids (null when closed). */
    history: () => history.state(),
    /** The keyboard's focus point on the board (world coordinates), null before the board had the focus. */
    focusPoint: () => keys.draw.point(),
    /** The view: screen = world * scale + (ox, oy). */
    view: () => ({ scale: view.scale, ox: view.ox, oy: view.oy }),
    /** Benchmarks: called with the id of every shape someone else adds, as it is applied. @param {(id: string) => void} cb */
    onRemoteShape: (cb) => { remoteShapeListeners.push(cb); },
    /** Benchmarks: the last (up to 256) durations of a frame's draw, in ms, oldest first. */
    drawTimes: () => {
      const n = Math.min(renderer.drawCount, renderer.drawTimes.length);
      return Array.from({ length: n }, (_, i) => renderer.drawTimes[(renderer.drawCount - n + i) % renderer.drawTimes.length]);
    },
    /** Benchmarks and tests: the renderer (its offscreen layer on or off, how it redraws the layer in slices). */
    renderer,
  };
}

/** Saves a blob under `name` through a temporary link. @param {Blob} blob @param {string} name */
function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

/**
 * The people to show: while disconnected the host's list is gone, but one
 * still sits in one's own seat.
 * @param {Map<string, import('./net.js').User>} users @param {Joined} me
 */
function withMe(users, me) {
  if (users.has(me.userId)) return users;
  const seat = SEATS.find((s) => s.pos === me.position) || SEATS[0];
  return new Map([...users, [me.userId, { id: me.userId, name: me.name, position: seat.pos, color: seat.color }]]);
}
