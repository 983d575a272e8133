// @ts-check
/**
 * Enhancements this tab started whose picture is not on the board yet, kept
 * in `sessionStorage` so that a reload in the middle of one (or a crash of
 * the tab) does not lose the picture: the page that comes back follows the
 * job again and places the picture where the sketch was. The host keeps the
 * job either way; what only this tab knows is where the picture goes.
 */

/** @typedef {import('./board.js').Bounds} Bounds */
/** @typedef {{id: string, box: Bounds}} Pending */

/** How many unplaced enhancements a tab remembers (the host runs a few at a time anyway). */
export const MAX_PENDING = 8;

/** @param {string} room */
const keyOf = (room) => `coco.enhance.pending.${location.host}/${room}`;

/** @param {unknown} b @returns {b is Bounds} */
const isBox = (b) => !!b && typeof b === 'object'
  && ['minX', 'minY', 'maxX', 'maxY'].every((k) => Number.isFinite(/** @type {any} */ (b)[k]));

/** The enhancements of `room` this tab still has to place, oldest first. @param {string} room @returns {Pending[]} */
export function pendingJobs(room) {
  try {
    const list = JSON.parse(sessionStorage.getItem(keyOf(room)) || '[]');
    return Array.isArray(list) ? list.filter((p) => p && typeof p.id === 'string' && isBox(p.box)) : [];
  } catch {
    return [];
  }
}

/** @param {string} room @param {Pending[]} list */
function save(room, list) {
  try {
    if (list.length) sessionStorage.setItem(keyOf(room), JSON.stringify(list.slice(-MAX_PENDING)));
    else sessionStorage.removeItem(keyOf(room));
  } catch { /* storage full or off: the picture is then placed only if the page stays */ }
}

/** Remembers a job the host accepted, and where its picture goes. @param {string} room @param {string} id @param {Bounds} box */
export function rememberJob(room, id, box) {
  save(room, [...pendingJobs(room).filter((p) => p.id !== id), { id, box }]);
}

/** The job's picture is placed, or the job ended without one. @param {string} room @param {string} id */
export function forgetJob(room, id) {
  const list = pendingJobs(room);
  if (list.some((p) => p.id === id)) save(room, list.filter((p) => p.id !== id));
}
