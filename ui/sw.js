// Network first, cache as fallback: a reload while the host is unreachable
// still shows the board (its shapes come from IndexedDB). Never serves a
// stale UI while the host answers.
const CACHE = 'coco-ui-v29';
const SHELL = ['/', '/style.css', '/js/boot.js', '/js/main.js', '/js/board.js', '/js/render.js', '/js/net.js',
  '/js/actions.js', '/js/tools.js', '/js/store.js', '/js/join.js', '/js/ui.js', '/js/host.js', '/js/images.js', '/js/nearby.js', '/js/enhance.js',
  '/js/storyboard.js', '/js/video.js', '/js/videostory.js', '/js/videolist.js', '/js/timelapse.js', '/js/clip.js', '/js/activity.js', '/js/pending.js', '/js/hostjson.js', '/js/reorder.js', '/js/drawers.js', '/js/focus.js', '/js/text.js', '/js/live.js', '/js/region.js', '/js/mediatext.js', '/js/limits.js', '/js/interaction.js', '/js/glide.js', '/js/reshape.js', '/js/texteditor.js', '/js/a11y.js', '/js/shapelist.js', '/js/pressure.js', '/js/pen.js', '/js/watch.js', '/js/laser.js', '/js/follow.js', '/js/present.js', '/js/showing.js', '/js/keys.js', '/js/lock.js', '/js/history.js', '/js/historydata.js', '/js/checkpoints.js', '/js/shortcuts.js', '/js/keyboard-draw.js', '/js/keygeometry.js', '/js/sync.js', '/js/exporting.js', '/js/offline.js', '/js/toast.js', '/js/prefetch.js', '/js/i18n.js', '/js/lang/en.js', '/js/lang/de.js', '/js/lang/ar.js'];

self.addEventListener('install', (e) => {
  self.skipWaiting();
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).catch(() => {}));
});
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/ws') return;
  const key = url.pathname === '/' ? '/' : url.pathname;
  e.respondWith(
    fetch(e.request).then((res) => {
      if (res.ok) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(key, copy));
      }
      return res;
    }).catch(() => caches.open(CACHE).then((c) => c.match(key)).then((hit) => hit || Response.error())),
  );
});
