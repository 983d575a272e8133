// @ts-check
/**
 * The toast: one short message over the board at a time (saved, failed,
 * what a tool needs), said by screen readers as a status or, when it is
 * bad news, an alert. The desktop app's "saved to …" after an export comes
 * here too, as a DOM event (the page has no other channel to the app).
 */
import { t } from './i18n.js';

/**
 * @param {HTMLElement} toast
 * @returns {(text: string, kind: 'info'|'bad', ms: number) => void} shows `text`; `ms` 0 keeps it until replaced
 */
export function startToast(toast) {
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let timer;
  /** @param {string} text @param {'info'|'bad'} kind @param {number} ms */
  const show = (text, kind, ms) => {
    clearTimeout(timer);
    toast.textContent = text;
    toast.classList.toggle('bad', kind === 'bad');
    toast.setAttribute('role', kind === 'bad' ? 'alert' : 'status');
    toast.dataset.kind = kind;
    toast.hidden = false;
    if (ms) timer = setTimeout(() => { toast.hidden = true; }, ms);
  };
  addEventListener('coco:download', (e) => {
    const d = /** @type {CustomEvent<{ok: boolean, name?: string, folder?: string}>} */ (e).detail;
    if (d.ok) show(t('board.download.saved', { name: String(d.name), folder: String(d.folder) }), 'info', 6000);
    else show(t('board.download.failed'), 'bad', 6000);
  });
  return show;
}
