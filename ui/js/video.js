// @ts-check
/**
 * The "Make video" panel: settings, the render's progress (from the room's
 * `JOB_UPDATED` frames, with a slow poll in case the connection drops), a
 * cancel button, then the video to watch and download; below, every video
 * the room has made (`videolist.js`), so the others can watch it too.
 *
 * Some browsers cannot play H.264 (Debian's Chromium is built without it),
 * so where `canPlayType` says no, the panel asks the host for a GIF and says
 * why: a video that cannot be watched where it was made is no result.
 */
import { el } from './ui.js';
import { imageUrl } from './images.js';
import { hostJson, HostError, totalMs } from './hostjson.js';
import { StoryChoice, storyView } from './videostory.js';
import { RoomVideos, downloadName, videoName } from './videolist.js';
import { TimelapseControl } from './timelapse.js';
import { limits } from './limits.js';
import { t, onLanguage } from './i18n.js';
import { said, seconds, fileSize, pixels, stageText, errorText, storyboardName } from './mediatext.js';

/** Sizes offered, those the host makes (up to its `video.maxWidth` × `video.maxHeight`). */
const SIZES = [
  { id: '360p', preview: true, width: 640, height: 360 },
  { id: '720p', preview: false, width: 1280, height: 720 },
  { id: '1080p', preview: false, width: 1920, height: 1080 },
];
export const videoSizes = () => SIZES.filter((s) => s.width <= limits.video.maxWidth && s.height <= limits.video.maxHeight);
/** How long without a pushed update before the panel asks the host itself. */
const POLL_MS = 2500;

/** Whether this browser plays the H.264 the host writes (baseline profile). */
export function canPlayH264() {
  const v = document.createElement('video');
  return v.canPlayType('video/mp4; codecs="avc1.42E01E"') !== '';
}

/**
 * @typedef {{id: string, kind: string, status: 'queued'|'running'|'complete'|'failed'|'cancelled',
 *   progress: number, message: string, input?: any, result?: any, updatedAt?: number, error?: {code: string, message: string}}} Job
 */


export class VideoPanel {
  /**
   * @param {{stage: HTMLElement, room: string, userId: string, userName: (id: string) => string|null,
   *   toast: (text: string, kind: 'info'|'bad', ms: number) => void,
   *   addClip: (job: any) => Promise<string>}} o
   *   addClip: a finished timelapse added to the storyboard as a clip; says where it went
   */
  constructor(o) {
    this.room = o.room;
    this.userId = o.userId;
    this.toast = o.toast;
    this.h264 = canPlayH264();
    /** @type {import('./storyboard.js').Storyboard|null} */
    this.storyboard = null;
    /** @type {string} the job this panel follows */
    this.jobId = '';
    this.lastEvent = 0;
    /** @type {ReturnType<typeof setInterval>|undefined} */
    this.poller = undefined;
    /** @type {{r: any, name: string}|null} the video shown, to say again after a language switch */
    this.lastResult = null;

    const close = el('button', { type: 'button', class: 'vp-close', ...said('', { 'aria-label': 'media.close' }), 'data-testid': 'video-close' }, ['×']);
    this.plan = el('p', { class: 'vp-plan', 'data-testid': 'video-plan' });
    this.title = /** @type {HTMLInputElement} */ (el('input', { maxlength: String(limits.storyboard.maxTitleChars), ...said('', { placeholder: 'media.video.titleHint' }), 'data-testid': 'video-title' }));
    this.sizes = videoSizes();
    this.size = /** @type {HTMLSelectElement} */ (el('select', { 'data-testid': 'video-size' },
      this.sizes.map((s) => el('option', { value: s.id, ...(s.preview ? said('media.video.preview') : {}) }, [s.preview ? t('media.video.preview') : s.id]))));
    this.size.value = '720p';
    this.format = /** @type {HTMLSelectElement} */ (el('select', { 'data-testid': 'video-format' }, [
      el('option', { value: 'mp4', ...said(this.h264 ? 'media.video.mp4' : 'media.video.mp4NoPlay') }, [t(this.h264 ? 'media.video.mp4' : 'media.video.mp4NoPlay')]),
      el('option', { value: 'gif', ...said('media.video.gif') }, [t('media.video.gif')]),
    ]));
    this.format.value = this.h264 ? 'mp4' : 'gif';
    // A GIF is made at most `video.gifMaxWidth` wide whatever size is chosen: the
    // size choice says so instead of promising a 360p it will not get.
    this.gifSize = el('small', { class: 'muted', 'data-testid': 'video-gif-size' });
    const gifWidth = () => { this.gifSize.textContent = t('media.video.gifWidth', { width: limits.video.gifMaxWidth }); };
    gifWidth();
    const onFormat = () => {
      const gif = this.format.value === 'gif';
      this.size.disabled = gif;
      this.gifSize.hidden = !gif;
    };
    this.format.addEventListener('change', onFormat);
    onFormat();
    // The host has no music to add (it says so in a video's notes): the
    // choice is shown, off, with the reason, rather than offered and then refused.
    this.music = /** @type {HTMLInputElement} */ (el('input', { type: 'checkbox', 'data-testid': 'video-music', disabled: '', 'aria-describedby': 'video-music-why' }));
    const note = el('p', { class: 'vp-note muted', 'data-testid': 'video-format-note', ...said('media.video.noH264') }, [t('media.video.noH264')]);
    note.hidden = this.h264;
    this.story = new StoryChoice();
    this.make = /** @type {HTMLButtonElement} */ (el('button', { type: 'submit', class: 'primary', 'data-testid': 'video-make', ...said('media.video.make') }, [t('media.video.make')]));
    this.form = /** @type {HTMLFormElement} */ (el('form', { class: 'vp-form', 'data-testid': 'video-form' }, [
      this.plan,
      el('label', {}, [el('span', {}, [el('span', said('media.video.title'), [t('media.video.title')]), ' ', el('span', { class: 'muted', ...said('media.optional') }, [t('media.optional')])]), this.title]),
      el('div', { class: 'vp-row' }, [
        el('label', {}, [el('span', said('media.video.size'), [t('media.video.size')]), this.size]),
        el('label', {}, [el('span', said('media.video.format'), [t('media.video.format')]), this.format]),
      ]),
      this.gifSize,
      note,
      this.story.root,
      el('label', { class: 'check' }, [this.music, ' ', el('span', said('media.video.music'), [t('media.video.music')]), ' ',
        el('span', { class: 'muted', id: 'video-music-why', 'data-testid': 'video-music-why', ...said('media.video.noMusic') }, [t('media.video.noMusic')])]),
      this.make,
    ]));

    this.bar = /** @type {HTMLProgressElement} */ (el('progress', { max: '1', value: '0', ...said('', { 'aria-label': 'media.video.progress' }), 'data-testid': 'video-progress-bar' }));
    this.status = el('span', { class: 'vp-status', 'data-testid': 'video-progress-text' });
    this.cancel = /** @type {HTMLButtonElement} */ (el('button', { type: 'button', 'data-testid': 'video-cancel', ...said('media.cancel') }, [t('media.cancel')]));
    this.progress = el('div', { class: 'vp-progress', 'data-testid': 'video-progress', role: 'status', 'aria-live': 'polite' },
      [this.bar, el('div', { class: 'vp-row' }, [this.status, this.cancel])]);

    this.name = el('strong', { class: 'vp-name', 'data-testid': 'video-name' });
    this.media = el('div', { class: 'vp-media' });
    this.meta = el('p', { class: 'vp-meta muted', 'data-testid': 'video-meta' });
    this.told = el('div', { class: 'vp-told', 'data-testid': 'video-told' });
    this.notes = el('ul', { class: 'vp-notes', 'data-testid': 'video-notes' });
    this.download = /** @type {HTMLAnchorElement} */ (el('a', { class: 'vp-download', 'data-testid': 'video-download' }, [t('media.video.download')]));
    const again = el('button', { type: 'button', 'data-testid': 'video-again', ...said('media.video.again') }, [t('media.video.again')]);
    this.result = el('div', { class: 'vp-result', 'data-testid': 'video-result' },
      [this.name, this.media, this.meta, this.told, this.notes, el('div', { class: 'vp-row' }, [this.download, again])]);

    this.error = el('p', { class: 'error vp-error', role: 'alert', 'data-testid': 'video-error' });
    this.videos = new RoomVideos({
      room: o.room, userId: o.userId, userName: o.userName,
      onWatch: (job) => { this.showResult(job.result, videoName(job)); this.media.scrollIntoView({ block: 'nearest' }); },
      onAddClip: async (job) => {
        try {
          this.toast(await o.addClip(job), 'info', 3000);
        } catch (e) {
          const why = e instanceof HostError ? errorText(e, e.message) : t('media.story.noAnswer');
          this.toast(t('timelapse.clipFailed', { why: why.replace(/\.$/, '') }), 'bad', 8000);
        }
      },
    });
    this.lapse = new TimelapseControl({
      room: o.room, userId: o.userId,
      onDone: (job) => { this.videos.onJob(job); this.showResult(job.result, videoName(job)); },
    });
    this.root = el('section', { class: 'video-panel', 'data-testid': 'video-panel', role: 'dialog', 'aria-labelledby': 'vp-title', hidden: '' }, [
      el('header', {}, [el('h2', { id: 'vp-title', ...said('media.video.heading') }, [t('media.video.heading')]), close]),
      this.form, this.progress, this.result, this.error, this.lapse.root, this.videos.root,
    ]);
    o.stage.append(this.root);

    close.addEventListener('click', () => { this.root.hidden = true; });
    this.root.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.root.hidden = true; });
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.start(); });
    this.cancel.addEventListener('click', () => this.cancelJob());
    again.addEventListener('click', () => { this.error.textContent = ''; this.show('form'); });
    this.show('form');
    onLanguage(() => {
      gifWidth();
      if (this.storyboard) this.setStoryboard(this.storyboard);
      if (this.lastResult) this.showResult(this.lastResult.r, this.lastResult.name, true);
    });
  }

  /** @param {'form'|'progress'|'result'} part */
  show(part) {
    this.form.hidden = part !== 'form';
    // A render being followed stays in sight while another video is watched.
    this.progress.hidden = part !== 'progress' && !(part === 'result' && this.jobId);
    this.result.hidden = part !== 'result';
    if (part !== 'result') this.media.replaceChildren(); // stops a video that was playing
  }

  /** @param {import('./storyboard.js').Storyboard} sb */
  open(sb) {
    this.setStoryboard(sb);
    this.root.hidden = false;
    if (!this.form.hidden) this.title.focus();
    this.story.refresh();
    this.videos.load();
  }

  /** Keeps the plan line current while frames change. @param {import('./storyboard.js').Storyboard} sb */
  setStoryboard(sb) {
    this.storyboard = sb;
    const n = sb.frames.length;
    const parts = [storyboardName(sb.name), t('media.story.frameCount', { count: n })];
    if (n) parts.push(t('media.video.about', { duration: seconds(totalMs(sb)) }));
    if (n < 2) parts.push(t('media.video.needsTwo'));
    this.plan.textContent = parts.join(' · ');
    if (!this.title.value && sb.title) this.title.value = sb.title;
  }

  async start() {
    const sb = this.storyboard;
    if (!sb) return;
    const size = this.sizes.find((s) => s.id === this.size.value) || this.sizes[this.sizes.length - 1];
    this.error.textContent = '';
    this.make.disabled = true;
    try {
      const body = {
        storyboardId: sb.id, room: this.room, width: size.width, height: size.height, format: this.format.value,
        includeMusic: this.music.checked, by: this.userId, ...(this.title.value.trim() ? { title: this.title.value.trim() } : {}), ...this.story.fields(),
      };
      const res = await hostJson('POST', '/api/generate-video', body);
      this.jobId = String(res.requestId || res.job?.id || '');
      this.bar.value = 0;
      this.status.textContent = t('media.video.waitingStart');
      this.cancel.disabled = false;
      this.show('progress');
      this.lastEvent = Date.now();
      clearInterval(this.poller);
      this.poller = setInterval(() => this.poll(), POLL_MS);
      if (res.job) this.onJob(res.job);
    } catch (e) {
      this.fail(e instanceof HostError ? this.explain(e.code, e.message) : t('media.video.notStarted'));
    } finally {
      this.make.disabled = false;
    }
  }

  /** A sentence for a refusal the panel knows; the host's own words otherwise. @param {string} code @param {string} said */
  explain(code, said) {
    const n = this.storyboard ? this.storyboard.frames.length : 0;
    if (code === 'too_few_frames') return t('media.video.tooFew', { count: n });
    if (code === 'queue_full') return t('media.video.busy');
    if (code === 'unreachable') return said;
    return t('media.video.failed', { why: errorText({ code, message: said }, said).replace(/\.$/, '') });
  }

  /** Shows an error under the form. @param {string} message */
  fail(message) {
    this.stopFollowing();
    this.show('form');
    this.error.textContent = message;
  }

  /** For when pushed updates stop coming (a dropped connection). */
  async poll() {
    if (!this.jobId || Date.now() - this.lastEvent < POLL_MS) return;
    try {
      const res = await hostJson('GET', `/api/jobs/${this.jobId}`);
      if (res.job) this.onJob(res.job);
    } catch { /* the next poll, or a pushed update, will tell */ }
  }

  /** A job update pushed to the room (or polled). @param {Job} job */
  onJob(job) {
    if (job && job.kind === 'timelapse') this.lapse.onJob(job);
    if (!job || (job.kind && job.kind !== 'video' && job.kind !== 'timelapse')) return;
    if (this.videos.onJob(job) && job.id !== this.jobId && job.input?.by !== this.userId) {
      const who = this.videos.who(job);
      this.toast(t('media.video.madeToast', { who: `${who.charAt(0).toUpperCase()}${who.slice(1)}`, name: videoName(job) }), 'info', 8000);
    }
    if (job.id !== this.jobId) return;
    this.lastEvent = Date.now();
    if (job.status === 'queued' || job.status === 'running') {
      this.bar.value = Math.max(0, Math.min(1, Number(job.progress) || 0));
      this.status.textContent = job.status === 'queued' ? t('media.video.queued') : (stageText(job.message) || t('media.job.working'));
      return;
    }
    this.stopFollowing();
    if (job.status === 'complete' && job.result) this.showResult(job.result, videoName(job));
    else if (job.status === 'cancelled') this.fail(t('media.video.cancelled'));
    else this.fail(this.explain(job.error?.code || 'failed', job.error?.message || t('media.video.hostCouldNot')));
  }

  stopFollowing() {
    clearInterval(this.poller);
    this.poller = undefined;
    this.jobId = '';
  }

  async cancelJob() {
    if (!this.jobId) return;
    this.cancel.disabled = true;
    this.status.textContent = t('media.job.cancelling');
    try {
      const res = await hostJson('POST', `/api/jobs/${this.jobId}/cancel`);
      if (res.job) this.onJob(res.job);
    } catch (e) {
      // Finished before the cancel arrived: its last update shows the outcome.
      this.cancel.disabled = false;
      if (e instanceof HostError && e.code !== 'finished') this.status.textContent = e.message;
    }
  }

  /** @param {{path: string, filename?: string, format?: string, width?: number, height?: number, durationMs?: number, frames?: number, bytes?: number, notes?: string[],
   *   story?: import('./videostory.js').Story, narration?: import('./videostory.js').Narration}} r
   * @param {string} name what the video is called, for the result's heading
   * @param {boolean} [again] said again in another language: the video playing is kept */
  showResult(r, name, again = false) {
    this.lastResult = { r, name };
    const url = imageUrl(r.path);
    const gif = r.format === 'gif' || /\.gif$/i.test(r.path);
    if (again && this.result.hidden) return;
    if (!again) this.show('result');
    if (again) {
      this.media.querySelector('img')?.setAttribute('alt', t('media.video.gifAlt', { name }));
      const p = this.media.querySelector('p');
      if (p) p.textContent = t('media.video.unplayable');
    } else if (gif) {
      this.media.replaceChildren(el('img', { src: url, alt: t('media.video.gifAlt', { name }), 'data-testid': 'video-gif' }));
    } else if (this.h264) {
      this.media.replaceChildren(el('video', { src: url, controls: '', playsinline: '', preload: 'metadata', 'data-testid': 'video-player' }));
    } else {
      this.media.replaceChildren(el('p', { class: 'vp-note', 'data-testid': 'video-unplayable' }, [t('media.video.unplayable')]));
    }
    this.name.textContent = name;
    const bits = [];
    if (r.width && r.height) bits.push(pixels(r.width, r.height, '×'));
    if (r.durationMs) bits.push(seconds(r.durationMs));
    if (r.bytes) bits.push(fileSize(r.bytes));
    bits.push(gif ? 'GIF' : 'MP4');
    if (gif && !this.h264) bits.push(t('media.video.madeAsGif'));
    this.meta.textContent = bits.join(' · ');
    this.told.replaceChildren(...storyView(r));
    const notes = Array.isArray(r.notes) ? r.notes.filter((n) => typeof n === 'string' && n) : [];
    this.notes.replaceChildren(...notes.map((n) => el('li', {}, [n.charAt(0).toUpperCase() + n.slice(1)])));
    this.notes.hidden = notes.length === 0;
    this.download.href = url;
    this.download.download = downloadName(r);
    this.download.textContent = t('media.video.downloadAs', { format: gif ? 'GIF' : 'MP4' });
  }
}
