// @ts-check
/**
 * Drag to reorder the items of a horizontal list, with pointer events so a
 * mouse, a pen and a finger all work. A press becomes a drag only after the
 * pointer travels a few pixels, so a tap still focuses or clicks; the other
 * items slide aside to show where the dragged one will land, and the list
 * scrolls when the pointer nears its edges. In a right-to-left page the list
 * runs from the right, so "earlier" is to the right of an item.
 */

/** Pointer travel before a press on a handle becomes a drag. */
export const DRAG_THRESHOLD_PX = 6;
/** Distance from the list's edge at which dragging scrolls it. */
const EDGE_SCROLL_PX = 48;
/** How long after a drag ends a click is taken as its end rather than a press. */
const CLICK_AFTER_DRAG_MS = 300;
/** How far one pointer move scrolls the list near its edge. */
const EDGE_SCROLL_STEP_PX = 16;

/**
 * @param {HTMLElement} list the scrolling container; its element children are the items
 * @param {{handle: string, onMove: (from: number, to: number) => void}} o
 *   `handle` is a selector for the part of an item that starts a drag;
 *   `onMove` is called once, on release, when the item's place changed
 */
export function enableReorder(list, o) {
  /** @type {null | {id: number, item: HTMLElement, items: HTMLElement[], from: number, to: number,
   *   x0: number, scroll0: number, step: number, centers: number[], dragging: boolean, dir: number}} */
  let drag = null;
  let swallowClickUntil = 0;

  list.addEventListener('pointerdown', (e) => {
    if (drag || e.button !== 0) return;
    const handle = /** @type {HTMLElement|null} */ (/** @type {HTMLElement} */ (e.target).closest(o.handle));
    if (!handle || !list.contains(handle)) return;
    const items = /** @type {HTMLElement[]} */ ([...list.children]);
    const item = items.find((it) => it.contains(handle));
    if (!item) return;
    const from = items.indexOf(item);
    const gap = items.length > 1 ? Math.abs(items[1].offsetLeft - items[0].offsetLeft) - items[0].offsetWidth : 0;
    drag = {
      id: e.pointerId, item, items, from, to: from, x0: e.clientX, scroll0: list.scrollLeft,
      step: item.offsetWidth + Math.max(0, gap), centers: items.map((it) => it.offsetLeft + it.offsetWidth / 2), dragging: false,
      // +1 when later items are to the right, -1 when they are to the left (right to left).
      dir: getComputedStyle(list).direction === 'rtl' ? -1 : 1,
    };
  });

  list.addEventListener('pointermove', (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    if (!drag.dragging) {
      if (Math.abs(e.clientX - drag.x0) < DRAG_THRESHOLD_PX) return;
      drag.dragging = true;
      list.setPointerCapture(e.pointerId);
      drag.item.classList.add('dragging');
      list.classList.add('reordering');
    }
    const r = list.getBoundingClientRect();
    if (e.clientX < r.left + EDGE_SCROLL_PX) list.scrollLeft -= EDGE_SCROLL_STEP_PX;
    else if (e.clientX > r.right - EDGE_SCROLL_PX) list.scrollLeft += EDGE_SCROLL_STEP_PX;
    const dx = e.clientX - drag.x0 + (list.scrollLeft - drag.scroll0);
    const centre = drag.centers[drag.from] + dx;
    // The new place: how many of the other items' centres lie before the dragged one's.
    const dir = drag.dir;
    let to = 0;
    drag.centers.forEach((c, i) => { if (i !== drag?.from && (c - centre) * dir < 0) to++; });
    drag.to = to;
    drag.items.forEach((it, i) => {
      if (i === drag?.from) { it.style.transform = `translateX(${dx}px)`; return; }
      let shift = 0;
      if (drag && i > drag.from && i <= to) shift = -drag.step * dir;
      else if (drag && i < drag.from && i >= to) shift = drag.step * dir;
      it.style.transform = shift ? `translateX(${shift}px)` : '';
    });
    e.preventDefault();
  });

  /** @param {PointerEvent} e @param {boolean} commit */
  const end = (e, commit) => {
    if (!drag || e.pointerId !== drag.id) return;
    const d = drag;
    drag = null;
    // Straight to the new layout: sliding back from where the items were shown would look like a second move.
    for (const it of d.items) { it.style.transition = 'none'; it.style.transform = ''; }
    requestAnimationFrame(() => requestAnimationFrame(() => { for (const it of d.items) it.style.transition = ''; }));
    d.item.classList.remove('dragging');
    list.classList.remove('reordering');
    if (d.dragging && list.hasPointerCapture(e.pointerId)) list.releasePointerCapture(e.pointerId);
    if (commit && d.dragging && d.to !== d.from) o.onMove(d.from, d.to);
    if (d.dragging) swallowClickUntil = performance.now() + CLICK_AFTER_DRAG_MS;
  };
  // The click that follows a drag is not a press on the handle.
  list.addEventListener('click', (c) => {
    if (performance.now() < swallowClickUntil) { c.stopPropagation(); c.preventDefault(); }
  }, { capture: true });
  list.addEventListener('pointerup', (e) => end(e, true));
  list.addEventListener('pointercancel', (e) => end(e, false));
}

/**
 * `ids` with the one at `from` moved to `to`.
 * @template T @param {T[]} ids @param {number} from @param {number} to @returns {T[]}
 */
export function moved(ids, from, to) {
  const out = ids.slice();
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x);
  return out;
}
