// "Two folders of photos" for Teach's end-to-end test and benchmark, made from the test photos: each
// folder is a page (/teach/<folder>/) of pictures (/teach/<folder>/<n>.png), every one a different
// seeded square crop of its photo, maybe mirrored, a little brighter or darker, at 160×160 pixels.
// The cats folder also holds one picture that cannot be read (the server sends an HTML page).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { seededRandom as random } from './fixture-lcg.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEACH_FOLDERS = { cats: 'chelsea.png', cups: 'coffee.png' };
export const TEACH_PER_FOLDER = 10;
/** A folder's page may ask for more pictures (`?count=`, benchmarks): up to this many. */
const MAX_PER_FOLDER = 200;
const SIZE = 160;

const photos = new Map();
function photo(name) {
  if (!photos.has(name)) photos.set(name, PNG.sync.read(readFileSync(path.join(root, 'test', 'fixtures', name))));
  return photos.get(name);
}

/** Picture n of a folder as PNG bytes (bilinear resampling of a seeded crop). */
export function teachFixturePng(folder, n) {
  const source = photo(TEACH_FOLDERS[folder]);
  const r = random(1000 * (folder === 'cats' ? 1 : 2) + n);
  const side = Math.min(source.width, source.height) * (0.6 + 0.4 * r());
  const x0 = (source.width - side) * r();
  const y0 = (source.height - side) * r();
  const flip = r() < 0.5;
  const brightness = 0.85 + 0.3 * r();
  const out = new PNG({ width: SIZE, height: SIZE, colorType: 2 });
  const at = (x, y, c) => source.data[(Math.min(source.height - 1, y) * source.width + Math.min(source.width - 1, x)) * 4 + c];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const sx = x0 + ((flip ? SIZE - 1 - x : x) + 0.5) * (side / SIZE) - 0.5;
      const sy = y0 + (y + 0.5) * (side / SIZE) - 0.5;
      const fx = Math.max(0, Math.floor(sx));
      const fy = Math.max(0, Math.floor(sy));
      const ax = Math.min(1, Math.max(0, sx - fx));
      const ay = Math.min(1, Math.max(0, sy - fy));
      for (let c = 0; c < 3; c++) {
        const top = at(fx, fy, c) * (1 - ax) + at(fx + 1, fy, c) * ax;
        const bottom = at(fx, fy + 1, c) * (1 - ax) + at(fx + 1, fy + 1, c) * ax;
        out.data[(y * SIZE + x) * 4 + c] = Math.min(255, Math.round((top * (1 - ay) + bottom * ay) * brightness));
      }
      out.data[(y * SIZE + x) * 4 + 3] = 255;
    }
  }
  return PNG.sync.write(out);
}

/** The folder's page: its pictures in a grid (and, for cats, the unreadable one unless `count` is given). */
export function teachFixturePage(folder, count) {
  const images = Array.from({ length: count ?? TEACH_PER_FOLDER }, (_, n) => `<img id="${folder}-${n}" src="/teach/${folder}/${n}.png" alt="${folder} ${n}" width="${SIZE}" height="${SIZE}">`);
  if (folder === 'cats' && count === undefined) images.push(`<img id="cats-broken" src="/teach/cats/broken.png" alt="a picture the server cannot send" width="${SIZE}" height="${SIZE}">`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${folder}</title></head><body><h1>${folder}</h1><main style="display:flex;flex-wrap:wrap;gap:8px">${images.join('')}</main></body></html>`;
}

/** Serves /teach/<folder>/ (`?count=n`: n pictures, no broken one) and its pictures; false for any other path. */
export function teachFixtureRoute(url, res) {
  const match = /^\/teach\/(cats|cups)\/(?:(\d+)\.png|(broken\.png))?$/.exec(url.pathname);
  if (!match) return false;
  const [, folder, n, broken] = match;
  if (broken) {
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    res.end('<!doctype html><p>Not a picture</p>');
  } else if (n !== undefined) {
    if (Number(n) >= MAX_PER_FOLDER) return false;
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    res.end(teachFixturePng(folder, Number(n)));
  } else {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    const count = url.searchParams.has('count') ? Math.min(MAX_PER_FOLDER, Math.max(1, Number(url.searchParams.get('count')) || 1)) : undefined;
    res.end(teachFixturePage(folder, count));
  }
  return true;
}
