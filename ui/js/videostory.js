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
import { t } from './i18n.js';
import { said, geminiReason } from './mediatext.js';

/** The form's fields: "Story by Gemini" (Auto / Off) and "What is the story about?". */
export class StoryChoice {
  constructor() {
    this.mode = /** @type {HTMLSelectElement} */ (el('select', { 'data-testid': 'video-story' }, [
      el('option', { value: 'auto', ...said('media.story.gemini.auto') }, [t('media.story.gemini.auto')]),
      el('option', { value: 'off', ...said('media.story.gemini.off') }, [t('media.story.gemini.off')]),
    ]));
    this.context = /** @type {HTMLTextAreaElement} */ (el('textarea', {
      rows: '2', maxlength: String(limits.storyboard.maxStoryContextChars), 'data-testid': 'video-story-context',
      ...said('', { placeholder: 'media.story.gemini.contextHint' }),
    }));
    this.why = el('p', { class: 'vp-note muted', 'data-testid': 'video-story-why' });
    this.why.hidden = true;
    this.root = el('div', { class: 'vp-story' }, [
      el('label', {}, [el('span', said('media.story.gemini.label'), [t('media.story.gemini.label')]), this.mode]),
      this.why,
      el('label', {}, [el('span', {}, [
        el('span', said('media.story.gemini.about'), [t('media.story.gemini.about')]), ' ',
        el('span', { class: 'muted', ...said('media.optional') }, [t('media.optional')]),
      ]), this.context]),
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
    const reason = g ? geminiReason(g) : t('media.story.gemini.unknown');
    this.why.textContent = off ? t('media.story.gemini.offWhy', { reason }) : '';
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
    [narrated ? t('media.video.narrated', { count: lines }) : t('media.video.silent')]);
  const story = r.story;
  if (!story || story.by !== 'gemini') return [sound];
  const frames = Array.isArray(story.frames) ? story.frames : [];
  const items = frames.map((f, i) => el('li', { 'data-testid': 'video-story-frame' }, [
    el('span', { class: 'vp-caption' }, [f.caption || t('media.video.noCaption')]),
    f.captionBy === 'people' ? el('span', { class: 'muted' }, [` · ${t('media.video.yourCaption')}`]) : '',
    f.narration ? el('q', { class: 'vp-line', 'data-testid': 'video-story-line' }, [f.narration]) : el('span', { class: 'muted vp-line' }, [t('media.video.notSpoken', { n: i + 1 })]),
  ]));
  const title = story.title ? t('media.video.quoted', { title: story.title }) : t('media.video.untitledStory');
  const details = el('details', { class: 'vp-story-view', 'data-testid': 'video-story-view' }, [
    el('summary', { 'data-testid': 'video-story-title' }, [t('media.video.storyTitle', { title })]),
    el('ol', {}, items),
  ]);
  return [sound, details];
}
