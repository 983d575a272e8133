// @ts-check
/**
 * Boards for the benchmarks, written over the host's WebSocket as a client
 * would write them: each op acknowledged before the load counts as done.
 * Node 20 has a WebSocket client only with --experimental-websocket
 * (run.sh passes it).
 */

/**
 * Writes `count` pencil shapes of `points` points each into `room` with op ids
 * and waits for every ACK.
 * @param {import('../../tests/e2e/helpers.js').Host} host @param {string} room
 */
export async function loadBigBoard(host, room, count = 2000, points = 50, width = 2400, height = 1600) {
  const WS = /** @type {any} */ (globalThis).WebSocket;
  if (!WS) throw new Error('no WebSocket in this Node: run with --experimental-websocket (run.sh does)');
  const ws = new WS(`ws://127.0.0.1:${host.port}/ws?room=${room}`);
  let seed = 42;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const colors = ['#e03131', '#1971c2', '#2f9e44', '#f08c00', '#1f2328'];
  const acked = new Set();
  /** @type {(v?: any) => void} */
  let done = () => {};
  const allAcked = new Promise((r) => { done = r; });
  /** @type {(v?: any) => void} */
  let welcomed = () => {};
  const welcome = new Promise((r) => { welcomed = r; });
  ws.onmessage = (/** @type {any} */ ev) => {
    const m = JSON.parse(String(ev.data));
    if (m.type === 'WELCOME') welcomed();
    if (m.type === 'ERROR') console.error('host error', m.payload);
    if (m.type === 'ACK') { for (const id of m.payload.opIds) acked.add(id); if (acked.size >= count) done(); }
  };
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  ws.send(JSON.stringify({ type: 'JOIN_ROOM', payload: { userId: 'bench-loader', username: 'loader' } }));
  await welcome;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    let x = rnd() * width, y = rnd() * height;
    const pts = [];
    for (let k = 0; k < points; k++) {
      x += (rnd() - 0.5) * 16; y += (rnd() - 0.5) * 16;
      pts.push({ x: Math.round(x * 100) / 100, y: Math.round(y * 100) / 100 });
    }
    const shape = { id: `big-${i}`, type: 'pencil', points: pts, isSelected: false,
      style: { strokeColor: colors[i % colors.length], fillColor: 'transparent', strokeWidth: 2 + (i % 3) * 2, opacity: 1 } };
    ws.send(JSON.stringify({ type: 'SHAPE_ADDED', payload: { shape, userId: 'bench-loader', opId: `op-big-${i}` } }));
    // The host drops a peer's messages past 5,000 a second: keep a large board's load under 4,000.
    if (count > 4000 && i % 500 === 499) {
      const due = (i + 1) / 4 - (performance.now() - t0);
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    }
  }
  await allAcked;
  const ms = performance.now() - t0;
  ws.close();
  return ms;
}

/**
 * Sends `ops` (`{type, payload}` with an op id each) into `room` as
 * `userId`, keeping at most 256 unacknowledged like a real client (the host
 * cuts off a peer far ahead of its acks), and waits for every ACK.
 * @param {import('../../tests/e2e/helpers.js').Host} host @param {string} room
 * @param {string} userId @param {Iterable<{type: string, payload: any}>} ops
 */
export async function sendAcked(host, room, userId, ops) {
  const ws = new (/** @type {any} */ (globalThis).WebSocket)(`ws://127.0.0.1:${host.port}/ws?room=${room}`);
  let acked = 0, sent = 0, finished = false;
  /** @type {(v?: any) => void} */
  let done = () => {};
  const allAcked = new Promise((r) => { done = r; });
  ws.onmessage = (/** @type {any} */ ev) => {
    const m = JSON.parse(String(ev.data));
    if (m.type === 'ERROR') console.error('host error', m.payload);
    if (m.type === 'ACK') { acked += m.payload.opIds.length; if (finished && acked >= sent) done(); }
  };
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  ws.send(JSON.stringify({ type: 'JOIN_ROOM', payload: { userId, username: userId } }));
  for (const op of ops) {
    ws.send(JSON.stringify(op));
    sent++;
    while (sent - acked > 256) await new Promise((r) => setTimeout(r, 5));
  }
  finished = true;
  if (acked >= sent) done();
  await allAcked;
  ws.close();
}
