// @ts-check
/** Deutsch. Same keys as en.js. @type {import('../i18n.js').Catalog} */
export default {
  // Language switch (join screens)
  'lang.label': 'Sprache',

  // ---- Join screens: loading, join, code, messages, room full, watching, nearby sessions ----

  // ---- end join ----

  // ---- Board chrome: top bar, toolbar and tools, people, dock and drawers, help, toasts, connection, live region, shapes list, follow/laser/present, pen ----

  // ---- end board ----

  // ---- Host panel: join link, code, open, people, present, Gemini key ----

  // ---- end host ----

  // ---- Host controls: lock the canvas, lock shapes, undo override ----

  // ---- end lock ----

  // ---- Keyboard drawing and the shortcuts help (?) ----

  // ---- end keys ----

  // ---- Pictures, enhance dialog, storyboard, video panel, jobs ----

  // ---- end media ----

  // ---- Errors from the host, by code ----

  // ---- end errors ----
};
