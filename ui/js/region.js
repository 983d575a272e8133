// @ts-check
/**
 * The part of the board an enhancement is about: which shapes, the box
 * around them in world units, and where the finished picture goes (fitted
 * into that box). A region that is one stored picture is sent as that file,
 * so enhancing a result again neither grows nor blurs it.
 */
import { t } from './i18n.js';
import { pixels } from './mediatext.js';

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Bounds} Bounds */
/**
 * What is sent: the shapes (by id, so "Enhance again" sends the same sketch
 * even though the picture it placed is now selected and on the board) and the
 * box around them, in world units.
 * @typedef {{ids: string[], whole: boolean, box: Bounds, shapes: Shape[], text: string}} Region
 */

/**
 * Space kept around the shapes in the picture sent, in world units, so no stroke is cut at the edge.
 * Pictures get none: their own rectangle is sent, so enhancing a result again does not make it grow.
 */
export const REGION_MARGIN = 16;
/** The style words the local enhancer knows (the host reports the ones it followed). */
export const LOCAL_STYLES = 'watercolour, crayon, pencil, ink, comic, night, pastel';
/** Pixels per world unit of the picture sent: a small sketch still gives the engines some detail. */
export const RENDER_SCALE = 2;
/** Longest side of the picture sent, in pixels: detail enough for either engine, far below the upload limit. */
export const MAX_RENDER_SIDE = 2048;
/** @param {number} v */
export const round2 = (v) => Math.round(v * 100) / 100;

/**
 * The part of the board to enhance: the selected shapes, else every shape.
 * Null for an empty board.
 * @param {import('./board.js').Board} board @param {Iterable<string>} selected
 * @returns {Region|null}
 */
export function regionOf(board, selected) {
  const picked = [...selected].filter((id) => board.shapes.has(id));
  return picked.length ? regionOfShapes(board, picked, false) : regionOfShapes(board, [...board.shapes.keys()], true);
}

/**
 * The region around the shapes with these ids that still exist; null if none does.
 * @param {import('./board.js').Board} board @param {string[]} ids @param {boolean} whole they were the whole board
 * @returns {Region|null}
 */
export function regionOfShapes(board, ids, whole) {
  const shapes = /** @type {Shape[]} */ (ids.map((id) => board.shapes.get(id)).filter((s) => !!s));
  if (shapes.length === 0) return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const s of shapes) {
    const b = spaceOf(board, s);
    minX = Math.min(minX, b.minX); minY = Math.min(minY, b.minY);
    maxX = Math.max(maxX, b.maxX); maxY = Math.max(maxY, b.maxY);
  }
  const box = { minX: round2(minX), minY: round2(minY), maxX: round2(maxX), maxY: round2(maxY) };
  return { ids: shapes.map((s) => s.id), whole, box, shapes, text: regionText(shapes.length, box, whole) };
}

/**
 * What the dialog says of a region, in the current language.
 * @param {number} n how many shapes @param {Bounds} box @param {boolean} whole
 */
export function regionText(n, box, whole) {
  const vars = { shapes: t('media.region.shapes', { count: n }), size: pixels(box.maxX - box.minX, box.maxY - box.minY) };
  return t(whole ? 'media.region.whole' : 'media.region.selection', vars);
}

/**
 * The part of the board a shape needs in the picture sent: a picture's own
 * rectangle (no stroke to cut, and a margin would grow the result on every
 * "enhance again"), else its bounds and REGION_MARGIN.
 * @param {import('./board.js').Board} board @param {Shape} s
 * @returns {Bounds}
 */
function spaceOf(board, s) {
  const pts = s.points || [];
  if (s.type === 'image' && pts.length >= 2) {
    const a = pts[0], b = pts[1];
    return { minX: Math.min(a.x, b.x), minY: Math.min(a.y, b.y), maxX: Math.max(a.x, b.x), maxY: Math.max(a.y, b.y) };
  }
  const b = board.bounds(s), m = REGION_MARGIN;
  return { minX: b.minX - m, minY: b.minY - m, maxX: b.maxX + m, maxY: b.maxY + m };
}

/**
 * The host's own file when the region is one stored picture (an earlier
 * result, an upload): sent as it is, it keeps its size, its sharpness and
 * its transparency, where drawing it again would resample it onto white.
 * @param {Region} region @returns {string} its path, or '' to render the region
 */
export function storedPicture(region) {
  if (region.shapes.length !== 1) return '';
  const s = /** @type {any} */ (region.shapes[0]);
  const path = s.type === 'image' && typeof s.image === 'string' ? s.image : '';
  return /^\/(enhanced_drawings|img)\/[^/?#]+$/.test(path) ? path : '';
}

/**
 * The style words the local enhancer followed, for people; '' for Gemini.
 * @param {any} result
 */
export function stylesFollowed(result) {
  if (result?.engine !== 'local' || !Array.isArray(result.styles)) return '';
  if (result.styles.length) return t('media.result.styles', { styles: result.styles.map(String).join(', ') });
  return result.prompt ? t('media.result.noStyle', { styles: LOCAL_STYLES }) : '';
}

/**
 * Where a picture of w × h goes in the region: as large as fits, centred,
 * never stretched (Gemini may answer with another aspect ratio).
 * @param {Bounds} box @param {number} w @param {number} h
 * @returns {{x: number, y: number, w: number, h: number}}
 */
export function fitInto(box, w, h) {
  const bw = box.maxX - box.minX, bh = box.maxY - box.minY;
  if (!(w > 0 && h > 0)) return { x: box.minX, y: box.minY, w: bw, h: bh };
  const k = Math.min(bw / w, bh / h);
  const dw = round2(w * k), dh = round2(h * k);
  return { x: round2(box.minX + (bw - dw) / 2), y: round2(box.minY + (bh - dh) / 2), w: dw, h: dh };
}

/** Which engine made a result, for people. @param {any} result */
export function madeBy(result) {
  if (result?.engine === 'gemini') return result.model ? t('media.result.byGeminiModel', { model: String(result.model) }) : t('media.result.byGemini');
  if (result?.engine === 'local') return t('media.result.byLocal');
  return t('media.result.byOther', { engine: String(result?.engine || t('media.result.unknownEngine')) });
}
