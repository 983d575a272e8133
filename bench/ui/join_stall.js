// @ts-check
/**
 * Does a late joiner hold up the people already drawing? One host on
 * loopback; each round writes a new room of 10,000 pencil strokes (so the
 * room's per-shape sync caches are cold, as after a restart), then one
 * person changes a shape every 4 ms and times each acknowledgement, first
 * on a quiet room, then while a newcomer joins as the web UI does
 * (`REQUEST_SYNC {parts, packedPoints, view}` sent with `JOIN_ROOM`).
 * Prints the acknowledgement times quiet and during the join, their ratio,
 * and the newcomer's time to its first and last part.
 *
 *   node --experimental-websocket --no-warnings bench/ui/join_stall.js [ROUNDS]
 *   (host binary: $COCO_BIN, else target/release/coco, else target/debug/coco)
 */
import { startHost, removeDir, hostBinary } from '../../tests/e2e/helpers.js';
import { loadBigBoard } from './boards.js';

const rounds = Number(process.argv[2] || 3);
const PING_MS = 4;
const QUIET_MS = 1500;
const AFTER_MS = 500;
const WS = /** @type {any} */ (globalThis).WebSocket;
if (!WS) throw new Error('run with --experimental-websocket');

/** @param {number[]} xs @param {number} q */
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] : NaN;
}
const f1 = (/** @type {number} */ v) => v.toFixed(1);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** Opens a socket, joins `room` as `userId`, and calls `onMessage` with every message. */
async function open(/** @type {any} */ host, /** @type {string} */ room, /** @type {string} */ userId, /** @type {(m: any) => void} */ onMessage) {
  const ws = new WS(`ws://127.0.0.1:${host.port}/ws?room=${room}`);
  ws.onmessage = (/** @type {any} */ ev) => onMessage(JSON.parse(String(ev.data)));
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  ws.send(JSON.stringify({ type: 'JOIN_ROOM', payload: { userId, username: userId } }));
  return ws;
}

/** One round: a new room, a quiet stretch, then a join; ack times for both. */
async function round(/** @type {any} */ host, /** @type {number} */ n) {
  const room = `stall-${n}`;
  await loadBigBoard(host, room, 10000, 50, 8000, 5000);
  /** @type {Map<string, number>} */
  const sent = new Map();
  /** @type {{at: number, ms: number}[]} */
  const acks = [];
  const pinger = await open(host, room, 'pinger', (m) => {
    if (m.type !== 'ACK') return;
    const now = performance.now();
    for (const id of m.payload.opIds) {
      const t = sent.get(id);
      if (t != null) acks.push({ at: t, ms: now - t });
    }
  });
  const shape = { id: 'ping', type: 'rectangle', x: 10, y: 10, width: 20, height: 20, isSelected: false,
    style: { strokeColor: '#000', fillColor: 'transparent', strokeWidth: 1, opacity: 1 } };
  pinger.send(JSON.stringify({ type: 'SHAPE_ADDED', payload: { shape, userId: 'pinger', opId: 'ping-add' } }));
  let k = 0, pinging = true;
  const pings = (async () => {
    while (pinging) {
      const opId = `ping-${k++}`;
      sent.set(opId, performance.now());
      pinger.send(JSON.stringify({ type: 'SHAPE_UPDATED', payload: { shapeId: 'ping', updates: { x: k % 100 }, opId } }));
      await sleep(PING_MS);
    }
  })();
  await sleep(QUIET_MS);
  const t0 = performance.now();
  let first = NaN, last = NaN;
  /** @type {(v?: any) => void} */
  let done = () => {};
  const allParts = new Promise((r) => { done = r; });
  const joiner = await open(host, room, 'joiner', (m) => {
    if (m.type !== 'SYNC_SHAPES') return;
    const now = performance.now();
    if (Number.isNaN(first)) first = now - t0;
    if (!m.payload.parts || m.payload.part === m.payload.parts) { last = now - t0; done(); }
  });
  joiner.send(JSON.stringify({ type: 'REQUEST_SYNC', payload: { userId: 'joiner', parts: true, packedPoints: true,
    view: { x: 3500, y: 2100, w: 1280, h: 720 } } }));
  await allParts;
  const tLast = t0 + last;
  await sleep(AFTER_MS);
  pinging = false;
  await pings;
  await sleep(100);
  pinger.close();
  joiner.close();
  const quiet = acks.filter((a) => a.at < t0).map((a) => a.ms);
  const during = acks.filter((a) => a.at >= t0 && a.at <= tLast).map((a) => a.ms);
  return { quiet, during, first, last };
}

const host = await startHost();
console.log(`host: ${hostBinary()} · node ${process.version} · ${new Date().toISOString()}`);
try {
  for (let n = 1; n <= rounds; n++) {
    const r = await round(host, n);
    const qMax = Math.max(...r.quiet), dMax = Math.max(...r.during);
    console.log(`stall: round ${n}: acks quiet p50 ${f1(quantile(r.quiet, 0.5))} ms, max ${f1(qMax)} ms (${r.quiet.length}); ` +
      `during the join p50 ${f1(quantile(r.during, 0.5))} ms, max ${f1(dMax)} ms (${r.during.length}); ` +
      `max during / max quiet ${(dMax / qMax).toFixed(1)}×; newcomer's first part ${f1(r.first)} ms, last ${f1(r.last)} ms`);
  }
} finally {
  await host.kill();
  removeDir(host.dataDir);
}
