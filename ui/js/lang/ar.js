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

  // ---- end lock ----

  // ---- Keyboard drawing and the shortcuts help (?) ----
  'keys.tool.select': 'أداة التحديد: اختيار الأشكال وتحريكها وتغيير حجمها',
  'keys.tool.pencil': 'القلم',
  'keys.tool.line': 'خط',
  'keys.tool.rectangle': 'مستطيل',
  'keys.tool.ellipse': 'شكل بيضاوي',
  'keys.tool.text': 'نص',
  'keys.tool.eraser': 'الممحاة',
  'keys.tool.laser': 'مؤشر الليزر: أثر يراه الجميع للحظة',
  'keys.do.fill': 'تشغيل تعبئة الأشكال الجديدة أو إيقافها',
  'keys.do.image': 'إدراج صورة',
  'keys.do.enhance': 'تحسين الرسم (التحديد أو اللوحة كلها)',
  'keys.do.point': 'تحريك نقطة التركيز (علامة التصويب) ما دام لا شيء محددًا؛ ومع Shift أبعد بعشر مرات. يتبعها العرض عند الحافة',
  'keys.do.create': 'مستطيل أو شكل بيضاوي: إنشاء واحد عند نقطة التركيز بالحجم المختار',
  'keys.do.polyline': 'خط أو قلم: إضافة نقطة عند نقطة التركيز؛ الضغط على Enter مرة أخرى دون تحريك ينهي الرسم',
  'keys.do.polyline-end': 'إنهاء الخط أو الخط المتعدد الجاري وضعه',
  'keys.do.polyline-back': 'التراجع عن آخر نقطة في الخط المتعدد الجاري وضعه',
  'keys.do.text': 'نص: كتابة نص عند نقطة التركيز (Enter يضعه وEsc يلغيه)',
  'keys.do.size-down': 'مستطيلات وأشكال بيضاوية جديدة أصغر',
  'keys.do.size-up': 'مستطيلات وأشكال بيضاوية جديدة أكبر',
  'keys.do.next': 'أداة التحديد: تحديد الشكل التالي؛ بعد آخر شكل يغادر التركيز اللوحة',
  'keys.do.previous': 'أداة التحديد: تحديد الشكل السابق',
  'keys.do.select-here': 'أداة التحديد: تحديد الشكل عند نقطة التركيز',
  'keys.do.move': 'تحريك التحديد بمقدار بكسل واحد، ومع Shift بمقدار 10. كل ضغطة خطوة تراجع واحدة',
  'keys.do.resize': 'تغيير حجم التحديد: اليمين والأسفل للتكبير، واليسار والأعلى للتصغير؛ ومع Shift بمقدار 10',
  'keys.do.delete': 'حذف التحديد',
  'keys.do.deselect': 'إلغاء التحديد؛ ثم ينقل Tab التركيز خارج اللوحة',
  'keys.do.undo': 'التراجع عن آخر تغيير أجريته',
  'keys.do.redo': 'الإعادة',
  'keys.do.pan': 'تحريك العرض',
  'keys.do.pan-space': 'اضغط مطولًا واسحب بالفأرة لتحريك العرض',
  'keys.do.zoom-in': 'تكبير',
  'keys.do.zoom-out': 'تصغير',
  'keys.do.zoom-reset': 'العودة إلى 100%',
  'keys.do.fit': 'إظهار الرسم كله',
  'keys.do.storyboard': 'إضافة التحديد (أو اللوحة كلها) إلى القصة المصورة',
  'keys.do.export': 'تصدير PNG',
  'keys.do.export-svg': 'تصدير SVG',
  'keys.do.help': 'قائمة الاختصارات هذه',
  'keys.name.ctrl': 'Ctrl',
  'keys.name.shift': 'Shift',
  'keys.name.alt': 'Alt',
  'keys.name.enter': 'Enter',
  'keys.name.escape': 'Esc',
  'keys.name.delete': 'Delete',
  'keys.name.backspace': 'Backspace',
  'keys.name.tab': 'Tab',
  'keys.name.space': 'مفتاح المسافة',
  'keys.name.arrows': 'مفاتيح الأسهم',
  'keys.or': 'أو',
  'keys.group.tools': 'الأدوات',
  'keys.group.draw': 'الرسم بلوحة المفاتيح',
  'keys.group.select': 'الأشكال',
  'keys.group.view': 'العرض',
  'keys.group.more': 'المزيد',
  'keys.help.title': 'اختصارات لوحة المفاتيح',
  'keys.help.close': 'إغلاق',
  'keys.help.intro': 'كل شيء يعمل بلوحة المفاتيح وحدها. تعمل مفاتيح اللوحة (الأسهم وEnter وTab) حين يكون التركيز على اللوحة: انتقل إليها بـ Tab.',
  'keys.help.keys': 'المفاتيح',
  'keys.help.does': 'الوظيفة',
  'keys.help.open': 'اختصارات لوحة المفاتيح (?)',
  'keys.help.pointer': 'اضغط ? لعرض كل اختصارات لوحة المفاتيح.',
  'keys.said.point': 'نقطة التركيز عند x {x}، y {y}',
  'keys.said.moved': 'نُقل إلى x {x}، y {y}',
  'keys.said.resized': 'الحجم {w} في {h}',
  'keys.said.text-size': 'حجم النص {size}',
  'keys.said.added': 'أُضيف: {shape}',
  'keys.said.shape': '{n} من {count}: {shape}',
  'keys.said.polyline-start': 'النقطة الأولى عند x {x}، y {y}. حرّك ثم اضغط Enter لإضافة التالية؛ Esc ينهي',
  'keys.said.polyline-point': 'النقطة {count} عند x {x}، y {y}',
  'keys.said.polyline-back': { zero: 'لم تبقَ أي نقطة', one: 'بقيت نقطة واحدة', two: 'بقيت نقطتان', few: 'بقيت {count} نقاط', many: 'بقيت {count} نقطة', other: 'بقيت {count} نقطة' },
  'keys.said.polyline-dropped': 'يحتاج الخط إلى نقطتين: لم يُضف شيء',
  'keys.said.nothing-here': 'لا يوجد شكل عند نقطة التركيز',
  'keys.said.size': 'الأشكال الجديدة: {size} في {size}',

  // ---- end keys ----

  // ---- Pictures, enhance dialog, storyboard, video panel, jobs ----

  // ---- end media ----

  // ---- Errors from the host, by code ----

  // ---- end errors ----
};
