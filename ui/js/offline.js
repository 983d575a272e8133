// @ts-check
/**
 * The offline copy of the app (the service worker, sw.js). Registering it
 * fetches every file of the app again, which on a slow link would share the
 * link with the join: it is registered once the board is in, or after
 * `WORKER_DELAY_MS` on the join screen, whichever comes first; never while
 * a join is under way (Join pressed, the board not in yet).
 */

/** How long after the page opened the worker is registered if no board came in before. */
export const WORKER_DELAY_MS = 3_000;

/** The event main.js sends after the first frame with the whole board. */
export const BOARD_IN = 'coco-board-in';

/** The event main.js sends when the join starts (Join pressed, or a remembered seat). */
export const JOINING = 'coco-joining';

export function registerWorkerSoon() {
  if (!('serviceWorker' in navigator)) return;
  let done = false, joining = false;
  const register = () => {
    if (done) return;
    done = true;
    navigator.serviceWorker.register('/sw.js').catch(() => {});
  };
  document.addEventListener(JOINING, () => { joining = true; }, { once: true });
  document.addEventListener(BOARD_IN, register, { once: true });
  setTimeout(() => { if (!joining) register(); }, WORKER_DELAY_MS);
}
