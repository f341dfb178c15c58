// Builds the minimal extension (the yardstick of `BENCH_ONLY=versus`) into .bench/minimal-extension/:
// its worker and content script bundled by esbuild, the model and the .wasm files copied from dist/
// (run `npm run build` first), so both extensions load byte-identical files.
import path from 'node:path';
import { cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** Builds from `dist` into `outDir` and returns outDir. */
export async function buildMinimal({ dist = path.join(root, 'dist'), outDir = path.join(root, '.bench', 'minimal-extension') } = {}) {
  const model = path.join(dist, 'models', 'nsfw-mobilenet-v2-mid');
  if (!existsSync(path.join(model, 'model.json'))) throw new Error(`${model} has no model.json: run npm run build`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common = { bundle: true, minify: true, target: ['chrome116'], platform: 'browser', define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'warning' };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: [path.join(here, 'worker.js')], format: 'esm', outfile: path.join(outDir, 'background.js') }),
    esbuild.build({ ...common, entryPoints: [path.join(here, 'content.js')], format: 'iife', outfile: path.join(outDir, 'content.js') }),
  ]);
  cpSync(path.join(here, 'manifest.json'), path.join(outDir, 'manifest.json'));
  cpSync(model, path.join(outDir, 'models', 'nsfw-mobilenet-v2-mid'), { recursive: true });
  cpSync(path.join(dist, 'wasm'), path.join(outDir, 'wasm'), { recursive: true });
  const contentBytes = statSync(path.join(outDir, 'content.js')).size;
  if (contentBytes > 3 * 1024) throw new Error(`the minimal content script is ${contentBytes} bytes, over 3 KB`);
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`built ${await buildMinimal()}`);
