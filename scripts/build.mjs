// Builds the unpacked extension into dist/ (Chrome) and dist-firefox/ (Firefox): bundles the three
// contexts with esbuild, copies the static files, and extracts the catalog's models from their npm
// packages (no binaries in git). Both browsers get the same files; only manifest.json differs, generated
// per browser by scripts/manifest.mjs.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
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
    esbuild.build({ ...common, entryPoints: { content: 'src/content/index.ts' }, format: 'iife', outdir: outDir }),
    esbuild.build({ ...common, entryPoints: { popup: 'src/popup/popup.ts' }, format: 'iife', outdir: outDir }),
  ]);

  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const baseManifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));
  writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifestFor('chrome', baseManifest, pkg.version), null, 2));
  cpSync(path.join(root, 'src/popup/popup.html'), path.join(outDir, 'popup.html'));
  cpSync(path.join(root, 'src/popup/popup.css'), path.join(outDir, 'popup.css'));
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

if (import.meta.url === `file://${process.argv[1]}`) {
  build().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
