// @ts-check
/**
 * The board, fetched while the person is on the join screen
 * (`GET /api/rooms/{room}/board`, gzipped, strokes' points packed). They
 * spend seconds there, reading and typing a name, while the link is idle;
 * when they press Join the page shows the board it already has and asks
 * the socket only for what changed since (`REQUEST_SYNC {since}`). A fetch
 * still under way then is stopped, so that it does not share the link
 * with the join, which then gets the whole board as ever.
 */
import { hostFetch } from './hostjson.js';
import { unpackPoints } from './sync.js';

/**
 * Starts fetching `room`'s board. `take()` gives it if it is in, else stops
 * the fetch and gives null.
 * @param {string} room @param {string} boardKey
 * @returns {{take: () => import('./store.js').BoardSnapshot|null}}
 */
export function prefetchBoard(room, boardKey) {
  const controller = new AbortController();
  /** @type {import('./store.js').BoardSnapshot|null} */
  let board = null;
  hostFetch(`/api/rooms/${encodeURIComponent(room)}/board`, { cache: 'no-store', signal: controller.signal })
    .then((res) => (res.ok ? res.json() : null))
    .then((/** @type {any} */ b) => {
      if (!b || typeof b.rev !== 'number' || !Array.isArray(b.shapes)) return;
      for (const s of b.shapes) unpackPoints(s);
      board = { board: boardKey, rev: b.rev, shapes: b.shapes };
      performance.mark('coco-board-fetched');
    })
    .catch(() => { /* none: the join brings the board */ });
  return {
    take() {
      if (!board) controller.abort();
      return board;
    },
  };
}
