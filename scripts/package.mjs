// Zips the built extension (dist/) for the Chrome Web Store: packages/cam-lens-chrome-<version>.zip.
// Source maps stay out of the store package; everything else in dist/ goes in.
import { zipSync } from 'fflate';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

function collect(dir, prefix = '', files = {}) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) collect(full, name, files);
    else if (!entry.name.endsWith('.map')) files[name] = readFileSync(full);
  }
  return files;
}

const { version } = JSON.parse(readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
const files = collect(dist);
if (!files['manifest.json']) throw new Error('dist/ has no manifest.json: run npm run build');
mkdirSync(path.join(root, 'packages'), { recursive: true });
const out = path.join(root, 'packages', `cam-lens-chrome-${version}.zip`);
writeFileSync(out, zipSync(files, { level: 9 }));
console.log(`${path.relative(root, out)}: ${Object.keys(files).length} files, ${(statSync(out).size / 1024 / 1024).toFixed(1)} MiB`);
