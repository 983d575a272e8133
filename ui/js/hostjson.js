// @ts-check
/**
 * Requests to the host, with the join code a LAN peer needs: every request
 * this page makes itself goes through `hostFetch`, which sends the code in
 * the `x-coco-code` header; `withCode` puts it in the address (`?code=`)
 * only for what the browser requests on its own, where no header can be
 * added: an `<img>`'s or `<video>`'s source and a download link. (The
 * WebSocket, which cannot carry a header either, adds it in net.js.)
 */
import { t, language } from './i18n.js';

let joinCode = '';

/** The session's join code, from the page's address, once at start-up. @param {string} code */
export function setJoinCode(code) { joinCode = code; }

/**
 * A path of this page's own origin: starts with one `/` (not `//host` or
 * `/\host`, which browsers read as another origin) and resolves here. The
 * code only ever goes to this page's own origin.
 * @param {string} path
 */
function ownPath(path) {
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return false;
  try { return new URL(path, location.href).origin === location.origin; } catch { return false; }
}

/**
 * `fetch` to the host with the join code in the `x-coco-code` header.
 * @param {string} path @param {RequestInit} [init]
 * @returns {Promise<Response>} rejects as `fetch` does when the host is not reached
 */
export function hostFetch(path, init = {}) {
  const headers = new Headers(init.headers);
  if (joinCode && ownPath(path)) headers.set('x-coco-code', joinCode);
  return fetch(path, { ...init, headers });
}

/**
 * A host path with the join code as `?code=`, for an address the browser
 * requests itself (a picture's or video's source, a download link).
 * @param {string} path
 */
export function withCode(path) {
  if (!joinCode || !ownPath(path)) return path;
  return `${path}${path.includes('?') ? '&' : '?'}code=${encodeURIComponent(joinCode)}`;
}

/**
 * A refusal in the person's language: the catalog's sentence for the host's
 * `code` when it has one, else the host's own (English) message, else
 * `fallback`. In English the host's message is kept: it may say more (how long to wait).
 * @param {string} code @param {string|undefined} message @param {string} [fallback]
 */
export function errorText(code, message, fallback = '') {
  if (message && language() === 'en') return message;
  const key = `error.${code}`;
  const text = code ? t(key) : key;
  return text !== key ? text : fallback || message || '';
}

/** A refusal from the host (or no answer), with a sentence for people. */
export class HostError extends Error {
  /** @param {string} message @param {string} code @param {number} status 0 when the host was not reached */
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * A JSON request to the host (through `hostFetch`, so with the join code).
 * @param {string} method @param {string} path @param {any} [body] @param {AbortSignal} [signal]
 * @returns {Promise<any>} the answer's body
 * @throws {HostError}
 */
export async function hostJson(method, path, body, signal) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  /** @type {Response} */
  let res;
  try {
    res = await hostFetch(path, { method, headers, cache: 'no-store', signal, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new HostError(t('error.unreachable'), 'unreachable', 0);
  }
  /** @type {any} */
  let out = {};
  try { out = await res.json(); } catch { /* not JSON */ }
  if (res.ok && out && out.success !== false) return out;
  const codeName = typeof out?.code === 'string' ? out.code : `http_${res.status}`;
  if (res.status === 401 || res.status === 403) throw new HostError(t('error.unauthorized'), codeName, res.status);
  if (res.status === 404 && !out?.error) throw new HostError(t('error.unsupported_host'), 'unsupported_host', 404);
  const said = typeof out?.error === 'string' && out.error ? out.error : t('error.http', { status: res.status });
  const text = errorText(codeName, said);
  throw new HostError(text.charAt(0).toUpperCase() + text.slice(1), codeName, res.status);
}

/**
 * How long a storyboard plays, transitions aside (a crossfade overlaps two frames).
 * @param {{frames: {durationMs: number}[]}} sb
 */
export const totalMs = (sb) => sb.frames.reduce((t, f) => t + (f.durationMs || 0), 0);
