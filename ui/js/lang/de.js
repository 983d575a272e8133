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
  'keys.tool.select': 'Auswahlwerkzeug: Formen wählen, verschieben und skalieren',
  'keys.tool.pencil': 'Stift',
  'keys.tool.line': 'Linie',
  'keys.tool.rectangle': 'Rechteck',
  'keys.tool.ellipse': 'Ellipse',
  'keys.tool.text': 'Text',
  'keys.tool.eraser': 'Radierer',
  'keys.tool.laser': 'Laserpointer: eine Spur, die alle kurz sehen',
  'keys.do.fill': 'Füllung neuer Formen ein oder aus',
  'keys.do.image': 'Bild einfügen',
  'keys.do.enhance': 'Skizze verbessern (die Auswahl oder die ganze Tafel)',
  'keys.do.point': 'Fokuspunkt (das Fadenkreuz) bewegen, solange nichts ausgewählt ist; mit Umschalt zehnmal so weit. Am Rand folgt ihm die Ansicht',
  'keys.do.create': 'Rechteck oder Ellipse: eine am Fokuspunkt in der gewählten Größe anlegen',
  'keys.do.polyline': 'Linie oder Stift: einen Punkt am Fokuspunkt setzen; Eingabe ohne Bewegung beendet',
  'keys.do.polyline-end': 'Die begonnene Linie oder Polylinie beenden',
  'keys.do.polyline-back': 'Den letzten Punkt der begonnenen Polylinie zurücknehmen',
  'keys.do.text': 'Text: am Fokuspunkt einen Text schreiben (Eingabe setzt ihn, Esc bricht ab)',
  'keys.do.size-down': 'Kleinere neue Rechtecke und Ellipsen',
  'keys.do.size-up': 'Größere neue Rechtecke und Ellipsen',
  'keys.do.next': 'Auswahlwerkzeug: die nächste Form auswählen; nach der letzten verlässt der Fokus die Tafel',
  'keys.do.previous': 'Auswahlwerkzeug: die vorige Form auswählen',
  'keys.do.select-here': 'Auswahlwerkzeug: die Form am Fokuspunkt auswählen',
  'keys.do.move': 'Auswahl um ein Pixel verschieben, mit Umschalt um 10. Jeder Tastendruck ist ein Schritt für Rückgängig',
  'keys.do.resize': 'Größe der Auswahl ändern: Rechts und Unten vergrößern, Links und Oben verkleinern; mit Umschalt um 10',
  'keys.do.delete': 'Auswahl löschen',
  'keys.do.deselect': 'Nichts auswählen; Tab verlässt dann die Tafel',
  'keys.do.undo': 'Eigene letzte Änderung rückgängig machen',
  'keys.do.redo': 'Wiederherstellen',
  'keys.do.pan': 'Ansicht verschieben',
  'keys.do.pan-space': 'Gedrückt halten und mit der Maus ziehen, um die Ansicht zu verschieben',
  'keys.do.zoom-in': 'Vergrößern',
  'keys.do.zoom-out': 'Verkleinern',
  'keys.do.zoom-reset': 'Zurück auf 100 %',
  'keys.do.fit': 'Die ganze Zeichnung zeigen',
  'keys.do.storyboard': 'Die Auswahl (oder die ganze Tafel) zum Storyboard hinzufügen',
  'keys.do.export': 'Als PNG exportieren',
  'keys.do.export-svg': 'Als SVG exportieren',
  'keys.do.help': 'Diese Liste der Tastenkürzel',
  'keys.name.ctrl': 'Strg',
  'keys.name.shift': 'Umschalt',
  'keys.name.alt': 'Alt',
  'keys.name.enter': 'Eingabe',
  'keys.name.escape': 'Esc',
  'keys.name.delete': 'Entf',
  'keys.name.backspace': 'Rücktaste',
  'keys.name.tab': 'Tab',
  'keys.name.space': 'Leertaste',
  'keys.name.arrows': 'Pfeiltasten',
  'keys.or': 'oder',
  'keys.group.tools': 'Werkzeuge',
  'keys.group.draw': 'Zeichnen mit der Tastatur',
  'keys.group.select': 'Formen',
  'keys.group.view': 'Ansicht',
  'keys.group.more': 'Weiteres',
  'keys.help.title': 'Tastenkürzel',
  'keys.help.close': 'Schließen',
  'keys.help.intro': 'Alles geht auch allein mit der Tastatur. Die Tasten der Tafel (Pfeile, Eingabe, Tab) wirken, wenn die Tafel den Fokus hat: mit Tab dorthin.',
  'keys.help.keys': 'Tasten',
  'keys.help.does': 'Wirkung',
  'keys.help.open': 'Tastenkürzel (?)',
  'keys.help.pointer': 'Mit ? erscheinen alle Tastenkürzel.',
  'keys.said.point': 'Fokuspunkt bei x {x}, y {y}',
  'keys.said.moved': 'Verschoben nach x {x}, y {y}',
  'keys.said.resized': 'Größe {w} mal {h}',
  'keys.said.text-size': 'Textgröße {size}',
  'keys.said.added': 'Hinzugefügt: {shape}',
  'keys.said.shape': '{n} von {count}: {shape}',
  'keys.said.polyline-start': 'Erster Punkt bei x {x}, y {y}. Bewegen, dann setzt Eingabe den nächsten; Esc beendet',
  'keys.said.polyline-point': 'Punkt {count} bei x {x}, y {y}',
  'keys.said.polyline-back': { one: '{count} Punkt übrig', other: '{count} Punkte übrig' },
  'keys.said.polyline-dropped': 'Eine Linie braucht zwei Punkte: nichts hinzugefügt',
  'keys.said.nothing-here': 'Keine Form am Fokuspunkt',
  'keys.said.size': 'Neue Formen: {size} mal {size}',

  // ---- end keys ----

  // ---- Pictures, enhance dialog, storyboard, video panel, jobs ----

  // ---- end media ----

  // ---- Errors from the host, by code ----

  // ---- end errors ----
};
