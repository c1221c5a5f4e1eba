// The tablet page's service worker: keeps the page's own files (never MQTT) so that a reload
// while the room's Wi-Fi is down shows the page, saying "Room connection lost", instead of the
// browser's error page (docs/tablet.md). The build writes the version (a SHA-256 over every
// file below) and the list: a changed page is a new worker, which caches the new files and drops
// the old cache when it takes over.
const VERSION = '@TABLET_VERSION@';
const FILES = [@TABLET_FILES@];
const CACHE = 'sensoryd-tablet-' + VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// The page's files from the cache, whatever the network does (this version's files are all
// there); anything else (the broker's WebSocket never comes here) goes to the network.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const scope = new URL(self.registration.scope);
  let file = url.pathname.startsWith(scope.pathname) ? url.pathname.slice(scope.pathname.length) : null;
  if (file === '') file = 'index.html';
  if (file === null || !FILES.includes(file)) return;
  event.respondWith(caches.match(file, { ignoreSearch: true }).then((hit) => hit || fetch(event.request)));
});
