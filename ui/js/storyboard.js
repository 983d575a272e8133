// @ts-check
/**
 * The storyboard strip along the bottom of the board: the frames of one of
 * the room's storyboards, in order, to reorder, caption, time and delete.
 * The host keeps the storyboards and tells the whole room about every change
 * (`STORYBOARD_UPDATED`, `STORYBOARD_DELETED`), so the strip shows the
 * host's answer rather than guessing; only a drag is shown before the host
 * confirms it, because a frame jumping back under the finger feels broken.
 */
import { el } from './ui.js';
import { imageUrl, uploadImage, UploadError } from './images.js';
import { Board } from './board.js';
import { exportPng } from './exporting.js';
import { enableReorder, moved } from './reorder.js';
import { VideoPanel } from './video.js';
import { hostJson, HostError, totalMs } from './hostjson.js';
import { limits } from './limits.js';
import { t, onLanguage, formatNumber } from './i18n.js';
import { seconds as secondsText, said, storyboardName } from './mediatext.js';
import { isClip, clipFrame, durationLimits } from './clip.js';
import { isLast } from './sync.js';

/**
 * @typedef {{id: string, image: string, width: number, height: number, caption: string,
 *   durationMs: number, motion?: string, transition?: string,
 *   clip?: {room: string, fromRev: number, toRev: number}}} Frame
 * @typedef {{id: string, room: string, name: string, rev: number, title?: string, frames: Frame[]}} Storyboard
 * @typedef {(text: string, kind: 'info'|'bad', ms: number) => void} Toast
 */

/** A path to a picture the host stored (an upload or an enhanced picture). @param {unknown} p */
const isHostImage = (p) => typeof p === 'string' && /^\/(img|enhanced_drawings)\/[^/?#]+$/.test(p);
/** @param {number} ms */
const seconds = (ms) => `${Math.round(ms / 100) / 10}`;
/** A frame's two looks, as the host names them (storyboard::model), and the keys of what the strip calls them. */
const MOTIONS = { kenburns: 'media.story.motion.kenburns', none: 'media.story.motion.none' };
const TRANSITIONS = { crossfade: 'media.story.transition.crossfade', cut: 'media.story.transition.cut' };

/**
 * @param {{room: string, board: Board, selected: () => string[], toast: Toast,
 *   userId: string, userName: (id: string) => string|null,
 *   stage: HTMLElement, net: {onFrame: (cb: (type: string, payload: any) => void) => void}}} o
 */
export function startStoryboard(o) {
  const root = /** @type {HTMLElement} */ (document.getElementById('storyboard'));
  const PREF_KEY = `coco.storyboard.${location.host}/${o.room}`;
  /** @type {Storyboard[]} */
  let boards = [];
  let currentId = sessionStorage.getItem(PREF_KEY) || '';
  /** Why the storyboards could not be loaded, shown until they are. */
  let loadError = '';
  let expanded = localStorage.getItem('coco.storyboard.open') === '1';
  /** @type {Map<string, {li: HTMLElement, img: HTMLImageElement, num: HTMLElement, caption: HTMLTextAreaElement, duration: HTMLInputElement, del: HTMLElement, handle: HTMLElement, motion: HTMLElement, badge: HTMLElement, transition: HTMLElement}>} */
  const cards = new Map();
  /** @param {string} method @param {string} path @param {any} [body] */
  const api = (method, path, body) => hostJson(method, path, body);
  const q = `room=${encodeURIComponent(o.room)}`;

  const toggle = el('button', { type: 'button', class: 'sb-toggle', 'aria-expanded': 'false', 'aria-controls': 'sb-frames', 'data-testid': 'sb-toggle' }, [
    el('span', { class: 'sb-chevron', 'aria-hidden': 'true' }), el('strong', { 'data-testid': 'sb-title' }, [t('media.story.title')]),
  ]);
  const title = /** @type {HTMLElement} */ (toggle.lastElementChild);
  const picker = /** @type {HTMLSelectElement} */ (el('select', { ...said('', { 'aria-label': 'media.story.picker' }), 'data-testid': 'sb-picker' }));
  const newBtn = el('button', { type: 'button', ...said('media.story.new', { title: 'media.story.newTitle' }), 'data-testid': 'sb-new' }, [t('media.story.new')]);
  const renameBtn = el('button', { type: 'button', ...said('media.story.rename', { title: 'media.story.renameTitle' }), 'data-testid': 'sb-rename' }, [t('media.story.rename')]);
  const nameInput = /** @type {HTMLInputElement} */ (el('input', {
    class: 'sb-name', maxlength: String(limits.storyboard.maxNameChars), ...said('', { 'aria-label': 'media.story.nameLabel' }), 'data-testid': 'sb-name', hidden: '',
  }));
  const dropBtn = el('button', { type: 'button', ...said('media.story.delete', { title: 'media.story.deleteTitle' }), 'data-testid': 'sb-delete-board' }, [t('media.story.delete')]);
  const summary = el('span', { class: 'sb-summary muted', 'data-testid': 'sb-summary', 'aria-live': 'polite' });
  const addBtn = el('button', { type: 'button', ...said('media.story.add', { title: 'media.story.addTitle' }), 'data-testid': 'sb-add' }, [t('media.story.add')]);
  const clearBtn = el('button', { type: 'button', ...said('media.story.clear', { title: 'media.story.clearTitle' }), 'data-testid': 'sb-clear' }, [t('media.story.clear')]);
  const videoBtn = el('button', { type: 'button', class: 'primary', ...said('media.video.make'), 'data-testid': 'sb-make-video' }, [t('media.video.make')]);
  const list = el('ol', { class: 'sb-frames', id: 'sb-frames', 'data-testid': 'sb-frames', ...said('', { 'aria-label': 'media.story.frames' }) });
  const empty = el('p', { class: 'sb-empty muted', 'data-testid': 'sb-empty', ...said('media.story.empty') }, [t('media.story.empty')]);
  const body = el('div', { class: 'sb-body' }, [list, empty]);
  root.replaceChildren(
    el('div', { class: 'sb-bar' }, [toggle, picker, nameInput, renameBtn, newBtn, dropBtn, summary, el('span', { class: 'sb-space' }), addBtn, clearBtn, videoBtn]),
    body,
  );
  root.hidden = false;
  for (const [k, v] of Object.entries(said('', { 'aria-label': 'media.story.title' }))) root.setAttribute(k, v);
  const video = new VideoPanel({
    stage: o.stage, room: o.room, userId: o.userId, userName: o.userName, toast: o.toast,
    addClip: (job) => addFrame(clipFrame(job)),
  });

  const current = () => boards.find((b) => b.id === currentId) || boards[0] || null;

  function render() {
    const sb = current();
    if (sb && sb.id !== currentId) { currentId = sb.id; sessionStorage.setItem(PREF_KEY, currentId); }
    root.classList.toggle('collapsed', !expanded);
    toggle.setAttribute('aria-expanded', String(expanded));
    body.hidden = !expanded;
    picker.replaceChildren(...boards.map((b) => el('option', { value: b.id }, [storyboardName(b.name) || t('media.story.title')])));
    if (sb) picker.value = sb.id;
    picker.hidden = boards.length < 2 || !nameInput.hidden;
    // With one storyboard its name is the strip's title; with more, the picker shows them.
    title.textContent = boards.length < 2 && sb ? storyboardName(sb.name) : t('media.story.title');
    renameBtn.hidden = !sb || !nameInput.hidden;
    dropBtn.hidden = boards.length < 2;
    const n = sb ? sb.frames.length : 0;
    summary.textContent = sb ? [t('media.story.frameCount', { count: n }), ...(n ? [secondsText(totalMs(sb))] : [])].join(' · ') : loadError;
    clearBtn.hidden = n === 0;
    /** @type {HTMLButtonElement} */ (videoBtn).disabled = !sb;
    empty.hidden = n > 0;
    renderFrames(sb ? sb.frames : []);
    if (sb) video.setStoryboard(sb);
  }

  /** Updates the cards in place, so an input being edited keeps its text and focus. @param {Frame[]} frames */
  function renderFrames(frames) {
    const ids = new Set(frames.map((f) => f.id));
    for (const [id, c] of cards) if (!ids.has(id)) { c.li.remove(); cards.delete(id); }
    const items = frames.map((f, i) => {
      const c = cards.get(f.id) || makeCard(f);
      cards.set(f.id, c);
      c.li.dataset.id = f.id;
      const n = i + 1;
      c.num.textContent = formatNumber(n);
      c.handle.setAttribute('aria-label', t('media.story.handle', { n }));
      c.del.setAttribute('aria-label', t('media.story.deleteFrame', { n }));
      c.caption.setAttribute('aria-label', t('media.story.captionOf', { n }));
      c.duration.setAttribute('aria-label', t('media.story.secondsOf', { n }));
      c.handle.dataset.missing = t('media.story.missing');
      const src = imageUrl(f.image);
      if (c.img.getAttribute('src') !== src) c.img.src = src;
      if (document.activeElement !== c.caption) c.caption.value = f.caption || '';
      if (document.activeElement !== c.duration) c.duration.value = seconds(f.durationMs);
      // A clip plays whole and still: its card says what it is instead of offering a camera move.
      const clip = isClip(f);
      c.motion.hidden = clip;
      c.badge.hidden = !clip;
      c.li.classList.toggle('sb-is-clip', clip);
      const range = durationLimits(f);
      c.duration.min = String(range.min / 1000);
      c.duration.max = String(range.max / 1000);
      const still = f.motion === 'none', cut = f.transition === 'cut';
      c.motion.textContent = t(MOTIONS[still ? 'none' : 'kenburns']);
      // Each name starts with the button's text, as people who see it will say it to their screen reader.
      c.motion.setAttribute('aria-label', t(still ? 'media.story.motionStill' : 'media.story.motionMoving', { label: c.motion.textContent, n }));
      c.transition.textContent = t(TRANSITIONS[cut ? 'cut' : 'crossfade']);
      c.transition.setAttribute('aria-label', t(cut ? 'media.story.transitionCut' : 'media.story.transitionFade', { label: c.transition.textContent, n }));
      return c.li;
    });
    const now = /** @type {HTMLElement[]} */ ([...list.children]);
    if (now.length !== items.length || now.some((li, i) => li !== items[i])) {
      const focused = /** @type {HTMLElement|null} */ (document.activeElement);
      list.replaceChildren(...items);
      if (focused && list.contains(focused) && document.activeElement !== focused) focused.focus();
    }
  }

  /** @param {Frame} f */
  function makeCard(f) {
    const img = /** @type {HTMLImageElement} */ (el('img', { alt: '', draggable: 'false', decoding: 'async' }));
    const num = el('span', { class: 'sb-num' });
    const handle = el('button', { type: 'button', class: 'sb-thumb', 'data-testid': 'sb-handle' }, [img, num]);
    const del = el('button', { type: 'button', class: 'sb-del', ...said('', { title: 'media.story.deleteFrameTitle' }), 'data-testid': 'sb-frame-delete' }, ['×']);
    // Two lines across the card: a one-line field showed a few words of a caption.
    const caption = /** @type {HTMLTextAreaElement} */ (el('textarea', { class: 'sb-caption', rows: '2', ...said('', { placeholder: 'media.story.caption' }), maxlength: String(limits.storyboard.maxCaptionChars), 'data-testid': 'sb-caption' }));
    const duration = /** @type {HTMLInputElement} */ (el('input', {
      class: 'sb-duration', type: 'number', step: '0.5',
      ...said('', { title: 'media.story.secondsTitle' }), 'data-testid': 'sb-duration',
    }));
    const motion = el('button', { type: 'button', class: 'sb-opt sb-motion', ...said('', { title: 'media.story.motionTitle' }), 'data-testid': 'sb-motion' });
    const badge = el('span', { class: 'sb-opt sb-clip', 'data-testid': 'sb-clip', ...said('timelapse.name') }, [t('timelapse.name')]);
    const transition = el('button', { type: 'button', class: 'sb-opt sb-transition', ...said('', { title: 'media.story.transitionTitle' }), 'data-testid': 'sb-transition' });
    const li = el('li', { class: 'sb-frame', 'data-testid': 'sb-frame' }, [
      handle, del, motion, badge, transition, el('div', { class: 'sb-fields' }, [caption, el('label', { class: 'sb-secs' }, [duration, el('span', said('media.story.secUnit'), [t('media.story.secUnit')])])]),
    ]);
    img.addEventListener('error', () => handle.classList.add('missing'));
    img.addEventListener('load', () => handle.classList.remove('missing'));
    const frameNow = () => current()?.frames.find((x) => x.id === f.id);
    caption.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); caption.blur(); }
      else if (e.key === 'Escape') { caption.value = frameNow()?.caption || ''; caption.blur(); }
    });
    caption.addEventListener('change', () => {
      const fr = frameNow();
      if (fr && caption.value !== (fr.caption || '')) patchFrame(f.id, { caption: caption.value });
    });
    duration.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') duration.blur();
      else if (e.key === 'Escape') { duration.value = seconds(frameNow()?.durationMs || 0); duration.blur(); }
    });
    duration.addEventListener('change', () => {
      const fr = frameNow();
      const ms = Math.round(Number(duration.value) * 1000);
      if (!fr || ms === fr.durationMs) return;
      const range = durationLimits(fr);
      if (!Number.isFinite(ms) || duration.value.trim() === '' || ms < range.min || ms > range.max) {
        o.toast(t(range.key, { min: range.min / 1000, max: range.max / 1000 }), 'bad', 6000);
        duration.value = seconds(fr.durationMs);
        return;
      }
      patchFrame(f.id, { durationMs: ms });
    });
    del.addEventListener('click', () => act(() => api('DELETE', `/api/storyboards/${cur().id}/frames/${f.id}?${q}`)));
    motion.addEventListener('click', () => patchFrame(f.id, { motion: frameNow()?.motion === 'none' ? 'kenburns' : 'none' }));
    transition.addEventListener('click', () => patchFrame(f.id, { transition: frameNow()?.transition === 'cut' ? 'crossfade' : 'cut' }));
    handle.addEventListener('keydown', (e) => {
      const sb = current();
      if (!sb || (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight')) return;
      e.preventDefault();
      const from = sb.frames.findIndex((x) => x.id === f.id);
      // The earlier side is the left one, and in a right-to-left language the right one.
      const earlier = getComputedStyle(list).direction === 'rtl' ? 'ArrowRight' : 'ArrowLeft';
      const to = from + (e.key === earlier ? -1 : 1);
      if (from < 0 || to < 0 || to >= sb.frames.length) return;
      reorder(from, to).then(() => handle.focus());
    });
    return { li, img, num, caption, duration, del, handle, motion, badge, transition };
  }

  /** The storyboard shown; the room always has one once loaded. */
  function cur() {
    const sb = current();
    if (!sb) throw new HostError(t('media.story.notLoaded'), 'not_loaded', 0);
    return sb;
  }

  /** Runs a change and shows the host's answer; a refusal is shown, and the strip reloaded. @param {() => Promise<any>} f */
  async function act(f) {
    try {
      const res = await f();
      if (res && res.storyboard) apply(res.storyboard);
      return res;
    } catch (e) {
      o.toast(e instanceof HostError ? e.message : t('media.story.didNotWork'), 'bad', 8000);
      refresh();
      return null;
    }
  }

  /** @param {string} frameId @param {Partial<Frame>} change */
  const patchFrame = (frameId, change) => act(() => api('PATCH', `/api/storyboards/${cur().id}/frames/${frameId}?${q}`, change));

  /** Moves a frame at once on screen, then asks the host. @param {number} from @param {number} to */
  async function reorder(from, to) {
    const sb = cur();
    const frames = moved(sb.frames, from, to);
    apply({ ...sb, frames }, true);
    await act(() => api('POST', `/api/storyboards/${sb.id}/order?${q}`, { frameIds: frames.map((f) => f.id) }));
  }
  enableReorder(list, { handle: '.sb-thumb', onMove: (from, to) => { reorder(from, to); } });

  /**
   * Takes a storyboard the host sent. An older revision than the one shown
   * (answers and pushes can cross) is ignored.
   * @param {Storyboard} sb @param {boolean} [local] a change shown before the host confirms it
   */
  function apply(sb, local = false) {
    if (!sb || typeof sb.id !== 'string' || (sb.room && sb.room !== o.room)) return;
    const i = boards.findIndex((b) => b.id === sb.id);
    if (i >= 0 && !local && boards[i].rev > sb.rev) return;
    if (i >= 0) boards[i] = sb; else boards.push(sb);
    render();
  }

  async function refresh() {
    try {
      const res = await api('GET', `/api/storyboards?${q}`);
      boards = Array.isArray(res.storyboards) ? res.storyboards : [];
      loadError = '';
    } catch (e) {
      loadError = t('media.story.loadFailed', { why: e instanceof HostError ? e.message : t('media.story.noAnswer') });
    }
    render();
  }

  /** @param {boolean} open */
  function setExpanded(open) {
    expanded = open;
    localStorage.setItem('coco.storyboard.open', open ? '1' : '0');
    render();
  }

  /**
   * Adds a frame as the last of the storyboard shown: a picture the host
   * stored (`{image}`), or a timelapse clip (`{clip, durationMs}`).
   * @param {{image: string}|ReturnType<typeof clipFrame>} frame @returns {Promise<string>} where it went, to tell the person
   */
  async function addFrame(frame) {
    if (!current()) await refresh();
    const res = await api('POST', `/api/storyboards/${cur().id}/frames?${q}`, frame);
    if (res.storyboard) apply(res.storyboard);
    if (!expanded) setExpanded(true);
    list.lastElementChild?.scrollIntoView({ block: 'nearest', inline: 'end' });
    const n = current()?.frames.length || 0;
    return t('media.story.added', { n, name: storyboardName(current()?.name || '') || t('media.story.theStoryboard') });
  }

  /**
   * Adds a frame: the one selected picture as it is stored, else the
   * selection (or, with nothing selected, the whole board) drawn to a PNG
   * and uploaded first.
   */
  async function add() {
    const shapes = /** @type {import('./board.js').Shape[]} */ (o.selected().map((id) => o.board.shapes.get(id)).filter((s) => !!s));
    let image = '';
    try {
      if (shapes.length === 1 && shapes[0].type === 'image' && isHostImage(shapes[0].image)) {
        image = /** @type {string} */ (shapes[0].image);
      } else {
        let source = o.board;
        if (shapes.length) {
          source = new Board();
          for (const s of shapes) source.shapes.set(s.id, s);
        }
        if (source.shapes.size === 0) {
          o.toast(t('media.story.nothing'), 'bad', 6000);
          return;
        }
        o.toast(t(shapes.length ? 'media.story.addingSelection' : 'media.story.addingBoard'), 'info', 0);
        const png = await exportPng(source);
        if (!png) throw new UploadError(t('media.story.noPicture'), 'export');
        image = (await uploadImage(png)).path;
      }
      o.toast(await addFrame({ image }), 'info', 2500);
    } catch (e) {
      o.toast(e instanceof HostError || e instanceof UploadError ? e.message : t('media.story.addFailed'), 'bad', 8000);
    }
  }

  toggle.addEventListener('click', () => setExpanded(!expanded));
  picker.addEventListener('change', () => {
    currentId = picker.value;
    sessionStorage.setItem(PREF_KEY, currentId);
    render();
  });
  /**
   * Ends a rename: keeps the name typed (if it is one and new) or puts the old one back.
   * @param {boolean} keep @param {boolean} byKey Enter or Escape: the focus goes back to the button (not after a click elsewhere)
   */
  async function endRename(keep, byKey) {
    if (nameInput.hidden) return;
    const sb = current();
    const name = nameInput.value.trim();
    nameInput.hidden = true;
    render();
    if (byKey) renameBtn.focus();
    if (keep && sb && name && name !== sb.name) await act(() => api('PATCH', `/api/storyboards/${sb.id}?${q}`, { name }));
  }
  renameBtn.addEventListener('click', () => {
    const sb = current();
    if (!sb) return;
    nameInput.value = storyboardName(sb.name);
    nameInput.hidden = false;
    render();
    nameInput.focus();
    nameInput.select();
  });
  nameInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); endRename(true, true); }
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); endRename(false, true); }
  });
  nameInput.addEventListener('blur', () => endRename(true, false));
  newBtn.addEventListener('click', async () => {
    const res = await act(() => api('POST', '/api/storyboards', { room: o.room }));
    if (res && res.storyboard) {
      currentId = res.storyboard.id;
      sessionStorage.setItem(PREF_KEY, currentId);
      setExpanded(true);
    }
  });
  dropBtn.addEventListener('click', async () => {
    const sb = current();
    if (!sb || !confirm(t('media.story.confirmDelete', { name: storyboardName(sb.name), count: sb.frames.length }))) return;
    const res = await act(() => api('DELETE', `/api/storyboards/${sb.id}?${q}`));
    if (res) removed(sb.id);
  });
  addBtn.addEventListener('click', () => add());
  clearBtn.addEventListener('click', () => {
    const sb = current();
    if (!sb || !confirm(t('media.story.confirmClear', { name: storyboardName(sb.name), count: sb.frames.length }))) return;
    act(() => api('POST', `/api/storyboards/${sb.id}/clear?${q}`));
  });
  videoBtn.addEventListener('click', () => { const sb = current(); if (sb) video.open(sb); });

  /** @param {string} id */
  function removed(id) {
    boards = boards.filter((b) => b.id !== id);
    if (boards.length === 0) refresh(); else render();
  }

  o.net.onFrame((type, p) => {
    if (type === 'STORYBOARD_UPDATED' && p.storyboard) apply(p.storyboard);
    else if (type === 'STORYBOARD_DELETED' && typeof p.id === 'string') removed(p.id);
    else if (type === 'SYNC_SHAPES' && isLast(p)) refresh(); // after every (re)connect: catch up on what was missed
    else if (type === 'JOB_UPDATED') video.onJob(p.job || p);
  });
  onLanguage(render);
  render();

  return {
    add,
    /** Adds a stored picture (an enhanced one) as the last frame. @param {string} image */
    addImage: (image) => addFrame({ image }),
    /** The storyboard shown, for inspection. */
    current: () => current(),
  };
}
