/*
 * Cross-origin isolation where the host cannot send headers (GitHub Pages and
 * the like). genzoo's wasm backend runs its worker threads on shared memory,
 * which browsers give only to a cross-origin isolated page: one served with
 *   Cross-Origin-Opener-Policy: same-origin
 *   Cross-Origin-Embedder-Policy: require-corp
 * `npm run web` and hosts that read the _headers file (Netlify, Cloudflare
 * Pages) send them; elsewhere this script installs isolate-sw.js, a service
 * worker that adds them to every response of this site, and reloads the page
 * once so that it loads through it. Without either, everything still works,
 * and wasm runs on one thread. ?isolate=off skips it.
 */
(function () {
  if (self.crossOriginIsolated || !('serviceWorker' in navigator) || !self.isSecureContext) return;
  if (new URLSearchParams(location.search).get('isolate') === 'off') return;
  var KEY = 'genzoo-isolation-reloaded';
  navigator.serviceWorker.register('isolate-sw.js').then(function () {
    // One reload at most: if the page is still not isolated after it, carry on without.
    if (sessionStorage.getItem(KEY)) return;
    var reload = function () {
      sessionStorage.setItem(KEY, '1');
      location.reload();
    };
    if (navigator.serviceWorker.controller) reload();
    else navigator.serviceWorker.addEventListener('controllerchange', reload);
  }, function (err) {
    console.warn('genzoo playground: the isolation service worker did not install (' + err.message + '); wasm runs on one thread');
  });
})();
