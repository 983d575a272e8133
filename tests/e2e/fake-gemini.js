// @ts-check
/**
 * A stand-in for the Gemini REST API on loopback, answering as the
 * documented API does: `GET /v1beta/models/{model}` and
 * `POST /v1beta/models/{model}:generateContent`, with the key checked in
 * `x-goog-api-key`. It has three models, as the host uses them: the image
 * model draws, the text model writes a video's story (structured output:
 * `responseMimeType: application/json` with a `responseSchema`, answered
 * as JSON text), the TTS model speaks (`responseModalities: ["AUDIO"]` with
 * a prebuilt voice, answered with raw 16-bit mono PCM at 24 kHz in base64).
 * `mode` says how the image model answers: with `image`, with a prompt
 * block (`promptFeedback.blockReason: SAFETY`), or with the image after 5 s
 * (`slow`).
 */
import { createServer } from 'node:http';
import { deflateSync } from 'node:zlib';

/** How long the `slow` mode keeps a generateContent request waiting. */
export const SLOW_ANSWER_MS = 5000;
/** The host's default text and speech models (ai::gemini::config). */
export const TEXT_MODEL = 'gemini-2.5-flash';
export const TTS_MODEL = 'gemini-2.5-flash-preview-tts';
/** The rate the TTS model speaks at, as the real one does. */
export const SPEECH_RATE = 24000;

/**
 * A 440 Hz tone as raw 16-bit little-endian mono PCM at {@link SPEECH_RATE}.
 * @param {number} ms
 */
export function sinePcm(ms) {
  const n = Math.round((ms * SPEECH_RATE) / 1000);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / SPEECH_RATE) * 12000), i * 2);
  return pcm;
}

/**
 * The story the text model writes for `count` pictures.
 * @param {number} count
 */
export function storyFor(count) {
  return {
    title: 'The Tale',
    frames: Array.from({ length: count }, (_, i) => ({ caption: `Gemini's caption ${i + 1}`, narration: `Line ${i + 1} of the tale.` })),
  };
}

/**
 * Why the real API would refuse a request to `model`, or null.
 * @param {'image'|'text'|'tts'} kind @param {any} body
 */
function refusal(kind, body) {
  const parts = body?.contents?.[0]?.parts;
  if (!Array.isArray(parts) || !parts.some((/** @type {any} */ p) => typeof p.text === 'string' && p.text.trim())) return 'contents[0].parts needs a text part';
  const config = body.generationConfig || {};
  const modalities = config.responseModalities || [];
  if (kind === 'tts') {
    if (parts.some((/** @type {any} */ p) => p.inlineData)) return 'a TTS model takes text only';
    if (JSON.stringify(modalities) !== '["AUDIO"]') return 'a TTS model answers with AUDIO only';
    if (!config.speechConfig?.voiceConfig?.prebuiltVoiceConfig?.voiceName) return 'speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName is missing';
  }
  if (kind === 'text') {
    if (modalities.some((/** @type {string} */ m) => m !== 'TEXT')) return 'The requested combination of response modalities is not supported by the model.';
    if (config.responseSchema && config.responseMimeType !== 'application/json') return 'responseSchema needs responseMimeType application/json';
  }
  return null;
}

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
 * @typedef {{mode: 'image'|'blocked'|'slow'|'busy', requests: {method: string, url: string, key: string|undefined, body: any}[],
 *   story: any, speechMs: number, port: number, url: string, close: () => void}} FakeGemini
 * `story`: what the text model answers (null: {@link storyFor} the pictures sent);
 * `speechMs`: how long each spoken line lasts.
 */

/**
 * Starts the fake on 127.0.0.1 (a port chosen by the OS).
 * @param {{key: string, model: string, image: Buffer}} o the key it accepts, its image model (the text and TTS models are the host's defaults), the PNG it draws
 * @returns {Promise<FakeGemini>}
 */
export function startFakeGemini(o) {
  /** @type {FakeGemini} */
  const fake = { mode: 'image', requests: [], story: null, speechMs: 800, port: 0, url: '', close: () => {} };
  /** @type {Record<string, 'image'|'text'|'tts'>} */
  const models = { [o.model]: 'image', [TEXT_MODEL]: 'text', [TTS_MODEL]: 'tts' };
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
      const [, model = '', post] = String(req.url).match(/^\/v1beta\/models\/([^/:?]+)(:generateContent)?$/) || [];
      const kind = models[model];
      if (req.method === 'GET' && kind && !post) {
        return send(200, { name: `models/${model}`, version: '2.0', displayName: `Fake ${kind} model`, supportedGenerationMethods: ['generateContent'] });
      }
      if (req.method === 'POST' && kind && post) {
        if (!body || !Array.isArray(body.contents)) return send(400, { error: { code: 400, message: 'Invalid JSON payload received.', status: 'INVALID_ARGUMENT' } });
        const why = kind === 'image' ? null : refusal(kind, body);
        if (why) return send(400, { error: { code: 400, message: why, status: 'INVALID_ARGUMENT' } });
        /** @param {any[]} said */
        const reply = (said) => send(200, { candidates: [{ content: { role: 'model', parts: said }, finishReason: 'STOP', index: 0 }], modelVersion: model });
        if (kind === 'text') {
          const pictures = body.contents[0].parts.filter((/** @type {any} */ p) => p.inlineData).length;
          return reply([{ text: JSON.stringify(fake.story || storyFor(pictures)) }]);
        }
        if (kind === 'tts') {
          return reply([{ inlineData: { mimeType: `audio/L16;codec=pcm;rate=${SPEECH_RATE}`, data: sinePcm(fake.speechMs).toString('base64') } }]);
        }
        if (fake.mode === 'blocked') return send(200, { promptFeedback: { blockReason: 'SAFETY' }, modelVersion: o.model });
        if (fake.mode === 'busy') {
          // Overloaded once, as the real API says it: the next try gets the picture.
          fake.mode = 'image';
          return send(503, { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } });
        }
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
    fake.url = `http://127.0.0.1:${fake.port}/v1beta`;
    resolve(fake);
  }));
}
