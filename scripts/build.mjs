// Builds the unpacked extension into dist/ (Chrome) and dist-firefox/ (Firefox): bundles the
// contexts and pages with esbuild, copies the static files, and extracts the catalog's models from their npm
// packages (no binaries in git). Both browsers get the same files; only manifest.json differs, generated
// per browser by scripts/manifest.mjs.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { extractModel, readCatalog } from '../models/extract.mjs';
import { iconPng } from './icons.mjs';
import { manifestFor } from './manifest.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const distFirefox = path.join(root, 'dist-firefox');
const require = createRequire(import.meta.url);

/**
 * Builds Chrome's extension into outDir and, unless firefoxOutDir is false, a copy with Firefox's
 * manifest into firefoxOutDir (dist-firefox/ beside dist/, else `<outDir>-firefox`). Resolves to outDir.
 */
export async function build({ outDir = dist, firefoxOutDir = outDir === dist ? distFirefox : `${outDir}-firefox`, quiet = false } = {}) {
  const started = Date.now();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const common = {
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    target: ['chrome116', 'firefox128'],
    platform: 'browser',
    legalComments: 'linked',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
    absWorkingDir: root,
  };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: { background: 'src/background/index.ts' }, format: 'esm', outdir: outDir }),
    // content.js runs in every frame of every page; content-ui.js only where the user asks for something (see src/content/loader.ts).
    esbuild.build({ ...common, entryPoints: { content: 'src/content/loader.ts', 'content-ui': 'src/content/index.ts' }, format: 'iife', outdir: outDir }),
    esbuild.build({ ...common, entryPoints: { popup: 'src/popup/popup.ts' }, format: 'iife', outdir: outDir }),
    esbuild.build({ ...common, entryPoints: { options: 'src/options/options.ts' }, format: 'iife', outdir: outDir }),
    esbuild.build({ ...common, entryPoints: { teach: 'src/teach/teach.ts' }, format: 'iife', outdir: outDir }),
    esbuild.build({ ...common, entryPoints: { lab: 'src/lab/lab.ts' }, format: 'iife', outdir: outDir }),
  ]);

  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const baseManifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));
  writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifestFor('chrome', baseManifest, pkg.version), null, 2));
  cpSync(path.join(root, 'src/popup/popup.html'), path.join(outDir, 'popup.html'));
  cpSync(path.join(root, 'src/popup/popup.css'), path.join(outDir, 'popup.css'));
  cpSync(path.join(root, 'src/options/options.html'), path.join(outDir, 'options.html'));
  cpSync(path.join(root, 'src/options/options.css'), path.join(outDir, 'options.css'));
  cpSync(path.join(root, 'src/ui/theme.css'), path.join(outDir, 'theme.css'));
  cpSync(path.join(root, 'src/ui/page.css'), path.join(outDir, 'page.css'));
  cpSync(path.join(root, 'src/teach/teach.html'), path.join(outDir, 'teach.html'));
  cpSync(path.join(root, 'src/teach/teach.css'), path.join(outDir, 'teach.css'));
  cpSync(path.join(root, 'src/lab/lab.html'), path.join(outDir, 'lab.html'));
  cpSync(path.join(root, 'src/lab/lab.css'), path.join(outDir, 'lab.css'));
  writeDemoPhotos(path.join(outDir, 'teach-demo'));
  cpSync(path.join(root, '_locales'), path.join(outDir, '_locales'), { recursive: true });

  mkdirSync(path.join(outDir, 'icons'));
  for (const size of [16, 32, 48, 128]) writeFileSync(path.join(outDir, 'icons', `icon-${size}.png`), iconPng(size));

  // The WASM backend fetches its binaries at run time; ship the single-threaded builds only.
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  mkdirSync(path.join(outDir, 'wasm'));
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) cpSync(path.join(wasmDir, file), path.join(outDir, 'wasm', file));

  const catalog = readCatalog();
  for (const entry of catalog.models) {
    const { modelJson, shards } = extractModel(entry);
    const modelDir = path.join(outDir, 'models', entry.id);
    mkdirSync(modelDir, { recursive: true });
    writeFileSync(path.join(modelDir, 'model.json'), JSON.stringify(modelJson));
    for (const shard of shards) writeFileSync(path.join(modelDir, shard.fileName), shard.bytes);
  }

  if (firefoxOutDir) {
    rmSync(firefoxOutDir, { recursive: true, force: true });
    cpSync(outDir, firefoxOutDir, { recursive: true });
    writeFileSync(path.join(firefoxOutDir, 'manifest.json'), JSON.stringify(manifestFor('firefox', baseManifest, pkg.version), null, 2));
    // Keeps the build out of git without touching the repository's .gitignore (web-ext and packaging skip dotfiles).
    writeFileSync(path.join(firefoxOutDir, '.gitignore'), '*\n');
  }
  if (!quiet) {
    const built = [outDir, firefoxOutDir].filter(Boolean).map((d) => path.relative(root, d) || '.');
    console.log(`built ${built.join(' and ')} in ${Date.now() - started} ms`);
  }
  return outDir;
}

/**
 * The Teach page's shortcut demo draws its pictures from four of the test photos (CC0 / public
 * domain, see test/fixtures/README.md); PNGs wider than needed are halved to keep the package small.
 */
function writeDemoPhotos(dir) {
  mkdirSync(dir, { recursive: true });
  for (const name of DEMO_PHOTOS) {
    const source = path.join(root, 'test', 'fixtures', name);
    if (!name.endsWith('.png')) {
      cpSync(source, path.join(dir, name));
      continue;
    }
    const png = PNG.sync.read(readFileSync(source));
    writeFileSync(path.join(dir, name), Math.min(png.width, png.height) > 2 * DEMO_MIN_SIDE ? PNG.sync.write(halved(png)) : readFileSync(source));
  }
  writeFileSync(
    path.join(dir, 'README.txt'),
    'Photos for the Teach page\'s shortcut demo, from scikit-image 0.19.3 (skimage/data):\n' +
      'chelsea.png (Stefan van der Walt, CC0), coffee.png (Rachel Michetti, CC0), astronaut.png (NASA, public domain),\n' +
      'rocket.jpg (SpaceX, public domain). Larger PNGs are halved in size.\n',
  );
}

/** Shortest side the demo needs (it crops squares of 60–100 % of it and draws them at 224 px). */
const DEMO_MIN_SIDE = 224;
const DEMO_PHOTOS = ['chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.jpg'];

/** A PNG at half its width and height (2×2 box average; alpha composited on white). */
function halved(png) {
  const width = Math.floor(png.width / 2);
  const height = Math.floor(png.height / 2);
  const out = new PNG({ width, height, colorType: 2 });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
          const i = ((2 * y + dy) * png.width + 2 * x + dx) * 4;
          const alpha = png.data[i + 3] / 255;
          sum += png.data[i + c] * alpha + 255 * (1 - alpha);
        }
        out.data[(y * width + x) * 4 + c] = Math.round(sum / 4);
      }
      out.data[(y * width + x) * 4 + 3] = 255;
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  build().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
