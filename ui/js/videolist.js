// @ts-check
/**
 * The room's videos, for everyone in it: every finished render of the room,
 * newest first, with who asked for it, to watch and download. The list comes
 * from the host (`GET /api/jobs?kind=video,timelapse`: storyboard videos and
 * timelapses of the room's history) when the panel opens and is kept
 * current by the room's `JOB_UPDATED` frames, so a video one person makes is
 * there for all of them, and still there after a reload or a host restart.
 * A timelapse can be added from here to the storyboard, as a clip that
 * plays in the storyboard's video (`clip.js`).
 */
import { el } from './ui.js';
import { imageUrl } from './images.js';
import { hostJson } from './hostjson.js';
import { t, onLanguage, formatTime } from './i18n.js';
import { said, seconds, storyboardName } from './mediatext.js';
import { canClip } from './clip.js';

/**
 * @typedef {{id: string, kind: string, status: string, updatedAt?: number, createdAt?: number,
 *   input?: {by?: string, title?: string|null, storyboardName?: string}, result?: any}} VideoJob
 */

/** A finished video job with a file to show. @param {any} job @returns {job is VideoJob} */
export const isFinishedVideo = (job) => !!job && (job.kind === 'video' || job.kind === 'timelapse') && job.status === 'complete'
  && typeof job.result?.path === 'string' && job.result.path.startsWith('/videos/');

/** The name a video goes by: its title, else its storyboard's name. @param {VideoJob} job */
export function videoName(job) {
  if (job.kind === 'timelapse') return t('timelapse.name');
  const title = job.result?.story?.title || job.input?.title;
  return (typeof title === 'string' && title) || storyboardName(job.input?.storyboardName || '') || t('media.video.untitled');
}

/**
 * The name a video is saved under: the host's (the storyboard's name, numbered
 * when repeated), else a plain one for videos made before the host kept names.
 * @param {any} result
 */
export function downloadName(result) {
  if (typeof result?.downloadName === 'string' && result.downloadName) return result.downloadName;
  const gif = result?.format === 'gif' || /\.gif$/i.test(result?.path || '');
  return `${t('media.video.fileName')}.${gif ? 'gif' : 'mp4'}`;
}

export class RoomVideos {
  /**
   * @param {{room: string, userId: string, userName: (id: string) => string|null,
   *   onWatch: (job: VideoJob) => void, onAddClip: (job: VideoJob) => Promise<void>}} o
   */
  constructor(o) {
    this.o = o;
    /** @type {Map<string, VideoJob>} */
    this.jobs = new Map();
    this.list = el('ol', { class: 'vp-videos', 'data-testid': 'video-list', ...said('', { 'aria-label': 'media.video.listLabel' }) });
    this.empty = el('p', { class: 'vp-note muted', 'data-testid': 'video-list-empty', ...said('media.video.listEmpty') }, [t('media.video.listEmpty')]);
    this.root = el('section', { class: 'vp-room', 'aria-labelledby': 'vp-room-title' }, [
      el('h3', { id: 'vp-room-title', ...said('media.video.listTitle') }, [t('media.video.listTitle')]), this.list, this.empty,
    ]);
    this.render();
    onLanguage(() => this.render());
  }

  /** Asks the host for the room's videos (they outlive pages and restarts). */
  async load() {
    try {
      const res = await hostJson('GET', `/api/jobs?room=${encodeURIComponent(this.o.room)}&kind=video,timelapse`);
      for (const job of Array.isArray(res.jobs) ? res.jobs : []) if (isFinishedVideo(job)) this.jobs.set(job.id, job);
      this.render();
    } catch { /* the list keeps what the frames told; the next opening asks again */ }
  }

  /**
   * A job update of the room.
   * @param {any} job @returns {boolean} whether it is a video this list had not seen finished
   */
  onJob(job) {
    if (!isFinishedVideo(job)) return false;
    const fresh = !this.jobs.has(job.id);
    this.jobs.set(job.id, job);
    this.render();
    return fresh;
  }

  /** Who asked for a video, as the list says it. @param {VideoJob} job */
  who(job) {
    const by = job.input?.by;
    if (!by) return t('media.video.someone');
    if (by === this.o.userId) return t('media.video.you');
    return this.o.userName(by) || t('media.video.someoneLeft');
  }

  render() {
    // As many as the host lists (jobs::MAX_LISTED_JOBS), and those finished since.
    const jobs = [...this.jobs.values()].sort((a, b) => (b.updatedAt || 0) - (a.updatedAt || 0));
    this.list.replaceChildren(...jobs.map((job) => {
      const r = job.result;
      const gif = r.format === 'gif' || /\.gif$/i.test(r.path);
      const bits = [t('media.video.by', { who: this.who(job) })];
      if (r.durationMs) bits.push(seconds(r.durationMs));
      bits.push(gif ? 'GIF' : 'MP4');
      if (job.updatedAt) bits.push(formatTime(job.updatedAt));
      const watch = el('button', { type: 'button', 'data-testid': 'video-watch' }, [t('media.video.watch')]);
      watch.addEventListener('click', () => this.o.onWatch(job));
      const save = el('a', { href: imageUrl(r.path), download: downloadName(r), 'data-testid': 'video-list-download' }, [t('media.video.download')]);
      const actions = [watch, save];
      if (canClip(job)) {
        const add = /** @type {HTMLButtonElement} */ (el('button', { type: 'button', 'data-testid': 'video-add-clip', title: t('timelapse.addTitle') }, [t('timelapse.addToStoryboard')]));
        add.addEventListener('click', async () => {
          add.disabled = true;
          try { await this.o.onAddClip(job); } finally { add.disabled = false; }
        });
        actions.push(add);
      }
      return el('li', { 'data-testid': 'video-item', 'data-id': job.id }, [
        el('div', { class: 'vp-video-text' }, [el('strong', {}, [videoName(job)]), el('span', { class: 'muted' }, [bits.join(' · ')])]),
        ...actions,
      ]);
    }));
    this.empty.hidden = jobs.length > 0;
  }
}
