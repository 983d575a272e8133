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
  'lock.status': 'The host has locked the board — you can look and point',
  'lock.statusHost': 'You have locked the board: only you can change it',
  'lock.unlocked': 'The host has unlocked the board: you can draw again',
  'lock.toolbarTitle': 'The host has locked the board: you can look and point (laser, K)',
  'lock.refused': 'The host has locked the board: your change was not made',
  'lock.shapeLocked': 'The host has locked this shape: only the host can move, change or delete it',
  'lock.failed': 'The lock could not be changed: is the host running?',
  'lock.heading': 'Lock and undo',
  'lock.switch': 'Lock the board: the others can look and point, not change anything',
  'lock.lockShape': 'Lock the selected shapes',
  'lock.unlockShape': 'Unlock them',
  'lock.selectFirst': 'Select a shape first (Select tool, V)',
  'lock.shapesLocked': { one: 'Locked {count} shape', other: 'Locked {count} shapes' },
  'lock.shapesUnlocked': { one: 'Unlocked {count} shape', other: 'Unlocked {count} shapes' },
  'lock.undoList': "Undo a person's last change",
  'lock.undoPerson': "Undo {name}'s last change",
  'lock.undoCount': { one: '{name} made {count} change you can undo', other: '{name} made {count} changes you can undo' },
  'lock.undoNone': 'Nothing of {name} to undo yet',
  'lock.undone': "Undid {name}'s last change: your own undo brings it back",
  'lock.nobody': 'Nobody else is here yet',
  'lock.help': "The host can lock the board (then you can look and point with the laser, K, but not change anything), lock single shapes (a padlock marks them), and undo anyone's change.",

  // ---- end lock ----

  // ---- Keyboard drawing and the shortcuts help (?) ----

  // ---- end keys ----

  // ---- Pictures, enhance dialog, storyboard, video panel, jobs ----

  // ---- end media ----

  // ---- Errors from the host, by code ----

  // ---- end errors ----
};
