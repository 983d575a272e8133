// @ts-check
/**
 * Showing the others: the laser pointer (laser.js), following a person's
 * view (follow.js) and the host's controls for it (present.js), wired to
 * the connection. All of it is live and never stored: the messages it
 * sends go out only while connected, and none is kept for a reconnect.
 */
import { Laser } from './laser.js';
import { Follow } from './follow.js';
import { startPresenting } from './present.js';
import { isPart } from './sync.js';

/**
 * @param {{net: import('./net.js').Net, canvas: HTMLCanvasElement, view: import('./render.js').View,
 *   renderer: import('./render.js').Renderer, tools: import('./tools.js').Tools, room: string, me: string,
 *   toast: (text: string, kind: 'info'|'bad', ms: number) => void, onFollowChange: () => void}} o
 *   `onFollowChange`: whom this page follows changed (the people list shows it)
 */
export function startShowing(o) {
  const { net, canvas, view, renderer, tools, me } = o;
  /** Sends a live message if connected. @param {string} type @param {any} payload */
  const send = (type, payload) => {
    if (!net.ready) return false;
    net.send(type, payload);
    return true;
  };
  const laser = new Laser({
    canvas, view, renderer, me, send,
    // A press with the laser tool, unless it is a pan (Space, middle button) or a pinch.
    active: () => tools.tool === 'laser' && !tools.spaceDown && tools.touches.size < 2,
    colorOf: (id) => net.users.get(id)?.color || (id === me ? net.color : null) || null,
  });
  const follow = new Follow({
    canvas, view, renderer, me, send, users: () => net.users,
    status: /** @type {HTMLElement} */ (document.getElementById('follow-status')),
    onChange: o.onFollowChange,
    toast: o.toast,
  });
  net.onFrame((type, p) => {
    if (type === 'LASER') laser.received(p.userId, p);
    else if (type === 'VIEWPORT') follow.received(p.userId, p);
    else if (type === 'PRESENT') follow.onPresent(p);
    // Everyone knows everyone's view: told once connected, and to each newcomer.
    else if ((type === 'SYNC_SHAPES' && (!isPart(p) || p.part === 1)) || type === 'USER_JOINED') follow.sendNow();
  });
  startPresenting({ room: o.room, me, follow, toast: o.toast });
  return {
    laser,
    follow,
    /**
     * Forgets the people who left. While disconnected the list is empty:
     * whom one follows is kept for the return.
     */
    keepPeers() {
      if (net.state !== 'connected') return;
      follow.keep(net.users);
      laser.keep(net.users);
    },
  };
}
