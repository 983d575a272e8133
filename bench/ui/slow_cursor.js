// @ts-check
/**
 * Another person's cursor over a link, in Chromium (see
 * bench/slow_link_browser.sh, which runs this inside the clients' network
 * namespace): A moves the mouse round a circle (one turn every TURN_MS) for
 * MOVE_MS; B, on the same link, records at every frame where it draws A's
 * cursor (the glided position, `drawn`) and the newest position it has
 * received (what a page without the glide would draw). Both pages share
 * one browser, so one clock.
 *
 * From the angle round the circle: the lag (how far behind A's own cursor
 * B draws it, in ms) and the jump between two frames (px): a smooth cursor
 * moves about the same few pixels every frame; a jumpy one stands still,
 * then leaps.
 *
 *   node bench/ui/slow_cursor.js URL
 *   (URL: the host's network link, with ?code=; a room of its own is used)
 * Prints one JSON object on stdout.
 */
import { launchBrowser } from '../../tests/e2e/helpers.js';

const [base] = process.argv.slice(2);
/** One turn of the circle, ms. */
const TURN_MS = 2000;
/** How long A moves. */
const MOVE_MS = 10_000;
/** The circle, in page pixels. */
const CX = 640, CY = 380, R = 150;

/** @param {number[]} xs @param {number} q */
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))]; };
const stats = (/** @type {number[]} */ xs) => ({ p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), p99: quantile(xs, 0.99), max: Math.max(...xs) });

const browser = await launchBrowser();
try {
  const url = `${base}${base.includes('?') ? '&' : '?'}room=slow-cursors`;
  /** @param {string} name */
  const join = async (name) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(url, { timeout: 120_000 });
    await page.getByTestId('join-name').fill(name);
    await page.getByTestId('join-submit').click();
    await page.waitForFunction(() => /** @type {any} */ (window).coco?.state().connection === 'connected', null, { timeout: 120_000 });
    return page;
  };
  const a = await join('Mover');
  const b = await join('Watcher');
  const aId = await a.evaluate(() => /** @type {any} */ (window).coco.state().userId);
  // Where the circle's centre is on the board (both pages lay out alike, at 100 %, not panned).
  const box = /** @type {{x: number, y: number}} */ (await a.getByTestId('canvas').boundingBox());
  const centre = { x: CX - box.x, y: CY - box.y };
  await b.evaluate((id) => {
    const w = /** @type {any} */ (window);
    w.samples = [];
    const frame = () => {
      const c = w.coco.state().cursors.find((/** @type {any} */ k) => k.id === id);
      // A build without the playback draws the newest position.
      const d = c && (c.drawn || c);
      if (c) w.samples.push({ t: performance.timeOrigin + performance.now(), dx: d.x, dy: d.y, rx: c.x, ry: c.y });
      if (!w.stopSampling) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, aId);
  await a.mouse.move(CX + R, CY);
  const started = await a.evaluate(() => performance.timeOrigin + performance.now());
  for (;;) {
    const now = await a.evaluate(() => performance.timeOrigin + performance.now());
    const t = now - started;
    if (t > MOVE_MS) break;
    const th = (2 * Math.PI * t) / TURN_MS;
    await a.mouse.move(CX + R * Math.cos(th), CY + R * Math.sin(th));
    await a.waitForTimeout(8);
  }
  await a.waitForTimeout(1500);
  const samples = /** @type {{t: number, dx: number, dy: number, rx: number, ry: number}[]} */ (
    await b.evaluate(() => { const w = /** @type {any} */ (window); w.stopSampling = true; return w.samples; }));
  // Only the frames while A moved, after the first second (the glide's delay settles).
  const moving = samples.filter((s) => s.t > started + 1000 && s.t < started + MOVE_MS);
  if (moving.length < 2) throw new Error(`the watcher drew the mover's cursor in ${moving.length} frames`);
  /** The lag of a drawn point, from its angle: how long ago A was there (ms, within one turn). */
  const lag = (/** @type {number} */ t, /** @type {number} */ x, /** @type {number} */ y) => {
    const th = Math.atan2(y - centre.y, x - centre.x);
    const own = (2 * Math.PI * (t - started)) / TURN_MS;
    let d = (own - th) % (2 * Math.PI);
    if (d < 0) d += 2 * Math.PI;
    return (d / (2 * Math.PI)) * TURN_MS;
  };
  const jumps = (/** @type {'d'|'r'} */ k) => moving.slice(1).map((s, i) => Math.hypot(s[`${k}x`] - moving[i][`${k}x`], s[`${k}y`] - moving[i][`${k}y`]));
  const still = (/** @type {number[]} */ js) => js.filter((j) => j < 0.5).length / Math.max(1, js.length);
  const out = {
    scenario: 'browser-cursor', url, frames: moving.length, turn_ms: TURN_MS, radius_px: R,
    expected_step_px: (2 * Math.PI * R * 16.7) / TURN_MS,
    drawn: { lag_ms: stats(moving.map((s) => lag(s.t, s.dx, s.dy))), jump_px: stats(jumps('d')), still_frames: still(jumps('d')) },
    received: { lag_ms: stats(moving.map((s) => lag(s.t, s.rx, s.ry))), jump_px: stats(jumps('r')), still_frames: still(jumps('r')) },
  };
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}
