// The always-on content script runs in every frame of every page: it must stay small, and it must not
// pull in what the issue's profile blamed for the page-load cost (zod's schemas, d3's colormaps) or
// anything else from node_modules. Bundled here exactly as scripts/build.mjs does.
import * as esbuild from 'esbuild';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const root = path.resolve(__dirname, '../..');
const bundle = (entry: string) =>
  esbuild.build({
    entryPoints: [path.join(root, entry)], bundle: true, minify: true, format: 'iife', write: false, metafile: true,
    target: ['chrome116', 'firefox128'], platform: 'browser', absWorkingDir: root, logLevel: 'silent',
  });

describe('content scripts', () => {
  test('content.js (every frame) is at most 8 KB minified and uses no package', async () => {
    const result = await bundle('src/content/loader.ts');
    expect(result.outputFiles[0].contents.length).toBeLessThanOrEqual(8 * 1024);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.includes('node_modules'))).toEqual([]);
    // Only the rooms it needs before a right-click.
    expect(inputs.sort()).toEqual(['src/content/frameGeometry.ts', 'src/content/handoff.ts', 'src/content/input.ts', 'src/content/loader.ts']);
  });

  test('the on-demand bundle is where zod and the colormaps are', async () => {
    const inputs = Object.keys((await bundle('src/content/index.ts')).metafile.inputs);
    expect(inputs.some((i) => i.includes('node_modules/zod'))).toBe(true);
    expect(inputs.some((i) => i.includes('d3-scale-chromatic'))).toBe(true);
  });
});
