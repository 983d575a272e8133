// @ts-check
/** The host panel: join link, code, who is in the room, open/closed. Shown only on the host's machine. */
import { renderPeople } from './ui.js';
import { qrSvg } from './qr.js';

const REFRESH_MS = 3000;

/**
 * @param {string} room @param {string} me
 * @returns {() => void} refreshes the panel now
 */
export function startHostPanel(room, me) {
  const panel = /** @type {HTMLElement} */ (document.getElementById('host-panel'));
  const url = /** @type {HTMLInputElement} */ (document.getElementById('host-url'));
  const code = /** @type {HTMLElement} */ (document.getElementById('host-code'));
  const open = /** @type {HTMLInputElement} */ (document.getElementById('host-open'));
  const people = /** @type {HTMLElement} */ (document.getElementById('host-people'));
  const qr = /** @type {HTMLElement} */ (document.getElementById('host-qr'));
  /** @type {HTMLElement} */ (document.getElementById('host-copy')).addEventListener('click', () => {
    url.select();
    navigator.clipboard?.writeText(url.value).catch(() => document.execCommand('copy'));
  });
  open.addEventListener('change', async () => {
    await post('/api/host/open', { open: open.checked });
    refresh();
  });

  async function refresh() {
    try {
      const res = await fetch('/api/host/info', { cache: 'no-store' });
      if (!res.ok) { panel.hidden = true; return; }
      const info = await res.json();
      panel.hidden = false;
      const link = new URL(info.joinUrl || info.localUrl);
      if (room !== 'main') link.searchParams.set('room', room);
      if (url.value !== link.toString()) {
        url.value = link.toString();
        const svg = qrSvg(url.value);
        qr.replaceChildren(...(svg ? [svg] : []));
      }
      code.textContent = info.codeRequired ? info.code : 'not needed';
      open.checked = !info.codeRequired;
      const here = (info.rooms || []).find((/** @type {any} */ r) => r.room === room);
      renderPeople(people, here ? here.users : [], me, async (u) => {
        if (!confirm(`Remove ${u.name} from this room?`)) return;
        await post('/api/host/kick', { room, userId: u.id });
        refresh();
      });
    } catch {
      panel.hidden = true; // unreachable: the connection indicator says so, and the list would be stale
    }
  }
  refresh();
  setInterval(refresh, REFRESH_MS);
  return refresh;
}

/** @param {string} path @param {any} body */
function post(path, body) {
  return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
}
