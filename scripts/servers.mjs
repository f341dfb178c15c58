// Local HTTP servers for the demo and the end-to-end tests: the page's own origin, and a second
// origin that serves images without CORS headers (the extension must still read them).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = { '.html': 'text/html; charset=utf-8', '.png': 'image/png', '.jpg': 'image/jpeg', '.js': 'text/javascript', '.css': 'text/css' };

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
  if (url.pathname.startsWith('/fixtures/')) {
    const name = path.basename(url.pathname);
    return serveFile(res, path.join(root, 'test', 'fixtures', name));
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
  return Promise.resolve();
}

/**
 * Starts the page origin and the image origin on free loopback ports.
 * The page at / is demo/index.html with {{IMAGE_ORIGIN}} replaced by the second origin.
 */
export async function startServers() {
  const images = await listen(async (req, res) => imageRoute(req, res));
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
    return imageRoute(req, res);
  });
  const pageOrigin = `http://127.0.0.1:${page.address().port}`;
  return {
    pageOrigin,
    imageOrigin,
    close: () => Promise.all([page, images].map((s) => new Promise((r) => { s.closeAllConnections?.(); s.close(r); }))),
  };
}
