// @ts-check
/** The board's chrome: toolbar, connection indicator, seat badges, people, host panel. */

import { TEXT_SIZES, DEFAULT_TEXT_SIZE } from './text.js';
import { t, formatNumber } from './i18n.js';
import { errorText } from './hostjson.js';

/** @typedef {import('./tools.js').Tool} Tool */
/** @typedef {import('./net.js').User} User */

export const SEATS = [
  { pos: 'top-left', color: '#E03131' },
  { pos: 'top-right', color: '#1971C2' },
  { pos: 'bottom-left', color: '#2F9E44' },
  { pos: 'bottom-right', color: '#F08C00' },
];

/** A seat's name in the current language ("Top left"). @param {string} pos */
export const seatLabel = (pos) => t(`board.seat.${pos}`);

const ICONS = {
  select: 'M5 3l6 16 2-7 7-2z',
  pencil: 'M4 20l4-1 11-11-3-3L5 16z',
  line: 'M5 19L19 5',
  rectangle: 'M4 6h16v12H4z',
  ellipse: 'M12 6c4.4 0 8 2.7 8 6s-3.6 6-8 6-8-2.7-8-6 3.6-6 8-6z',
  text: 'M5 7V4h14v3M12 4v16M9 20h6',
  eraser: 'M8 20h12M4 15l10-10 5 5-9 10H9z',
  laser: 'M4 20l9-9M15 9a3 3 0 104.2-4.2A3 3 0 0015 9zM17 3V1M21 7h2M20 4l1.5-1.5',
  fill: 'M5 5h14v14H5z',
  undo: 'M9 14L4 9l5-5M4 9h11a5 5 0 010 10h-3',
  redo: 'M15 14l5-5-5-5M20 9H9a5 5 0 000 10h3',
  delete: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13',
  export: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  'export-svg': 'M12 4v9M8 9l4 4 4-4M4 17l3 3 3-3M14 20l2-3 2 3 2-3',
  fit: 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5',
  image: 'M4 5h16v14H4zM4 16l5-5 4 4 3-3 4 4M15.5 9.5h.01',
  enhance: 'M10 3l1.9 5.1L17 10l-5.1 1.9L10 17l-1.9-5.1L3 10l5.1-1.9zM18 14l.9 2.1L21 17l-2.1.9L18 20l-.9-2.1L15 17l2.1-.9z',
};

/** The tools and their keys; each one's name is `board.tool.<tool>` in the catalogs. @type {{tool: Tool, key: string}[]} */
export const TOOLS = [
  { tool: 'select', key: 'v' },
  { tool: 'pencil', key: 'p' },
  { tool: 'line', key: 'l' },
  { tool: 'rectangle', key: 'r' },
  { tool: 'ellipse', key: 'o' },
  { tool: 'text', key: 't' },
  { tool: 'eraser', key: 'e' },
  { tool: 'laser', key: 'k' },
];

/**
 * @param {string} tag @param {Record<string, string>} attrs @param {(Node|string)[]} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    // A `style` attribute is inline style, which the host's Content-Security-Policy
    // forbids; the same declarations set through the CSSOM are allowed.
    if (k === 'style') setStyle(node, v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

/**
 * Applies `prop: value; ...` declarations one by one (custom properties too).
 * @param {HTMLElement} node @param {string} text
 */
function setStyle(node, text) {
  for (const decl of text.split(';')) {
    const colon = decl.indexOf(':');
    if (colon > 0) node.style.setProperty(decl.slice(0, colon).trim(), decl.slice(colon + 1).trim());
  }
}

/** @param {keyof typeof ICONS} name */
function icon(name) {
  const span = document.createElement('span');
  span.innerHTML = `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="${ICONS[name]}"/></svg>`;
  return /** @type {Node} */ (span.firstChild);
}

/** @typedef {'undo'|'redo'|'delete'|'export'|'export-svg'|'fit'|'image'|'enhance'} Command */

/**
 * @param {HTMLElement} nav
 * @param {{onTool: (t: Tool) => void, onCommand: (c: Command) => void, onStyle: (what: 'style'|'fontSize') => void}} h
 */
export function buildToolbar(nav, h) {
  /** @type {Map<Tool, HTMLElement>} */
  const toolButtons = new Map();
  for (const tl of TOOLS) {
    const label = `${t(`board.tool.${tl.tool}`)} (${tl.key.toUpperCase()})`;
    const b = el('button', { type: 'button', 'aria-label': label, title: label, 'aria-pressed': 'false', 'data-testid': `tool-${tl.tool}` }, [icon(tl.tool)]);
    b.addEventListener('click', () => h.onTool(tl.tool));
    toolButtons.set(tl.tool, b);
    nav.append(b);
  }
  const image = el('button', { type: 'button', 'aria-label': t('board.cmd.image'), title: t('board.cmd.image.title'), 'data-testid': 'tool-image' }, [icon('image')]);
  image.addEventListener('click', () => h.onCommand('image'));
  const enhance = el('button', { type: 'button', 'aria-label': t('board.cmd.enhance'), title: t('board.cmd.enhance.title'), 'aria-haspopup': 'dialog', 'data-testid': 'tool-enhance' }, [icon('enhance')]);
  enhance.addEventListener('click', () => h.onCommand('enhance'));
  nav.append(image, enhance);
  nav.append(el('hr'));
  const stroke = /** @type {HTMLInputElement} */ (el('input', { type: 'color', value: '#1f2328', 'aria-label': t('board.stroke_colour'), title: t('board.stroke_colour'), 'data-testid': 'stroke-color' }));
  // Plain numbers: "16px" did not fit the narrow list ("16p"); the label says they are pixels.
  const width = /** @type {HTMLSelectElement} */ (el('select', { 'aria-label': t('board.stroke_width'), title: t('board.stroke_width'), 'data-testid': 'stroke-width' },
    ['2', '4', '8', '16'].map((w) => el('option', { value: w }, [formatNumber(Number(w))]))));
  width.value = '4';
  const fillOn = el('button', { type: 'button', 'aria-label': t('board.fill'), title: t('board.fill'), 'aria-pressed': 'false', 'data-testid': 'fill-toggle' }, [icon('fill')]);
  const fill = /** @type {HTMLInputElement} */ (el('input', { type: 'color', value: '#a5d8ff', 'aria-label': t('board.fill_colour'), title: t('board.fill_colour'), 'data-testid': 'fill-color' }));
  const opacity = /** @type {HTMLInputElement} */ (el('input', { id: 'opacity', type: 'range', min: '0.1', max: '1', step: '0.1', value: '1', 'aria-label': t('board.opacity'), 'aria-valuetext': formatNumber(1, { style: 'percent' }), title: t('board.opacity'), 'data-testid': 'opacity' }));
  // The slider's value, as a percentage, under it (a slider alone shows none).
  const opacityValue = el('output', { for: 'opacity', 'aria-hidden': 'true', 'data-testid': 'opacity-value' }, [formatNumber(1, { style: 'percent' })]);
  const showOpacity = () => {
    const pct = formatNumber(Math.round(Number(opacity.value) * 100) / 100, { style: 'percent' });
    opacityValue.textContent = pct;
    opacity.setAttribute('aria-valuetext', pct);
  };
  opacity.addEventListener('input', showOpacity);
  opacity.addEventListener('change', showOpacity);
  fillOn.addEventListener('click', () => {
    fillOn.setAttribute('aria-pressed', String(fillOn.getAttribute('aria-pressed') !== 'true'));
    h.onStyle('style');
  });
  for (const input of [stroke, width, fill, opacity]) input.addEventListener('change', () => h.onStyle('style'));
  // Text has its own size (it used to follow the stroke width: 16 px gave 64 px letters);
  // the control shows while the text tool or a text is chosen.
  const textSizeLabel = el('label', { class: 'lbl', for: 'text-size', hidden: '' }, [t('board.text_size.short')]);
  const textSize = /** @type {HTMLSelectElement} */ (el('select', { id: 'text-size', 'aria-label': t('board.text_size'), title: t('board.text_size'), hidden: '', 'data-testid': 'text-size' },
    TEXT_SIZES.map((n) => el('option', { value: String(n) }, [formatNumber(n)]))));
  textSize.value = String(DEFAULT_TEXT_SIZE);
  textSize.addEventListener('change', () => h.onStyle('fontSize'));
  nav.append(stroke, el('div', { class: 'lbl' }, [t('board.width.short')]), width, fillOn, fill, el('div', { class: 'lbl' }, [t('board.opacity.short')]), opacity, opacityValue, textSizeLabel, textSize, el('hr'));
  /** @type {[('undo'|'redo'|'delete'|'export'|'export-svg'|'fit'), string][]} */
  const commands = [['undo', t('board.cmd.undo')], ['redo', t('board.cmd.redo')], ['delete', t('board.cmd.delete')], ['fit', t('board.cmd.fit')], ['export', t('board.cmd.export')], ['export-svg', t('board.cmd.export_svg')]];
  /** @type {Map<Command, HTMLElement>} */
  const commandButtons = new Map();
  for (const [cmd, label] of commands) {
    const b = el('button', { type: 'button', 'aria-label': label, title: label, 'data-testid': `cmd-${cmd}` }, [icon(cmd)]);
    b.addEventListener('click', () => h.onCommand(cmd));
    commandButtons.set(cmd, b);
    nav.append(b);
  }
  return {
    /** @param {Tool} tool */
    setTool(tool) {
      for (const [t, b] of toolButtons) b.setAttribute('aria-pressed', String(t === tool));
    },
    /** @returns {import('./board.js').Style} */
    style() {
      return {
        strokeColor: stroke.value,
        fillColor: fillOn.getAttribute('aria-pressed') === 'true' ? fill.value : 'transparent',
        strokeWidth: Number(width.value),
        opacity: Number(opacity.value),
        fontSize: Number(textSize.value),
      };
    },
    /**
     * Shows the text size control, with `size` (a text's own, which may be
     * one the list lacks, set by its resize handle) when given.
     * @param {boolean} on @param {number} [size]
     */
    showTextSize(on, size) {
      textSize.hidden = !on;
      textSizeLabel.hidden = !on;
      if (size === undefined) return;
      const v = String(size);
      if (![...textSize.options].some((o) => o.value === v)) {
        const next = [...textSize.options].find((o) => Number(o.value) > size) || null;
        textSize.insertBefore(el('option', { value: v }, [formatNumber(size)]), next);
      }
      textSize.value = v;
    },
    /** @param {string} c */
    setStroke(c) { stroke.value = c.toLowerCase(); },
    /** Marks a command's button as working (an export). @param {Command} c @param {boolean} on */
    setBusy(c, on) {
      const b = commandButtons.get(c);
      if (on) b?.setAttribute('aria-busy', 'true'); else b?.removeAttribute('aria-busy');
    },
    toggleFill() { fillOn.click(); },
  };
}

/**
 * @param {HTMLElement} root
 * @param {{state: string, unacked: number, storageProblem?: string|null, loading?: number|null}} s
 *   `loading`: the share of the board in so far (0..1) while it comes in parts
 */
export function renderConnection(root, s) {
  const text = /** @type {HTMLElement} */ (root.querySelector('#conn-text'));
  const n = s.unacked;
  const unsaved = n ? ` · ${t('board.conn.unsaved', { count: n })}` : '';
  const problem = s.state === 'connected' && s.storageProblem;
  const loading = s.state === 'connected' && s.loading != null && !problem;
  const label = {
    connecting: t('board.conn.connecting'),
    connected: loading ? `${t('board.conn.loading', { percent: Math.floor(Number(s.loading) * 100) })}${unsaved}`
      : problem ? `${t('board.conn.connected')} · ${t('board.conn.not_saving')}${unsaved}`
      : n ? `${t('board.conn.connected')}${unsaved}` : `${t('board.conn.connected')} · ${t('board.conn.saved')}`,
    reconnecting: `${t('board.conn.reconnecting')}${unsaved}`,
    offline: `${t('board.conn.offline')}${unsaved}`,
    stopped: t('board.conn.stopped'),
  }[s.state] || s.state;
  root.dataset.state = s.state;
  if (loading) root.dataset.loading = '1'; else delete root.dataset.loading;
  root.classList.toggle('unsaved', n > 0 || !!problem);
  // The host's sentence (what failed, what to do) on hover and for screen readers.
  root.title = problem ? errorText('storage_failed', String(s.storageProblem)) : '';
  text.textContent = label;
}

/**
 * @param {HTMLElement} root @param {Map<string, User>} users @param {string} me
 */
export function renderBadges(root, users, me) {
  const bySeat = new Map([...users.values()].map((u) => [u.position, u]));
  root.replaceChildren(...SEATS.map((seat) => {
    const u = bySeat.get(seat.pos);
    const label = seatLabel(seat.pos);
    const badge = el('div', { class: `badge${u ? '' : ' empty'}${u && u.id === me ? ' me' : ''}`, style: `--c:${seat.color}`, 'data-testid': `badge-${seat.pos}`, title: label, role: 'listitem' },
      [el('i', { class: 'swatch' }), el('span', {}, [u ? (u.id === me ? t('board.you', { name: u.name }) : u.name) : label]),
        el('span', { class: 'visually-hidden' }, [u ? t('board.badge.where', { seat: label.toLowerCase() }) : t('board.badge.free')])]);
    return badge;
  }));
}

/**
 * @param {HTMLElement} list @param {User[]} users @param {string} me
 * @param {((u: User) => void)|null} onRemove
 * @param {{following: string|null, onFollow: (u: User) => void}} [follow] a Follow button for each other person
 */
export function renderPeople(list, users, me, onRemove, follow) {
  const order = SEATS.map((s) => s.pos);
  const sorted = [...users].sort((a, b) => order.indexOf(a.position) - order.indexOf(b.position));
  list.replaceChildren(...sorted.map((u) => {
    const li = el('li', { 'data-testid': 'person' }, [
      el('i', { class: 'swatch', style: `background:${u.color}` }),
      el('span', { class: 'name' }, [u.id === me ? t('board.you', { name: u.name }) : u.name]),
    ]);
    if (follow && u.id !== me) {
      const on = follow.following === u.id;
      const b = el('button', { type: 'button', class: on ? 'on' : '', 'aria-label': on ? t('board.follow.on.label', { name: u.name }) : t('board.follow.label', { name: u.name }),
        title: on ? t('board.follow.on.title') : t('board.follow.title', { name: u.name }), 'data-testid': 'follow' }, [on ? t('board.follow.on') : t('board.follow')]);
      b.addEventListener('click', () => follow.onFollow(u));
      li.append(b);
    }
    if (onRemove && u.id !== me) {
      const b = el('button', { type: 'button', 'aria-label': t('host.kick.label', { name: u.name }), 'data-testid': 'kick' }, [t('host.kick')]);
      b.addEventListener('click', () => onRemove(u));
      li.append(b);
    }
    return li;
  }));
}
