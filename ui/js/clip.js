// @ts-check
/**
 * Timelapse clips in a storyboard: a frame that plays a range of a room's
 * history in the storyboard's video (the host draws it there, frame by
 * frame) and shows, in the strip, the still of the moment it ends on. A
 * finished timelapse in the room's videos becomes one with "Add to
 * storyboard": its room and range come from the job's result, its length
 * from the video's, kept within the host's clip limits.
 */
import { limits } from './limits.js';

/** Whether a storyboard frame plays a timelapse. @param {{clip?: unknown}|null|undefined} frame */
export const isClip = (frame) => !!frame && typeof frame.clip === 'object' && frame.clip !== null;

/** Whether a finished video job can become a clip. @param {any} job */
export const canClip = (job) => job?.kind === 'timelapse' && typeof job.result?.room === 'string'
  && Number.isInteger(job.result.fromRev) && Number.isInteger(job.result.toRev);

/**
 * The frame (`POST /api/storyboards/{id}/frames`) a finished timelapse becomes,
 * as long as the video was, within the clip limits.
 * @param {any} job
 */
export function clipFrame(job) {
  const r = job.result;
  const { minClipMs, maxClipMs, defaultClipMs } = limits.storyboard;
  const ms = Math.round(Number(r.durationMs) || defaultClipMs);
  return {
    clip: { room: r.room, fromRev: r.fromRev, toRev: r.toRev, utcOffsetMinutes: -new Date().getTimezoneOffset() },
    durationMs: Math.min(maxClipMs, Math.max(minClipMs, ms)),
  };
}

/**
 * How long a frame may be shown, and the sentence that says so: a clip
 * plays longer than a picture is shown at least.
 * @param {{clip?: unknown}|null|undefined} frame
 */
export function durationLimits(frame) {
  const s = limits.storyboard;
  return isClip(frame)
    ? { min: s.minClipMs, max: s.maxClipMs, key: 'timelapse.clipLength' }
    : { min: s.minFrameMs, max: s.maxFrameMs, key: 'media.story.durationRange' };
}
