// @ts-check
/** العربية (right to left). Same keys as en.js. @type {import('../i18n.js').Catalog} */
export default {
  // Language switch (join screens)
  'lang.label': 'اللغة',

  // ---- Join screens: loading, join, code, messages, room full, watching, nearby sessions ----

  // ---- end join ----

  // ---- Board chrome: top bar, toolbar and tools, people, dock and drawers, help, toasts, connection, live region, shapes list, follow/laser/present, pen ----

  // ---- end board ----

  // ---- Host panel: join link, code, open, people, present, Gemini key ----

  // ---- end host ----

  // ---- Host controls: lock the canvas, lock shapes, undo override ----
  'lock.status': 'قفل المضيف اللوحة — يمكنك المشاهدة والإشارة',
  'lock.statusHost': 'لقد قفلت اللوحة: أنت وحدك من يستطيع تغييرها',
  'lock.unlocked': 'فتح المضيف قفل اللوحة: يمكنك الرسم من جديد',
  'lock.toolbarTitle': 'قفل المضيف اللوحة: يمكنك المشاهدة والإشارة (مؤشر الليزر، K)',
  'lock.refused': 'قفل المضيف اللوحة: لم يُنفَّذ تغييرك',
  'lock.shapeLocked': 'قفل المضيف هذا الشكل: المضيف وحده يستطيع نقله أو تغييره أو حذفه',
  'lock.failed': 'تعذّر تغيير القفل: هل المضيف يعمل؟',
  'lock.heading': 'القفل والتراجع',
  'lock.switch': 'قفل اللوحة: يستطيع الآخرون المشاهدة والإشارة دون تغيير أي شيء',
  'lock.lockShape': 'قفل الأشكال المحددة',
  'lock.unlockShape': 'فتح قفلها',
  'lock.selectFirst': 'حدّد شكلًا أولًا (أداة التحديد، V)',
  'lock.shapesLocked': { zero: 'لم يُقفل أي شكل', one: 'قُفل شكل واحد', two: 'قُفل شكلان', few: 'قُفلت {count} أشكال', many: 'قُفل {count} شكلًا', other: 'قُفل {count} شكل' },
  'lock.shapesUnlocked': { zero: 'لم يُفتح قفل أي شكل', one: 'فُتح قفل شكل واحد', two: 'فُتح قفل شكلين', few: 'فُتح قفل {count} أشكال', many: 'فُتح قفل {count} شكلًا', other: 'فُتح قفل {count} شكل' },
  'lock.undoList': 'التراجع عن آخر تغيير لشخص',
  'lock.undoPerson': 'التراجع عن آخر تغيير لـ {name}',
  'lock.undoCount': { zero: 'لا تغييرات لـ {name} يمكنك التراجع عنها', one: 'لدى {name} تغيير واحد يمكنك التراجع عنه', two: 'لدى {name} تغييران يمكنك التراجع عنهما', few: 'لدى {name} {count} تغييرات يمكنك التراجع عنها', many: 'لدى {name} {count} تغييرًا يمكنك التراجع عنه', other: 'لدى {name} {count} تغيير يمكنك التراجع عنه' },
  'lock.undoNone': 'لا شيء لـ {name} للتراجع عنه بعد',
  'lock.undone': 'تم التراجع عن آخر تغيير لـ {name}: تراجعك أنت يعيده',
  'lock.nobody': 'لا أحد غيرك هنا بعد',
  'lock.help': 'يستطيع المضيف قفل اللوحة (فتستطيع المشاهدة والإشارة بمؤشر الليزر، K، دون تغيير أي شيء)، وقفل أشكال منفردة (يميّزها قفل صغير)، والتراجع عن تغيير أي شخص.',

  // ---- end lock ----

  // ---- Keyboard drawing and the shortcuts help (?) ----

  // ---- end keys ----

  // ---- Pictures, enhance dialog, storyboard, video panel, jobs ----

  // ---- end media ----

  // ---- Errors from the host, by code ----

  // ---- end errors ----
};
