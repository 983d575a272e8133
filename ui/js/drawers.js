// @ts-check
/**
 * Phones and tablets: the board takes the screen, and the panels a desktop
 * shows beside and under it (people, the host panel, the storyboard, help)
 * become drawers, each opened by its button in the dock under the board. One
 * is open at a time; its button again, Close, Escape or a touch on the board
 * closes it. On a wide screen the dock is hidden and the panels are always
 * there, so none of this shows.
 */

/** Where the layout turns compact; the same width as the media query in style.css. */
export const COMPACT_QUERY = '(max-width: 1100px)';

/**
 * @param {{app: HTMLElement, canvas: HTMLElement}} o
 * @returns {{open: (id: string) => void, close: () => void, isCompact: () => boolean}}
 */
export function startDrawers(o) {
  const dock = /** @type {HTMLElement} */ (o.app.querySelector('#dock'));
  const buttons = /** @type {HTMLButtonElement[]} */ ([...dock.querySelectorAll('button[data-drawer]')]);
  const compact = matchMedia(COMPACT_QUERY);
  const isCompact = () => compact.matches;

  /** @param {string} id the panel's element id, '' for none */
  function show(id) {
    if (id) o.app.dataset.drawer = id; else delete o.app.dataset.drawer;
    for (const b of buttons) b.setAttribute('aria-expanded', String(b.dataset.drawer === id));
  }
  const current = () => o.app.dataset.drawer || '';
  /** @param {string} id */
  function open(id) {
    show(id);
    const panel = document.getElementById(id);
    // The drawer's first control, so that a keyboard or screen reader lands in it.
    const first = /** @type {HTMLElement|null} */ (panel?.querySelector('button, input, select, textarea, [tabindex]') || null);
    if (isCompact() && first && id !== 'storyboard') first.focus({ preventScroll: true });
  }
  function close() {
    const was = current();
    if (!was) return;
    show('');
    const b = buttons.find((x) => x.dataset.drawer === was);
    if (b && o.app.contains(document.activeElement) && document.activeElement !== o.canvas) b.focus({ preventScroll: true });
  }

  for (const b of buttons) {
    b.addEventListener('click', () => (current() === b.dataset.drawer ? close() : open(/** @type {string} */ (b.dataset.drawer))));
    // A button is there only while its panel is (the host panel is the host's alone).
    const panel = document.getElementById(/** @type {string} */ (b.dataset.drawer));
    if (panel && b.hidden) {
      const sync = () => {
        b.hidden = panel.hidden;
        if (panel.hidden && current() === b.dataset.drawer) show('');
      };
      new MutationObserver(sync).observe(panel, { attributes: true, attributeFilter: ['hidden'] });
      sync();
    }
  }
  /** @type {HTMLElement} */ (o.app.querySelector('.drawer-close')).addEventListener('click', close);
  o.app.addEventListener('keydown', (e) => {
    const t = /** @type {HTMLElement} */ (e.target);
    // A field's Escape is its own (it puts the old text back).
    if (e.key === 'Escape' && current() && isCompact() && !t.closest('input, textarea, select')) close();
  });
  // Back to the drawing: a touch on the board puts the drawer away (and draws nothing).
  o.canvas.addEventListener('pointerdown', (e) => {
    if (current() && isCompact()) { e.stopImmediatePropagation(); e.preventDefault(); show(''); }
  }, true);
  compact.addEventListener('change', () => { if (!isCompact()) show(''); });
  return { open, close, isCompact };
}
