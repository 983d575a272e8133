// @ts-check
/**
 * Sketch enhancement: the dialog, the job it starts on the host, and the
 * picture it puts on the board.
 *
 * The region (the selection's bounds, else the whole drawing) is rendered to
 * a PNG by the export code, uploaded (`POST /api/save-image`) and submitted
 * (`POST /api/enhance-image`); a region that is one stored picture (an
 * earlier result) is submitted as that file, so it neither grows nor blurs. The job is followed through the room's
 * `JOB_UPDATED` frames and, while the socket is down or silent, by polling
 * `GET /api/jobs/{id}`: a dropped connection never leaves the dialog stuck.
 * Only the person who started a job places its picture, as one image shape
 * over the region (one undoable add, relayed like any shape), so the room
 * gets it exactly once. The others see a small "X is enhancing…" line.
 */
import { renderPng } from './exporting.js';
import { uploadImage, loadImage, imageUrl, UploadError } from './images.js';
import { hostFetch } from './hostjson.js';
import { randomId } from './net.js';
import { limits } from './limits.js';
import { RoomJobs, isFinal, newer } from './activity.js';
import { pendingJobs, rememberJob, forgetJob } from './pending.js';
import { RENDER_SCALE, MAX_RENDER_SIDE, round2, regionOf, regionOfShapes, regionText, storedPicture, stylesFollowed, fitInto, madeBy } from './region.js';
import { t, onLanguage, formatNumber } from './i18n.js';
import { stageText, errorText, geminiReason } from './mediatext.js';

/** @typedef {import('./region.js').Region} Region */

/** @typedef {import('./board.js').Shape} Shape */
/** @typedef {import('./board.js').Bounds} Bounds */
/** @typedef {import('./activity.js').Job} Job */

/** How often a job is asked for over HTTP while the socket cannot report it. */
export const POLL_INTERVAL_MS = 1000;
/** A job this long without a frame is asked for over HTTP too (a missed frame, a half-open socket). */
export const SOCKET_SILENCE_MS = 3000;

/** @param {string} id @returns {HTMLElement} */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el;
}

/** "Online", with Gemini's model when the host names it. @param {unknown} model */
const online = (model) => (model ? t('media.enhance.onlineModel', { model: String(model) }) : t('media.enhance.online'));

/** @param {Response} res @returns {Promise<any>} */
async function jsonOf(res) {
  try { return await res.json(); } catch { return {}; }
}

/**
 * @typedef {object} EnhanceDeps
 * @property {import('./board.js').Board} board
 * @property {() => ReadonlySet<string>} selected the ids of the selected shapes
 * @property {{add: (shape: Shape) => void}} actions
 * @property {string} room
 * @property {string} userId
 * @property {(userId: string) => string|null} userName a person in the room, by id
 * @property {() => boolean} connected whether the socket reports jobs right now
 * @property {(shape: Shape) => void} onPlaced the picture is on the board
 * @property {(text: string, kind: 'info'|'bad', ms: number) => void} toast a message while the dialog is closed
 * @property {(image: string) => Promise<string>} toStoryboard adds a stored picture to the storyboard; says where it went
 */

export class Enhance {
  /** @param {EnhanceDeps} deps */
  constructor(deps) {
    this.d = deps;
    this.dialog = /** @type {HTMLDialogElement} */ (byId('enhance'));
    this.form = /** @type {HTMLFormElement} */ (byId('enhance-form'));
    this.regionEl = byId('enhance-region');
    this.fields = byId('enhance-fields');
    this.prompt = /** @type {HTMLTextAreaElement} */ (byId('enhance-prompt'));
    this.prompt.maxLength = limits.enhance.maxPromptChars;
    this.upscale = /** @type {HTMLInputElement} */ (byId('enhance-upscale'));
    this.geminiNote = byId('enhance-gemini-note');
    this.geminiWhy = byId('enhance-gemini-why');
    this.progressEl = byId('enhance-progress');
    this.bar = /** @type {HTMLProgressElement} */ (byId('enhance-bar'));
    this.message = byId('enhance-message');
    this.resultEl = byId('enhance-result');
    this.preview = /** @type {HTMLImageElement} */ (byId('enhance-preview'));
    this.engineEl = byId('enhance-engine');
    this.noteEl = byId('enhance-note');
    this.errorEl = byId('enhance-error');
    this.cancelBtn = /** @type {HTMLButtonElement} */ (byId('enhance-cancel'));
    this.startBtn = /** @type {HTMLButtonElement} */ (byId('enhance-start'));
    this.toStoryboardBtn = /** @type {HTMLButtonElement} */ (byId('enhance-to-storyboard'));
    /** The last picture this dialog placed, for "Add to storyboard". */
    this.placed = '';

    /** @type {'ready'|'working'|'done'|'failed'} */
    this.phase = 'ready';
    /** @type {Region|null} */
    this.region = null;
    /** @type {{id: string|null, region: Region, job: Job|null, lastFrameAt: number, cancelAsked: boolean}|null} the job this dialog started */
    this.current = null;
    /** @type {Set<string>} jobs started here */
    this.mine = new Set();
    const me = deps.userId;
    this.jobs = new RoomJobs({
      list: byId('activity'), room: deps.room, userId: me, userName: deps.userName,
      // This dialog shows its own jobs, and the video panel one's videos; the
      // frames of a job being started here can beat the answer that names it.
      ownShown: (job) => this.mine.has(job.id) || (job.input?.by === me && (job.kind === 'video' || !!(this.current && !this.current.id))),
    });
    /** @type {ReturnType<typeof setInterval>|undefined} */
    this.pollTimer = undefined;
    /** @type {HTMLElement|null} where the focus goes back to */
    this.opener = null;

    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.start(); });
    byId('enhance-close').addEventListener('click', () => this.close());
    byId('enhance-x').addEventListener('click', () => this.close());
    this.cancelBtn.addEventListener('click', () => this.cancel());
    this.toStoryboardBtn.addEventListener('click', () => this.addToStoryboard());
    // A tap on the backdrop closes, as Escape does; the job goes on.
    this.dialog.addEventListener('click', (e) => { if (e.target === this.dialog) this.close(); });
    this.dialog.addEventListener('close', () => {
      const back = this.opener;
      this.opener = null;
      if (back && back.isConnected) back.focus();
    });
    this.jobs.load();
    this.resume();
    this.geminiNote.textContent = t('media.enhance.online');
    // Text that depends on the state is said again in the new language.
    onLanguage(() => {
      this.render();
      if (this.phase === 'done') this.toStoryboardBtn.textContent = t('media.enhance.addToStoryboard');
      if (this.dialog.open) this.refreshEngines();
    });
  }

  /**
   * After a reload: follows again the enhancement this tab had started and
   * places its picture when it is done (at once if it already is).
   */
  async resume() {
    for (const p of pendingJobs(this.d.room)) {
      if (this.current) return; // one at a time: the next reload, or this one's end, gets the rest
      try {
        const res = await hostFetch(`/api/jobs/${encodeURIComponent(p.id)}`, { cache: 'no-store' });
        const body = await jsonOf(res);
        if (res.status === 404) { forgetJob(this.d.room, p.id); continue; }
        if (!res.ok || !body.job || this.current) continue;
        const region = { ids: [], whole: false, box: p.box, shapes: [], text: t('media.region.resumed') };
        this.current = { id: p.id, region, job: null, lastFrameAt: Date.now(), cancelAsked: false };
        this.mine.add(p.id);
        this.phase = 'working';
        this.render();
        this.startPolling();
        this.accept(body.job);
      } catch { /* the host is unreachable: the next reload tries again */ }
    }
  }

  /**
   * Opens the dialog for the current selection (or shows the job running).
   * @param {HTMLElement|null} [opener] focused again when the dialog closes
   */
  open(opener) {
    if (this.dialog.open) return;
    this.opener = opener || /** @type {HTMLElement|null} */ (document.activeElement);
    if (this.phase !== 'working') {
      this.phase = 'ready';
      this.region = regionOf(this.d.board, this.d.selected());
    }
    this.render();
    this.refreshEngines();
    this.dialog.showModal();
    // On a touch screen the prompt is not focused: its keyboard would cover the dialog.
    const coarse = matchMedia('(pointer: coarse)').matches;
    (this.phase === 'working' ? this.cancelBtn : coarse ? byId('enhance-x') : this.prompt).focus();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  /** Asks the host which engines it has; Gemini is disabled, with the reason, when it has not. */
  async refreshEngines() {
    const radio = /** @type {HTMLInputElement} */ (this.form.querySelector('input[value=gemini]'));
    /** @type {any} */
    let body = null;
    try {
      const res = await hostFetch('/api/ai/status', { cache: 'no-store' });
      if (res.ok) body = await jsonOf(res);
    } catch { /* unreachable: said below */ }
    const g = body?.gemini;
    if (!g) {
      this.geminiNote.textContent = t('media.enhance.askFailed');
      return;
    }
    radio.disabled = !g.available;
    radio.closest('label')?.classList.toggle('off', !g.available);
    const reason = geminiReason(g);
    this.geminiWhy.hidden = true;
    if (!g.available) {
      this.geminiNote.textContent = t('media.enhance.notAvailable');
      this.geminiWhy.textContent = t('media.enhance.geminiOff', { reason });
      this.geminiWhy.hidden = false;
      if (radio.checked) /** @type {HTMLInputElement} */ (this.form.querySelector('input[value=auto]')).checked = true;
    } else if (g.check && g.check !== 'ok' && g.check !== 'pending' && g.reason) {
      this.geminiNote.textContent = online(g.model);
      this.geminiWhy.textContent = t('media.enhance.checkFailed', { reason });
      this.geminiWhy.hidden = false;
    } else {
      this.geminiNote.textContent = online(g.model);
    }
  }

  /** The engine chosen in the dialog. @returns {'auto'|'gemini'|'local'} */
  engine() {
    const v = /** @type {HTMLInputElement|null} */ (this.form.querySelector('input[name=engine]:checked'))?.value;
    return v === 'gemini' || v === 'local' ? v : 'auto';
  }

  /** Renders, uploads and submits the region; then follows the job. */
  async start() {
    if (this.phase === 'working') return;
    const region = this.region && regionOfShapes(this.d.board, this.region.ids, this.region.whole);
    if (!region) { this.fail(t('media.enhance.gone')); return; }
    this.region = region;
    this.phase = 'working';
    this.current = { id: null, region, job: null, lastFrameAt: Date.now(), cancelAsked: false };
    const me = this.current;
    this.showProgress(0, t('media.enhance.drawing'));
    this.render();
    this.cancelBtn.focus();
    try {
      let filename = storedPicture(region);
      if (!filename) {
        const png = await renderPng(this.d.board, region.shapes, region.box, { margin: 0, scale: RENDER_SCALE, maxSide: MAX_RENDER_SIDE });
        if (!png.blob) throw new Error(t('media.enhance.noDraw'));
        if (me.cancelAsked) return this.finishCancelled(me);
        this.showProgress(0, t('media.enhance.sending'));
        filename = (await uploadImage(png.blob)).path;
      }
      if (me.cancelAsked) return this.finishCancelled(me);
      this.showProgress(0, t('media.enhance.starting'));
      const body = { filename, prompt: this.prompt.value.trim(), engine: this.engine(), upscale: this.upscale.checked, room: this.d.room, by: this.d.userId };
      /** @type {Response} */
      let res;
      try {
        res = await hostFetch('/api/enhance-image', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      } catch {
        throw new Error(t('media.enhance.unreachable'));
      }
      const answer = await jsonOf(res);
      if (!res.ok || !answer.requestId) {
        const why = errorText({ code: answer.code, message: typeof answer.error === 'string' ? answer.error : '' }, `HTTP ${res.status}`);
        throw new Error(t(res.status === 429 ? 'media.enhance.busy' : 'media.enhance.notStarted', { why }));
      }
      if (this.current !== me) return;
      me.id = String(answer.requestId);
      this.mine.add(me.id);
      rememberJob(this.d.room, me.id, region.box);
      this.jobs.render();
      this.startPolling();
      this.accept(answer.job);
      // Frames that beat the answer here.
      const seen = this.jobs.get(me.id);
      if (seen) this.accept(seen);
      if (me.cancelAsked && this.current === me) this.cancel();
    } catch (e) {
      if (this.current !== me) return;
      this.current = null;
      this.fail(e instanceof UploadError || e instanceof Error ? e.message : t('media.enhance.couldNotStart'));
    }
  }

  /** Asks the host to stop the job; the dialog shows "cancelled" once the host says so. */
  async cancel() {
    const me = this.current;
    if (!me) return;
    me.cancelAsked = true;
    if (!me.id) { this.showProgress(this.bar.value, t('media.job.cancelling')); return; }
    this.showProgress(this.bar.value, t('media.job.cancelling'));
    this.cancelBtn.disabled = true;
    try {
      const res = await hostFetch(`/api/jobs/${encodeURIComponent(me.id)}/cancel`, { method: 'POST' });
      const body = await jsonOf(res);
      if (res.ok && body.job) this.accept(body.job);
      // 409: it finished first; its final frame says how.
    } catch {
      this.cancelBtn.disabled = false;
      this.showProgress(this.bar.value, t('media.enhance.cancelUnreachable'));
    }
  }

  /**
   * A `JOB_UPDATED` frame of this room.
   * @param {Job} job
   */
  onJob(job) {
    if (!job || typeof job.id !== 'string' || !this.jobs.update(job)) return;
    if (this.current && this.current.id === job.id) {
      this.current.lastFrameAt = Date.now();
      this.accept(job);
    }
  }

  /** @param {Job|undefined|null} job the latest known state of the job this dialog follows */
  accept(job) {
    const me = this.current;
    if (!job || !me || job.id !== me.id) return;
    if (me.job && !newer(me.job, job)) return;
    me.job = job;
    if (!isFinal(job)) {
      const p = Math.max(0, Math.min(1, Number(job.progress) || 0));
      const label = job.status === 'queued' ? t('media.enhance.waiting') : stageText(job.message) || t('media.job.working');
      const percent = formatNumber(Math.round(p * 100) / 100, { style: 'percent' });
      this.showProgress(p, me.cancelAsked ? t('media.job.cancelling') : t('media.job.progress', { label, percent }));
      return;
    }
    this.current = null;
    this.stopPolling();
    if (job.status !== 'complete') forgetJob(this.d.room, job.id);
    if (job.status === 'complete') this.finishComplete(job, me.region);
    else if (job.status === 'cancelled') this.finishCancelled(me);
    else this.fail(errorText(job.error, t('media.enhance.failed')));
    this.jobs.render();
  }

  /** @param {Job} job @param {Region} region */
  async finishComplete(job, region) {
    const r = job.result || {};
    const path = typeof r.path === 'string' && r.path.startsWith('/enhanced_drawings/') ? r.path : '';
    if (!path) { forgetJob(this.d.room, job.id); this.fail(t('media.enhance.noPicture')); return; }
    let w = Number(r.width) || 0, h = Number(r.height) || 0;
    if (!w || !h) {
      const img = await loadImage(path);
      w = img?.naturalWidth || 0; h = img?.naturalHeight || 0;
    }
    const at = fitInto(region.box, w, h);
    /** @type {Shape} */
    const shape = {
      id: randomId('s-'), type: 'image', image: path,
      points: [{ x: at.x, y: at.y }, { x: round2(at.x + at.w), y: round2(at.y + at.h) }],
      width: at.w, height: at.h,
      style: { strokeColor: '#1f2328', fillColor: 'transparent', strokeWidth: 1, opacity: 1 },
      isSelected: false, createdBy: this.d.userId,
    };
    loadImage(path);
    this.d.actions.add(shape);
    forgetJob(this.d.room, job.id);
    this.d.onPlaced(shape);
    this.phase = 'done';
    this.placed = path;
    this.toStoryboardBtn.disabled = false;
    this.toStoryboardBtn.textContent = t('media.enhance.addToStoryboard');
    this.preview.src = imageUrl(path);
    this.engineEl.textContent = [madeBy(r), stylesFollowed(r)].filter(Boolean).join(' ');
    this.noteEl.textContent = typeof r.note === 'string' ? r.note : '';
    this.noteEl.hidden = !this.noteEl.textContent;
    this.render();
    if (!this.dialog.open) this.d.toast(t('media.enhance.placed', { madeBy: madeBy(r), note: r.note ? ` ${r.note}` : '' }), 'info', 8000);
  }

  /** Sends the picture just made to the storyboard, as its last frame. */
  async addToStoryboard() {
    if (!this.placed) return;
    this.toStoryboardBtn.disabled = true;
    try {
      this.toStoryboardBtn.textContent = await this.d.toStoryboard(this.placed);
    } catch (e) {
      this.toStoryboardBtn.disabled = false;
      this.errorEl.textContent = e instanceof Error ? e.message : t('media.enhance.addFailed');
    }
  }

  /** @param {{id: string|null}} me */
  finishCancelled(me) {
    if (this.current === me) this.current = null;
    this.stopPolling();
    this.fail(t('media.enhance.cancelled'));
  }

  /** @param {string} text */
  fail(text) {
    this.phase = 'failed';
    this.errorEl.textContent = text;
    this.render();
    if (!this.dialog.open) this.d.toast(t('media.enhance.failToast', { text }), 'bad', 8000);
  }

  /** @param {number} value 0..1 @param {string} text */
  showProgress(value, text) {
    this.bar.value = value;
    this.message.textContent = text;
  }

  /** Shows the dialog's parts for the current phase. */
  render() {
    const working = this.phase === 'working';
    const r = working && this.current ? this.current.region : this.region;
    this.regionEl.textContent = !r ? t('media.enhance.empty')
      : r.ids.length ? regionText(r.ids.length, r.box, r.whole) : t('media.region.resumed');
    for (const input of this.fields.querySelectorAll('input, textarea')) {
      const el = /** @type {HTMLInputElement} */ (input);
      if (el.value !== 'gemini' || !el.closest('.off')) el.disabled = working;
    }
    this.progressEl.hidden = !working;
    this.resultEl.hidden = this.phase !== 'done';
    if (this.phase !== 'failed') this.errorEl.textContent = '';
    this.cancelBtn.hidden = !working;
    this.cancelBtn.disabled = false;
    this.startBtn.hidden = working;
    this.startBtn.disabled = !this.region;
    this.startBtn.textContent = t({ ready: 'media.enhance.start', working: 'media.enhance.start', done: 'media.enhance.again', failed: 'media.enhance.retry' }[this.phase]);
    if (this.phase === 'done' && this.dialog.open) this.startBtn.focus();
  }

  startPolling() {
    this.stopPolling();
    this.pollTimer = setInterval(() => this.poll(), POLL_INTERVAL_MS);
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** The socket's fallback: asks for the job when frames cannot be relied on. */
  async poll() {
    const me = this.current;
    if (!me || !me.id) return;
    if (this.d.connected() && Date.now() - me.lastFrameAt < SOCKET_SILENCE_MS) return;
    if (!navigator.onLine) return; // nothing to reach: the next tick after the network is back asks
    try {
      const res = await hostFetch(`/api/jobs/${encodeURIComponent(me.id)}`, { cache: 'no-store' });
      const body = await jsonOf(res);
      if (res.ok && body.job) this.accept(body.job);
      else if (res.status === 404 && this.current === me) {
        this.current = null;
        this.stopPolling();
        this.fail(t('media.enhance.forgotten'));
      }
    } catch { /* unreachable: the next tick tries again */ }
  }
}
