// @ts-check
/**
 * What a screen reader is told without looking: one polite live region that
 * says, in short sentences, who joined or left, whether the changes are
 * saved on the host, and when a job (an enhancement, a video) has finished;
 * and the board's shapes as a list (shapelist.js).
 *
 * Everything here listens (to the connection's frames and status, to the
 * board): nothing else depends on it.
 */
import { ShapesList } from './shapelist.js';
import { videoName } from './videolist.js';
import { t } from './i18n.js';
import { errorText } from './hostjson.js';

/** The sentences the live region keeps: a screen reader reads only the new one; the rest are for a look back. */
const KEPT_SENTENCES = 20;
/**
 * How long a saved state must hold before it is said: each stroke is "not
 * saved" for the moment its acknowledgement takes, which is no news.
 */
const SETTLE_MS = { saved: 800, pending: 3000, problem: 0, offline: 0, reconnecting: 3000, stopped: 0 };

/** @typedef {keyof typeof SETTLE_MS} SaveState */
/** @typedef {import('./activity.js').Job} Job */

/** Says short sentences through a visually hidden, polite live region. */
export class Announcer {
  /** @param {HTMLElement} region `aria-live="polite"` */
  constructor(region) {
    this.region = region;
  }

  /**
   * Adds a sentence: each is an element of its own, so the same words twice
   * are said twice, and a burst of them is said in order.
   * @param {string} text
   */
  say(text) {
    const p = document.createElement('p');
    p.textContent = text;
    this.region.append(p);
    while (this.region.childElementCount > KEPT_SENTENCES) this.region.firstElementChild?.remove();
  }
}

/**
 * The saved state a person needs to know about, from the connection. A
 * watcher changes nothing, so "saved" is no news to it; losing the
 * connection still is.
 * @param {{state: string, pending: unknown[], storageProblem: string|null, watching?: boolean}} net
 * @returns {SaveState|null} null while first connecting, and while watching and connected
 */
export function saveState(net) {
  if (net.state === 'connected' && net.watching) return null;
  if (net.state === 'connected') return net.storageProblem ? 'problem' : net.pending.length ? 'pending' : 'saved';
  if (net.state === 'offline' || net.state === 'reconnecting' || net.state === 'stopped') return net.state;
  return null;
}

/** @param {SaveState} s @param {string|null} problem */
function saveSentence(s, problem) {
  if (s === 'problem') {
    const why = problem ? errorText('storage_failed', problem).replace(/[.\s]+$/, '') : '';
    return why ? t('board.said.problem_why', { why }) : t('board.said.problem');
  }
  return t(`board.said.${s}`);
}

/**
 * A finished job in words, or '' for one that is not finished or of a kind
 * a person does not start.
 * @param {Job} job @param {string} me @param {(userId: string) => string} nameOf '' when unknown
 */
export function jobSentence(job, me, nameOf) {
  const by = typeof job.input?.by === 'string' ? job.input.by : '';
  const name = by && by !== me ? nameOf(by) : '';
  const owner = by === me ? 'mine' : name ? 'theirs' : 'some';
  if ((job.kind === 'enhance' || job.kind === 'video') && ['complete', 'failed', 'cancelled'].includes(job.status)) {
    return t(`board.job.${job.kind}.${job.status}.${owner}`, { name, video: job.kind === 'video' ? videoName(job) : '' });
  }
  return '';
}

/**
 * @typedef {object} A11yDeps
 * @property {{shapes: Map<string, import('./board.js').Shape>}} board
 * @property {string} userId this person
 * @property {string} room
 */

/**
 * Starts the live region's sentences and the shapes list. `follow(net)` once
 * the connection exists; `statusChanged()` on each of its status changes;
 * `shapesChanged()` on each change of the board.
 * @param {A11yDeps} d
 */
export function startA11y(d) {
  const announcer = new Announcer(/** @type {HTMLElement} */ (document.getElementById('announcer')));
  /** Everyone seen in this room since the page opened: a shape keeps its author's name after they leave. @type {Map<string, string>} */
  const names = new Map();
  /** Who is here, as this page has told it (not the connection's list, which a reconnect refills silently). @type {Set<string>} */
  const present = new Set();
  /** @param {string} id */
  const who = (id) => (id === d.userId ? t('board.shape.by_you') : names.get(id) || '');
  const shapes = new ShapesList(/** @type {HTMLElement} */ (document.getElementById('shapes-list')), d.board, who);
  /** @type {Set<string>} jobs already said to be finished */
  const saidJobs = new Set();
  /** @type {import('./net.js').Net|null} */
  let net = null;
  let welcomed = false;
  /** @type {SaveState|null} */
  let said = null;
  /** @type {SaveState|null} */
  let settling = null;
  /** @type {ReturnType<typeof setTimeout>|undefined} */
  let settleTimer;

  /** @param {string} id @param {unknown} name @returns {boolean} whether it is new or changed */
  const remember = (id, name) => {
    if (typeof id !== 'string' || typeof name !== 'string' || names.get(id) === name) return false;
    names.set(id, name);
    return true;
  };

  /** @param {string} type @param {any} p */
  function onFrame(type, p) {
    if (type === 'WELCOME') {
      present.clear();
      for (const u of Array.isArray(p.users) ? p.users : []) {
        remember(u.id, u.name);
        present.add(u.id);
      }
      shapes.changed();
      if (!welcomed) {
        welcomed = true;
        const others = [...present].filter((id) => id !== d.userId).map((id) => names.get(id)).filter(Boolean);
        announcer.say(others.length ? t('board.said.joined_with', { room: d.room, names: others.join(t('board.list_sep')) }) : t('board.said.joined_alone', { room: d.room }));
      }
    } else if (type === 'USER_JOINED' && p && typeof p.id === 'string') {
      if (remember(p.id, p.name)) shapes.changed();
      if (!present.has(p.id) && p.id !== d.userId) announcer.say(t('board.said.came', { name: p.name || t('board.someone') }));
      present.add(p.id);
    } else if (type === 'USER_LEFT' && p && typeof p.userId === 'string') {
      if (present.delete(p.userId) && p.userId !== d.userId) announcer.say(t('board.said.left', { name: names.get(p.userId) || t('board.someone') }));
    } else if (type === 'JOB_UPDATED') {
      const job = /** @type {Job} */ (p?.job || p);
      if (!job || typeof job.id !== 'string' || saidJobs.has(job.id)) return;
      const text = jobSentence(job, d.userId, (id) => names.get(id) || '');
      if (!text) return;
      saidJobs.add(job.id);
      announcer.say(text);
    }
  }

  function statusChanged() {
    if (!net) return;
    let renamed = false;
    for (const u of net.users.values()) renamed = remember(u.id, u.name) || renamed;
    if (renamed) shapes.changed();
    const now = saveState(net);
    if (now === settling) return;
    settling = now;
    clearTimeout(settleTimer);
    if (now === null || now === said) return;
    const problem = net.storageProblem;
    settleTimer = setTimeout(() => {
      said = now;
      announcer.say(saveSentence(now, problem));
    }, SETTLE_MS[now]);
  }

  return {
    announcer,
    /** @param {import('./net.js').Net} n */
    follow(n) {
      net = n;
      n.onFrame(onFrame);
    },
    statusChanged,
    shapesChanged: () => shapes.changed(),
    /** Who drew a shape, as the shapes list says it. */
    who,
  };
}
