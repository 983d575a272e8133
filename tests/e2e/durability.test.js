// @ts-check
/** Nothing drawn is lost: offline with a reload, and a host killed mid-session. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHost, removeDir, launchBrowser, allowConsoleError, join, waitState, stroke, zigzag, artifacts } from './helpers.js';

/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  browser = await launchBrowser();
  allowConsoleError(browser, /ERR_CONNECTION_REFUSED/, 'the test kills the host: until it is back, every attempt to reach it is refused');
});
after(async () => { await browser?.close(); });

/** @param {import('playwright-core').Page} page @returns {Promise<string[]>} */
const shapeIds = (page) => page.evaluate(() => /** @type {any} */ (window).coco.shapes().map((/** @type {any} */ s) => s.id).sort());

test('strokes drawn offline survive a reload and reach the others', async () => {
  const host = await startHost();
  const url = `${host.url}?room=offline`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'top-right');
  try {
    await stroke(a.page, zigzag(100, 100));
    await waitState(a.page, (s) => s.unacked === 0);

    await a.context.setOffline(true);
    await waitState(a.page, (s) => s.connection === 'offline');
    await stroke(a.page, zigzag(100, 200));
    await stroke(a.page, zigzag(100, 300));
    await a.page.keyboard.press('r');
    await stroke(a.page, [{ x: 400, y: 200 }, { x: 520, y: 300 }]);
    await waitState(a.page, (s) => s.unacked === 3 && s.shapesCount === 4);
    assert.match(await a.page.getByTestId('conn').textContent() ?? '', /Offline · 3 changes not saved on host/);
    await a.page.screenshot({ path: `${artifacts}/offline.png` });
    // Bo must not have them yet: they are only in Ada's browser.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await shapeIds(b.page)).length, 1);

    await a.page.waitForTimeout(500); // let the board cache settle in IndexedDB
    await a.page.reload();
    const reloaded = await waitState(a.page, (s) => s.shapesCount === 4);
    assert.equal(reloaded.unacked, 3, 'the unacked ops are back from IndexedDB');
    assert.equal(reloaded.connection, 'offline');

    await a.context.setOffline(false);
    await waitState(a.page, (s) => s.connection === 'connected' && s.unacked === 0);
    await waitState(b.page, (s) => s.shapesCount === 4);
    assert.deepEqual(await shapeIds(b.page), await shapeIds(a.page));
  } finally {
    await a.context.close();
    await b.context.close();
    await host.kill();
    removeDir(host.dataDir);
  }
});

test('a host killed with SIGKILL and restarted loses nothing', async () => {
  let host = await startHost();
  const { port, wsPort, dataDir } = host;
  const url = `${host.url}?room=crash`;
  const a = await join(browser, url, 'Ada');
  const b = await join(browser, url, 'Bo');
  try {
    await stroke(a.page, zigzag(100, 100));
    await stroke(b.page, zigzag(100, 200));
    await waitState(a.page, (s) => s.unacked === 0 && s.shapesCount === 2);
    await waitState(b.page, (s) => s.unacked === 0 && s.shapesCount === 2);
    // One more stroke, and the host dies before or after it is on disk.
    await stroke(a.page, zigzag(100, 300));
    await host.kill('SIGKILL');

    await waitState(a.page, (s) => s.connection === 'reconnecting');
    await stroke(a.page, zigzag(300, 100));
    await stroke(b.page, zigzag(300, 200));
    await waitState(a.page, (s) => s.unacked >= 1);
    assert.match(await a.page.getByTestId('conn').textContent() ?? '', /Reconnecting… · \d+ changes? not saved on host/);

    host = await startHost({ dataDir, port, wsPort });
    await waitState(a.page, (s) => s.connection === 'connected' && s.unacked === 0 && s.shapesCount === 5, 20000);
    await waitState(b.page, (s) => s.connection === 'connected' && s.unacked === 0 && s.shapesCount === 5, 20000);
    assert.deepEqual(await shapeIds(b.page), await shapeIds(a.page));

    const c = await join(browser, url, 'Cy');
    await waitState(c.page, (s) => s.shapesCount === 5);
    assert.deepEqual(await shapeIds(c.page), await shapeIds(a.page));
    await c.context.close();
  } finally {
    await a.context.close();
    await b.context.close();
    await host.kill();
    removeDir(dataDir);
  }
});

test('a page opened while the host is down says so, then lets one join when it is back', async () => {
  let host = await startHost();
  const { port, wsPort, dataDir } = host;
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  try {
    await page.goto(`${host.url}?room=later`);
    await page.getByTestId('screen-join').waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready);
    await host.kill('SIGKILL');
    await page.reload();
    const screen = page.getByTestId('screen-message');
    await screen.waitFor();
    assert.equal(await screen.getAttribute('data-reason'), 'unreachable');
    assert.match(await screen.textContent() ?? '', /Can't reach the host/);
    host = await startHost({ dataDir, port, wsPort });
    await page.getByTestId('screen-join').waitFor({ timeout: 15000 });
  } finally {
    await context.close();
    await host.kill();
    removeDir(dataDir);
  }
});

test('a page whose parts failed to load (the network changed) loads itself again and reaches the join screen', async () => {
  allowConsoleError(browser, /ERR_ADDRESS_UNREACHABLE/, 'the test makes one module\'s request fail as a dropped Wi-Fi would');
  const host = await startHost();
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    let failures = 0;
    // The first two requests for one of the app's modules fail.
    await context.route('**/js/board.js', (route) => (failures++ < 2 ? route.abort('addressunreachable') : route.continue()));
    const reloads = [];
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) reloads.push(f.url()); });
    await page.goto(`${host.url}?room=boot`);
    // It says why it waits, in words, while it tries again.
    await page.getByTestId('boot-failed').waitFor({ timeout: 10000 });
    assert.match(await page.getByTestId('boot-failed').innerText(), /could not load/);
    await page.getByTestId('join-name').waitFor({ timeout: 20000 });
    // Two failed loads, then one that worked (the service worker may fetch it once more for its cache).
    assert.ok(failures >= 3, `requests for the module: ${failures}`);
    assert.ok(reloads.length >= 3, `the page loaded itself again: ${reloads.join(', ')}`);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('coco.bootTries')), null, 'a page that started counts from the first wait again');
  } finally {
    await context.close();
    await host.kill();
    removeDir(host.dataDir);
  }
});
