// @ts-check
/**
 * The screens before the board: seat picker, join code, room full, host
 * unreachable. `/api/session` is asked first because a browser cannot see
 * why a WebSocket upgrade was refused.
 */
import { checkSession } from './net.js';
import { SEATS, el, seatLabel } from './ui.js';
import { startNearby } from './nearby.js';
import { t, onLanguage, formatDuration } from './i18n.js';
import { errorText } from './hostjson.js';

const NAME_KEY = 'coco.name';

/** Draws the visible screen's words again after a language switch. */
let redraw = () => {};
onLanguage(() => redraw());


/** @param {'loading'|'join'|'code'|'message'|null} name null shows the board */
export function showScreen(name) {
  for (const s of ['loading', 'join', 'code', 'message']) {
    /** @type {HTMLElement} */ (document.getElementById(`screen-${s}`)).hidden = s !== name;
  }
  /** @type {HTMLElement} */ (document.getElementById('screens')).hidden = name === null;
  /** @type {HTMLElement} */ (document.getElementById('app')).hidden = name !== null;
}

/**
 * @param {() => {title: string, text: string, action: string}} words in the current language; action '' for none
 * @param {() => void} onAction
 * @param {string} id a stable name for tests (data-reason)
 */
export function showMessage(words, onAction, id) {
  showScreen('message');
  const { title, text, action } = words();
  const screen = /** @type {HTMLElement} */ (document.getElementById('screen-message'));
  screen.dataset.reason = id;
  /** @type {HTMLElement} */ (document.getElementById('message-title')).textContent = title;
  /** @type {HTMLElement} */ (document.getElementById('message-text')).textContent = text;
  // Only the room-full screen offers to watch (waitForSeat shows it again).
  /** @type {HTMLElement} */ (document.getElementById('watch-form')).hidden = true;
  const button = /** @type {HTMLButtonElement} */ (document.getElementById('message-action'));
  // No action (removed by the host): nothing to press.
  button.hidden = !action;
  button.textContent = action;
  button.onclick = onAction;
  if (action) button.focus();
  redraw = () => {
    const w = words();
    /** @type {HTMLElement} */ (document.getElementById('message-title')).textContent = w.title;
    /** @type {HTMLElement} */ (document.getElementById('message-text')).textContent = w.text;
    button.textContent = w.action;
  };
}

/** Puts a new code in the address and starts over. @param {string} code */
function retryWithCode(code) {
  const q = new URLSearchParams(location.search);
  q.set('code', code.trim().toUpperCase());
  location.search = q.toString();
}

/**
 * The "ask the host" screen.
 * @param {boolean} refused whether a code was given and not accepted
 */
export function showCodeScreen(refused) {
  showScreen('code');
  const error = /** @type {HTMLElement} */ (document.getElementById('code-error'));
  redraw = () => { error.textContent = refused ? t('join.code.refused') : ''; };
  redraw();
  const form = /** @type {HTMLFormElement} */ (document.getElementById('code-form'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('code-input'));
  form.onsubmit = (e) => { e.preventDefault(); if (input.value.trim()) retryWithCode(input.value); };
  input.focus();
}

/**
 * Asks the host until it answers, showing a waiting screen meanwhile.
 * @param {string} room @param {string} code
 * @returns {Promise<any>} the 200 answer; refusals end in their own screen and never resolve
 */
export async function waitForSession(room, code) {
  for (let attempt = 0; ; attempt++) {
    const { status, body } = await checkSession(room);
    if (status === 200) return body;
    if (status === 401) {
      showCodeScreen(!!code);
      return new Promise(() => {});
    }
    if (status === 429) {
      showMessage(() => ({ title: t('join.rate_limited.title'), text: errorText('rate_limited', body.error), action: t('join.try_again') }),
        () => location.reload(), 'rate_limited');
      return new Promise(() => {});
    }
    if (status === 400) {
      showMessage(() => ({ title: t('join.invalid.title'), text: errorText('', body.error, t('join.invalid.text')), action: t('join.invalid.action') }),
        () => { location.search = ''; }, 'invalid');
      return new Promise(() => {});
    }
    const wait = Math.min(5000, 500 * 2 ** attempt);
    showMessage(() => ({ title: t('join.unreachable.title'), text: t('join.unreachable.text', { time: formatDuration(Math.max(1000, wait)) }), action: t('join.try_now') }),
      () => location.reload(), 'unreachable');
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * The seat picker. Resolves with the chosen name and seat.
 * @param {any} session the /api/session answer
 * @param {() => void} [onActivity] called when the picker shows and as the person types or picks a seat
 * @returns {Promise<{name: string, position: string}>}
 */
export function pickSeat(session, onActivity = () => {}) {
  showScreen('join');
  /** @type {HTMLElement} */ (document.getElementById('join-session')).textContent = session.name || 'CoCo';
  /** @type {HTMLElement} */ (document.getElementById('join-room')).textContent = session.room;
  const freeEl = /** @type {HTMLElement} */ (document.getElementById('join-free'));
  const taken = new Map((session.users || []).map((/** @type {any} */ u) => [u.position, u]));
  const grid = /** @type {HTMLElement} */ (document.getElementById('seat-picker'));
  let chosen = SEATS.find((s) => !taken.has(s.pos))?.pos || SEATS[0].pos;
  const buttons = SEATS.map((seat) => {
    const who = taken.get(seat.pos);
    const b = /** @type {HTMLButtonElement} */ (el('button', { type: 'button', class: 'seat', 'data-testid': `seat-${seat.pos}`, 'aria-pressed': String(seat.pos === chosen) }, [
      el('i', { class: 'swatch', style: `background:${seat.color}` }),
      el('span', {}, [el('span', { 'data-seat-label': '' }), el('small', {})]),
    ]));
    b.disabled = !!who;
    b.addEventListener('click', () => {
      chosen = seat.pos;
      for (const other of buttons) other.setAttribute('aria-pressed', String(other === b));
    });
    return b;
  });
  grid.replaceChildren(...buttons);
  redraw = () => {
    freeEl.textContent = t('join.seats_free', { count: session.seatsFree });
    SEATS.forEach((seat, i) => {
      const who = taken.get(seat.pos);
      /** @type {HTMLElement} */ (buttons[i].querySelector('[data-seat-label]')).textContent = seatLabel(seat.pos);
      /** @type {HTMLElement} */ (buttons[i].querySelector('small')).textContent = who ? t('join.seat.taken', { name: who.name }) : t('join.seat.free');
    });
  };
  redraw();
  const name = /** @type {HTMLInputElement} */ (document.getElementById('join-name'));
  name.value = localStorage.getItem(NAME_KEY) || '';
  name.focus();
  name.oninput = onActivity;
  grid.onclick = onActivity;
  onActivity();
  const stopNearby = startNearby();
  return new Promise((resolve) => {
    /** @type {HTMLFormElement} */ (document.getElementById('join-form')).onsubmit = (e) => {
      e.preventDefault();
      const n = name.value.trim().slice(0, 40);
      if (!n) return;
      stopNearby();
      localStorage.setItem(NAME_KEY, n);
      resolve({ name: n, position: chosen });
    };
  });
}

/** Between two looks at a full room for a free seat. */
export const FULL_ROOM_POLL_MS = 2000;

/**
 * Shows the room-full screen and joins by itself once a seat frees: the room
 * is asked every FULL_ROOM_POLL_MS, and the page starts again (picking the
 * free seat) as soon as it has one. A person never has to keep pressing.
 * Meanwhile they may watch (under a name, for the seat they will take):
 * `onWatch` gets the name, and the looking stops.
 * @param {string} room @param {(name: string) => void} onWatch
 */
export function waitForSeat(room, onWatch) {
  showMessage(() => ({ title: t('join.full.title'), text: t('join.full.text'), action: t('join.try_now') }),
    () => location.reload(), 'room_full');
  const form = /** @type {HTMLFormElement} */ (document.getElementById('watch-form'));
  const name = /** @type {HTMLInputElement} */ (document.getElementById('watch-name'));
  name.value = localStorage.getItem(NAME_KEY) || '';
  form.hidden = false;
  let watching = false;
  form.onsubmit = (e) => {
    e.preventDefault();
    const n = name.value.trim().slice(0, 40);
    if (!n || watching) return;
    watching = true;
    localStorage.setItem(NAME_KEY, n);
    onWatch(n);
  };
  const look = async () => {
    if (watching) return;
    const { status, body } = await checkSession(room);
    if (watching) return;
    if (status === 200 && body.seatsFree > 0) { location.reload(); return; }
    // Every watching place taken too: nothing to offer but waiting.
    if (status === 200 && typeof body.watchersFree === 'number') form.hidden = body.watchersFree <= 0;
    setTimeout(look, FULL_ROOM_POLL_MS);
  };
  setTimeout(look, FULL_ROOM_POLL_MS);
}

/**
 * The screen for a connection the host ended (room full aside).
 * @param {string} reason why (net.js) @param {string} message the host's words, if any
 * @param {boolean} hadCode whether the page was opened with a join code
 */
export function showStopped(reason, message, hadCode) {
  const again = () => location.reload();
  if (reason === 'unauthorized') showCodeScreen(hadCode);
  else if (reason === 'kicked') showMessage(() => ({ title: t('join.kicked.title'), text: t('join.kicked.text'), action: '' }), () => {}, 'kicked');
  else if (reason === 'replaced') showMessage(() => ({ title: t('join.replaced.title'), text: t('join.replaced.text'), action: t('join.replaced.action') }), again, 'replaced');
  else if (reason === 'rate_limited') showMessage(() => ({ title: t('join.rate_limited.title'), text: errorText('rate_limited', message), action: t('join.try_again') }), again, 'rate_limited');
  else {
    showMessage(() => ({ title: t('join.refused.title'), text: errorText(reason, message, t('join.refused.text')), action: t('join.refused.action') }),
      () => { location.search = ''; }, reason);
  }
}
