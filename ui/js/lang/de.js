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
  'lock.status': 'Der Host hat die Tafel gesperrt — du kannst schauen und zeigen',
  'lock.statusHost': 'Du hast die Tafel gesperrt: Nur du kannst sie ändern',
  'lock.unlocked': 'Der Host hat die Tafel entsperrt: Du kannst wieder zeichnen',
  'lock.toolbarTitle': 'Der Host hat die Tafel gesperrt: Du kannst schauen und zeigen (Laserpointer, K)',
  'lock.refused': 'Der Host hat die Tafel gesperrt: Deine Änderung wurde nicht übernommen',
  'lock.shapeLocked': 'Der Host hat diese Form gesperrt: Nur der Host kann sie verschieben, ändern oder löschen',
  'lock.failed': 'Die Sperre ließ sich nicht ändern: Läuft der Host noch?',
  'lock.heading': 'Sperren und rückgängig machen',
  'lock.switch': 'Tafel sperren: Die anderen können schauen und zeigen, aber nichts ändern',
  'lock.lockShape': 'Ausgewählte Formen sperren',
  'lock.unlockShape': 'Entsperren',
  'lock.selectFirst': 'Wähle zuerst eine Form aus (Auswahlwerkzeug, V)',
  'lock.shapesLocked': { one: '{count} Form gesperrt', other: '{count} Formen gesperrt' },
  'lock.shapesUnlocked': { one: '{count} Form entsperrt', other: '{count} Formen entsperrt' },
  'lock.undoList': 'Die letzte Änderung einer Person rückgängig machen',
  'lock.undoPerson': 'Letzte Änderung von {name} rückgängig machen',
  'lock.undoCount': { one: '{name} hat {count} Änderung gemacht, die du rückgängig machen kannst', other: '{name} hat {count} Änderungen gemacht, die du rückgängig machen kannst' },
  'lock.undoNone': 'Von {name} gibt es noch nichts rückgängig zu machen',
  'lock.undone': 'Letzte Änderung von {name} rückgängig gemacht: Dein eigenes Rückgängig holt sie zurück',
  'lock.nobody': 'Sonst ist noch niemand da',
  'lock.help': 'Der Host kann die Tafel sperren (dann kannst du schauen und mit dem Laserpointer, K, zeigen, aber nichts ändern), einzelne Formen sperren (ein Schloss markiert sie) und die Änderungen aller rückgängig machen.',

  // ---- end lock ----

  // ---- Keyboard drawing and the shortcuts help (?) ----

  // ---- end keys ----

  // ---- Pictures, enhance dialog, storyboard, video panel, jobs ----

  // ---- end media ----

  // ---- Errors from the host, by code ----

  // ---- end errors ----
};
