// @ts-check
/**
 * The pen settings, remembered on this device: whether a pen's pressure
 * sets the width of a pencil stroke (on unless turned off), and "Pen only",
 * which keeps fingers from drawing while a pen is used: a hand resting on
 * a tablet must not leave marks (palm rejection), while one finger still
 * pans and two still pinch to zoom. Until someone chooses, "Pen only" turns
 * on by itself the first time a pen touches the board; turned off, it stays
 * off.
 */
import { el } from './ui.js';
import { t } from './i18n.js';

const PRESSURE_KEY = 'coco.pen.pressure';
const ONLY_KEY = 'coco.pen.only';

export class PenSettings {
  /** @param {Storage} store where the choices are kept */
  constructor(store) {
    this.store = store;
    /** pen pressure sets a pencil stroke's width */
    this.pressure = store.getItem(PRESSURE_KEY) !== '0';
    /** touches on the board pan and zoom only */
    this.only = store.getItem(ONLY_KEY) === '1';
    /** @type {Map<'pressure'|'only', HTMLInputElement>} */
    this.inputs = new Map();
  }

  /** @param {'pressure'|'only'} what @param {boolean} on */
  set(what, on) {
    this[what] = on;
    this.store.setItem(what === 'pressure' ? PRESSURE_KEY : ONLY_KEY, on ? '1' : '0');
    const input = this.inputs.get(what);
    if (input) input.checked = on;
  }

  /** A pen touched the board: "Pen only" turns on, unless someone chose otherwise before. */
  sawPen() {
    if (!this.only && this.store.getItem(ONLY_KEY) === null) this.set('only', true);
  }

  /**
   * The two switches, labelled, at the end of `parent`.
   * @param {HTMLElement} parent
   */
  mount(parent) {
    /** @param {'pressure'|'only'} what @param {string} label */
    const toggle = (what, label) => {
      const input = /** @type {HTMLInputElement} */ (el('input', { type: 'checkbox', 'data-testid': `pen-${what}` }));
      input.checked = this[what];
      input.addEventListener('change', () => this.set(what, input.checked));
      this.inputs.set(what, input);
      return el('label', { class: 'check' }, [input, ` ${label}`]);
    };
    parent.append(el('fieldset', { class: 'pen-settings', 'data-testid': 'pen-settings' }, [
      el('legend', {}, [t('board.pen')]),
      toggle('pressure', t('board.pen.pressure')),
      toggle('only', t('board.pen.only')),
    ]));
  }
}
