// @ts-check
/**
 * Where to draw the others' cursors so that they glide instead of jumping.
 *
 * On a slow or lossy link cursor moves arrive in bursts: TCP holds the ones
 * behind a lost packet and hands them over together, and the host keeps only
 * the newest move of each sender while a receiver is stalled (the protocol's
 * coalescing), so whole stretches of a path never arrive. Drawing each move
 * as it lands makes the cursor stand still, then jump.
 *
 * So each peer's cursor keeps a short timeline of the positions received,
 * stamped with the sender's clock (`t` in the message; the arrival time for a
 * sender that sends none), and is drawn at a playout time a little behind
 * the newest: far enough behind that the next positions usually arrive
 * before they are needed (the delay adapts to how late moves have been
 * arriving lately, and is capped), interpolating between the positions
 * around it. The playout clock runs a little faster when it falls behind and
 * slower when it is ahead, never runs past the newest position (nothing is
 * skipped; a cursor at rest stays put), and gives up on gliding only for a
 * declared snap: a gap so long that the person must have left and come back
 * (a teleport), a sender whose clock went back (a reload), or a backlog too
 * old to play.
 *
 * No DOM: the renderer calls `advance` once per frame and asks for another
 * frame while `moving()` holds, so nothing runs while every cursor is still.
 */

/** Least playout delay (ms): even on a clear link a move may land a frame late. */
export const MIN_PLAYOUT_DELAY_MS = 20;
/** Most playout delay (ms): beyond it a cursor lags too far behind its person to be useful; it catches up faster instead. */
export const MAX_PLAYOUT_DELAY_MS = 500;
/** Added to the worst recent lateness to make the playout delay. */
export const PLAYOUT_MARGIN_MS = 20;
/** How long a move's lateness counts towards the playout delay (ms of arrival time). */
export const LATENESS_WINDOW_MS = 3000;
/** A gap between two moves longer than this (sender's ms) is a teleport: the cursor snaps instead of sweeping across the board. */
export const TELEPORT_GAP_MS = 1000;
/**
 * The longest stretch of time (sender's ms) a step between two moves is
 * spread over: a longer gap is a pause followed by a move (the cursor holds,
 * then glides over the last GLIDE_MAX_MS), or a stall whose moves the host
 * dropped (about this long on the "bad" link's p99).
 */
export const GLIDE_MAX_MS = 400;
/** The playout clock gains (or loses) 1 ms per ms for every CATCH_UP_MS it is behind (or ahead of) where it should be. */
export const CATCH_UP_MS = 250;
/** Fastest and slowest the playout clock runs, as a multiple of real time. */
export const MAX_RATE = 2;
export const MIN_RATE = 0.5;
/** A playout clock this far behind (ms) jumps to where it should be: a declared snap. */
export const MAX_BEHIND_MS = 1500;
/** Most real time one frame may advance the playout clock by (a tab in the background resumes without skipping). */
export const MAX_FRAME_MS = 100;
/** Without the sender's stamps, moves that land together are spaced this far apart (ms: one frame at 60 Hz). */
export const NOMINAL_GAP_MS = 16;
/** Most positions kept per peer (at 60 Hz, four seconds). */
export const MAX_SAMPLES = 240;
/** How much the estimate of the clocks' offset may relax per ms of arrival time, so that clock drift does not grow the delay. */
export const OFFSET_RELAX = 0.001;

/** @typedef {{t: number, x: number, y: number}} Sample a position at the sender's time t (ms) */

/** One peer's cursor: what was received, and where the playout clock is. */
class Track {
  /**
   * @param {Sample} first @param {number} offset arrival minus sender time of the first move
   * @param {number} now its arrival, receiver's ms
   */
  constructor(first, offset, now) {
    /** @type {Sample[]} oldest first, strictly increasing t */
    this.samples = [first];
    /** the playout time, in the sender's clock */
    this.play = first.t;
    /** receiver's clock minus sender's clock, at the least (the quickest move seen) */
    this.offset = offset;
    /** when `offset` was last set, receiver's ms */
    this.offsetAt = now;
    /** @type {{at: number, late: number}[]} how late each recent move arrived (receiver's ms) */
    this.lateness = [];
    /** the receiver's time of the last advance of the playout clock */
    this.lastNow = now;
    /** declared snaps so far (teleports, resets, backlogs dropped) */
    this.snaps = 0;
    /** @type {{x: number, y: number}} where the cursor was drawn last */
    this.drawn = { x: first.x, y: first.y };
    /** when `drawn` was worked out (receiver's ms) */
    this.drawnAt = now;
  }

  get newest() { return this.samples[this.samples.length - 1]; }

  /** The playout delay now: the worst recent lateness plus a margin, within bounds. @param {number} now */
  delay(now) {
    this.forgetLateness(now);
    let worst = 0;
    for (const l of this.lateness) worst = Math.max(worst, l.late);
    return Math.min(MAX_PLAYOUT_DELAY_MS, Math.max(MIN_PLAYOUT_DELAY_MS, worst + PLAYOUT_MARGIN_MS));
  }

  /** Drops the lateness of moves that arrived more than LATENESS_WINDOW_MS ago. @param {number} now */
  forgetLateness(now) {
    let old = 0;
    while (old < this.lateness.length && now - this.lateness[old].at > LATENESS_WINDOW_MS) old++;
    if (old) this.lateness.splice(0, old);
  }

  /** Where the cursor is at playout time `play`. @param {number} play @returns {{x: number, y: number}} */
  at(play) {
    const s = this.samples;
    let i = s.length - 1;
    while (i > 0 && s[i - 1].t >= play) i--;
    if (i === 0 || play >= s[i].t) return { x: s[i].x, y: s[i].y };
    return between(s[i - 1], s[i], play);
  }

  /** Moves the playout clock to the start of the next step when a long gap makes it a teleport, counting it. */
  skipTeleports() {
    const s = this.samples;
    for (let i = 1; i < s.length; i++) {
      if (s[i].t <= this.play) continue;
      if (s[i].t - s[i - 1].t > TELEPORT_GAP_MS && this.play < s[i].t) {
        this.play = s[i].t;
        this.snaps++;
      }
      return;
    }
  }

  /** Forgets the positions the playout clock has passed (keeping the one it left). */
  trim() {
    const s = this.samples;
    let drop = 0;
    while (drop + 1 < s.length && s[drop + 1].t <= this.play) drop++;
    if (drop) s.splice(0, drop);
  }
}

/**
 * Where the cursor is between samples a and b at time `play`: still at a
 * until GLIDE_MAX_MS before b, then moving straight to b.
 * @param {Sample} a @param {Sample} b @param {number} play
 */
export function between(a, b, play) {
  const start = Math.max(a.t, b.t - GLIDE_MAX_MS);
  if (play <= start) return { x: a.x, y: a.y };
  const k = Math.min(1, (play - start) / (b.t - start));
  return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
}

export class CursorGlide {
  constructor() {
    /** @type {Map<string, Track>} */
    this.tracks = new Map();
  }

  /**
   * A move of `id`'s cursor arrived.
   * @param {string} id @param {number} x @param {number} y
   * @param {number|undefined} t the sender's time of the move (ms, its own clock), if it sent one
   * @param {number} now the receiver's time of arrival (ms, performance.now())
   */
  add(id, x, y, t, now) {
    const stamped = typeof t === 'number' && Number.isFinite(t);
    const track = this.tracks.get(id);
    // Unstamped moves that land together are spread out as if sent a frame apart.
    const ts = stamped ? /** @type {number} */ (t) : Math.max(now, track ? track.newest.t + NOMINAL_GAP_MS : now);
    if (track && ts < track.newest.t - TELEPORT_GAP_MS) {
      // The sender's clock went back (it reloaded): start over there.
      const fresh = new Track({ t: ts, x, y }, now - ts, now);
      fresh.snaps = track.snaps + 1;
      this.tracks.set(id, fresh);
      return;
    }
    if (!track) {
      this.tracks.set(id, new Track({ t: ts, x, y }, now - ts, now));
      return;
    }
    // The offset is the least (arrival − sent) seen, relaxed slowly so that
    // a drifting clock cannot make every later move look late.
    const relaxed = track.offset + (now - track.offsetAt) * OFFSET_RELAX;
    track.offset = Math.min(now - ts, relaxed);
    track.offsetAt = now;
    track.forgetLateness(now);
    track.lateness.push({ at: now, late: now - ts - track.offset });
    const last = track.newest;
    // Not after the newest (events stamped a little out of order): the newest place.
    if (ts <= last.t) { last.x = x; last.y = y; return; }
    const resting = track.play >= last.t;
    track.samples.push({ t: ts, x, y });
    if (track.samples.length > MAX_SAMPLES) {
      track.samples.shift();
      if (track.play < track.samples[0].t) { track.play = track.samples[0].t; track.snaps++; }
    }
    if (resting) {
      // At rest until now: the time it stood still is not a backlog. Play
      // from where the step to this move starts.
      track.play = Math.max(track.play, ts - Math.min(ts - last.t, GLIDE_MAX_MS));
      track.lastNow = now;
      track.skipTeleports();
    }
  }

  /**
   * Moves every cursor's playout clock on to `now` (once per frame drawn).
   * @param {number} now performance.now()
   */
  advance(now) {
    for (const track of this.tracks.values()) {
      const newest = track.newest;
      if (track.play < newest.t) {
        const dt = Math.min(MAX_FRAME_MS, Math.max(0, now - track.lastNow));
        const target = now - track.offset - track.delay(now);
        const behind = target - track.play;
        if (behind > MAX_BEHIND_MS) {
          track.play = target;
          track.snaps++;
        } else {
          const rate = Math.min(MAX_RATE, Math.max(MIN_RATE, 1 + behind / CATCH_UP_MS));
          track.play += dt * rate;
        }
        track.skipTeleports();
        track.play = Math.min(track.play, newest.t);
      }
      track.lastNow = now;
      track.drawn = track.at(track.play);
      track.drawnAt = now;
      track.trim();
    }
  }

  /** Where to draw `id`'s cursor, as of the last advance (undefined for a cursor never seen). @param {string} id */
  position(id) { return this.tracks.get(id)?.drawn; }

  /** Declared snaps of `id`'s cursor so far: the only times it may jump. @param {string} id */
  snaps(id) { return this.tracks.get(id)?.snaps ?? 0; }

  /**
   * For tests: where `id`'s cursor was drawn last, when (receiver's ms) and
   * its snaps so far (undefined for a cursor never seen).
   * @param {string} id
   */
  drawn(id) {
    const track = this.tracks.get(id);
    return track && { x: track.drawn.x, y: track.drawn.y, at: track.drawnAt, snaps: track.snaps };
  }

  /** Whether any cursor still has positions to play: the renderer asks for another frame while it does. */
  moving() {
    for (const track of this.tracks.values()) if (track.play < track.newest.t) return true;
    return false;
  }

  /** @param {string} id */
  forget(id) { this.tracks.delete(id); }
}
