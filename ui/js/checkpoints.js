// @ts-check
/**
 * Checkpoints, in the History panel: "Save a checkpoint" with a name, and
 * the room's checkpoints (the host's automatic ones too) with a thumbnail
 * each, to open in the slider or restore.
 */
import { t, formatTime } from './i18n.js';
import { hostJson, withCode } from './hostjson.js';
import { historyPath } from './historydata.js';

/** @typedef {{id: string, rev: number, t: number, name: string, auto: boolean, userId?: string}} Checkpoint */

/**
 * @param {{room: string, me: string, toast: (text: string, kind: 'info'|'bad', ms: number) => void,
 *   show: (rev: number) => void, restore: (rev: number) => void, saved: () => void}} d
 */
export function startCheckpoints(d) {
  const form = /** @type {HTMLFormElement} */ (document.getElementById('checkpoint-form'));
  const nameInput = /** @type {HTMLInputElement} */ (document.getElementById('checkpoint-name'));
  const list = /** @type {HTMLElement} */ (document.getElementById('checkpoint-list'));
  /** @type {Checkpoint[]} */
  let checkpoints = [];

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = nameInput.value.trim();
    if (!name) { nameInput.focus(); return; }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    button.disabled = true;
    try {
      await hostJson('POST', `${historyPath(d.room)}/checkpoints`, { name, userId: d.me });
      nameInput.value = '';
      d.toast(t('history.cp.saved', { name }), 'info', 4000);
      await refresh();
      d.saved();
    } catch (err) {
      d.toast(err instanceof Error ? err.message : t('history.failed'), 'bad', 6000);
    } finally {
      button.disabled = false;
    }
  });

  async function refresh() {
    try {
      const res = await hostJson('GET', `${historyPath(d.room)}/checkpoints`);
      checkpoints = Array.isArray(res.checkpoints) ? res.checkpoints : [];
    } catch {
      checkpoints = [];
    }
    render();
  }

  function render() {
    list.replaceChildren(...(checkpoints.length ? [...checkpoints].reverse().map((c) => {
      const li = document.createElement('li');
      li.className = 'checkpoint';
      li.dataset.testid = 'checkpoint';
      li.dataset.id = c.id;
      const img = document.createElement('img');
      img.src = withCode(`${historyPath(d.room)}/checkpoints/${encodeURIComponent(c.id)}/thumb.png`);
      img.alt = '';
      img.loading = 'lazy';
      img.dataset.testid = 'checkpoint-thumb';
      const name = c.auto ? t('history.cp.auto') : c.name;
      const text = document.createElement('span');
      text.className = 'checkpoint-text';
      const strong = document.createElement('strong');
      strong.textContent = name;
      strong.id = `checkpoint-${c.id}`;
      const small = document.createElement('small');
      small.textContent = formatTime(c.t);
      text.append(strong, small);
      const openB = button(t('history.cp.open'), strong.id, 'checkpoint-open', () => d.show(c.rev));
      const restoreB = button(t('history.cp.restore'), strong.id, 'checkpoint-restore', () => d.restore(c.rev));
      const actions = document.createElement('span');
      actions.className = 'checkpoint-actions';
      actions.append(openB, restoreB);
      li.append(img, text, actions);
      return li;
    }) : [Object.assign(document.createElement('li'), { className: 'muted', textContent: t('history.cp.none') })]));
  }

  return { refresh };
}

/** @param {string} text @param {string} describedBy the checkpoint's name @param {string} testid @param {() => void} onClick */
function button(text, describedBy, testid, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-describedby', describedBy);
  b.dataset.testid = testid;
  b.addEventListener('click', onClick);
  return b;
}
