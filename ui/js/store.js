// @ts-check
/**
 * IndexedDB persistence: the board cache (shapes + rev per host and room) and
 * the outbox of operations the host has not acknowledged yet. Both survive a
 * reload, so a stroke drawn offline is replayed when the host is back.
 * Every function degrades to a no-op when IndexedDB is unavailable.
 */

/** @typedef {{opId: string, board: string, seq: number, type: string, payload: any}} PendingOp */
/** @typedef {{board: string, shapes: any[], rev: number|null}} BoardSnapshot */

const DB_NAME = 'coco';
const DB_VERSION = 1;

/** @type {Promise<IDBDatabase|null>|null} */
let dbPromise = null;

/** @returns {Promise<IDBDatabase|null>} */
function db() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve) => {
      try {
        const req = indexedDB.open(DB_NAME, DB_VERSION);
        req.onupgradeneeded = () => {
          const d = req.result;
          d.createObjectStore('boards', { keyPath: 'board' });
          const ops = d.createObjectStore('ops', { keyPath: 'opId' });
          ops.createIndex('board', 'board');
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => resolve(null);
      } catch {
        resolve(null);
      }
    });
  }
  return dbPromise;
}

/**
 * Runs `fn` in a transaction and resolves when it commits.
 * @template T
 * @param {string} storeName
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>|void} fn
 * @returns {Promise<T|undefined>}
 */
async function tx(storeName, mode, fn) {
  const d = await db();
  if (!d) return undefined;
  return new Promise((resolve) => {
    const t = d.transaction(storeName, mode);
    const req = fn(t.objectStore(storeName));
    t.oncomplete = () => resolve(req ? req.result : undefined);
    t.onerror = () => resolve(undefined);
    t.onabort = () => resolve(undefined);
  });
}

/** @param {string} board @returns {Promise<BoardSnapshot|undefined>} */
export function loadBoard(board) {
  return tx('boards', 'readonly', (s) => s.get(board));
}

/** @param {BoardSnapshot} snapshot */
export function saveBoard(snapshot) {
  return tx('boards', 'readwrite', (s) => { s.put(snapshot); });
}

/** @param {PendingOp} op */
export function putOp(op) {
  return tx('ops', 'readwrite', (s) => { s.put(op); });
}

/** @param {string[]} opIds */
export function deleteOps(opIds) {
  return tx('ops', 'readwrite', (s) => { for (const id of opIds) s.delete(id); });
}

/** @param {string} board @returns {Promise<PendingOp[]>} in the order they were made */
export async function loadOps(board) {
  const ops = await tx('ops', 'readonly', (s) => s.index('board').getAll(board));
  return (ops || []).sort((a, b) => a.seq - b.seq);
}
