// @ts-check
/**
 * The host panel: join link, code (and a new one), who is in the room,
 * open/closed. Shown only to the host: the desktop window and whoever opened
 * the admin link the host printed (`?admin=SECRET`). The page keeps the
 * secret for the tab and takes it out of the address bar (so it is not
 * copied along with the link); a page without it is an ordinary seat.
 */
import { renderPeople, el } from './ui.js';
import { hostFetch, errorText } from './hostjson.js';
import { geminiReason } from './mediatext.js';
import { t, language } from './i18n.js';

const REFRESH_MS = 3000;
/** How long Copy says "Copied". */
const COPIED_MS = 2000;
const ADMIN_KEY = `coco.admin.${location.host}`;
/** The header the host reads the admin secret from. */
const ADMIN_HEADER = 'x-coco-admin';

/** Moves `?admin=` from the address into this tab's storage. */
export function keepAdminSecret() {
  const url = new URL(location.href);
  const secret = url.searchParams.get('admin');
  if (secret === null) return;
  if (secret) sessionStorage.setItem(ADMIN_KEY, secret);
  url.searchParams.delete('admin');
  history.replaceState(history.state, '', url.toString());
}

/** @returns {string} the admin secret this tab was given, or '' */
export function adminSecret() {
  return sessionStorage.getItem(ADMIN_KEY) || '';
}

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
  const copy = /** @type {HTMLElement} */ (document.getElementById('host-copy'));
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let copiedTimer;
  copy.addEventListener('click', async () => {
    url.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(url.value);
      copied = true;
    } catch {
      copied = document.execCommand('copy');
    }
    // Say it worked (or what to do instead), for a moment.
    copy.textContent = copied ? t('host.copied') : t('host.copy.press');
    copy.setAttribute('aria-label', copied ? t('host.copied.label') : t('host.copy.press.label'));
    clearTimeout(copiedTimer);
    copiedTimer = setTimeout(() => {
      copy.textContent = t('host.copy');
      copy.setAttribute('aria-label', t('host.copy.label'));
    }, COPIED_MS);
  });
  open.addEventListener('change', async () => {
    await post('/api/host/open', { open: open.checked });
    refresh();
  });
  /** @type {HTMLElement} */ (document.getElementById('host-rotate')).addEventListener('click', async () => {
    if (!confirm(t('host.rotate.confirm'))) return;
    await post('/api/host/rotate-code', {});
    refresh();
  });

  const gemini = startGeminiKey();

  /** @type {ReturnType<typeof setInterval>|undefined} */
  let timer;
  async function refresh() {
    if (!adminSecret()) { panel.hidden = true; return; }
    try {
      const res = await hostFetch(`/api/host/info?${new URLSearchParams({ room })}`, { cache: 'no-store', headers: { [ADMIN_HEADER]: adminSecret() } });
      if (res.status === 401 || res.status === 403) {
        // Not (or no longer) the host's secret, say from a host since restarted: stop
        // asking, rather than be refused (and log an error) every few seconds.
        sessionStorage.removeItem(ADMIN_KEY);
        clearInterval(timer);
        panel.hidden = true;
        return;
      }
      if (!res.ok) { panel.hidden = true; return; }
      const info = await res.json();
      panel.hidden = false;
      // The host makes the link (this room, the code in force) and its QR code.
      if (url.value !== info.link) {
        url.value = info.link;
        const img = el('img', { alt: t('host.qr.alt', { link: info.link }), 'data-testid': 'host-qr-image' });
        if (info.qrSvg) img.setAttribute('src', `data:image/svg+xml;charset=utf-8,${encodeURIComponent(info.qrSvg)}`);
        qr.replaceChildren(...(info.qrSvg ? [img] : []));
      }
      code.textContent = info.codeRequired ? info.code : t('host.code.not_needed');
      open.checked = !info.codeRequired;
      gemini.refresh();
      const here = (info.rooms || []).find((/** @type {any} */ r) => r.room === room);
      renderPeople(people, here ? here.users : [], me, async (u) => {
        if (!confirm(t('host.kick.confirm', { name: u.name }))) return;
        await post('/api/host/kick', { room, userId: u.id });
        refresh();
      });
    } catch {
      panel.hidden = true; // unreachable: the connection indicator says so, and the list would be stale
    }
  }
  refresh();
  // Only the host's page asks: any other page would only be refused.
  if (adminSecret()) timer = setInterval(refresh, REFRESH_MS);
  return refresh;
}

/**
 * The panel's Gemini line and key field: whether Gemini is on (and where its
 * key came from), and a field to give it a key. The key goes to the host
 * only, which keeps it for the next start; it is never shown again.
 */
function startGeminiKey() {
  const status = /** @type {HTMLElement} */ (document.getElementById('host-gemini-status'));
  const state = /** @type {HTMLElement} */ (document.getElementById('host-gemini-state'));
  const form = /** @type {HTMLFormElement} */ (document.getElementById('host-gemini-form'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('host-gemini-key'));
  let said = '';
  async function refresh() {
    try {
      const res = await hostFetch('/api/ai/status', { cache: 'no-store' });
      if (!res.ok) return;
      const g = (await res.json()).gemini || {};
      const line = g.available
        ? `${t('host.gemini.on_from', { source: keySource(g.keySource) })}${g.check === 'pending' ? ` ${t('host.gemini.checking')}` : ''}`
        : t('host.gemini.off_because', { reason: g.reason ? geminiReason(g) : t('host.gemini.no_key') });
      status.textContent = said ? `${said} ${line}` : line;
      state.textContent = g.available ? t('host.gemini.on') : t('host.gemini.off');
    } catch { /* offline: the status line says so */ }
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) { input.focus(); return; }
    const res = await post('/api/host/gemini-key', { key });
    const body = res ? await res.json().catch(() => ({})) : {};
    if (res && res.ok) {
      input.value = '';
      said = body.saved ? t('host.gemini.saved') : t('host.gemini.until_stop', { note: body.note && language() === 'en' ? body.note : t('host.gemini.not_saved') });
    } else {
      said = errorText(body.code || '', body.error, t('host.gemini.failed'));
    }
    await refresh();
  });
  return { refresh };
}

/** The host's (English) names for where its Gemini key came from; others (GEMINI_API_KEY) stay as said. */
const KEY_SOURCES = { 'the host panel': 'host.gemini.source.panel', 'the config file': 'host.gemini.source.config' };

/** Where the Gemini key came from, in words. @param {string|undefined} source */
function keySource(source) {
  if (!source) return t('host.gemini.source.host');
  const key = KEY_SOURCES[/** @type {keyof typeof KEY_SOURCES} */ (source)];
  return key ? t(key) : source;
}

/** A host-only request, with the admin secret. @param {string} path @param {any} body */
export function post(path, body) {
  return hostFetch(path, { method: 'POST', headers: { 'content-type': 'application/json', [ADMIN_HEADER]: adminSecret() }, body: JSON.stringify(body) }).catch(() => undefined);
}
