// @ts-check
/**
 * The connection to the host: session check, WebSocket, reconnect with
 * backoff, and the outbox of operations kept (in memory and IndexedDB) until
 * the host acknowledges them. After every (re)connect: JOIN_ROOM, then
 * REQUEST_SYNC since the last revision seen, then every unacked op in order.
 * A watcher (past the four seats) joins with `watch: true`, gets WATCHING
 * instead of WELCOME, sends nothing but REQUEST_SYNC, and asks for a seat
 * (a plain JOIN_ROOM) whenever one may be free; WELCOME makes it seated.
 * The board may come in parts (sync.js): the first part makes the
 * connection ready, so what is drawn meanwhile goes out at once; the
 * revision is the sync's only after the last part.
 */
import { putOp, deleteOps, loadOps } from './store.js';
import { hostFetch } from './hostjson.js';
import { adminSecret } from './host.js';
import { isPart, isLast } from './sync.js';

/** @typedef {import('./store.js').PendingOp} PendingOp */
/** @typedef {{id: string, name: string, position: string, isActive?: boolean, color: string}} User */
/** @typedef {'connecting'|'connected'|'reconnecting'|'offline'|'stopped'} ConnState */
/**
 * @typedef {object} NetHooks
 * @property {(msg: {type: string, payload: any}) => void} onRemoteOp a relayed mutation of someone else
 * @property {(sync: import('./sync.js').Sync) => void} onSync a plain sync, or one part of a sync in parts
 * @property {() => ({x: number, y: number, w: number, h: number}|null)} [view] the board this page shows: the host sends what is in it first
 * @property {(pending: PendingOp[]) => void} reapply re-apply what the host has not seen yet
 * @property {() => void} onStatus connection state, users or unacked count changed
 * @property {(userId: string, pos: {x: number, y: number, t?: number}, draft?: any, edits?: any) => void} onCursor
 * @property {(reason: 'unauthorized'|'rate_limited'|'room_full'|'kicked'|'replaced'|'invalid', message: string) => void} onStop
 * @property {(welcome: any) => void} onWelcome
 * @property {(job: any) => void} [onJob] a background job of this room changed (`JOB_UPDATED`)
 */

const BACKOFF_BASE_MS = 300;
const BACKOFF_CAP_MS = 5000;
const SESSION_TIMEOUT_MS = 4000;
/** Seats in a room: fewer seated people than this means a watcher may take one. */
export const SEATS_PER_ROOM = 4;

/** A random id; works outside secure contexts, unlike crypto.randomUUID. */
export function randomId(prefix = '') {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * `GET /api/session`: whether we may join (with the page's join code) and who is seated.
 * @param {string} room
 * @returns {Promise<{status: number, body: any}>} status 0 when the host is unreachable
 */
export async function checkSession(room) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), SESSION_TIMEOUT_MS);
  try {
    const res = await hostFetch(`/api/session?${new URLSearchParams({ room })}`, { signal: ctrl.signal, cache: 'no-store' });
    let body = {};
    try { body = await res.json(); } catch { /* not JSON */ }
    return { status: res.status, body };
  } catch {
    return { status: 0, body: {} };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The socket's address for a room. A browser's WebSocket cannot send a
 * header, so the join code goes in the address; the host's own page adds
 * its admin secret (it may change a board the host has locked).
 * @param {string} room @param {string|null|undefined} code
 */
export function socketUrl(room, code) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = new URLSearchParams({ room });
  if (code) q.set('code', code);
  if (adminSecret()) q.set('admin', adminSecret());
  return `${proto}//${location.host}/ws?${q}`;
}

/**
 * A socket opened ahead of the join is handed on only while younger than
 * this: the host closes one that has not joined within 10 s (its
 * JOIN_TIMEOUT), and one about to be closed is better opened anew.
 */
export const WARM_SOCKET_MAX_AGE_MS = 8000;

/** @type {{ws: WebSocket, url: string, at: number}|null} */
let warm = null;

/**
 * Opens the room's socket while the person is still on the join screen, so
 * that on a slow link its two handshakes (TCP, then WebSocket: two round
 * trips) are done before Join is pressed. Called when the screen shows and
 * again as the person types or picks a seat: a socket closed or grown old
 * meanwhile is opened anew. Nothing is sent on it before the join.
 * @param {string} room @param {string|null|undefined} code
 */
export function preconnect(room, code) {
  if (!navigator.onLine) return;
  const url = socketUrl(room, code);
  if (warm && usable(warm, url)) return;
  warm?.ws.close();
  warm = { ws: new WebSocket(url), url, at: performance.now() };
}

/**
 * The socket `preconnect` opened for this address, if it is still good;
 * else none (and it is closed).
 * @param {string} url
 */
function takeWarm(url) {
  const w = warm;
  warm = null;
  if (!w) return null;
  if (usable(w, url)) return w.ws;
  w.ws.close();
  return null;
}

/**
 * Whether a socket opened ahead is for this address, not closed and young enough.
 * @param {{ws: WebSocket, url: string, at: number}} w @param {string} url
 */
function usable(w, url) {
  return w.url === url && w.ws.readyState <= WebSocket.OPEN && performance.now() - w.at < WARM_SOCKET_MAX_AGE_MS;
}

export class Net {
  /**
   * @param {{room: string, code: string, userId: string, secret: string, username: string, position: string, boardKey: string, rev: number|null, hooks: NetHooks, watch?: boolean}} opts
   */
  constructor(opts) {
    this.room = opts.room;
    this.code = opts.code;
    this.userId = opts.userId;
    /** The seat secret from the last WELCOME ('' before the first): proves the seat is ours. */
    this.secret = opts.secret;
    this.username = opts.username;
    this.position = opts.position;
    this.boardKey = opts.boardKey;
    /** @type {number|null} last room revision this client has fully seen */
    this.rev = opts.rev;
    this.hooks = opts.hooks;
    /** Watching from beyond the seats (no seat yet): sends no change and no cursor. */
    this.watching = !!opts.watch;
    /** @type {ConnState} */
    this.state = 'connecting';
    /** @type {PendingOp[]} */
    this.pending = [];
    /** Why the host cannot save (its storage_failed ERROR), until the next sync or ACK. @type {string|null} */
    this.storageProblem = null;
    /** @type {Map<string, User>} */
    this.users = new Map();
    /** The host has locked the board (WELCOME, WATCHING, LOCK): only the host's page changes it. */
    this.locked = false;
    /** @type {WebSocket|null} */
    this.ws = null;
    this.ready = false;
    this.attempt = 0;
    this.seq = Date.now() * 1000;
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    this.timer = undefined;
    this.color = '';
    /** The socket was opened by `connectEarly`, before `start`. */
    this.early = false;
    /** The board was asked for with JOIN_ROOM, before WELCOME. */
    this.syncAsked = false;
    /** @type {Set<(type: string, payload: any) => void>} */
    this.frameListeners = new Set();
    window.addEventListener('offline', () => this.goOffline());
    window.addEventListener('online', () => this.reconnectNow());
  }

  async start() {
    // A change made while the outbox loads (a reloaded tab placing the picture
    // of an enhancement that ended meanwhile) is kept after the stored ones.
    const stored = await loadOps(this.boardKey);
    const known = new Set(stored.map((op) => op.opId));
    this.pending = [...stored, ...this.pending.filter((op) => !known.has(op.opId))];
    this.hooks.reapply(this.pending);
    this.hooks.onStatus();
    // An early socket that synced before the outbox was read sends what it held now.
    if (this.ready && !this.watching) for (const op of stored) this.send(op.type, op.payload);
    if (!this.early) this.connect();
  }

  /**
   * Opens the socket at once, while the page around the board is still
   * being built, when the join screen has just checked the session (so the
   * check `connect` makes first is not made again: a round trip less on a
   * slow link). Messages are handled once the page is built; `start` reads
   * the outbox as ever.
   */
  connectEarly() {
    if (!navigator.onLine || this.state === 'stopped') return;
    this.early = true;
    this.open();
  }

  /**
   * Records a local mutation and sends it when the host is reachable.
   * @param {'SHAPE_ADDED'|'SHAPE_UPDATED'|'SHAPES_DELETED'} type @param {any} payload
   */
  submit(type, payload) {
    const opId = randomId('op-');
    /** @type {PendingOp} */
    const op = { opId, board: this.boardKey, seq: this.seq++, type, payload: { ...payload, userId: this.userId, opId } };
    this.pending.push(op);
    putOp(op);
    // A watcher's change waits in the outbox until it has a seat.
    if (this.ready && !this.watching) this.send(op.type, op.payload);
    this.hooks.onStatus();
  }

  /**
   * @param {number} x @param {number} y
   * @param {any} [draft] the shape being drawn, shown live to the others (never stored)
   * @param {any[]} [edits] the shapes being moved, resized or typed, as they are now (never stored)
   * @param {number} [t] when the pointer was there (performance.now() ms)
   */
  sendCursor(x, y, draft, edits, t = performance.now()) {
    if (!this.ready || this.watching) return;
    /** @type {any} */
    // `t`: when, on this page's clock, so that the others can play the moves
    // back at their pace however the link bunches them.
    const payload = { userId: this.userId, position: { x, y, t: Math.round(t * 10) / 10 } };
    if (draft) payload.draft = draft;
    if (edits) payload.edits = edits;
    this.send('CURSOR_MOVE', payload);
  }

  /** @param {string} type @param {any} payload */
  send(type, payload) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type, payload }));
  }

  /** @param {ConnState} s */
  setState(s) {
    this.state = s;
    this.hooks.onStatus();
  }

  async connect() {
    clearTimeout(this.timer);
    if (this.state === 'stopped') return;
    if (!navigator.onLine) { this.setState('offline'); return; }
    const { status, body } = await checkSession(this.room);
    // The state may have changed while the check was in flight.
    if (/** @type {ConnState} */ (this.state) === 'stopped' || this.ws || !navigator.onLine) return;
    if (status === 401) return this.stop('unauthorized', body.error || '');
    if (status === 429) return this.stop('rate_limited', body.error || '');
    if (status === 400) return this.stop('invalid', body.error || '');
    if (status !== 200) return this.scheduleReconnect();
    this.open();
  }

  open() {
    const url = socketUrl(this.room, this.code);
    const ws = takeWarm(url) || new WebSocket(url);
    this.ws = ws;
    let roomFull = false;
    let removed = false;
    ws.onopen = () => {
      this.send('JOIN_ROOM', this.watching ? { userId: this.userId, username: this.username, watch: true } : this.joinPayload());
      // A seat's board is asked for with the join, not a round trip later on
      // WELCOME: the host reads a connection's messages in order.
      this.syncAsked = !this.watching;
      if (this.syncAsked) this.requestSync();
    };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(String(ev.data)); } catch { return; }
      // A watcher asking for a seat in vain goes on watching (a watcher refused outright is closed with 1013).
      if (msg && msg.type === 'ERROR' && msg.payload?.code === 'room_full' && !this.watching) roomFull = true;
      if (msg && msg.type === 'ERROR' && msg.payload?.code === 'removed') removed = true;
      if (msg && typeof msg.type === 'string') this.handle(msg.type, msg.payload || {});
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      this.users.clear();
      if (roomFull || ev.code === 1013) return this.stop('room_full', '');
      if (removed || ev.code === 4001) return this.stop('kicked', ev.reason);
      if (ev.code === 4000) return this.stop('replaced', ev.reason);
      if (!navigator.onLine) return this.setState('offline');
      this.scheduleReconnect();
    };
    // A socket opened on the join screen may be open already: join at once,
    // so that the host answers while the page is still being built (what
    // comes back is read once it is, as ever).
    if (ws.readyState === WebSocket.OPEN) ws.dispatchEvent(new Event('open'));
  }

  /** A plain JOIN_ROOM: a seat (ours again, with its secret), or a free one when we have none. */
  joinPayload() {
    /** @type {any} */
    const p = { userId: this.userId, username: this.username, secret: this.secret };
    if (this.position) p.position = this.position;
    return p;
  }

  /** A watcher asks for a seat when one may be free: WELCOME if it gets one, else `room_full` and it goes on watching. */
  takeSeat() {
    if (this.watching && this.users.size < SEATS_PER_ROOM) this.send('JOIN_ROOM', this.joinPayload());
  }

  /** The board since the last revision seen, or all of it, in parts, nearest this page's view first, strokes' points packed (sync.js). */
  requestSync() {
    /** @type {any} */
    const p = this.rev == null ? { userId: this.userId, parts: true, packedPoints: true }
      : { userId: this.userId, since: this.rev, parts: true, packedPoints: true };
    const view = this.hooks.view?.();
    if (view && view.w > 0 && view.h > 0) p.view = view;
    this.send('REQUEST_SYNC', p);
  }

  /**
   * Sees every frame from the host after the connection has handled it:
   * features outside the board (storyboards, jobs) follow their own frames.
   * @param {(type: string, payload: any) => void} cb
   */
  onFrame(cb) { this.frameListeners.add(cb); }

  /** @param {string} type @param {any} p */
  handle(type, p) {
    this.dispatch(type, p);
    for (const cb of this.frameListeners) cb(type, p);
  }

  /** @param {string} type @param {any} p */
  dispatch(type, p) {
    switch (type) {
      case 'WATCHING':
        this.locked = !!p.locked;
        this.users.clear();
        for (const u of p.users || []) this.users.set(u.id, u);
        if (typeof p.rev === 'number' && this.rev != null && p.rev < this.rev) this.rev = null;
        this.requestSync();
        this.takeSeat();
        this.hooks.onStatus();
        break;
      case 'WELCOME':
        this.watching = false;
        this.locked = !!p.locked;
        if (typeof p.secret === 'string') this.secret = p.secret;
        this.position = p.position || this.position;
        this.color = p.color || this.color;
        for (const u of p.users || []) this.users.set(u.id, u);
        this.hooks.onWelcome(p);
        // A host behind on our revision is not the history we cached (a new data dir): start over.
        // (The request sent with the join asked from a revision past the host's: the answer is a full sync.)
        if (typeof p.rev === 'number' && this.rev != null && p.rev < this.rev) this.rev = null;
        if (!this.syncAsked) this.requestSync();
        this.syncAsked = false;
        break;
      case 'SYNC_SHAPES': {
        const first = !isPart(p) || p.part === 1;
        const last = isLast(p);
        // Parsed; 'coco-board-shown' follows the first frame after the last part.
        if (last) performance.mark('coco-sync-received');
        // The host follows a sync with storage_failed while it still cannot save.
        if (first) this.storageProblem = null;
        this.hooks.onSync(p);
        if (last && typeof p.rev === 'number') this.rev = p.rev;
        this.hooks.reapply(this.pending);
        if (first) {
          this.ready = true;
          this.attempt = 0;
          // What waited goes now, on a sync in parts too: the host applies it after the parts' snapshot.
          if (!this.watching) for (const op of this.pending) this.send(op.type, op.payload);
        }
        this.setState('connected');
        break;
      }
      case 'ERROR':
        // A host that names the rejected op lets it leave the outbox instead of being replayed forever.
        if (typeof p.opId === 'string' && (p.code === 'invalid' || p.code === 'locked')) this.acknowledge([p.opId]);
        // The change stays in the outbox: the host asks for it again (a sync) once it can save.
        if (p.code === 'storage_failed') { this.storageProblem = String(p.message || 'the host cannot save'); this.hooks.onStatus(); }
        break;
      case 'ACK': {
        this.storageProblem = null;
        this.acknowledge(p.opIds || []);
        break;
      }
      case 'SHAPE_ADDED':
      case 'SHAPE_UPDATED':
      case 'SHAPES_DELETED':
        if (p.userId === this.userId && p.opId && this.pending.some((o) => o.opId === p.opId)) break;
        this.hooks.onRemoteOp({ type, payload: p });
        if (typeof p.rev === 'number' && (this.rev == null || p.rev > this.rev)) this.rev = p.rev;
        break;
      case 'LOCK':
        this.locked = !!p.locked;
        this.hooks.onStatus();
        break;
      case 'USER_JOINED':
        this.users.set(p.id, p);
        this.hooks.onStatus();
        break;
      case 'USER_LEFT':
        this.users.delete(p.userId);
        this.takeSeat();
        this.hooks.onStatus();
        break;
      case 'JOB_UPDATED':
        if (p && typeof p.id === 'string') this.hooks.onJob?.(p);
        break;
      case 'CURSOR_MOVE':
        if (p.userId !== this.userId && p.position) this.hooks.onCursor(p.userId, p.position, p.draft, p.edits);
        break;
      default:
        break;
    }
  }

  /** @param {string[]} opIds ops the host is done with */
  acknowledge(opIds) {
    const ids = new Set(opIds);
    this.pending = this.pending.filter((op) => !ids.has(op.opId));
    deleteOps([...ids]);
    this.hooks.onStatus();
  }

  scheduleReconnect() {
    if (this.state === 'stopped') return;
    this.setState('reconnecting');
    const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt++;
    const delay = exp / 2 + Math.random() * exp / 2;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.state === 'stopped' || this.ws || !navigator.onLine) return;
    this.attempt = 0;
    this.setState('reconnecting');
    this.connect();
  }

  goOffline() {
    if (this.state === 'stopped') return;
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    this.users.clear();
    if (ws) ws.close();
    this.setState('offline');
  }

  /** @param {Parameters<NetHooks['onStop']>[0]} reason @param {string} message */
  stop(reason, message) {
    clearTimeout(this.timer);
    this.state = 'stopped';
    this.ready = false;
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close();
    this.hooks.onStop(reason, message);
    this.hooks.onStatus();
  }
}
