// @ts-check
/** Who is the host: the admin link gives the host panel, a plain page on the host's machine does not; a new code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useHostAndBrowser, allowConsoleError, join, waitState } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
  allowConsoleError(b, /status of 403 .*\/api\/host\/info(\?[^)]*)?\)$/, 'the test asks for the host panel from a plain page, and opens one with a wrong admin secret, to see both refused');
});

test('a plain page on the host machine is an ordinary seat; the admin link is the host panel', async () => {
  const plain = await join(browser, `${host.url}?room=who`, 'Student');
  const admin = await join(browser, `${host.adminUrl}&room=who`, 'Teacher');
  try {
    const panel = admin.page.getByTestId('host-panel');
    await panel.waitFor();
    // The secret left the address bar (it is not copied with the link) but the tab keeps it.
    assert.doesNotMatch(admin.page.url(), /admin=/);
    await admin.page.reload();
    await waitState(admin.page, (s) => s.connection === 'connected');
    await panel.waitFor();
    // The plain page asked nothing of /api/host/* and shows no panel, code or Remove.
    await waitState(plain.page, (s) => s.users.length === 2);
    assert.equal(await plain.page.getByTestId('host-panel').isVisible(), false);
    assert.equal(await plain.page.getByTestId('kick').count(), 0);
    const refused = await plain.page.evaluate(async () => (await fetch('/api/host/info')).status);
    assert.equal(refused, 403);
  } finally {
    await plain.context.close();
    await admin.context.close();
  }
});

test('the host gives the session a new code: the link, the code and the QR code change', async () => {
  const a = await join(browser, `${host.adminUrl}&room=rotate`, 'Teacher');
  const b = await join(browser, `${host.url}?room=rotate`, 'Student');
  try {
    const panel = a.page.getByTestId('host-panel');
    await panel.waitFor();
    const code = panel.getByTestId('host-code');
    await a.page.waitForFunction(() => (document.getElementById('host-code')?.textContent || '').length === 6);
    const before = { code: await code.textContent(), url: await panel.getByTestId('host-url').inputValue(), qr: await panel.getByTestId('host-qr').innerHTML() };
    a.page.once('dialog', (d) => d.accept());
    await panel.getByTestId('host-rotate').click();
    await a.page.waitForFunction((old) => { const t = document.getElementById('host-code')?.textContent || ''; return t.length === 6 && t !== old; }, before.code);
    const after = { code: await code.textContent(), url: await panel.getByTestId('host-url').inputValue(), qr: await panel.getByTestId('host-qr').innerHTML() };
    assert.notEqual(after.code, before.code);
    assert.ok(after.qr.includes('data:image/svg+xml'), after.qr);
    assert.notEqual(after.qr, before.qr);
    assert.ok(after.url.includes(`code=${after.code}`), after.url);
    assert.ok(!after.url.includes(`code=${before.code}`), after.url);
    // Everyone seated stays.
    await waitState(b.page, (s) => s.connection === 'connected' && s.users.length === 2);
    await waitState(a.page, (s) => s.connection === 'connected' && s.users.length === 2);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('only the host page asks for host-only data: a plain page never does, a wrong admin secret is asked about once', async () => {
  const url = `${host.url}?room=quiet`;
  const plain = await join(browser, url, 'Peer');
  const stale = await join(browser, `${url}&admin=not-the-secret`, 'Stale');
  /** What the page asked of /api/host/ since it loaded. @param {import('playwright-core').Page} page */
  const asked = (page) => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/api/host/')));
  try {
    await stale.page.getByTestId('host-panel').waitFor({ state: 'hidden' });
    // Longer than the host panel's refresh (3 s): a page that polled would have asked again.
    await plain.page.waitForTimeout(3500);
    assert.deepEqual(await asked(plain.page), []);
    assert.equal((await asked(stale.page)).length, 1, 'refused once, it stops asking');
    assert.equal(await stale.page.evaluate(() => sessionStorage.getItem(`coco.admin.${location.host}`)), null, 'the refused secret is forgotten');
  } finally {
    await plain.context.close();
    await stale.context.close();
  }
});
