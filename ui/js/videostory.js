// @ts-check
/**
 * Gemini's part in the "Make video" panel: the choice whether Gemini writes
 * the video's story and speaks it, a line on what the story is about, and
 * in the result whether the video is narrated and the words Gemini wrote.
 * Kept apart from video.js, which knows nothing of Gemini beyond these two.
 */
import { el } from './ui.js';
import { hostJson } from './hostjson.js';
import { limits } from './limits.js';

/** The form's fields: "Story by Gemini" (Auto / Off) and "What is the story about?". */
export class StoryChoice {
  constructor() {
    this.mode = /** @type {HTMLSelectElement} */ (el('select', { 'data-testid': 'video-story' }, [
      el('option', { value: 'auto' }, ['Auto: Gemini writes and narrates it']),
      el('option', { value: 'off' }, ['Off: a silent video with your captions']),
    ]));
    this.context = /** @type {HTMLTextAreaElement} */ (el('textarea', {
      rows: '2', maxlength: String(limits.storyboard.maxStoryContextChars), 'data-testid': 'video-story-context',
      placeholder: 'A birthday in the park, told for the grandparents',
    }));
    this.why = el('p', { class: 'vp-note muted', 'data-testid': 'video-story-why' });
    this.why.hidden = true;
    this.root = el('div', { class: 'vp-story' }, [
      el('label', {}, [el('span', {}, ['Story by Gemini']), this.mode]),
      this.why,
      el('label', {}, [el('span', {}, ['What is the story about? ', el('span', { class: 'muted' }, ['(optional)'])]), this.context]),
    ]);
    this.mode.addEventListener('change', () => this.sync());
  }

  /** The context only matters when Gemini may write the story. */
  sync() {
    this.context.disabled = this.mode.disabled || this.mode.value === 'off';
  }

  /** Asks the host whether Gemini can be used; if not, the choice is off with the host's reason. */
  async refresh() {
    /** @type {any} */
    let g = null;
    try { g = (await hostJson('GET', '/api/ai/status')).gemini; } catch { /* said below */ }
    const off = !g || !g.available;
    if (off) this.mode.value = 'off';
    else if (this.mode.disabled) this.mode.value = 'auto'; // Gemini is back
    this.mode.disabled = off;
    const reason = String(g?.reason || (g ? 'the host has no API key' : 'the host did not say whether Gemini is set up')).replace(/[.\s]+$/, '');
    this.why.textContent = off ? `Gemini is not available: ${reason}. The video will be silent.` : '';
    this.why.hidden = !off;
    this.sync();
  }

  /**
   * The request's fields. While Gemini is unavailable the host chooses
   * (`auto`), so its notes say why the video is silent.
   * @returns {{story?: string, storyContext?: string}}
   */
  fields() {
    if (this.mode.disabled) return {};
    const context = this.context.value.trim();
    return { story: this.mode.value, ...(this.mode.value !== 'off' && context ? { storyContext: context } : {}) };
  }
}

/**
 * @typedef {{by?: string, title?: string|null, frames?: {caption?: string, captionBy?: string|null, narration?: string|null}[]}} Story
 * @typedef {{codec?: string, lines?: number, sampleRate?: number|null}|null} Narration
 */

/**
 * Whether the video speaks, and (collapsed) the story Gemini wrote: its
 * title and, per frame, the caption and the narration line.
 * @param {{story?: Story, narration?: Narration, format?: string}} r the job's result
 * @returns {HTMLElement[]}
 */
export function storyView(r) {
  const narrated = !!r.narration && (r.narration.lines || 0) > 0;
  const lines = r.narration?.lines || 0;
  const sound = el('p', { class: `vp-sound${narrated ? ' on' : ''}`, 'data-testid': 'video-sound' },
    [narrated ? `Narrated by Gemini · ${lines} line${lines === 1 ? '' : 's'}` : 'Silent']);
  const story = r.story;
  if (!story || story.by !== 'gemini') return [sound];
  const frames = Array.isArray(story.frames) ? story.frames : [];
  const items = frames.map((f, i) => el('li', { 'data-testid': 'video-story-frame' }, [
    el('span', { class: 'vp-caption' }, [f.caption || '(no caption)']),
    f.captionBy === 'people' ? el('span', { class: 'muted' }, [' · your caption']) : '',
    f.narration ? el('q', { class: 'vp-line', 'data-testid': 'video-story-line' }, [f.narration]) : el('span', { class: 'muted vp-line' }, [`frame ${i + 1} is not spoken`]),
  ]));
  const title = story.title ? `“${story.title}”` : 'untitled';
  const details = el('details', { class: 'vp-story-view', 'data-testid': 'video-story-view' }, [
    el('summary', { 'data-testid': 'video-story-title' }, [`Story: ${title}`]),
    el('ol', {}, items),
  ]);
  return [sound, details];
}
