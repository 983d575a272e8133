// @ts-check
/**
 * The page's guard for its own loading, a classic script that runs before
 * the app's modules. Why: when any module of the app fails to load (a
 * tablet's Wi-Fi drops or changes for a moment, and the browser aborts the
 * requests with "network changed"), the browser runs none of them and the
 * page would say "Looking for the host…" for ever. Here such a failure, or
 * an app that has not started within BOOT_TIMEOUT_MS, says so and loads the
 * page again by itself, waiting a little longer each time, with a button
 * to try at once.
 *
 * Its few words are here rather than in ui/js/lang: they must show exactly
 * when the catalogs (modules themselves) could not be loaded.
 */
(() => {
  /** How long the app may take to start before the page loads again. */
  const BOOT_TIMEOUT_MS = 15000;
  /** The first wait before loading again; doubled each time, up to the cap. */
  const RETRY_FIRST_MS = 1000;
  const RETRY_MAX_MS = 10000;
  /** Where the count of attempts in a row is kept (this tab only). */
  const TRIES_KEY = 'coco.bootTries';

  /** @type {Record<string, {failed: string, now: string}>} */
  const WORDS = {
    en: { failed: 'CoCo could not load all of its parts (the connection dropped). Trying again…', now: 'Try now' },
    de: { failed: 'CoCo konnte nicht vollständig laden (die Verbindung brach ab). Neuer Versuch…', now: 'Jetzt versuchen' },
    ar: { failed: 'تعذّر تحميل CoCo بالكامل (انقطع الاتصال). جارٍ المحاولة مرة أخرى…', now: 'حاول الآن' },
  };

  let failed = false;
  const tries = Number(sessionStorage.getItem(TRIES_KEY) || 0);

  function words() {
    let lang = '';
    try { lang = localStorage.getItem('coco.lang') || ''; } catch { /* private mode */ }
    lang = (lang || navigator.language || 'en').slice(0, 2).toLowerCase();
    return WORDS[lang] || WORDS.en;
  }

  function retry() {
    if (failed || document.documentElement.dataset.booted) return;
    failed = true;
    sessionStorage.setItem(TRIES_KEY, String(tries + 1));
    const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** tries);
    const show = () => {
      const screen = document.getElementById('screen-loading');
      if (!screen) return;
      const w = words();
      const note = document.createElement('p');
      note.setAttribute('role', 'alert');
      note.dataset.testid = 'boot-failed';
      note.textContent = w.failed;
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = w.now;
      button.addEventListener('click', () => location.reload());
      screen.append(note, button);
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show);
    else show();
    setTimeout(() => location.reload(), wait);
  }

  // A module (or the style sheet's script) that could not be fetched: the
  // error reaches the window in the capture phase only.
  window.addEventListener('error', (e) => {
    const target = /** @type {any} */ (e.target);
    if (target && target.tagName === 'SCRIPT') retry();
  }, true);
  setTimeout(retry, BOOT_TIMEOUT_MS);
  // Started: the next failure counts from the first wait again.
  document.addEventListener('coco-booted', () => sessionStorage.removeItem(TRIES_KEY));
})();
