// @ts-check
/**
 * The room's background jobs as this page knows them, from `JOB_UPDATED`
 * frames and one look at `GET /api/jobs` on opening, and the small lines
 * at the top of the board that say what the others are doing ("Ada is
 * enhancing… 40%", "Bo is making a video…"). One's own jobs show in their
 * own dialog or panel instead.
 */
import { hostFetch } from './hostjson.js';
import { t, formatNumber } from './i18n.js';

/**
 * A job as the host shows it (`JOB_UPDATED`, `GET /api/jobs/{id}`).
 * @typedef {{id: string, kind: string, room: string, status: 'queued'|'running'|'complete'|'failed'|'cancelled',
 *   progress: number, message: string, updatedAt?: number, input?: any, result?: any, error?: {code: string, message: string}}} Job
 */

/** Jobs remembered from the room's frames: a frame may arrive before the answer that names its job. */
const MAX_REMEMBERED_JOBS = 64;
/** What the line says a job of each kind is doing; other kinds get no line. @type {Record<string, string>} */
/** The jobs said while they run (`board.activity.<kind>.<mine|theirs>` in the catalogs). */
const DOING = { enhance: true, video: true };

const FINAL = new Set(['complete', 'failed', 'cancelled']);
/** @param {Job} job */
export const isFinal = (job) => FINAL.has(job.status);

/**
 * Whether `b` is a later state of the same job than `a`: a final state is
 * never replaced, and frames can overtake the HTTP answers.
 * @param {Job} a @param {Job} b
 */
export function newer(a, b) {
  if (isFinal(a)) return false;
  if (isFinal(b)) return true;
  return (b.updatedAt || 0) >= (a.updatedAt || 0);
}

export class RoomJobs {
  /**
   * @param {{list: HTMLElement, room: string, userId: string, userName: (id: string) => string|null,
   *   ownShown: (job: Job) => boolean}} o `ownShown`: this page shows the job itself, so no line for it
   */
  constructor(o) {
    this.o = o;
    /** @type {Map<string, Job>} */
    this.jobs = new Map();
  }

  /** @param {string} id */
  get(id) { return this.jobs.get(id); }

  /**
   * Keeps the latest state of a job. @param {Job} job
   * @returns {boolean} false for a state older than the one known
   */
  update(job) {
    const old = this.jobs.get(job.id);
    if (old && !newer(old, job)) return false;
    this.jobs.delete(job.id);
    this.jobs.set(job.id, job);
    if (this.jobs.size > MAX_REMEMBERED_JOBS) this.jobs.delete(/** @type {string} */ (this.jobs.keys().next().value));
    this.render();
    return true;
  }

  /** The jobs already running in the room when this page opened. */
  async load() {
    if (!navigator.onLine) return; // a reload offline: the frames after the reconnect will tell
    try {
      const res = await hostFetch(`/api/jobs?room=${encodeURIComponent(this.o.room)}`, { cache: 'no-store' });
      const body = await res.json();
      for (const job of Array.isArray(body.jobs) ? body.jobs : []) if (!isFinal(job) && !this.jobs.has(job.id)) this.update(job);
    } catch { /* the frames will tell */ }
  }

  render() {
    const lines = [];
    for (const job of this.jobs.values()) {
      if (!DOING[job.kind] || isFinal(job) || this.o.ownShown(job)) continue;
      const by = typeof job.input?.by === 'string' ? job.input.by : '';
      const mine = by === this.o.userId;
      const name = (by && this.o.userName(by)) || t('board.someone');
      const li = document.createElement('li');
      li.dataset.testid = 'activity-item';
      const pct = Math.round((Number(job.progress) || 0) * 100);
      li.textContent = `${t(`board.activity.${job.kind}.${mine ? 'mine' : 'theirs'}`, { name })}${pct > 0 ? ` ${formatNumber(pct / 100, { style: 'percent' })}` : ''}`;
      lines.push(li);
    }
    this.o.list.replaceChildren(...lines);
  }
}
