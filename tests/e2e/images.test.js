// @ts-check
/** Pictures on the board: file picker, paste and drop upload to the host; shapes refer to the stored file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useHostAndBrowser, allowConsoleError, join, waitState, artifacts } from './helpers.js';

/** @type {import('./helpers.js').Host} */
let host;
/** @type {import('playwright-core').Browser} */
let browser;
useHostAndBrowser((h, b) => {
  host = h;
  browser = b;
  allowConsoleError(b, /status of 4\d\d .*\/api\/save-image\)$/, 'the test uploads files the host must refuse (not a picture, a fake PNG, too big)');
});

/**
 * A small PNG drawn in the page.
 * @param {import('playwright-core').Page} page @param {string} color
 * @returns {Promise<Buffer>}
 */
async function makePng(page, color) {
  const b64 = await page.evaluate((c) => {
    const cv = document.createElement('canvas');
    cv.width = 40; cv.height = 30;
    const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
    ctx.fillStyle = c;
    ctx.fillRect(0, 0, 40, 30);
    return cv.toDataURL('image/png').split(',')[1];
  }, color);
  return Buffer.from(b64, 'base64');
}

/**
 * Red and blue pixels of a picture (a PNG export, an SVG export) once the page has drawn it.
 * @param {import('playwright-core').Page} page @param {string} url
 * @returns {Promise<{r: number, b: number}>}
 */
function redAndBlue(page, url) {
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const cv = document.createElement('canvas');
    cv.width = img.naturalWidth; cv.height = img.naturalHeight;
    const ctx = /** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'));
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, cv.width, cv.height).data;
    let r = 0, b = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] > 200 && d[i + 1] < 80 && d[i + 2] < 80) r++;
      if (d[i] < 60 && d[i + 2] > 150) b++;
    }
    return { r, b };
  }, url);
}

/** @param {import('playwright-core').Page} page */
const images = (page) => page.evaluate(() => /** @type {any} */ (window).coco.shapes().filter((/** @type {any} */ s) => s.type === 'image'));

test('a picture from the file picker reaches the others as a stored file', async () => {
  const url = `${host.url}?room=pics`;
  const a = await join(browser, url, 'Ada', 'top-left');
  const b = await join(browser, url, 'Bo', 'top-right');
  try {
    const png = await makePng(a.page, '#e03131');
    const chooser = a.page.waitForEvent('filechooser');
    await a.page.getByRole('button', { name: 'Insert a picture (I)' }).click();
    await (await chooser).setFiles({ name: 'red.png', mimeType: 'image/png', buffer: png });
    await waitState(a.page, (s) => s.shapesCount === 1 && s.unacked === 0);
    const [shape] = await images(a.page);
    assert.match(shape.image, /^\/img\/[^/]+$/);
    assert.ok(!JSON.stringify(shape).includes('data:'), 'no inline data in the shape');
    assert.equal(shape.points.length, 2);
    assert.equal(shape.points[1].x - shape.points[0].x, shape.width);
    assert.equal(shape.points[1].y - shape.points[0].y, shape.height);
    assert.equal(shape.width / shape.height, 40 / 30);

    // The other person gets the shape and its file loads.
    await waitState(b.page, (s) => s.shapesCount === 1);
    const [seen] = await images(b.page);
    assert.equal(seen.image, shape.image);
    const got = await b.page.evaluate(async (p) => {
      const r = await fetch(p);
      return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength };
    }, seen.image);
    assert.equal(got.status, 200);
    assert.match(String(got.type), /^image\/png/);
    assert.ok(got.size > 0);

    // It is drawn (red pixels in the middle of the picture on the other screen).
    const box = await b.page.getByTestId('canvas').boundingBox();
    if (!box) throw new Error('no canvas');
    const cx = (shape.points[0].x + shape.points[1].x) / 2, cy = (shape.points[0].y + shape.points[1].y) / 2;
    const deadline = Date.now() + 5000;
    let pixel = [0, 0, 0, 0];
    while (Date.now() < deadline) {
      pixel = await b.page.evaluate(([x, y]) => {
        const cv = /** @type {HTMLCanvasElement} */ (document.querySelector('[data-testid=canvas]'));
        const dpr = window.devicePixelRatio || 1;
        return [...(/** @type {CanvasRenderingContext2D} */ (cv.getContext('2d'))).getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data];
      }, [cx, cy]);
      if (pixel[0] > 200 && pixel[1] < 80) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(pixel[0] > 200 && pixel[1] < 80 && pixel[3] > 200, `red pixel expected, got ${pixel}`);
    await b.page.screenshot({ path: `${artifacts}/image-shape.png` });

    // It moves like a rectangle (the picture is selected after adding it).
    const sx = box.x + cx, sy = box.y + cy;
    await a.page.mouse.move(sx, sy);
    await a.page.mouse.down();
    await a.page.mouse.move(sx + 60, sy + 40, { steps: 5 });
    await a.page.mouse.up();
    await b.page.waitForFunction((x0) => /** @type {any} */ (window).coco.shapes()[0]?.points[0].x === x0 + 60, shape.points[0].x);

    // Resize by its bottom-right handle: the size follows, for the other person too.
    const hx = box.x + shape.points[1].x + 60, hy = box.y + shape.points[1].y + 40;
    await a.page.mouse.move(hx, hy);
    await a.page.mouse.down();
    await a.page.mouse.move(hx + 40, hy + 30, { steps: 5 });
    await a.page.mouse.up();
    await b.page.waitForFunction((w) => /** @type {any} */ (window).coco.shapes()[0]?.width === w, shape.width + 40);
    const [resized] = await images(b.page);
    assert.equal(resized.height, shape.height + 30);
    assert.equal(resized.points[1].x - resized.points[0].x, resized.width);

    // Delete.
    await a.page.keyboard.press('Delete');
    await waitState(b.page, (s) => s.shapesCount === 0);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('pasting and dropping a picture add it; a file that is not a picture gets a clear message', async () => {
  const url = `${host.url}?room=pics2`;
  const a = await join(browser, url, 'Cy', 'bottom-left');
  try {
    const png = await makePng(a.page, '#1971c2');
    const b64 = png.toString('base64');
    // Paste (Ctrl+V of an image): the clipboard event carries the file.
    await a.page.evaluate(async (data) => {
      const blob = new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: 'image/png' });
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'pasted.png', { type: 'image/png' }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    }, b64);
    await waitState(a.page, (s) => s.shapesCount === 1 && s.unacked === 0);
    // Drop on the board, at the drop point.
    await a.page.evaluate(async (data) => {
      const blob = new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: 'image/png' });
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'dropped.png', { type: 'image/png' }));
      const cv = /** @type {HTMLElement} */ (document.querySelector('[data-testid=canvas]'));
      const r = cv.getBoundingClientRect();
      const at = { clientX: r.left + 300, clientY: r.top + 200, dataTransfer: dt, bubbles: true, cancelable: true };
      cv.dispatchEvent(new DragEvent('dragover', at));
      cv.dispatchEvent(new DragEvent('drop', at));
    }, b64);
    await waitState(a.page, (s) => s.shapesCount === 2 && s.unacked === 0);
    const list = await images(a.page);
    assert.equal(list.length, 2);
    const dropped = list[1];
    assert.equal((dropped.points[0].x + dropped.points[1].x) / 2, 300);
    assert.equal((dropped.points[0].y + dropped.points[1].y) / 2, 200);

    // PNG export includes the pictures; SVG export has them inside, as the
    // host stored them (data URIs), not as links to the host.
    const [download] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('cmd-export-svg').click()]);
    const path = await download.path();
    const svg = readFileSync(path, 'utf8');
    assert.equal((svg.match(/<image /g) || []).length, 2, svg);
    const stored = await a.page.evaluate(async (p) => {
      const bytes = new Uint8Array(await (await fetch(p)).arrayBuffer());
      return btoa(String.fromCharCode(...bytes));
    }, dropped.image);
    assert.ok(svg.includes(`href="data:image/png;base64,${stored}"`), svg);
    const [png2] = await Promise.all([a.page.waitForEvent('download'), a.page.getByTestId('cmd-export').click()]);
    const exported = readFileSync(await png2.path());
    const blue = (await redAndBlue(a.page, `data:image/png;base64,${exported.toString('base64')}`)).b;
    assert.ok(blue >= 2 * 40 * 30 * 0.9, `exported PNG has the pictures (${blue} blue pixels)`);

    // Not a picture: refused with a message, nothing added.
    await a.page.getByTestId('image-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    const toast = a.page.getByTestId('toast');
    await toast.filter({ hasText: /not a picture/i }).waitFor();
    // A file that claims to be a PNG but is not: the host refuses it, and the message says so.
    await a.page.getByTestId('image-file').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
    await toast.filter({ hasText: /could not read|not a picture/i }).waitFor();
    // Too big.
    await a.page.getByTestId('image-file').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(11 * 1024 * 1024) });
    await toast.filter({ hasText: /too big/i }).waitFor();
    assert.equal((await a.page.evaluate(() => /** @type {any} */ (window).coco.state())).shapesCount, 2);
  } finally {
    await a.context.close();
  }
});

test('a picture from another origin is never requested (nor sent the join code), and exports still work', async () => {
  const code = 'TESTCODE42';
  const url = `${host.url}?room=pics3&code=${code}`;
  const origin = new URL(host.url).origin;
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  const page = await context.newPage();
  /** @type {string[]} */
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  // The socket goes to the real host; the route lets the test play a host
  // that relays what it should not (an older host, or data stored before).
  /** @type {import('playwright-core').WebSocketRoute | undefined} */
  let socket;
  await page.routeWebSocket(/\/ws/, (ws) => { ws.connectToServer(); socket = ws; });
  try {
    await page.goto(url);
    await page.getByTestId('join-name').fill('Di');
    await page.getByTestId('join-submit').click();
    await waitState(page, (s) => s.connection === 'connected');

    // A picture of the host, uploaded as people do.
    const red = await makePng(page, '#e03131');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Insert a picture (I)' }).click();
    await (await chooser).setFiles({ name: 'red.png', mimeType: 'image/png', buffer: red });
    await waitState(page, (s) => s.shapesCount === 1 && s.unacked === 0);
    const [own] = await images(page);
    const name = own.image.slice('/img/'.length);
    const blue = (await makePng(page, '#1971c2')).toString('base64');

    /** @param {string} id @param {string} image @param {number} x */
    const shape = (id, image, x) => ({
      id, type: 'image', image, points: [{ x, y: 400 }, { x: x + 40, y: 430 }], width: 40, height: 30,
      style: { strokeColor: '#000', fillColor: 'transparent', strokeWidth: 1, opacity: 1 }, isSelected: false,
    });
    const foreign = [
      '//evil.example/x.png',
      `//evil.example/img/${name}`,
      `/\\evil.example/img/${name}`,
      `http://evil.example/img/${name}`,
      // Another origin that does serve the picture: it would taint the canvas.
      `http://localhost:${host.port}/img/${name}`,
    ];
    const accepted = [
      // The existing client's two forms: its absolute URL means this host; inline data.
      `http://localhost:5001/img/${name}`,
      `data:image/png;base64,${blue}`,
    ];
    const all = [...foreign, ...accepted];
    if (!socket) throw new Error('the socket was not routed');
    for (const [i, image] of all.entries()) {
      socket.send(JSON.stringify({ type: 'SHAPE_ADDED', payload: { shape: shape(`x${i}`, image, 100 + i * 60), userId: 'mallory' } }));
    }
    await waitState(page, (s) => s.shapesCount === 1 + all.length);

    // PNG export works (the canvas is not tainted) and draws the accepted pictures.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cmd-export').click()]);
    const exported = readFileSync(await download.path()).toString('base64');
    const counts = await redAndBlue(page, `data:image/png;base64,${exported}`);
    // The uploaded picture and its localhost:5001 spelling are red, the inline one blue.
    assert.ok(counts.r >= 2 * 40 * 30 * 0.9, `two red pictures in the export (${counts.r} red pixels)`);
    assert.ok(counts.b >= 40 * 30 * 0.9, `the inline picture in the export (${counts.b} blue pixels)`);
    // The SVG export names no other origin either.
    const [svgFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cmd-export-svg').click()]);
    const svg = readFileSync(await svgFile.path(), 'utf8');
    assert.equal((svg.match(/<image /g) || []).length, 3, svg);
    assert.ok(!svg.includes('evil.example') && !svg.includes(`localhost:${host.port}`), svg);
    // Self-contained: every picture is inside the file (no link back to the
    // host, nor its code), so it shows the same with the host off. An SVG
    // drawn as an image loads nothing from outside, which proves it.
    assert.ok(!/href="http/.test(svg) && !svg.includes(code), 'no picture is linked');
    const svgUrl = await page.evaluate((text) => URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' })), svg);
    const svgCounts = await redAndBlue(page, svgUrl);
    assert.ok(svgCounts.r >= 2 * 40 * 30 * 0.9, `the host's picture is in the SVG (${svgCounts.r} red pixels)`);
    assert.ok(svgCounts.b >= 40 * 30 * 0.9, `the inline picture is in the SVG (${svgCounts.b} blue pixels)`);

    // Only this page's origin was ever asked, and it is the only one that got the code.
    const elsewhere = requested.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(elsewhere, [], 'no request left the host');
    assert.ok(requested.some((u) => u.startsWith(`${origin}/img/${name}?code=${code}`)), 'the host\'s picture was asked for with the code');
  } finally {
    await context.close();
  }
});
