// @ts-check
/**
 * The host's limits on what peers send (`GET /api/limits`), read once at
 * start-up. Every check the UI makes before asking the host, and every
 * `maxlength`, reads them here, so none can drift from the host's own (a
 * copy once cut strokes at 9,000 points while the host took 10,000).
 */
import { hostJson } from './hostjson.js';

/** How long start-up waits for the host's answer before going on without it. */
const LOAD_TIMEOUT_MS = 3000;

/**
 * A fallback only, for when the host cannot be asked (unreachable at
 * start-up, as on an offline reload, or a host without the route): the
 * host's values when this was written. Each value the host gives replaces
 * its fallback.
 */
const FALLBACK = {
  protocol: {
    maxFrameBytes: 2 * 1024 * 1024, maxShapeBytes: 1024 * 1024, maxPointsPerShape: 10_000, maxShapesPerRoom: 20_000,
    maxIdBytes: 128, maxRoomNameBytes: 64, seatsPerRoom: 4, maxLaserPoints: 64, maxLaserMessagesPerSec: 60,
  },
  images: { maxUploadBytes: 10 * 1024 * 1024, maxImageSide: 8192, maxImagePixels: 24_000_000 },
  enhance: { maxPromptChars: 2000 },
  storyboard: {
    maxStoryboardsPerRoom: 20, maxFrames: 100, maxNameChars: 80, maxCaptionChars: 300, maxTitleChars: 120,
    minFrameMs: 500, maxFrameMs: 60_000, maxStoryContextChars: 4000,
    minClipMs: 2000, maxClipMs: 60_000, defaultClipMs: 10_000, maxClipChanges: 200_000,
  },
  video: { maxWidth: 1920, maxHeight: 1080, gifMaxWidth: 480 },
  jobs: { maxListedJobs: 100 },
};

/** @typedef {typeof FALLBACK} Limits */

/** The limits in force: the fallback until `loadLimits` has the host's. @type {Limits} */
export const limits = JSON.parse(JSON.stringify(FALLBACK));

/**
 * Asks the host for its limits and keeps every one it gives as a positive
 * number; offline, or on no answer (or a slow one), the fallback stays.
 * @returns {Promise<boolean>} whether the host answered
 */
export async function loadLimits() {
  // Offline (a reload with the board from this browser's store) there is no
  // one to ask, and a request would only fail: the fallback stays.
  if (!navigator.onLine) return false;
  /** @type {any} */
  let got = null;
  const timeout = new Promise((resolve) => setTimeout(resolve, LOAD_TIMEOUT_MS, null));
  try { got = await Promise.race([hostJson('GET', '/api/limits'), timeout]); } catch { /* the fallback stays */ }
  if (!got) return false;
  for (const [group, values] of Object.entries(limits)) {
    for (const key of Object.keys(values)) {
      const v = got[group]?.[key];
      if (typeof v === 'number' && Number.isFinite(v) && v > 0) values[key] = v;
    }
  }
  return true;
}
