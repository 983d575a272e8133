// @ts-check
/**
 * "Timelapse" in the video panel: the room's whole history replayed as a
 * video (`POST /api/rooms/{room}/timelapse`), strokes appearing in the order
 * and colours they were drawn, with the names of the people who drew. The
 * person picks a length and starts it; progress and cancel work like the
 * storyboard video's, from the room's `JOB_UPDATED` frames with a slow poll
 * in case they stop. The finished video joins the room's list of videos
 * (`videolist.js`), where everyone can watch and download it.
 */
import { el } from './ui.js';
import { hostJson, HostError } from './hostjson.js';
import { t, onLanguage } from './i18n.js';
import { said, errorText } from './mediatext.js';

/** Lengths offered, in seconds (the host takes 2 to 300). */
const LENGTHS = [15, 30, 60];
/** How long without a pushed update before asking the host itself. */
const POLL_MS = 2500;

export class TimelapseControl {
  /**
   * @param {{room: string, userId: string, onDone: (job: any) => void}} o
   *   onDone: a finished timelapse, for the list and the player
   */
  constructor(o) {
    this.o = o;
    /** @type {string} the job followed */
    this.jobId = '';
    this.lastEvent = 0;
    /** @type {ReturnType<typeof setInterval>|undefined} */
    this.poller = undefined;
    this.length = /** @type {HTMLSelectElement} */ (el('select', { 'data-testid': 'timelapse-length' },
      LENGTHS.map((s) => el('option', { value: String(s) }, [t('timelapse.seconds', { n: s })]))));
    this.length.value = '30';
    this.make = /** @type {HTMLButtonElement} */ (el('button', { type: 'submit', 'data-testid': 'timelapse-make', ...said('timelapse.make') }, [t('timelapse.make')]));
    this.form = /** @type {HTMLFormElement} */ (el('form', { class: 'vp-row', 'data-testid': 'timelapse-form' }, [
      el('label', {}, [el('span', said('timelapse.length'), [t('timelapse.length')]), this.length]), this.make,
    ]));
    this.bar = /** @type {HTMLProgressElement} */ (el('progress', { max: '1', value: '0', ...said('', { 'aria-label': 'timelapse.progress' }), 'data-testid': 'timelapse-progress-bar' }));
    this.status = el('span', { class: 'vp-status', 'data-testid': 'timelapse-status' });
    this.cancel = /** @type {HTMLButtonElement} */ (el('button', { type: 'button', 'data-testid': 'timelapse-cancel', ...said('media.cancel') }, [t('media.cancel')]));
    this.progress = el('div', { class: 'vp-progress', role: 'status', 'aria-live': 'polite', 'data-testid': 'timelapse-progress' },
      [this.bar, el('div', { class: 'vp-row' }, [this.status, this.cancel])]);
    this.progress.hidden = true;
    this.error = el('p', { class: 'error vp-error', role: 'alert', 'data-testid': 'timelapse-error' });
    this.root = el('section', { class: 'vp-timelapse', 'aria-labelledby': 'vp-timelapse-title', 'data-testid': 'timelapse' }, [
      el('h3', { id: 'vp-timelapse-title', ...said('timelapse.heading') }, [t('timelapse.heading')]),
      el('p', { class: 'vp-note muted', ...said('timelapse.about') }, [t('timelapse.about')]),
      this.form, this.progress, this.error,
    ]);
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.start(); });
    this.cancel.addEventListener('click', () => this.cancelJob());
    onLanguage(() => {
      for (const option of this.length.options) option.textContent = t('timelapse.seconds', { n: Number(option.value) });
    });
  }

  async start() {
    this.error.textContent = '';
    this.make.disabled = true;
    try {
      const body = { seconds: Number(this.length.value), preset: '720p', by: this.o.userId, utcOffsetMinutes: -new Date().getTimezoneOffset() };
      const res = await hostJson('POST', `/api/rooms/${encodeURIComponent(this.o.room)}/timelapse`, body);
      this.jobId = String(res.requestId || res.job?.id || '');
      this.bar.value = 0;
      this.status.textContent = t('timelapse.waiting');
      this.cancel.disabled = false;
      this.form.hidden = true;
      this.progress.hidden = false;
      this.lastEvent = Date.now();
      clearInterval(this.poller);
      this.poller = setInterval(() => this.poll(), POLL_MS);
      if (res.job) this.onJob(res.job);
    } catch (e) {
      this.fail(e instanceof HostError ? this.explain(e.code, e.message) : t('timelapse.notStarted'));
    } finally {
      this.make.disabled = false;
    }
  }

  /** A sentence for a refusal. @param {string} code @param {string} message */
  explain(code, message) {
    if (code === 'empty_range') return t('timelapse.empty');
    if (code === 'history_off') return t('timelapse.historyOff');
    if (code === 'queue_full') return t('timelapse.busy');
    return t('timelapse.failed', { why: errorText({ code, message }, message).replace(/\.$/, '') });
  }

  /** @param {string} message */
  fail(message) {
    this.stopFollowing();
    this.error.textContent = message;
  }

  async poll() {
    if (!this.jobId || Date.now() - this.lastEvent < POLL_MS) return;
    try {
      const res = await hostJson('GET', `/api/jobs/${this.jobId}`);
      if (res.job) this.onJob(res.job);
    } catch { /* the next poll, or a pushed update, will tell */ }
  }

  /** A timelapse job of the room changed. @param {any} job */
  onJob(job) {
    if (!job || job.id !== this.jobId) return;
    this.lastEvent = Date.now();
    if (job.status === 'queued' || job.status === 'running') {
      this.bar.value = Math.max(0, Math.min(1, Number(job.progress) || 0));
      this.status.textContent = job.status === 'queued' ? t('timelapse.queued') : t('timelapse.working', { percent: Math.round(this.bar.value * 100) });
      return;
    }
    this.stopFollowing();
    if (job.status === 'complete' && job.result) this.o.onDone(job);
    else if (job.status === 'cancelled') this.error.textContent = t('timelapse.cancelled');
    else this.fail(this.explain(job.error?.code || 'failed', job.error?.message || ''));
  }

  stopFollowing() {
    clearInterval(this.poller);
    this.poller = undefined;
    this.jobId = '';
    this.form.hidden = false;
    this.progress.hidden = true;
  }

  async cancelJob() {
    if (!this.jobId) return;
    this.cancel.disabled = true;
    this.status.textContent = t('media.job.cancelling');
    try {
      const res = await hostJson('POST', `/api/jobs/${this.jobId}/cancel`);
      if (res.job) this.onJob(res.job);
    } catch (e) {
      this.cancel.disabled = false;
      if (e instanceof HostError && e.code !== 'finished') this.status.textContent = e.message;
    }
  }
}
