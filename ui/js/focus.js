// @ts-check
/**
 * Where the keys go after a control is used. A clicked button keeps the
 * focus, so Space, meant to pan, pressed the button again and the drag drew
 * or moved a shape. So a control used with the mouse or a finger hands the
 * focus back to the board, and the board's shortcuts (Space, V, Delete,
 * Ctrl+Z) act on it. A control reached and pressed with the keyboard keeps
 * the focus, so tabbing through the toolbar works as it always did; a
 * control whose action put the focus somewhere (a field, a drawer) keeps
 * that; text fields are never touched.
 */

let pointerLast = false;

/** Whether the last thing the person did was with a pointer (mouse, pen, finger), not a key. */
export function pointerWasLast() {
  return pointerLast;
}

/** Controls that keep no use for the keyboard once clicked. */
const CONTROLS = 'button, [role="button"], input[type="checkbox"], input[type="radio"], input[type="color"], input[type="range"], select';

/**
 * @param {HTMLElement} root the board's page (dialogs, which keep their own focus, are outside it)
 * @param {HTMLElement} board where the focus goes back to
 */
export function returnFocusToBoard(root, board) {
  addEventListener('pointerdown', () => { pointerLast = true; }, true);
  addEventListener('keydown', () => { pointerLast = false; }, true);
  /** @param {EventTarget|null} target */
  const giveBack = (target) => {
    const control = /** @type {HTMLElement|null} */ (target instanceof Element ? target.closest(CONTROLS) : null);
    // Only when the focus is still on the control: its action did not move it on purpose.
    if (control && root.contains(control) && document.activeElement === control) board.focus({ preventScroll: true });
  };
  root.addEventListener('click', (e) => {
    // A click with detail 0 was a key (Enter or Space) on a focused control.
    if (e.detail > 0) giveBack(e.target);
  });
  // A list, a colour or a slider is done with at its change (the click only opened it).
  root.addEventListener('change', (e) => {
    if (pointerLast && !(e.target instanceof HTMLInputElement && !e.target.matches(CONTROLS))) giveBack(e.target);
  });
}
