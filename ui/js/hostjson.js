// @ts-check
/** JSON requests to the host's API, with the join code and errors people can read. */

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
 * A JSON request to the host with the join code (LAN peers need it).
 * @param {string} code @param {string} method @param {string} path @param {any} [body]
 * @returns {Promise<any>} the answer's body
 * @throws {HostError}
 */
export async function hostJson(code, method, path, body) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (code) headers['x-coco-code'] = code;
  if (body !== undefined) headers['content-type'] = 'application/json';
  /** @type {Response} */
  let res;
  try {
    res = await fetch(path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new HostError('Could not reach the host. Try again when connected.', 'unreachable', 0);
  }
  /** @type {any} */
  let out = {};
  try { out = await res.json(); } catch { /* not JSON */ }
  if (res.ok && out && out.success !== false) return out;
  const codeName = typeof out?.code === 'string' ? out.code : `http_${res.status}`;
  if (res.status === 401 || res.status === 403) throw new HostError('The host did not accept this: ask the host for the join link.', codeName, res.status);
  if (res.status === 404 && !out?.error) throw new HostError('This host does not offer that.', 'unsupported_host', 404);
  const said = typeof out?.error === 'string' && out.error ? out.error : `the host answered HTTP ${res.status}`;
  throw new HostError(said.charAt(0).toUpperCase() + said.slice(1), codeName, res.status);
}

/**
 * How long a storyboard plays, transitions aside (a crossfade overlaps two frames).
 * @param {{frames: {durationMs: number}[]}} sb
 */
export const totalMs = (sb) => sb.frames.reduce((t, f) => t + (f.durationMs || 0), 0);
