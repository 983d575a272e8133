'use strict';
// The reference design CoCo is measured against: the original CoCo Node
// WebSocket server's behaviour in one process. Rooms by `?room=`, every
// message parsed, shapes kept in an array per room, everything else relayed
// (stringified once) to the other members. No durability, no acks, no limits.
const { WebSocketServer } = require('ws');

const PORT = Number(process.env.PORT || 8080);
const HOST = process.env.HOST || '127.0.0.1';
const SEATS = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];
const COLORS = ['#FF6B6B', '#4ECDC4', '#45B7D1', '#FFA07A'];
const rooms = new Map(); // name -> { clients: Set<WebSocket>, shapes: [] }

function broadcast(room, data, except) {
  for (const client of room.clients) {
    if (client !== except && client.readyState === 1) client.send(data);
  }
}

const wss = new WebSocketServer({ port: PORT, host: HOST });

wss.on('connection', (ws, req) => {
  const name = new URL(req.url, 'http://localhost').searchParams.get('room') || 'main';
  if (!rooms.has(name)) rooms.set(name, { clients: new Set(), shapes: [] });
  const room = rooms.get(name);
  room.clients.add(ws);

  ws.on('message', (data) => {
    let msg;
    try { msg = JSON.parse(data); } catch { return; }
    const p = msg.payload || {};
    switch (msg.type) {
      case 'JOIN_ROOM': {
        const taken = new Set([...room.clients].filter((c) => c.user).map((c) => c.user.position));
        const position = SEATS.find((s) => !taken.has(s));
        if (!position) {
          ws.send(JSON.stringify({ type: 'ERROR', payload: { code: 'room_full', message: 'Room is full' } }));
          ws.close();
          return;
        }
        ws.user = { id: p.userId, name: p.username, position, isActive: true, color: COLORS[SEATS.indexOf(position)] };
        broadcast(room, JSON.stringify({ type: 'USER_JOINED', payload: ws.user }), null);
        for (const c of room.clients) {
          if (c !== ws && c.user) ws.send(JSON.stringify({ type: 'USER_JOINED', payload: c.user }));
        }
        return;
      }
      case 'SHAPE_ADDED': room.shapes.push(p.shape); break;
      case 'SHAPE_UPDATED': {
        const shape = room.shapes.find((s) => s.id === p.shapeId);
        if (shape) Object.assign(shape, p.updates);
        break;
      }
      case 'SHAPES_DELETED': room.shapes = room.shapes.filter((s) => !p.shapeIds.includes(s.id)); break;
      case 'REQUEST_SYNC':
        ws.send(JSON.stringify({ type: 'SYNC_SHAPES', payload: { shapes: room.shapes } }));
        return;
    }
    broadcast(room, JSON.stringify(msg), ws);
  });

  ws.on('close', () => {
    room.clients.delete(ws);
    if (ws.user) broadcast(room, JSON.stringify({ type: 'USER_LEFT', payload: { userId: ws.user.id } }), null);
    if (room.clients.size === 0 && room.shapes.length === 0) rooms.delete(name);
  });
});

wss.on('listening', () => console.log(`baseline listening on ws://${HOST}:${PORT}/`));
