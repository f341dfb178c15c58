// Store packages from the built extension (run `npm run build` first; `npm run package` does):
//   packages/cam-lens-chrome-<version>.zip   dist/ for the Chrome Web Store
//   packages/cam-lens-firefox-<version>.zip  dist-firefox/ for addons.mozilla.org
//   packages/cam-lens-source-<version>.zip   the source AMO reviewers rebuild the add-on from (the bundles
//                                            are minified): every file git tracks or would track (no
//                                            node_modules, dist, packages), plus SOURCE-BUILD.md saying how.
// Source maps and dotfiles stay out of the store packages; everything else in the build goes in.
import { zipSync } from 'fflate';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = path.join(root, 'packages');
/** Never in the source archive, whatever git says. */
const NOT_SOURCE = /^(node_modules|dist|dist-firefox|packages|test-artifacts)(\/|$)/;

function collectBuild(dir, prefix = '', files = {}) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) collectBuild(full, name, files);
    else if (!entry.name.endsWith('.map')) files[name] = readFileSync(full);
  }
  return files;
}

function write(name, files) {
  mkdirSync(packagesDir, { recursive: true });
  const out = path.join(packagesDir, name);
  // A fixed date keeps the archives identical from one run to the next for the same inputs.
  writeFileSync(out, zipSync(files, { level: 9, mtime: new Date('2020-01-01T00:00:00Z') }));
  console.log(`${path.relative(root, out)}: ${Object.keys(files).length} files, ${(statSync(out).size / 1024 / 1024).toFixed(1)} MiB`);
  return out;
}

/** A store zip of one built extension directory; its manifest must carry the expected version. */
export function packageBuild(browser, dir, version) {
  const files = collectBuild(dir);
  if (!files['manifest.json']) throw new Error(`${path.relative(root, dir)}/ has no manifest.json: run npm run build`);
  const built = JSON.parse(Buffer.from(files['manifest.json']).toString('utf8')).version;
  if (built !== version) throw new Error(`${path.relative(root, dir)}/ is version ${built}, package.json says ${version}: run npm run build`);
  return write(`cam-lens-${browser}-${version}.zip`, files);
}

/** The files of the source archive: tracked and not-ignored untracked files that exist, sorted. */
export function sourceFiles() {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return [...new Set(listed.split('\0').filter(Boolean))]
    .filter((f) => !NOT_SOURCE.test(f) && existsSync(path.join(root, f)) && statSync(path.join(root, f)).isFile())
    .sort();
}

function buildInstructions(version) {
  const { engines } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return `# CAM Lens ${version}: building the Firefox add-on from this source

Requirements: Linux, macOS or Windows with Node.js ${engines?.node ?? '20 or newer'} and npm (built here with Node.js ${process.version}).
No other tool and no network access beyond the npm registry is needed: the models are extracted at build time
from the \`nsfwjs\` npm package, the TensorFlow.js WebAssembly binaries come from \`@tensorflow/tfjs-backend-wasm\`.

\`\`\`sh
npm ci             # exact versions from package-lock.json
npm run build      # bundles with esbuild → dist/ (Chrome) and dist-firefox/ (Firefox)
\`\`\`

\`dist-firefox/\` is the add-on: the same files as cam-lens-firefox-${version}.zip (which leaves out source maps).
Bundling: scripts/build.mjs (esbuild, minified); Firefox's manifest: scripts/manifest.mjs.
Third-party code comes only from the npm packages in package-lock.json (licences in background.js.LEGAL.txt).
`;
}

export function packageSource(version) {
  const names = sourceFiles();
  if (names.length === 0) throw new Error('git ls-files listed no source files (is this a git checkout?)');
  const files = Object.fromEntries(names.map((f) => [f, readFileSync(path.join(root, f))]));
  files['SOURCE-BUILD.md'] = Buffer.from(buildInstructions(version));
  return write(`cam-lens-source-${version}.zip`, files);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  packageBuild('chrome', path.join(root, 'dist'), version);
  packageBuild('firefox', path.join(root, 'dist-firefox'), version);
  packageSource(version);
}
