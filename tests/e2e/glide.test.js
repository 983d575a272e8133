// @ts-check
/**
 * The others' cursors glide: the playout of received positions, on a
 * virtual clock (no browser). A sender moves along a line and stamps each
 * move; a bad link holds the moves and hands them over in bursts, and the
 * host's coalescing drops some; the receiver draws a frame every 16 ms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CursorGlide, between, MAX_RATE, MAX_PLAYOUT_DELAY_MS, MIN_PLAYOUT_DELAY_MS, TELEPORT_GAP_MS, GLIDE_MAX_MS, NOMINAL_GAP_MS,
} from '../../ui/js/glide.js';

const FRAME_MS = 16;
/** px per ms of the sender's cursor */
const SPEED = 0.5;

/** A seeded generator (mulberry32), so that every run sees the same link. @param {number} seed */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Moves sent every frame along y = 100 from x = 0, for `ms`, on the sender's
 * clock (which reads `skew` ms behind the receiver's).
 * @param {number} ms @param {number} skew
 */
function path(ms, skew) {
  const out = [];
  for (let t = 0; t <= ms; t += FRAME_MS) out.push({ t: t - skew, x: t * SPEED, y: 100, sent: t });
  return out;
}

/**
 * The moves as a bad link delivers them: one-way delay, then held and
 * released in bursts every 150–400 ms; of the moves held together, the host
 * keeps only every `keep`-th and always the newest (its coalescing).
 * @param {ReturnType<typeof path>} moves @param {() => number} rnd @param {number} keep
 */
function badLink(moves, rnd, keep) {
  const out = [];
  let release = 0;
  let i = 0;
  while (i < moves.length) {
    release += 150 + rnd() * 250;
    const held = [];
    while (i < moves.length && moves[i].sent + 75 <= release) held.push(moves[i++]);
    if (i === moves.length - 1) held.push(moves[i++]);
    held.forEach((m, k) => { if (k % keep === 0 || k === held.length - 1) out.push({ ...m, arrival: release }); });
  }
  return out;
}

/**
 * Plays `arrivals` into a glide and draws a frame every FRAME_MS until the
 * cursor is at rest after the last one.
 * @param {{t: number|undefined, x: number, y: number, arrival: number}[]} arrivals
 */
function play(arrivals) {
  const glide = new CursorGlide();
  const frames = [];
  let k = 0;
  const end = arrivals[arrivals.length - 1].arrival + 3000;
  for (let now = 0; now <= end; now += FRAME_MS) {
    while (k < arrivals.length && arrivals[k].arrival <= now) { const a = arrivals[k++]; glide.add('a', a.x, a.y, a.t, a.arrival); }
    if (k === 0) continue;
    glide.advance(now);
    const p = /** @type {{x: number, y: number}} */ (glide.position('a'));
    frames.push({ now, x: p.x, y: p.y, moving: glide.moving(), snaps: glide.snaps('a') });
  }
  return { glide, frames };
}

/** The biggest step between consecutive frames. @param {{x: number, y: number}[]} frames */
function biggestStep(frames) {
  let most = 0;
  for (let i = 1; i < frames.length; i++) most = Math.max(most, Math.hypot(frames[i].x - frames[i - 1].x, frames[i].y - frames[i - 1].y));
  return most;
}

test('a cursor on a bad link glides along its path in small steps and ends where its person stopped', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const moves = path(3000, 123456);
    const arrivals = badLink(moves, random(seed), 3);
    const { glide, frames } = play(arrivals);
    // What drawing each move as it lands would show: jumps of a whole burst.
    const landed = new Map(arrivals.map((a) => [a.arrival, a.x]));
    const shown = [...landed.values()];
    let raw = 0;
    for (let i = 1; i < shown.length; i++) raw = Math.max(raw, shown[i] - shown[i - 1]);
    const bound = MAX_RATE * SPEED * FRAME_MS + 1e-9;
    assert.ok(raw > 3 * bound, `the link bunches moves (a jump of ${raw} px as they land)`);
    assert.ok(biggestStep(frames) <= bound, `seed ${seed}: steps of at most ${bound} px, saw ${biggestStep(frames)}`);
    for (let i = 1; i < frames.length; i++) assert.ok(frames[i].x >= frames[i - 1].x, 'never backwards');
    assert.equal(frames.at(-1)?.snaps, 0, 'no snap');
    const last = moves[moves.length - 1];
    assert.deepEqual(glide.position('a'), { x: last.x, y: last.y }, 'ends exactly at the last position');
    assert.equal(glide.moving(), false, 'at rest: no more frames wanted');
  }
});

test('the playout delay follows how late moves arrive, within its bounds', () => {
  const glide = new CursorGlide();
  glide.add('a', 0, 0, 0, 1000);
  const track = /** @type {any} */ (glide.tracks.get('a'));
  assert.equal(track.delay(1000), MIN_PLAYOUT_DELAY_MS, 'on time: the least delay');
  glide.add('a', 1, 0, 16, 1016 + 200);
  assert.ok(track.delay(1216) >= 200 && track.delay(1216) < MAX_PLAYOUT_DELAY_MS, 'one move 200 ms late: at least 200 ms');
  glide.add('a', 2, 0, 32, 1032 + 5000);
  assert.equal(track.delay(6032), MAX_PLAYOUT_DELAY_MS, 'capped');
  assert.equal(track.delay(6032 + 3100), MIN_PLAYOUT_DELAY_MS, 'late moves stop counting after a while');
});

test('a long gap is a teleport: the cursor snaps instead of sweeping across the board', () => {
  const { glide, frames } = play([
    { t: 0, x: 10, y: 10, arrival: 50 },
    { t: 16, x: 12, y: 10, arrival: 66 },
    { t: 16 + TELEPORT_GAP_MS + 500, x: 900, y: 600, arrival: 66 + TELEPORT_GAP_MS + 500 },
  ]);
  const between = frames.filter((f) => f.x > 12 && f.x < 900);
  assert.deepEqual(between, [], 'never drawn between the two places');
  assert.equal(glide.snaps('a'), 1, 'one declared snap');
  assert.deepEqual(glide.position('a'), { x: 900, y: 600 });
});

test('a pause then a move: the cursor holds still, then follows without a backlog', () => {
  const arrivals = [{ t: 0, x: 0, y: 0, arrival: 100 }];
  for (let i = 1; i <= 10; i++) arrivals.push({ t: 800 + i * 16, x: i * 8, y: 0, arrival: 900 + i * 16 });
  const { frames, glide } = play(arrivals);
  const moved = frames.find((f) => f.x > 0);
  assert.ok(moved && moved.now >= 900, 'still while its person was');
  const arrived = frames.find((f) => f.x === 80);
  assert.ok(arrived && arrived.now <= 900 + 160 + GLIDE_MAX_MS + MAX_PLAYOUT_DELAY_MS, `at the end soon after the last move (${arrived?.now})`);
  assert.equal(glide.snaps('a'), 0);
  assert.ok(biggestStep(frames) <= MAX_RATE * 8, 'small steps');
});

test('a sender that reloads (its clock goes back) starts over where it is', () => {
  const glide = new CursorGlide();
  glide.add('a', 0, 0, 50000, 10);
  glide.add('a', 5, 0, 50016, 26);
  glide.add('a', 300, 300, 20, 40);
  glide.advance(41);
  assert.deepEqual(glide.position('a'), { x: 300, y: 300 });
  assert.equal(glide.snaps('a'), 1);
});

test('a move stamped a little before the newest one only moves the newest', () => {
  const glide = new CursorGlide();
  glide.add('a', 0, 0, 1000, 10);
  glide.add('a', 8, 0, 1016, 26);
  glide.add('a', 9, 0, 1012, 30);
  assert.deepEqual(glide.tracks.get('a')?.samples.map((s) => [s.t, s.x]), [[1000, 0], [1016, 9]]);
  assert.equal(glide.snaps('a'), 0);
});

test('moves without the sender\'s stamps that land together are spread out, not jumped', () => {
  const arrivals = [];
  for (let burst = 0; burst < 5; burst++) for (let i = 0; i < 10; i++) {
    const n = burst * 10 + i;
    arrivals.push({ t: undefined, x: n * 4, y: 0, arrival: 100 + burst * 160 });
  }
  const { frames, glide } = play(arrivals);
  assert.ok(biggestStep(frames) <= MAX_RATE * 4 * FRAME_MS / NOMINAL_GAP_MS + 1e-9, `steps of at most a move or two: ${biggestStep(frames)}`);
  assert.deepEqual(glide.position('a'), { x: 196, y: 0 });
});

test('between two moves the cursor holds, then goes straight over the last GLIDE_MAX_MS', () => {
  const a = { t: 0, x: 0, y: 0 }, b = { t: 1000, x: 100, y: 0 };
  assert.deepEqual(between(a, b, 500), { x: 0, y: 0 });
  assert.deepEqual(between(a, b, 1000 - GLIDE_MAX_MS / 2), { x: 50, y: 0 });
  assert.deepEqual(between(a, b, 1000), { x: 100, y: 0 });
  assert.deepEqual(between({ t: 0, x: 0, y: 0 }, { t: 100, x: 10, y: 0 }, 50), { x: 5, y: 0 });
});

test('a cursor forgotten is no longer drawn or played', () => {
  const glide = new CursorGlide();
  glide.add('a', 0, 0, 0, 0);
  glide.add('a', 10, 0, 16, 100);
  assert.equal(glide.moving(), true);
  glide.forget('a');
  assert.equal(glide.moving(), false);
  assert.equal(glide.position('a'), undefined);
});
