// @ts-check
/**
 * The host panel's two controls for showing: "Bring everyone to me" (every
 * page follows the host's view until its person moves; `POST
 * /api/host/present`, which only the host may call) and "Show where
 * everyone is looking" (the others' view rectangles on the host's board).
 * The panel, and so these, is shown only on the host's page (host.js).
 */
import { post } from './host.js';
import { t } from './i18n.js';

/**
 * @param {{room: string, me: string, follow: import('./follow.js').Follow, toast: (text: string, kind: 'info'|'bad', ms: number) => void}} o
 */
export function startPresenting(o) {
  const present = /** @type {HTMLButtonElement} */ (document.getElementById('host-present'));
  const showViews = /** @type {HTMLInputElement} */ (document.getElementById('host-show-views'));
  present.addEventListener('click', async () => {
    // The others have the host's view before they are asked to follow it.
    o.follow.stop();
    o.follow.sendNow();
    const res = await post('/api/host/present', { room: o.room, userId: o.me });
    if (!res || !res.ok) o.toast(t('host.present.failed'), 'bad', 6000);
  });
  showViews.addEventListener('change', () => {
    o.follow.showViews = showViews.checked;
    o.follow.renderer.request();
  });
}
