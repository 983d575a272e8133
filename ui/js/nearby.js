// @ts-check
/**
 * "Sessions nearby" on the join screen: the other CoCo sessions this host
 * found on the network (`GET /api/discovery`). Choosing one asks for its
 * code if it needs one, then opens that host's own page with the code, just
 * as its join link would. When nothing can be found, it says why that may be,
 * since a typed address always works.
 *
 * Anyone on the network can announce a session, under any name. So each one
 * shows the address it opens (the host shows its own address with its join
 * link, to compare), two with the same name are both marked, and one that did
 * not answer when this host checked it is marked too (the host lists those
 * that answered first).
 */
import { hostFetch } from './hostjson.js';
import { el } from './ui.js';
import { t, onLanguage } from './i18n.js';

const REFRESH_MS = 3000;
/** With nothing found for this long, explain what may be in the way. */
const QUIET_MS = 10000;

/**
 * @typedef {{id: string, name: string, url: string, address: string, addresses: string[], port: number,
 *   version: string, freeSeats: number|null, codeRequired: boolean, sameName: boolean,
 *   answers: boolean|null}} NearbySession
 * @typedef {{advertising: boolean, browsing: boolean, error?: string}} MdnsStatus
 */

/**
 * Where a chosen session opens: its own page, with the code when it needs one.
 * @param {NearbySession} session @param {string} code
 */
export function sessionLink(session, code) {
  const link = new URL(session.url);
  if (code.trim()) link.searchParams.set('code', code.trim().toUpperCase());
  return link.toString();
}

/**
 * Shows the list and keeps it current until the returned function is called.
 * @returns {() => void} stops refreshing
 */
export function startNearby() {
  const section = /** @type {HTMLElement} */ (document.getElementById('nearby'));
  const list = /** @type {HTMLElement} */ (document.getElementById('nearby-list'));
  const hint = /** @type {HTMLElement} */ (document.getElementById('nearby-hint'));
  const form = /** @type {HTMLFormElement} */ (document.getElementById('nearby-code-form'));
  const label = /** @type {HTMLElement} */ (document.getElementById('nearby-code-label'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('nearby-code'));
  const started = Date.now();
  // Troubleshooting sits behind "Nothing listed?": most people never need it.
  const whyText = el('p', { 'data-testid': 'nearby-why-text' });
  const why = /** @type {HTMLDetailsElement} */ (el('details', { class: 'nearby-why', 'data-testid': 'nearby-why', hidden: '' }, [
    el('summary', { 'data-i18n': 'join.nearby.why' }, [t('join.nearby.why')]), whyText,
  ]));
  hint.after(why);
  /** @type {NearbySession|null} */
  let chosen = null;
  let lastIds = '';

  /** @param {NearbySession} session */
  const choose = (session) => {
    if (!session.codeRequired) { location.href = sessionLink(session, ''); return; }
    chosen = session;
    label.textContent = t('join.nearby.code_for', { name: session.name, address: session.address });
    form.hidden = false;
    input.value = '';
    input.focus();
  };
  form.onsubmit = (e) => {
    e.preventDefault();
    if (chosen && input.value.trim()) location.href = sessionLink(chosen, input.value);
  };

  /** @type {[NearbySession[], MdnsStatus]|null} what was last drawn, for a language switch */
  let last = null;
  const stopLanguage = onLanguage(() => {
    lastIds = '';
    if (last) render(...last);
    if (chosen) label.textContent = t('join.nearby.code_for', { name: chosen.name, address: chosen.address });
  });

  /** @param {NearbySession[]} sessions @param {MdnsStatus} mdns */
  const render = (sessions, mdns) => {
    last = [sessions, mdns];
    section.hidden = false;
    const ids = JSON.stringify(sessions);
    if (ids !== lastIds) {
      lastIds = ids;
      list.replaceChildren(...sessions.map((s) => {
        const seats = s.freeSeats === null ? '' : t('join.seats_free', { count: s.freeSeats });
        const silent = s.answers === false;
        const detail = [seats, s.codeRequired ? t('join.nearby.code_needed') : t('join.nearby.open'), silent ? t('join.nearby.silent') : '']
          .filter(Boolean).join(' · ');
        const button = el('button', {
          type: 'button', class: silent ? 'nearby-item nearby-silent' : 'nearby-item',
          'data-testid': 'nearby-item', 'data-session-id': s.id, 'data-address': s.address,
        }, [
          el('span', { class: 'nearby-name' }, [
            el('strong', {}, [s.name]), ' ',
            el('span', { class: 'nearby-address', 'data-testid': 'nearby-address' }, [s.address]),
          ]),
          el('small', {}, [detail]),
          ...(s.sameName ? [el('small', { class: 'nearby-warning', 'data-testid': 'nearby-same-name' }, [t('join.nearby.same_name')])] : []),
        ]);
        button.addEventListener('click', () => choose(s));
        return el('li', {}, [button]);
      }));
      if (chosen && !sessions.some((s) => s.id === chosen?.id && s.address === chosen?.address)) {
        chosen = null; form.hidden = true;
      }
    }
    // One plain line for everyone; the network detail only for who asks.
    const quiet = !sessions.length && (!mdns.browsing || !!mdns.error || Date.now() - started >= QUIET_MS);
    if (sessions.length) hint.textContent = '';
    else hint.textContent = quiet ? t('join.nearby.none') : t('join.nearby.looking');
    const detail = [];
    if (!mdns.browsing) detail.push(t('join.nearby.not_browsing', { why: mdns.error || t('join.nearby.no_mdns') }));
    else if (mdns.error) detail.push(t('join.nearby.note', { note: mdns.error }));
    detail.push(t('join.nearby.why_text'));
    whyText.textContent = detail.join(' ');
    why.hidden = !quiet;
  };

  const refresh = async () => {
    try {
      const res = await hostFetch('/api/discovery', { cache: 'no-store' });
      if (!res.ok) { section.hidden = true; return; }
      const body = await res.json();
      render(body.sessions || [], body.mdns || { advertising: false, browsing: false });
    } catch {
      section.hidden = true; // the host is unreachable; the join screen says so on submit
    }
  };
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => { clearInterval(timer); stopLanguage(); section.hidden = true; };
}
