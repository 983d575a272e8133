// @ts-check
/**
 * Enhancement when something gets in the way: a slow job cancelled, the
 * connection dropped mid-job, the page reloaded mid-job (or gone while the
 * job ends). The picture is placed exactly once, or not at all when
 * cancelled, and the person is told which.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SLOW_ANSWER_MS } from './fake-gemini.js';
import { join, waitState, artifacts } from './helpers.js';
import {
  FAKE_W, FAKE_H, useEnhanceHost, imageShapes, drawAndSelectLoop, boundsOf, watchProgress, startEnhance, pictureOf,
} from './enhance-kit.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('./fake-gemini.js').FakeGemini} */
let fake;
useEnhanceHost((h, b, f) => {
  host = h;
  browser = b;
  fake = f;
});

test('cancelling a slow enhancement says so and places nothing; the others saw who was enhancing', async () => {
  fake.mode = 'slow';
  fake.requests = [];
  const url = `${host.url}?room=enh-cancel`;
  const a = await join(browser, url, 'Eve', 'top-left');
  const b = await join(browser, url, 'Finn', 'top-right');
  try {
    await drawAndSelectLoop(a.page);
    await watchProgress(a.page);
    await startEnhance(a.page, 'gemini');
    await a.page.getByTestId('enhance-message').filter({ hasText: /asking Gemini/ }).waitFor({ timeout: 10000 });
    // The fake holds its answer for seconds: the bar and a percentage are on screen meanwhile.
    const seen = await a.page.evaluate(() => /** @type {any} */ (window).__progress);
    assert.ok(seen.some((/** @type {any} */ p) => p.value > 0 && p.value < 1 && /%\)$/.test(p.text)), `the job's progress was shown: ${JSON.stringify(seen)}`);
    await a.page.screenshot({ path: `${artifacts}/enhance-progress.png` });
    const activity = b.page.getByTestId('activity-item');
    await activity.filter({ hasText: /^Eve is enhancing…/ }).waitFor();
    await b.page.screenshot({ path: `${artifacts}/enhance-activity.png` });
    assert.equal(await a.page.getByTestId('activity-item').count(), 0, 'one does not see one\'s own job there');

    await a.page.getByTestId('enhance-cancel').click();
    await a.page.getByTestId('enhance-error').filter({ hasText: /Cancelled: nothing was placed/ }).waitFor({ timeout: 10000 });
    assert.equal(await a.page.getByTestId('enhance-cancel').isVisible(), false);
    assert.equal(await a.page.getByTestId('enhance-start').innerText(), 'Try again');
    await activity.first().waitFor({ state: 'detached' });

    // Past the fake's answer: still nothing placed, on either screen.
    const sent = Date.now();
    while (Date.now() - sent < SLOW_ANSWER_MS + 500) await new Promise((r) => setTimeout(r, 250));
    assert.equal((await imageShapes(a.page)).length, 0);
    assert.equal((await imageShapes(b.page)).length, 0);
    const jobs = await a.page.evaluate(async () => (await (await fetch('/api/jobs?room=enh-cancel')).json()).jobs);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].status, 'cancelled');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('when the socket drops mid-job, polling finds the result and the picture is still placed', async () => {
  fake.mode = 'slow';
  const url = `${host.url}?room=enh-offline`;
  const a = await join(browser, url, 'Gus', 'top-left');
  try {
    await drawAndSelectLoop(a.page);
    await startEnhance(a.page, 'gemini');
    await a.page.getByTestId('enhance-message').filter({ hasText: /asking Gemini/ }).waitFor({ timeout: 10000 });
    // Offline until the job has finished on the host: its last frames are lost.
    await a.context.setOffline(true);
    await waitState(a.page, (s) => s.connection === 'offline');
    const deadline = Date.now() + 20000;
    for (;;) {
      const jobs = await fetch(`${host.url}api/jobs?room=enh-offline`).then((r) => r.json()).then((b) => b.jobs);
      if (jobs[0]?.status === 'complete') break;
      assert.ok(Date.now() < deadline, `the job did not finish: ${JSON.stringify(jobs)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await a.page.getByTestId('enhance-result').isVisible(), false, 'no frame told the page yet');
    await a.context.setOffline(false);
    await a.page.getByTestId('enhance-result').waitFor({ timeout: 15000 });
    assert.match(await a.page.getByTestId('enhance-engine').innerText(), /Gemini/);
    await waitState(a.page, (s) => s.shapesCount === 2 && s.unacked === 0);
    const [shape] = await imageShapes(a.page);
    const pic = await pictureOf(a.page, shape.image);
    assert.deepEqual([pic.width, pic.height], [FAKE_W, FAKE_H]);
  } finally {
    await a.context.close();
  }
});

test('a reload in the middle of an enhancement: the picture is still placed over the sketch, once, even if the job ended meanwhile', async () => {
  fake.mode = 'slow';
  const url = `${host.url}?room=enh-reload`;
  const a = await join(browser, url, 'Ivy', 'top-left');
  const b = await join(browser, url, 'Jo', 'top-right');
  try {
    await drawAndSelectLoop(a.page);
    const [sketch] = await a.page.evaluate(() => /** @type {any} */ (window).coco.shapes());
    const sb = boundsOf(sketch.points);
    for (const finishFirst of [false, true]) {
      await startEnhance(a.page, 'gemini');
      await a.page.getByTestId('enhance-message').filter({ hasText: /asking Gemini/ }).waitFor({ timeout: 10000 });
      if (finishFirst) {
        // The tab is gone while the job ends: it comes back to a finished job.
        const tab = a.page.url();
        await a.page.goto('about:blank');
        const deadline = Date.now() + 20000;
        while ((await fetch(`${host.url}api/jobs?room=enh-reload`).then((r) => r.json())).jobs[0]?.status !== 'complete') {
          assert.ok(Date.now() < deadline, 'the job did not finish');
          await new Promise((r) => setTimeout(r, 200));
        }
        await a.page.goto(tab);
      } else {
        await a.page.reload();
      }
      await waitState(a.page, (s) => s.connection === 'connected');
      await a.page.getByTestId('toast').filter({ hasText: /enhanced picture is on the board/ }).waitFor({ timeout: 20000 });
      const want = finishFirst ? 2 : 1;
      await waitState(b.page, (s) => s.shapesCount === 1 + want);
      const shapes = await imageShapes(b.page);
      assert.equal(shapes.length, want);
      // Over the sketch (the second round enhances the whole board: the sketch and the first picture over it).
      const [p0, p1] = shapes[want - 1].points;
      assert.ok(p0.x <= sb.minX + 2 && p0.y <= sb.minY + 2 && p1.x >= sb.maxX - 2 && p1.y >= sb.maxY - 2,
        `the picture ${JSON.stringify([p0, p1])} covers the sketch ${JSON.stringify(sb)}`);
    }
    // Another reload places nothing more.
    await a.page.reload();
    await waitState(a.page, (s) => s.connection === 'connected' && s.shapesCount === 3);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await imageShapes(b.page)).length, 2);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('a tab remembers at most MAX_PENDING (8) unplaced enhancements, dropping the oldest past it', async () => {
  const a = await join(browser, `${host.url}?room=enh-pending`, 'Kim', 'top-left');
  try {
    const kept = await a.page.evaluate(async () => {
      const module = '/js/pending.js'; // the page's own module, as the page loaded it
      const p = await import(module);
      const box = { minX: 0, minY: 0, maxX: 10, maxY: 10 };
      const ids = (/** @type {any[]} */ list) => list.map((x) => x.id);
      for (let i = 1; i <= p.MAX_PENDING; i++) p.rememberJob('enh-pending', `job${i}`, box);
      const atLimit = ids(p.pendingJobs('enh-pending'));
      p.rememberJob('enh-pending', 'past', box);
      const past = ids(p.pendingJobs('enh-pending'));
      p.forgetJob('enh-pending', 'past');
      return { max: p.MAX_PENDING, atLimit, past, after: ids(p.pendingJobs('enh-pending')) };
    });
    assert.equal(kept.max, 8);
    assert.deepEqual(kept.atLimit, Array.from({ length: 8 }, (_, i) => `job${i + 1}`));
    assert.deepEqual(kept.past, [...kept.atLimit.slice(1), 'past']);
    assert.deepEqual(kept.after, kept.atLimit.slice(1));
  } finally {
    await a.context.close();
  }
});
