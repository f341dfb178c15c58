// Local HTTP servers for the demo and the end-to-end tests: the page's own origin, and a second
// origin that serves images without CORS headers (the extension must still read them).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { teachFixtureRoute } from './teach-fixtures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = { '.html': 'text/html; charset=utf-8', '.png': 'image/png', '.jpg': 'image/jpeg', '.gif': 'image/gif', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      handler(req, res).catch((e) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function serveFile(res, file, extraHeaders = {}) {
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...extraHeaders });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
}

/** Routes both origins share: fixture images, and a missing one. */
function imageRoute(req, res) {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/fixtures/eval/')) return serveFile(res, path.join(root, 'test', 'fixtures', 'eval', path.basename(url.pathname)));
  if (url.pathname.startsWith('/fixtures/')) {
    const name = path.basename(url.pathname);
    return serveFile(res, path.join(root, 'test', 'fixtures', name));
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
  return Promise.resolve();
}

// ---- Hostile images (image origin only, under /hostile/): what a careless or malicious server sends. ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG (8-bit RGB) whose header says width×height; `rgbRows` gives the pixel rows (filter byte added here), or null for a token IDAT. */
export function makePng(width, height, rgbRows) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = rgbRows ? Buffer.concat(rgbRows.map((row) => Buffer.concat([Buffer.from([0]), Buffer.from(row)]))) : Buffer.alloc(64);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A GIF89a of `frames` (arrays of width×height palette indices into `palette`, [r, g, b] triples, at most 256),
 * looping forever with 0.5 s per frame when there is more than one frame. LZW without compression: 9-bit literal codes
 * with a clear code often enough that the code width never grows.
 */
export function makeGif(width, height, palette, frames) {
  const out = [];
  const u16 = (v) => [v & 0xff, v >> 8];
  out.push(...Buffer.from('GIF89a', 'latin1'), ...u16(width), ...u16(height), 0xf7, 0, 0);
  for (let i = 0; i < 256; i++) out.push(...(palette[i] ?? [0, 0, 0]));
  if (frames.length > 1) out.push(0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0', 'latin1'), 3, 1, 0, 0, 0);
  for (const pixels of frames) {
    out.push(0x21, 0xf9, 4, 0, ...u16(50), 0, 0); // graphic control: 0.5 s
    out.push(0x2c, 0, 0, 0, 0, ...u16(width), ...u16(height), 0);
    out.push(8);
    const codes = [];
    pixels.forEach((p, i) => {
      if (i % 128 === 0) codes.push(256);
      codes.push(p);
    });
    codes.push(257);
    const data = [];
    let acc = 0;
    let bits = 0;
    for (const code of codes) {
      acc |= code << bits;
      bits += 9;
      while (bits >= 8) {
        data.push(acc & 0xff);
        acc >>>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) data.push(acc & 0xff);
    for (let i = 0; i < data.length; i += 255) {
      const block = data.slice(i, i + 255);
      out.push(block.length, ...block);
    }
    out.push(0);
  }
  out.push(0x3b);
  return Buffer.from(out);
}

/** The animated GIF's two frames (64×48): red and white vertical stripes, then solid blue. */
const GIF_SIZE = { width: 64, height: 48 };
const GIF_PALETTE = [[220, 30, 30], [255, 255, 255], [30, 60, 220]];
const GIF_FRAME_1 = Array.from({ length: GIF_SIZE.width * GIF_SIZE.height }, (_, i) => (Math.floor((i % GIF_SIZE.width) / 8) % 2 ? 1 : 0));
const GIF_FRAME_2 = new Array(GIF_SIZE.width * GIF_SIZE.height).fill(2);

/** Deterministic garbage (an LCG), so a corrupted file is the same on every run. */
function garbage(length, seed = 12345) {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const HTML_PAGE = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><h1>Please sign in</h1><p>This image is for members only.</p></body></html>\n';

const fixture = (name) => readFile(path.join(root, 'test', 'fixtures', path.basename(name)));
const typeOf = (name) => TYPES[path.extname(name)] ?? 'application/octet-stream';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * /hostile/… routes. Returns false when the path is not one of them.
 *   status/<code>            that HTTP status, with an HTML error page
 *   redirect-loop            302 to itself, forever
 *   redirect/<name>          302 to /fixtures/<name> (a normal redirect that must keep working)
 *   page-only/<name>         a fixture for requests a web page makes (Referer http…), HTTP 403 for others (an extension's fetch)
 *   html-as-jpeg             an HTML page labelled image/jpeg
 *   text-as-png              JSON labelled image/png
 *   svg-without-extension    an SVG image at a URL that does not say so (the worker cannot draw SVG)
 *   empty.png                200, image/png, no bytes
 *   truncated/<name>         the first 40 % of a fixture
 *   corrupt/<name>           a fixture with 10 % garbage in its middle
 *   1x1.png                  a single-pixel PNG
 *   huge.png                 a PNG whose header claims 30000×30000 (tiny IDAT)
 *   exact-limit.png          a PNG whose header claims 10000×10000: exactly 100 MP (tiny IDAT)
 *   animated.gif             a 2-frame animated GIF; first-frame.gif / second-frame.gif: each frame alone, static
 *   truncated.gif            the still first frame cut at 60 %; truncated-animated.gif: both frames, cut inside the second
 *   no-answer                accepts the request, never answers
 *   stall-body/<name>        headers and the first 1000 bytes of a fixture, then nothing
 *   oversize.png             a PNG header, then 60 MiB of zeros without a content-length
 *   slow/<name>?ms=N         a fixture after N ms
 *   trickle/<name>?ms=N      a fixture, 100 bytes every N ms
 */
async function hostileRoute(req, res, pathname) {
  const [route, ...rest] = pathname.slice('/hostile/'.length).split('/');
  const name = rest.join('/');
  const url = new URL(req.url, 'http://x');
  const send = (status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(body);
  };
  switch (route) {
    case 'status': {
      const status = Number(name) || 500;
      send(status, 'text/html; charset=utf-8', `<!doctype html><title>${status}</title><h1>Error ${status}</h1>`);
      return true;
    }
    case 'redirect-loop':
      res.writeHead(302, { location: '/hostile/redirect-loop', 'cache-control': 'no-store' });
      res.end();
      return true;
    case 'redirect':
      res.writeHead(302, { location: `/fixtures/${path.basename(name)}`, 'cache-control': 'no-store' });
      res.end();
      return true;
    case 'page-only': {
      if (!/^https?:/.test(req.headers.referer ?? '')) {
        send(403, 'text/html; charset=utf-8', '<!doctype html><title>403</title><h1>Hotlinking not allowed</h1>');
        return true;
      }
      const file = path.join(root, 'test', 'fixtures', path.basename(name));
      send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', await readFile(file));
      return true;
    }
    case 'html-as-jpeg':
      send(200, 'image/jpeg', Buffer.from(HTML_PAGE));
      return true;
    case 'text-as-png':
      send(200, 'image/png', Buffer.from('{"error":"quota exceeded"}'));
      return true;
    case 'svg-without-extension':
      send(200, 'image/svg+xml', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="80" height="60"><rect width="80" height="60" fill="teal"/></svg>\n'));
      return true;
    case 'empty.png':
      send(200, 'image/png', Buffer.alloc(0));
      return true;
    case 'truncated': {
      const bytes = await fixture(name);
      send(200, typeOf(name), bytes.subarray(0, Math.floor(bytes.length * 0.4)));
      return true;
    }
    case 'corrupt': {
      const bytes = Buffer.from(await fixture(name));
      const from = Math.floor(bytes.length * 0.45);
      bytes.set(garbage(Math.floor(bytes.length * 0.1)), from);
      send(200, typeOf(name), bytes);
      return true;
    }
    case '1x1.png':
      send(200, 'image/png', makePng(1, 1, [[200, 120, 40]]));
      return true;
    case 'huge.png':
      send(200, 'image/png', makePng(30000, 30000, null));
      return true;
    case 'exact-limit.png':
      send(200, 'image/png', makePng(10000, 10000, null));
      return true;
    case 'animated.gif':
      send(200, 'image/gif', makeGif(GIF_SIZE.width, GIF_SIZE.height, GIF_PALETTE, [GIF_FRAME_1, GIF_FRAME_2]));
      return true;
    case 'first-frame.gif':
      send(200, 'image/gif', makeGif(GIF_SIZE.width, GIF_SIZE.height, GIF_PALETTE, [GIF_FRAME_1]));
      return true;
    case 'truncated.gif': {
      // The still first frame, cut at 60 % of its bytes.
      const bytes = makeGif(GIF_SIZE.width, GIF_SIZE.height, GIF_PALETTE, [GIF_FRAME_1]);
      send(200, 'image/gif', bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      return true;
    }
    case 'truncated-animated.gif': {
      // Both frames, cut in the middle of the second one.
      const bytes = makeGif(GIF_SIZE.width, GIF_SIZE.height, GIF_PALETTE, [GIF_FRAME_1, GIF_FRAME_2]);
      send(200, 'image/gif', bytes.subarray(0, Math.floor(bytes.length * 0.8)));
      return true;
    }
    case 'second-frame.gif':
      send(200, 'image/gif', makeGif(GIF_SIZE.width, GIF_SIZE.height, GIF_PALETTE, [GIF_FRAME_2]));
      return true;
    case 'no-answer':
      // Never answer; the socket is closed when the client gives up or the server shuts down.
      await new Promise((resolve) => req.socket.once('close', resolve));
      return true;
    case 'stall-body': {
      const bytes = await fixture(name);
      res.writeHead(200, { 'content-type': typeOf(name), 'content-length': bytes.length, 'cache-control': 'no-store' });
      res.write(bytes.subarray(0, 1000));
      await new Promise((resolve) => req.socket.once('close', resolve));
      return true;
    }
    case 'oversize.png': {
      // 60 MiB without a content-length (chunked): the size cap must apply while reading.
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
      const chunk = Buffer.alloc(1024 * 1024);
      res.write(makePng(100, 100, null).subarray(0, 33));
      for (let i = 0; i < 60 && !req.socket.destroyed; i++) {
        if (!res.write(chunk)) await drainedOrClosed(req, res);
      }
      res.end();
      return true;
    }
    case 'slow': {
      await sleep(Number(url.searchParams.get('ms')) || 2000);
      if (req.socket.destroyed) return true;
      send(200, typeOf(name), await fixture(name));
      return true;
    }
    case 'trickle': {
      const bytes = await fixture(name);
      const ms = Number(url.searchParams.get('ms')) || 1000;
      res.writeHead(200, { 'content-type': typeOf(name), 'content-length': bytes.length, 'cache-control': 'no-store' });
      for (let at = 0; at < bytes.length && !req.socket.destroyed; at += 100) {
        res.write(bytes.subarray(at, at + 100));
        await sleep(ms);
      }
      res.end();
      return true;
    }
    default:
      return false;
  }
}

/** A refused signed link, as Google Cloud Storage answers it (TF Hub → Kaggle → storage, since October 2025). */
const SIGNATURE_DOES_NOT_MATCH =
  "<?xml version='1.0' encoding='UTF-8'?><Error><Code>SignatureDoesNotMatch</Code><Message>Access denied.</Message>" +
  '<Details>The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.</Details></Error>';

/**
 * /hosts/<host>/… (image origin): model hosts of the real world as they behave today, for tests that
 * route the real addresses here (the Location headers name the real hosts, as theirs do):
 *   storage.googleapis.com/tfjs-models/…  Google's tfjs-models bucket: the fixture files, with CORS
 *   tfhub.dev/…/<file>?tfjs-format=file   redirects to the model's Kaggle page …
 *   www.kaggle.com/models/…/<file>        … which redirects to a signed storage link …
 *   storage.googleapis.com/kagglesdsdata/… … which is refused: HTTP 403 SignatureDoesNotMatch, no CORS header
 *   mirror.test/…                         the bucket's files without any CORS header
 * Returns false for other paths.
 */
async function hostRoute(req, res, modelsDir) {
  const url = new URL(req.url, 'http://x');
  const match = /^\/hosts\/([^/]+)(\/.*)$/.exec(url.pathname);
  if (!modelsDir || !match) return false;
  const [, host, rest] = match;
  const file = rest.split('/').pop();
  const redirect = (location) => {
    res.writeHead(302, { location, 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
    res.end();
    return true;
  };
  const serve = async (rel, cors) => {
    const full = path.resolve(modelsDir, 'bucket', rel);
    let body;
    try {
      if (!full.startsWith(path.resolve(modelsDir, 'bucket') + path.sep)) throw new Error('outside');
      body = await readFile(full);
    } catch {
      res.writeHead(404, { 'content-type': 'application/xml; charset=UTF-8', ...(cors ? { 'access-control-allow-origin': '*' } : {}) });
      res.end(`<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`);
      return true;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-store', ...(cors ? { 'access-control-allow-origin': '*' } : {}) });
    res.end(body);
    return true;
  };
  if (host === 'storage.googleapis.com' && rest.startsWith('/tfjs-models/')) return serve(decodeURIComponent(rest.slice(1)), true);
  if (host === 'mirror.test') return serve(decodeURIComponent(rest.slice(1)), false);
  if (host === 'tfhub.dev') return redirect(`https://www.kaggle.com/models/google/mobilenet-v2/TfJs/100-224-classification/3/${file}?tfjs-format=file&tfhub-redirect=true`);
  if (host === 'www.kaggle.com' && rest.startsWith('/models/')) {
    return redirect(`https://storage.googleapis.com/kagglesdsdata/models/1324/1579/${file}?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=gcp-kaggle-com%40kaggle-161607.iam.gserviceaccount.com%2F20251018%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20251018T133046Z&X-Goog-Expires=259200&X-Goog-SignedHeaders=host&X-Goog-Signature=09aeb626c813f438`);
  }
  if (host === 'storage.googleapis.com' && rest.startsWith('/kagglesdsdata/')) {
    res.writeHead(403, { 'content-type': 'application/xml; charset=UTF-8', 'cache-control': 'private, max-age=0' });
    res.end(SIGNATURE_DOES_NOT_MATCH);
    return true;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end(`no such host in the fixtures: ${host}`);
  return true;
}

/**
 * /victim/… (image origin): what an attacker page points the extension at. Every request is logged
 * (path and query, whether it carried the `session` cookie) for `victimLog`.
 *   needs-cookie/<name>        the fixture with the `session` cookie, else HTTP 403
 *   slow-page-only/<name>?ms=N like /hostile/page-only/, after N ms
 *   flat.png?w=W&h=H           a W×H grey PNG, generated once (tiny on disk, W×H pixels decoded)
 *   <name>                     the fixture
 */
const flatPngs = new Map();

async function victimRoute(req, res, pathname, log) {
  const url = new URL(req.url, 'http://x');
  const rest = pathname.slice('/victim/'.length);
  const cookie = /(^|;\s*)session=/.test(req.headers.cookie ?? '');
  log.push({ path: `${pathname}${url.search}`, cookie });
  const send = (status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(body);
  };
  const denied = () => send(403, 'text/html; charset=utf-8', Buffer.from('<!doctype html><title>403</title><h1>Forbidden</h1>'));
  if (rest === 'flat.png') {
    const [w, h] = [Number(url.searchParams.get('w')) || 100, Number(url.searchParams.get('h')) || 100];
    const key = `${w}x${h}`;
    if (!flatPngs.has(key)) flatPngs.set(key, await flatPng(w, h));
    send(200, 'image/png', flatPngs.get(key));
    return;
  }
  if (rest.startsWith('needs-cookie/')) {
    if (!cookie) return denied();
    send(200, typeOf(rest), await fixture(rest));
    return;
  }
  if (rest.startsWith('slow-page-only/')) {
    await sleep(Number(url.searchParams.get('ms')) || 2000);
    if (req.socket.destroyed) return;
    if (!/^https?:/.test(req.headers.referer ?? '')) return denied();
    send(200, typeOf(rest), await fixture(rest));
    return;
  }
  send(200, typeOf(rest), await fixture(rest));
}

/** A W×H grey RGB PNG, deflated as a stream (a 10000×10000 one is ~300 KB, but 100 MP decoded). */
async function flatPng(width, height) {
  const { createDeflate } = await import('node:zlib');
  const row = Buffer.alloc(width * 3 + 1, 128);
  row[0] = 0;
  const deflate = createDeflate({ level: 9 });
  const chunks = [];
  deflate.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  for (let y = 0; y < height; y++) if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
  deflate.end();
  await done;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.concat(chunks)), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * /models/… (image origin): the fixture models of scripts/make-fixture-models.mjs, from `modelsDir`, as
 * their hosts serve them. Under /models/tfhub/ only with ?tfjs-format=file (TF Hub's layout), like
 * tfjs's fromTFHub loader asks; /models/slow/<path> sends the file in 16 KiB pieces every 50 ms (a progress bar
 * has time to show; ?pace=<ms> another interval — the weights inherit model.json's query, as tfjs resolves them). Returns false when the path is not one of them.
 */
async function modelRoute(req, res, modelsDir) {
  const url = new URL(req.url, 'http://x');
  if (!modelsDir || !url.pathname.startsWith('/models/')) return false;
  let rel = decodeURIComponent(url.pathname.slice('/models/'.length));
  const slow = rel.startsWith('slow/');
  if (slow) rel = rel.slice('slow/'.length);
  const file = path.resolve(modelsDir, rel);
  const notFound = () => {
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
    res.end('<!doctype html><title>404</title><h1>Not Found</h1>');
    return true;
  };
  if (!file.startsWith(path.resolve(modelsDir) + path.sep)) return notFound();
  if (rel.startsWith('tfhub/') && url.search !== '?tfjs-format=file') return notFound();
  let body;
  try {
    body = await readFile(file);
  } catch {
    return notFound();
  }
  const type = file.endsWith('.json') ? 'application/json' : file.endsWith('.txt') ? 'text/plain' : 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
  if (!slow) {
    res.end(body);
    return true;
  }
  const pace = Number(url.searchParams.get('pace')) || 50;
  for (let at = 0; at < body.length && !req.socket.destroyed; at += 16384) {
    res.write(body.subarray(at, at + 16384));
    await sleep(pace);
  }
  res.end();
  return true;
}

/**
 * Starts the page origin and the image origin on free loopback ports (`modelsDir`: serve fixture models under /models/).
 * The page at / is demo/index.html with {{IMAGE_ORIGIN}} replaced by the second origin.
 */
/** Until the client takes more data or goes away; the listener left over is removed (no pile-up on a kept-alive socket). */
function drainedOrClosed(req, res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      req.socket.off('close', done);
      resolve();
    };
    res.once('drain', done);
    req.socket.once('close', done);
  });
}

export async function startServers({ modelsDir } = {}) {
  /** Requests that reached /victim/ (see victimRoute). */
  const victimLog = [];
  const images = await listen(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname.startsWith('/victim/')) return victimRoute(req, res, pathname, victimLog);
    if (pathname.startsWith('/hostile/') && (await hostileRoute(req, res, pathname))) return;
    if (await modelRoute(req, res, modelsDir)) return;
    if (await hostRoute(req, res, modelsDir)) return;
    return imageRoute(req, res);
  });
  const imageOrigin = `http://127.0.0.1:${images.address().port}`;
  const page = await listen(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const html = (await readFile(path.join(root, 'demo', 'index.html'), 'utf8')).replaceAll('{{IMAGE_ORIGIN}}', imageOrigin);
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    if (url.pathname.startsWith('/demo/')) return serveFile(res, path.join(root, 'demo', path.basename(url.pathname)));
    if (teachFixtureRoute(url, res)) return;
    // Attacker pages of the security tests (test/fixtures/<name>.html), with the CSP asked for in ?csp=.
    if (url.pathname.startsWith('/attack/')) {
      const csp = url.searchParams.get('csp');
      return serveFile(res, path.join(root, 'test', 'fixtures', path.basename(url.pathname)), csp ? { 'content-security-policy': csp } : {});
    }
    return imageRoute(req, res);
  });
  const pageOrigin = `http://127.0.0.1:${page.address().port}`;
  return {
    pageOrigin,
    imageOrigin,
    victimLog,
    close: () => Promise.all([page, images].map((s) => new Promise((r) => { s.closeAllConnections?.(); s.close(r); }))),
  };
}
