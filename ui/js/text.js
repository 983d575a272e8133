// @ts-check
/**
 * How a text shape is set, shared by the renderer and the text editor so that
 * the editor shows exactly what will be placed: the same font, size, line
 * height and lines (a text never wraps; only Enter with Shift starts a line).
 */

export const TEXT_FONT = 'system-ui, sans-serif';
/** Line height, in font sizes. */
export const LINE_HEIGHT = 1.25;
/** The size of a text without one (every text made before sizes could be chosen). */
export const DEFAULT_TEXT_SIZE = 20;
/** The sizes the toolbar offers. */
export const TEXT_SIZES = [12, 16, 20, 24, 32, 48, 64, 96];

/** @param {number} px @returns {string} a canvas or CSS font */
export const textFont = (px) => `${px}px ${TEXT_FONT}`;

/** @param {{style?: {fontSize?: number}}|null|undefined} shape */
export const textSize = (shape) => shape?.style?.fontSize || DEFAULT_TEXT_SIZE;

/** @type {CanvasRenderingContext2D|null} */
let measurer = null;
/** @param {number} px */
function measure(px) {
  if (!measurer) measurer = /** @type {CanvasRenderingContext2D} */ (document.createElement('canvas').getContext('2d'));
  measurer.font = textFont(px);
  return measurer;
}

/** The width of the longest line at `px`, in CSS pixels. @param {string[]} lines @param {number} px */
export function linesWidth(lines, px) {
  const c = measure(px);
  c.textBaseline = 'alphabetic';
  return Math.max(0, ...lines.map((l) => c.measureText(l).width));
}

/**
 * How much lower a CSS line box (line-height LINE_HEIGHT) sets its text than
 * the canvas does from the same top (textBaseline 'top'): CSS centres the
 * font's ascent and descent in the line, the canvas hangs the em box from it.
 * The editor moves up by this much to sit exactly on the placed text.
 * @param {number} px
 */
export function cssTextDrop(px) {
  const c = measure(px);
  c.textBaseline = 'alphabetic';
  const m = c.measureText('Hg');
  const cssBaseline = (LINE_HEIGHT * px - (m.fontBoundingBoxAscent + m.fontBoundingBoxDescent)) / 2 + m.fontBoundingBoxAscent;
  c.textBaseline = 'top';
  const canvasBaseline = m.fontBoundingBoxAscent - c.measureText('Hg').fontBoundingBoxAscent;
  return cssBaseline - canvasBaseline;
}
