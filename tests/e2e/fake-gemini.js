// @ts-check
/**
 * A stand-in for the Gemini REST API on loopback, answering as the
 * documented API does: `GET /v1beta/models/{model}` and
 * `POST /v1beta/models/{model}:generateContent`, with the key checked in
 * `x-goog-api-key`. `mode` says how generateContent answers: with `image`,
 * with a prompt block (`promptFeedback.blockReason: SAFETY`), or with the
 * image after 5 s (`slow`).
 */
import { createServer } from 'node:http';
import { deflateSync } from 'node:zlib';

/** How long the `slow` mode keeps a generateContent request waiting. */
export const SLOW_ANSWER_MS = 5000;

/** @type {number[]} */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
/** @param {Buffer} buf */
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
/** @param {string} type @param {Buffer} data */
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A solid-colour RGB PNG.
 * @param {number} w @param {number} h @param {number[]} rgb
 */
export function solidPng(w, h, rgb) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * @typedef {{mode: 'image'|'blocked'|'slow', requests: {method: string, url: string, key: string|undefined, body: any}[],
 *   port: number, close: () => void}} FakeGemini
 */

/**
 * Starts the fake on 127.0.0.1 (a port chosen by the OS).
 * @param {{key: string, model: string, image: Buffer}} o the key it accepts, the model it has, the PNG it draws
 * @returns {Promise<FakeGemini>}
 */
export function startFakeGemini(o) {
  /** @type {FakeGemini} */
  const fake = { mode: 'image', requests: [], port: 0, close: () => {} };
  const server = createServer((req, res) => {
    const parts = /** @type {Buffer[]} */ ([]);
    req.on('data', (b) => parts.push(b));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      /** @type {any} */
      let body = null;
      try { body = text ? JSON.parse(text) : null; } catch { /* answered below */ }
      const key = /** @type {string|undefined} */ (req.headers['x-goog-api-key']);
      fake.requests.push({ method: String(req.method), url: String(req.url), key, body });
      const send = (/** @type {number} */ status, /** @type {any} */ json) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify(json));
      };
      if (key !== o.key) {
        return send(400, { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } });
      }
      if (req.method === 'GET' && req.url === `/v1beta/models/${o.model}`) {
        return send(200, { name: `models/${o.model}`, version: '2.0', displayName: 'Fake image model', supportedGenerationMethods: ['generateContent'] });
      }
      if (req.method === 'POST' && req.url === `/v1beta/models/${o.model}:generateContent`) {
        if (!body || !Array.isArray(body.contents)) return send(400, { error: { code: 400, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' } });
        if (fake.mode === 'blocked') return send(200, { promptFeedback: { blockReason: 'SAFETY' }, modelVersion: o.model });
        const answer = {
          candidates: [{ content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: o.image.toString('base64') } }] }, finishReason: 'STOP', index: 0 }],
          modelVersion: o.model,
        };
        if (fake.mode === 'slow') { setTimeout(() => send(200, answer), SLOW_ANSWER_MS); return; }
        return send(200, answer);
      }
      send(404, { error: { code: 404, message: `${req.url} is not found`, status: 'NOT_FOUND' } });
    });
  });
  fake.close = () => { server.closeAllConnections(); server.close(); };
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    fake.port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
    resolve(fake);
  }));
}
