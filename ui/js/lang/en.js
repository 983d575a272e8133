// @ts-check
/**
 * English: the reference catalog. Every key here exists in every other
 * catalog with the same `{placeholders}` (tests/e2e/i18n.test.js checks).
 * Keys are grouped by the part of the UI that shows them.
 * @type {import('../i18n.js').Catalog}
 */
export default {
  // Language switch (join screens)
  'lang.label': 'Language',

  // ---- Join screens: loading, join, code, messages, room full, watching, nearby sessions ----

  // ---- end join ----

  // ---- Board chrome: top bar, toolbar and tools, people, dock and drawers, help, toasts, connection, live region, shapes list, follow/laser/present, pen ----

  // ---- end board ----

  // ---- Host panel: join link, code, open, people, present, Gemini key ----

  // ---- end host ----

  // ---- Host controls: lock the canvas, lock shapes, undo override ----

  // ---- end lock ----

  // ---- Keyboard drawing and the shortcuts help (?) ----
  'keys.tool.select': 'Select tool: choose, move and resize shapes',
  'keys.tool.pencil': 'Pencil',
  'keys.tool.line': 'Line',
  'keys.tool.rectangle': 'Rectangle',
  'keys.tool.ellipse': 'Ellipse',
  'keys.tool.text': 'Text',
  'keys.tool.eraser': 'Eraser',
  'keys.tool.laser': 'Laser pointer: a trail everyone sees for a moment',
  'keys.do.fill': 'Fill new shapes, on or off',
  'keys.do.image': 'Insert a picture',
  'keys.do.enhance': 'Enhance the sketch (the selection, or the whole board)',
  'keys.do.point': 'Move the focus point (the crosshair) while nothing is selected; with Shift 10 times as far. The view follows it at the edge',
  'keys.do.create': 'Rectangle or ellipse: make one at the focus point, in the chosen size',
  'keys.do.polyline': 'Line or pencil: add a point at the focus point; Enter again without moving finishes',
  'keys.do.polyline-end': 'Finish the line or polyline being placed',
  'keys.do.polyline-back': 'Take back the last point of the polyline being placed',
  'keys.do.text': 'Text: type a text at the focus point (Enter places it, Escape cancels)',
  'keys.do.size-down': 'Smaller new rectangles and ellipses',
  'keys.do.size-up': 'Larger new rectangles and ellipses',
  'keys.do.next': 'Select tool: select the next shape; after the last one the focus leaves the board',
  'keys.do.previous': 'Select tool: select the previous shape',
  'keys.do.select-here': 'Select tool: select the shape at the focus point',
  'keys.do.move': 'Move the selection by a pixel; with Shift by 10. Each press is one undo step',
  'keys.do.resize': 'Resize the selection: Right and Down make it larger, Left and Up smaller; with Shift by 10',
  'keys.do.delete': 'Delete the selection',
  'keys.do.deselect': 'Select nothing; Tab then leaves the board',
  'keys.do.undo': 'Undo your last change',
  'keys.do.redo': 'Redo',
  'keys.do.pan': 'Pan the view',
  'keys.do.pan-space': 'Hold and drag with the mouse to pan',
  'keys.do.zoom-in': 'Zoom in',
  'keys.do.zoom-out': 'Zoom out',
  'keys.do.zoom-reset': 'Back to 100%',
  'keys.do.fit': 'Fit the drawing in view',
  'keys.do.storyboard': 'Add the selection (or the whole board) to the storyboard',
  'keys.do.export': 'Export PNG',
  'keys.do.export-svg': 'Export SVG',
  'keys.do.help': 'This list of shortcuts',
  'keys.name.ctrl': 'Ctrl',
  'keys.name.shift': 'Shift',
  'keys.name.alt': 'Alt',
  'keys.name.enter': 'Enter',
  'keys.name.escape': 'Esc',
  'keys.name.delete': 'Delete',
  'keys.name.backspace': 'Backspace',
  'keys.name.tab': 'Tab',
  'keys.name.space': 'Space',
  'keys.name.arrows': 'Arrow keys',
  'keys.or': 'or',
  'keys.group.tools': 'Tools',
  'keys.group.draw': 'Drawing with the keys',
  'keys.group.select': 'Shapes',
  'keys.group.view': 'View',
  'keys.group.more': 'More',
  'keys.help.title': 'Keyboard shortcuts',
  'keys.help.close': 'Close',
  'keys.help.intro': 'Everything works with the keys alone. The board’s keys (arrows, Enter, Tab) act while the board has the focus: Tab to it.',
  'keys.help.keys': 'Keys',
  'keys.help.does': 'What it does',
  'keys.help.open': 'Keyboard shortcuts (?)',
  'keys.help.pointer': 'Press ? for every keyboard shortcut.',
  'keys.said.point': 'Focus point at x {x}, y {y}',
  'keys.said.moved': 'Moved to x {x}, y {y}',
  'keys.said.resized': 'Size {w} by {h}',
  'keys.said.text-size': 'Text size {size}',
  'keys.said.added': 'Added: {shape}',
  'keys.said.shape': '{n} of {count}: {shape}',
  'keys.said.polyline-start': 'First point at x {x}, y {y}. Move, then Enter adds the next; Escape finishes',
  'keys.said.polyline-point': 'Point {count} at x {x}, y {y}',
  'keys.said.polyline-back': { one: '{count} point left', other: '{count} points left' },
  'keys.said.polyline-dropped': 'A line needs two points: nothing added',
  'keys.said.nothing-here': 'No shape at the focus point',
  'keys.said.size': 'New shapes: {size} by {size}',

  // ---- end keys ----

  // ---- Pictures, enhance dialog, storyboard, video panel, jobs ----

  // ---- end media ----

  // ---- Errors from the host, by code ----

  // ---- end errors ----
};
