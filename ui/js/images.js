// @ts-check
/**
 * Pictures on the board: the upload (`POST /api/save-image`) and one
 * HTMLImageElement per stored image, shared by the renderer and the exports.
 * A shape refers to the host's file (`/img/NAME`); shapes from other clients
 * may carry an inline picture. Nothing else is ever loaded (see pictureSource).
 */

import { limits } from './limits.js';
import { hostFetch, withCode } from './hostjson.js';
import { t } from './i18n.js';
import { megabytes } from './mediatext.js';

/** The types the host accepts. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/** @type {Set<() => void>} */
const loadListeners = new Set();
/** @type {Map<string, {img: HTMLImageElement, state: 'loading'|'ready'|'error', done: Promise<HTMLImageElement|null>}>} */
const cache = new Map();

/** Called whenever an image finishes loading (or fails). @param {() => void} cb */
export function onImageLoad(cb) { loadListeners.add(cb); }

/**
 * The address of a stored picture or video for an `<img>`, a `<video>` or a
 * download link, which cannot send a header: with the join code as `?code=`.
 * @param {string} path
 */
export function imageUrl(path) {
  return withCode(path);
}

/** A picture name as the host issues them: a content hash and a bitmap type. */
const HOST_PICTURE = /^\/(?:img|enhanced_drawings)\/[0-9a-f]{32}\.(?:png|jpg|webp)$/;
/** The existing client's absolute form of the same (it always talks to localhost:5001). */
const LOOPBACK_ORIGIN = /^http:\/\/(?:localhost|127\.0\.0\.1|\[::1\]):5001(?=\/)/i;
/** Inline bitmaps a shape may carry (never SVG). */
const INLINE_PICTURE = /^data:image\/(?:png|jpe?g|gif|webp);base64,[A-Za-z0-9+/=]*$/i;

/**
 * Where a shape's picture comes from, by the host's rule (protocol/picture.rs):
 * `{path}` for one of the host's pictures (the existing client's
 * `http://localhost:5001/...` form means this host, so it is read from this
 * page's origin), `{data}` for an inline picture, or null for anything else,
 * which is never requested: another origin would get the join code and
 * would taint the canvas, breaking exports for everyone.
 * @param {unknown} ref @returns {{path: string}|{data: string}|null}
 */
export function pictureSource(ref) {
  if (typeof ref !== 'string') return null;
  if (INLINE_PICTURE.test(ref)) return { data: ref };
  const path = ref.replace(LOOPBACK_ORIGIN, '');
  return HOST_PICTURE.test(path) ? { path } : null;
}

/** The URL to load a shape's picture from (with the code), or null. @param {unknown} ref */
export function pictureUrl(ref) {
  const src = pictureSource(ref);
  if (!src) return null;
  return 'data' in src ? src.data : withCode(src.path);
}

/** @param {string} path */
function entry(path) {
  let e = cache.get(path);
  if (!e) {
    const img = new Image();
    img.decoding = 'async';
    /** @type {(v: HTMLImageElement|null) => void} */
    let settle = () => {};
    const done = new Promise((/** @type {(v: HTMLImageElement|null) => void} */ r) => { settle = r; });
    const rec = /** @type {{img: HTMLImageElement, state: 'loading'|'ready'|'error', done: Promise<HTMLImageElement|null>}} */ ({ img, state: 'loading', done });
    img.onload = () => { rec.state = 'ready'; settle(img); for (const cb of loadListeners) cb(); };
    img.onerror = () => { rec.state = 'error'; settle(null); for (const cb of loadListeners) cb(); };
    const url = pictureUrl(path);
    if (url) img.src = url;
    else { rec.state = 'error'; settle(null); }
    cache.set(path, rec);
    e = rec;
  }
  return e;
}

/**
 * The image for a shape if it is ready to draw; starts loading it otherwise.
 * @param {string} path @returns {{img: HTMLImageElement|null, state: 'loading'|'ready'|'error'}}
 */
export function imageFor(path) {
  if (typeof path !== 'string' || !path) return { img: null, state: 'error' };
  const e = entry(path);
  return { img: e.state === 'ready' ? e.img : null, state: e.state };
}

/** Resolves when the image has loaded (null if it cannot be). @param {string} path */
export function loadImage(path) {
  if (typeof path !== 'string' || !path) return Promise.resolve(null);
  return entry(path).done;
}

/** @param {Blob} blob @returns {Promise<string>} */
function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

/** An upload the host refused, with a message for people. */
export class UploadError extends Error {
  /** @param {string} message @param {string} code */
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** Times an upload the host was too busy for (429) is sent again. */
const UPLOAD_RETRIES = 3;
/** Longest wait before sending it again, in seconds, whatever `Retry-After` says. */
const MAX_RETRY_WAIT_S = 5;

/**
 * Sends a picture to the host.
 * @param {Blob} blob a PNG, JPEG or WebP file
 * @returns {Promise<{path: string, filename: string, width: number, height: number}>}
 * @throws {UploadError} with a message to show
 */
export async function uploadImage(blob) {
  if (!IMAGE_TYPES.includes(blob.type)) {
    throw new UploadError(t('media.upload.unsupported', { detail: '' }), 'unsupported');
  }
  // The host's limit, checked here so a file too big is refused before it is sent.
  const most = limits.images.maxUploadBytes;
  if (blob.size > most) {
    throw new UploadError(t('media.upload.tooBig', { size: megabytes(blob.size), limit: megabytes(most) }), 'too_large');
  }
  const imageData = await dataUrl(blob);
  /** @type {Response} */
  let res;
  for (let attempt = 0; ; attempt++) {
    try {
      res = await hostFetch('/api/save-image', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ imageData }),
      });
    } catch {
      throw new UploadError(t('media.upload.unreachable'), 'unreachable');
    }
    // The host stores a few pictures at a time and says when to come back.
    if (res.status !== 429 || attempt >= UPLOAD_RETRIES) break;
    const wait = Math.min(MAX_RETRY_WAIT_S, Math.max(1, Number(res.headers.get('retry-after')) || 1));
    await new Promise((r) => setTimeout(r, wait * 1000));
  }
  /** @type {any} */
  let body = {};
  try { body = await res.json(); } catch { /* not JSON */ }
  if (res.ok && body && body.success !== false && typeof body.path === 'string') {
    return { path: body.path, filename: String(body.filename || ''), width: Number(body.width) || 0, height: Number(body.height) || 0 };
  }
  const detail = body && typeof body.error === 'string' ? ` (${body.error})` : '';
  if (res.status === 413) throw new UploadError(t('media.upload.tooBigForHost', { detail }), 'too_large');
  if (res.status === 415) throw new UploadError(t('media.upload.unsupported', { detail }), 'unsupported');
  if (res.status === 401 || res.status === 403) throw new UploadError(t('media.upload.unauthorized'), 'unauthorized');
  if (res.status === 429) throw new UploadError(t('media.upload.busy', { detail }), 'rate_limited');
  if (res.status === 404 || res.status === 405) throw new UploadError(t('media.upload.noStore'), 'unsupported_host');
  if (res.status === 400) throw new UploadError(t('media.upload.unreadable', { detail }), body?.code || 'invalid');
  throw new UploadError(t('media.upload.failed', { detail: detail || ` (HTTP ${res.status})` }), body?.code || 'error');
}

/**
 * The host's pictures on the board as data URIs (path → URI), for an export
 * that must show them with the host off. Pictures that cannot be fetched are
 * left out (the export says nothing of them rather than failing).
 * @param {Iterable<{type?: string, image?: unknown}>} shapes
 * @returns {Promise<Map<string, string>>}
 */
export async function embedPictures(shapes) {
  /** @type {Set<string>} */
  const paths = new Set();
  for (const s of shapes) {
    const src = s.type === 'image' ? pictureSource(s.image) : null;
    if (src && 'path' in src) paths.add(src.path);
  }
  /** @type {Map<string, string>} */
  const embedded = new Map();
  await Promise.all([...paths].map(async (path) => {
    try {
      const res = await hostFetch(path);
      if (!res.ok) return;
      const blob = await res.blob();
      embedded.set(path, await new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(String(reader.result));
        reader.onerror = () => reject(reader.error);
        reader.readAsDataURL(blob);
      }));
    } catch { /* left out */ }
  }));
  return embedded;
}
