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

const REFRESH_MS = 3000;
/** With nothing found for this long, explain what may be in the way. */
const QUIET_MS = 10000;
/** Shown under each of two or more sessions with the same name. */
export const SAME_NAME = 'Same name as another session — check the address';
const WHY_NOTHING = 'A firewall may block mDNS (UDP port 5353), guest Wi-Fi often keeps devices apart, and a VPN can hide the local network. Ask the host for the address it shows (like http://192.168.1.20:5001/?code=…), or scan its QR code.';

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
    el('summary', {}, ['Nothing listed?']), whyText,
  ]));
  hint.after(why);
  /** @type {NearbySession|null} */
  let chosen = null;
  let lastIds = '';

  /** @param {NearbySession} session */
  const choose = (session) => {
    if (!session.codeRequired) { location.href = sessionLink(session, ''); return; }
    chosen = session;
    label.textContent = `Join code for ${session.name} at ${session.address}`;
    form.hidden = false;
    input.value = '';
    input.focus();
  };
  form.onsubmit = (e) => {
    e.preventDefault();
    if (chosen && input.value.trim()) location.href = sessionLink(chosen, input.value);
  };

  /** @param {NearbySession[]} sessions @param {MdnsStatus} mdns */
  const render = (sessions, mdns) => {
    section.hidden = false;
    const ids = JSON.stringify(sessions);
    if (ids !== lastIds) {
      lastIds = ids;
      list.replaceChildren(...sessions.map((s) => {
        const seats = s.freeSeats === null ? '' : `${s.freeSeats} seat${s.freeSeats === 1 ? '' : 's'} free`;
        const silent = s.answers === false;
        const detail = [seats, s.codeRequired ? 'code needed' : 'open', silent ? 'not answering' : '']
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
          ...(s.sameName ? [el('small', { class: 'nearby-warning', 'data-testid': 'nearby-same-name' }, [SAME_NAME])] : []),
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
    else hint.textContent = quiet ? 'No other sessions found on this network.' : 'Looking for other sessions on this network…';
    const detail = [];
    if (!mdns.browsing) detail.push(`This host is not looking for other sessions (${mdns.error || 'mDNS is not running'}).`);
    else if (mdns.error) detail.push(`Note: ${mdns.error}.`);
    detail.push(WHY_NOTHING);
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
  return () => { clearInterval(timer); section.hidden = true; };
}
