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
import { limits } from './limits.js';

/** Sizes offered, those the host makes (up to its `video.maxWidth` × `video.maxHeight`). */
const SIZES = [
  { id: '360p', label: '360p (preview)', width: 640, height: 360 },
  { id: '720p', label: '720p', width: 1280, height: 720 },
  { id: '1080p', label: '1080p', width: 1920, height: 1080 },
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

/** @param {number} n */
const mb = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

export class VideoPanel {
  /**
   * @param {{stage: HTMLElement, room: string, userId: string, userName: (id: string) => string|null,
   *   toast: (text: string, kind: 'info'|'bad', ms: number) => void}} o
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

    const close = el('button', { type: 'button', class: 'vp-close', 'aria-label': 'Close', 'data-testid': 'video-close' }, ['×']);
    this.plan = el('p', { class: 'vp-plan', 'data-testid': 'video-plan' });
    this.title = /** @type {HTMLInputElement} */ (el('input', { maxlength: String(limits.storyboard.maxTitleChars), placeholder: 'Shown before the first frame', 'data-testid': 'video-title' }));
    this.sizes = videoSizes();
    this.size = /** @type {HTMLSelectElement} */ (el('select', { 'data-testid': 'video-size' },
      this.sizes.map((s) => el('option', { value: s.id }, [s.label]))));
    this.size.value = '720p';
    this.format = /** @type {HTMLSelectElement} */ (el('select', { 'data-testid': 'video-format' }, [
      el('option', { value: 'mp4' }, [this.h264 ? 'MP4 video' : 'MP4 video (this browser cannot play it)']),
      el('option', { value: 'gif' }, ['GIF (plays anywhere, no sound)']),
    ]));
    this.format.value = this.h264 ? 'mp4' : 'gif';
    // A GIF is made at most `video.gifMaxWidth` wide whatever size is chosen: the
    // size choice says so instead of promising a 360p it will not get.
    this.gifSize = el('small', { class: 'muted', 'data-testid': 'video-gif-size' }, [
      `A GIF is made ${limits.video.gifMaxWidth} px wide at most, to stay small.`,
    ]);
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
    const note = el('p', { class: 'vp-note muted', 'data-testid': 'video-format-note' }, [
      'This browser cannot play MP4 (H.264) video, so the video is made as a GIF you can watch here.',
    ]);
    note.hidden = this.h264;
    this.story = new StoryChoice();
    this.make = /** @type {HTMLButtonElement} */ (el('button', { type: 'submit', class: 'primary', 'data-testid': 'video-make' }, ['Make video']));
    this.form = /** @type {HTMLFormElement} */ (el('form', { class: 'vp-form', 'data-testid': 'video-form' }, [
      this.plan,
      el('label', {}, [el('span', {}, ['Title ', el('span', { class: 'muted' }, ['(optional)'])]), this.title]),
      el('div', { class: 'vp-row' }, [el('label', {}, [el('span', {}, ['Size']), this.size]), el('label', {}, [el('span', {}, ['Format']), this.format])]),
      this.gifSize,
      note,
      this.story.root,
      el('label', { class: 'check' }, [this.music, ' Background music ',
        el('span', { class: 'muted', id: 'video-music-why', 'data-testid': 'video-music-why' }, ['(this host has no music to add)'])]),
      this.make,
    ]));

    this.bar = /** @type {HTMLProgressElement} */ (el('progress', { max: '1', value: '0', 'aria-label': 'Video progress', 'data-testid': 'video-progress-bar' }));
    this.status = el('span', { class: 'vp-status', 'data-testid': 'video-progress-text' });
    this.cancel = /** @type {HTMLButtonElement} */ (el('button', { type: 'button', 'data-testid': 'video-cancel' }, ['Cancel']));
    this.progress = el('div', { class: 'vp-progress', 'data-testid': 'video-progress', role: 'status', 'aria-live': 'polite' },
      [this.bar, el('div', { class: 'vp-row' }, [this.status, this.cancel])]);

    this.name = el('strong', { class: 'vp-name', 'data-testid': 'video-name' });
    this.media = el('div', { class: 'vp-media' });
    this.meta = el('p', { class: 'vp-meta muted', 'data-testid': 'video-meta' });
    this.told = el('div', { class: 'vp-told', 'data-testid': 'video-told' });
    this.notes = el('ul', { class: 'vp-notes', 'data-testid': 'video-notes' });
    this.download = /** @type {HTMLAnchorElement} */ (el('a', { class: 'vp-download', 'data-testid': 'video-download' }, ['Download']));
    const again = el('button', { type: 'button', 'data-testid': 'video-again' }, ['Make another']);
    this.result = el('div', { class: 'vp-result', 'data-testid': 'video-result' },
      [this.name, this.media, this.meta, this.told, this.notes, el('div', { class: 'vp-row' }, [this.download, again])]);

    this.error = el('p', { class: 'error vp-error', role: 'alert', 'data-testid': 'video-error' });
    this.videos = new RoomVideos({
      room: o.room, userId: o.userId, userName: o.userName,
      onWatch: (job) => { this.showResult(job.result, videoName(job)); this.media.scrollIntoView({ block: 'nearest' }); },
    });
    this.root = el('section', { class: 'video-panel', 'data-testid': 'video-panel', role: 'dialog', 'aria-labelledby': 'vp-title', hidden: '' }, [
      el('header', {}, [el('h2', { id: 'vp-title' }, ['Make a video']), close]),
      this.form, this.progress, this.result, this.error, this.videos.root,
    ]);
    o.stage.append(this.root);

    close.addEventListener('click', () => { this.root.hidden = true; });
    this.root.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.root.hidden = true; });
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.start(); });
    this.cancel.addEventListener('click', () => this.cancelJob());
    again.addEventListener('click', () => { this.error.textContent = ''; this.show('form'); });
    this.show('form');
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
    const secs = Math.round(totalMs(sb) / 100) / 10;
    this.plan.textContent = `${sb.name} · ${n} frame${n === 1 ? '' : 's'}${n ? ` · about ${secs} s` : ''}${n < 2 ? ' · a video needs at least 2 frames' : ''}`;
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
      this.status.textContent = 'Waiting to start…';
      this.cancel.disabled = false;
      this.show('progress');
      this.lastEvent = Date.now();
      clearInterval(this.poller);
      this.poller = setInterval(() => this.poll(), POLL_MS);
      if (res.job) this.onJob(res.job);
    } catch (e) {
      this.fail(e instanceof HostError ? this.explain(e.code, e.message) : 'The video could not be started.');
    } finally {
      this.make.disabled = false;
    }
  }

  /** A sentence for a refusal the panel knows; the host's own words otherwise. @param {string} code @param {string} said */
  explain(code, said) {
    const n = this.storyboard ? this.storyboard.frames.length : 0;
    if (code === 'too_few_frames') return `A video needs at least 2 frames; this storyboard has ${n}. Add another picture first.`;
    if (code === 'queue_full') return 'The host is busy making other videos. Try again in a little while.';
    if (code === 'unreachable') return said;
    return `The video could not be made: ${said.replace(/\.$/, '')}.`;
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
    if (!job || (job.kind && job.kind !== 'video')) return;
    if (this.videos.onJob(job) && job.id !== this.jobId && job.input?.by !== this.userId) {
      const who = this.videos.who(job);
      this.toast(`${who.charAt(0).toUpperCase()}${who.slice(1)} made a video, “${videoName(job)}”: it is under Make video.`, 'info', 8000);
    }
    if (job.id !== this.jobId) return;
    this.lastEvent = Date.now();
    if (job.status === 'queued' || job.status === 'running') {
      this.bar.value = Math.max(0, Math.min(1, Number(job.progress) || 0));
      this.status.textContent = job.status === 'queued' ? 'Waiting for its turn…' : (job.message || 'Working…');
      return;
    }
    this.stopFollowing();
    if (job.status === 'complete' && job.result) this.showResult(job.result, videoName(job));
    else if (job.status === 'cancelled') this.fail('Cancelled: no video was made.');
    else this.fail(this.explain(job.error?.code || 'failed', job.error?.message || 'the host could not make it'));
  }

  stopFollowing() {
    clearInterval(this.poller);
    this.poller = undefined;
    this.jobId = '';
  }

  async cancelJob() {
    if (!this.jobId) return;
    this.cancel.disabled = true;
    this.status.textContent = 'Cancelling…';
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
   * @param {string} name what the video is called, for the result's heading */
  showResult(r, name) {
    const url = imageUrl(r.path);
    const gif = r.format === 'gif' || /\.gif$/i.test(r.path);
    this.show('result');
    if (gif) {
      this.media.replaceChildren(el('img', { src: url, alt: `${name}, as an animated GIF`, 'data-testid': 'video-gif' }));
    } else if (this.h264) {
      this.media.replaceChildren(el('video', { src: url, controls: '', playsinline: '', preload: 'metadata', 'data-testid': 'video-player' }));
    } else {
      this.media.replaceChildren(el('p', { class: 'vp-note', 'data-testid': 'video-unplayable' }, ['This browser cannot play MP4 video: download it to watch it elsewhere, or make a GIF.']));
    }
    this.name.textContent = name;
    const bits = [];
    if (r.width && r.height) bits.push(`${r.width}×${r.height}`);
    if (r.durationMs) bits.push(`${Math.round(r.durationMs / 100) / 10} s`);
    if (r.bytes) bits.push(mb(r.bytes));
    bits.push(gif ? 'GIF' : 'MP4');
    this.meta.textContent = bits.join(' · ');
    if (gif && !this.h264) this.meta.textContent += ' · made as a GIF because this browser cannot play MP4 video';
    this.told.replaceChildren(...storyView(r));
    const notes = Array.isArray(r.notes) ? r.notes.filter((n) => typeof n === 'string' && n) : [];
    this.notes.replaceChildren(...notes.map((n) => el('li', {}, [n.charAt(0).toUpperCase() + n.slice(1)])));
    this.notes.hidden = notes.length === 0;
    this.download.href = url;
    this.download.download = downloadName(r);
    this.download.textContent = `Download ${gif ? 'GIF' : 'MP4'}`;
  }
}
