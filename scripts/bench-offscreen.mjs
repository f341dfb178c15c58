// Measures issue #12's question: would the model run faster in a cross-origin-isolated offscreen
// document (Chrome) with tfjs's threaded WASM build than in the service worker (single-threaded)?
// Builds a variant of the extension into a temporary directory (dist/ is not touched): the manifest gets
// the cross-origin isolation keys and the offscreen permission, the threaded WASM binary is copied, and
// scripts/bench-offscreen-page.ts becomes offscreen-bench.html. Then, in headless Chromium:
//   - the worker's own warm CAM explanations (as shipped), paired run by run with
//   - the offscreen document's: pixels read by the worker, sent over runtime messaging, result back,
//     for ?threads=off (the worker's SIMD build), 1 and 2 (threaded build);
//   - cold: the worker stopped through the DevTools protocol; does the document outlive it, and what
//     does the next explanation cost with the model in the document versus in the worker.
// A full run (all configurations, cold runs) replaces its own section of BENCHMARKS.md (npm run bench
// keeps that section as it is); runs narrowed by the variables below only print. BENCH_RUNS: paired runs per configuration (default 20);
// BENCH_COLD_RUNS: cold runs each way (default 5); BENCH_THREADS: configurations (default off,1,2).
import path from 'node:path';
import os from 'node:os';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build } from './build.mjs';
import { launchWithExtension } from './browser.mjs';
import { startServers } from './servers.mjs';
import { wakeWorker, writeMarkedSection } from './bench-common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);
const OFFSCREEN_START = '<!-- offscreen: written by scripts/bench-offscreen.mjs -->';
const OFFSCREEN_END = '<!-- /offscreen -->';
const CHANNELS = ['runtime', 'client'];
const CHANNEL_NAMES = { runtime: 'chrome.runtime messages (JSON: pixels as base64)', client: 'postMessage to the document as the worker\'s window client (structured clone, buffer transferred)' };
const CONFIGS = process.env.BENCH_THREADS?.split(',') ?? ['off', '1', '2'];

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => (x === undefined || x === null ? '—' : `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

/**
 * tfjs 4.22 hands its thread workers the threaded build's JavaScript as a Blob, which they load with
 * importScripts(blob:…): the extension pages' CSP (script-src 'self') forbids that. The variant takes
 * the same script, and the threads' own worker script, from files of the extension instead (their URLs
 * set by the page before the backend starts).
 */
const threadedMainScriptFromUrl = {
  name: 'threaded-main-script-from-url',
  setup(b) {
    b.onLoad({ filter: /tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const patched = source
        .replace('factoryConfig.mainScriptUrlOrBlob = new Blob(', 'factoryConfig.mainScriptUrlOrBlob = globalThis.THREADED_MAIN_SCRIPT_URL || new Blob(')
        .replace('return URL.createObjectURL(blob);', 'return globalThis.THREADED_WORKER_URL || URL.createObjectURL(blob);');
      if (patched.split('globalThis.THREADED_').length !== 3) throw new Error('tfjs-backend-wasm changed: the threads\' script URLs were not found to patch');
      return { contents: patched, loader: 'js' };
    });
  },
};

/** The variant build: dist plus the offscreen document, the threaded binary and the isolation keys. */
async function buildVariant() {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-offscreen-'));
  await build({ outDir, firefoxOutDir: false, quiet: true });
  await esbuild.build({
    entryPoints: { 'offscreen-bench': 'scripts/bench-offscreen-page.ts' }, bundle: true, minify: true, format: 'iife', target: ['chrome116'],
    define: { 'process.env.NODE_ENV': '"production"' }, absWorkingDir: root, outdir: outDir, logLevel: 'warning',
    plugins: [threadedMainScriptFromUrl],
  });
  writeFileSync(path.join(outDir, 'offscreen-bench.html'), '<!doctype html><meta charset="utf-8"><script src="offscreen-bench.js"></script>\n');
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  cpSync(path.join(wasmDir, 'tfjs-backend-wasm-threaded-simd.wasm'), path.join(outDir, 'wasm', 'tfjs-backend-wasm-threaded-simd.wasm'));
  cpSync(path.join(wasmDir, '..', 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'), path.join(outDir, 'wasm', 'tfjs-backend-wasm-threaded-simd.js'));
  // As tfjs writes it into its Blob: newlines inside the template literal escaped again.
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
  writeFileSync(path.join(outDir, 'wasm', 'tfjs-backend-wasm-threaded-simd.worker.js'), wasmWorkerContents.replace(/\n/g, '\\n'));
  const manifestFile = path.join(outDir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.permissions.push('offscreen');
  manifest.cross_origin_embedder_policy = { value: 'require-corp' };
  manifest.cross_origin_opener_policy = { value: 'same-origin' };
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  return outDir;
}

const outDir = await buildVariant();
const servers = await startServers();
const browser = await launchWithExtension(outDir);
const page = await browser.context.newPage();
await page.goto(`${servers.pageOrigin}/`);
await page.waitForLoadState('load');
const tabId = await browser.worker.evaluate(async (url) => (await chrome.tabs.query({ url }))[0].id, page.url());
const seam = (fn, arg) => browser.worker.evaluate(fn, arg);

/** The worker's own explanation of an image on the page (as bench.mjs: the menu handler through the seam). */
async function explainInWorker(selector = '#cat') {
  await page.locator(selector).click({ button: 'right', force: true });
  const srcUrl = await page.locator(selector).evaluate((img) => img.currentSrc);
  const t = performance.now();
  const result = await seam(
    async ({ tabId, srcUrl }) => {
      const tab = await chrome.tabs.get(tabId);
      return globalThis.camLens.onMenuClick({ menuItemId: 'explain-image', srcUrl, frameId: 0, pageUrl: tab.url, editable: false }, tab, { fresh: true, method: 'cam' });
    },
    { tabId, srcUrl },
  );
  if (!result.ok) throw new Error(`explanation failed: ${result.error}`);
  return { wall: performance.now() - t, timings: result.timingsMs };
}

/**
 * In the worker: read the picture at the model's size (fetch, decode, draw: what the worker keeps doing
 * when the model moves), send it to the offscreen document, wait for its result. Times in the worker.
 */
function offscreenRoundTrip(imageUrl, channel = 'runtime') {
  return seam(async ({ imageUrl, channel }) => {
    const t0 = performance.now();
    const blob = await (await fetch(imageUrl)).blob();
    const bitmap = await createImageBitmap(blob, { resizeWidth: 224, resizeHeight: 224, resizeQuality: 'high' });
    const canvas = new OffscreenCanvas(224, 224);
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    const rgba = new Uint8Array(context.getImageData(0, 0, 224, 224).data.buffer);
    const t1 = performance.now();
    let reply;
    if (channel === 'runtime') {
      let binary = '';
      for (let i = 0; i < rgba.length; i += 0x8000) binary += String.fromCharCode(...rgba.subarray(i, i + 0x8000));
      reply = await chrome.runtime.sendMessage({ target: 'offscreen-bench', kind: 'infer', rgba: btoa(binary) });
    } else {
      const documents = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
      const document = documents.find((c) => new URL(c.url).pathname === '/offscreen-bench.html');
      if (!document) throw new Error('the offscreen document is not among the worker\'s clients');
      const id = crypto.randomUUID();
      reply = await new Promise((resolve) => {
        const onMessage = (event) => {
          if (event.data?.id !== id) return;
          self.removeEventListener('message', onMessage);
          resolve(event.data);
        };
        self.addEventListener('message', onMessage);
        document.postMessage({ target: 'offscreen-bench', id, rgba }, [rgba.buffer]);
      });
    }
    const t2 = performance.now();
    if (reply?.error || !reply) throw new Error(`offscreen: ${reply?.error ?? 'no answer'}`);
    return { pixels: t1 - t0, roundTrip: t2 - t1, inDocument: reply.ms, decode: reply.decodeMs, top: reply.top, map: reply.map };
  }, { imageUrl, channel });
}

async function openDocument(threads) {
  await seam(async (threads) => {
    if (await chrome.offscreen.hasDocument()) await chrome.offscreen.closeDocument();
    await chrome.offscreen.createDocument({ url: `offscreen-bench.html?threads=${threads}`, reasons: ['WORKERS'], justification: 'benchmark: the model on WASM threads' });
  }, threads);
  return documentStatus();
}
/** The document's state; an error when it does not answer within a minute (e.g. its backend never starts). */
const documentStatus = () =>
  seam(async () => {
    for (let waited = 0; ; waited += 500) {
      const status = await chrome.runtime.sendMessage({ target: 'offscreen-bench', kind: 'status' });
      if (!status?.error?.startsWith('starting') || waited >= 60_000) return status;
      await new Promise((r) => setTimeout(r, 500));
    }
  });

const imageUrl = `${servers.pageOrigin}/fixtures/chelsea.png`;
const lines = [];
const out = (line = '') => {
  console.log(line);
  lines.push(line);
};

// The worker's path must still work with the isolation keys: a cross-origin image without CORS headers too.
await explainInWorker('#cat');
const crossOrigin = await explainInWorker('#coffee').then(() => 'explained', (e) => `failed: ${e.message}`);
out(`## Offscreen document with WASM threads (Chrome; measured, not adopted)`);
out();
out(`Measured ${new Date().toISOString().slice(0, 10)} by \`node scripts/bench-offscreen.mjs\` on a variant build (not what ships): the manifest with \`cross_origin_embedder_policy\` require-corp, \`cross_origin_opener_policy\` same-origin and the \`offscreen\` permission; an offscreen document (reason WORKERS) hosting the default model on tfjs-backend-wasm 4.22. What it took to run threads there at all: tfjs hands its threads the threaded build's script as a Blob that they load with \`importScripts(blob:…)\`, which the extension's CSP (\`script-src 'self'\`) refuses, so the variant patches tfjs at bundling to load that script and the threads' worker script from files of the extension; and tfjs caps the threads at \`navigator.hardwareConcurrency / 2\` (it assumes two hyperthreads per core), which is 1 on this 2-core machine whatever \`setThreadsCount\` asks, so for 2 threads the document reports 4 logical cores.`);
out();
out(`Load average before: ${load()} (${os.cpus().length} cores). The worker's own path with the isolation keys, a cross-origin image served without CORS headers (#coffee): ${crossOrigin}.`);

const rows = [];
for (const threads of CONFIGS) {
  const status = await openDocument(threads);
  if (status?.error) {
    out(`Offscreen document with threads=${threads}: ${status.error}.`);
    continue;
  }
  console.log(`threads=${threads}:`, JSON.stringify(status));
  const worker = { total: [], model: [] };
  const channels = Object.fromEntries(CHANNELS.map((c) => [c, { pixels: [], roundTrip: [], inDocument: [], decode: [] }]));
  for (const channel of CHANNELS) await offscreenRoundTrip(imageUrl, channel);
  // Paired: one worker explanation, one round trip per channel, so all see the same load.
  for (let i = 0; i < RUNS; i++) {
    const w = await explainInWorker('#cat');
    worker.total.push(w.timings.total);
    worker.model.push(w.timings.preprocess + w.timings.inference + w.timings.method);
    for (const channel of CHANNELS) {
      const d = await offscreenRoundTrip(imageUrl, channel);
      for (const k of Object.keys(channels[channel])) channels[channel][k].push(d[k]);
    }
  }
  rows.push({ threads, status, worker, channels, load: load() });
}

out();
out(`| model in | WASM threads | channel | backend start | model load + warm-up | worker: pixels read | model work (preprocess, forward, scores, CAM) | messaging (round trip minus model work; of it base64 decoding) | model work + messaging | worker's own explanation total (same runs) | load avg 1/5/15 |`);
out(`| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
for (const { threads, status, worker, channels, load } of rows) {
  out(`| service worker (as shipped) | 1 (SIMD) | — | — | — | — | ${ms(pct(worker.model, 50))} | — | ${ms(pct(worker.model, 50))} | ${ms(pct(worker.total, 50))} | ${load} |`);
  for (const [channel, doc] of Object.entries(channels)) {
    const messaging = doc.roundTrip.map((r, i) => r - doc.inDocument[i]);
    const threadsCell = threads === 'off' ? '1 (SIMD, unthreaded build)' : `${status.threadsCount} (threaded SIMD build)`;
    out(`| offscreen document | ${threadsCell} | ${CHANNEL_NAMES[channel]} | ${ms(status.backendMs)} | ${ms(status.loadMs + status.warmupMs)} | ${ms(pct(doc.pixels, 50))} | ${ms(pct(doc.inDocument, 50))} | ${ms(pct(messaging, 50))} (${ms(pct(doc.decode, 50))}) | ${ms(pct(doc.roundTrip, 50))} | — | ${load} |`);
  }
}
out();
out(`crossOriginIsolated in the document: ${rows.map((r) => r.status.crossOriginIsolated).join(', ')}; SharedArrayBuffer: ${rows.map((r) => r.status.sharedArrayBuffer).join(', ')}. `);
out(`p50 over ${RUNS} paired runs per configuration (CAM, default model, chelsea.png): each run one explanation by the worker as shipped, then one round trip per channel; the worker reads the pixels (fetch, decode, draw at 224×224) for every round trip, as it would if the model moved. The document's model work includes the CAM map; the worker's includes preprocessing, the forward pass with scores and the CAM method step.`);

// Cold: the worker stopped as Chrome stops it after 30 s idle; the document (best configuration) stays?
async function stopWorker() {
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const stopped = new Promise((resolve) => cdp.on('ServiceWorker.workerVersionUpdated', (e) => e.versions.some((v) => v.runningStatus === 'stopped') && resolve()));
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;
  await cdp.detach();
}
if (!rows.length || !COLD_RUNS) await finish();
const roundTrip = (row) => Math.min(...CHANNELS.map((c) => pct(row.channels[c].roundTrip, 50)));
const best = rows.reduce((a, b) => (roundTrip(b) < roundTrip(a) ? b : a));
const bestChannel = CHANNELS.reduce((a, b) => (pct(best.channels[b].roundTrip, 50) < pct(best.channels[a].roundTrip, 50) ? b : a));
const before = await openDocument(best.threads);
const cold = { worker: [], restart: [], viaDocument: [], survived: 0 };
for (let i = 0; i < COLD_RUNS; i++) {
  await stopWorker();
  let t = performance.now();
  await wakeWorker(browser);
  const restart = performance.now() - t;
  await explainInWorker('#cat');
  cold.worker.push(performance.now() - t);
  await stopWorker();
  t = performance.now();
  await wakeWorker(browser);
  cold.restart.push(performance.now() - t);
  const status = await documentStatus();
  if (status?.pageLoadedAt === before.pageLoadedAt) cold.survived++;
  await offscreenRoundTrip(imageUrl, bestChannel);
  cold.viaDocument.push(performance.now() - t);
  console.log(`cold ${i}: worker ${Math.round(cold.worker.at(-1))} ms (restart ${Math.round(restart)}), via document ${Math.round(cold.viaDocument.at(-1))} ms`);
}
out();
out(`Cold (worker stopped through the DevTools protocol, woken by a page of the extension; p50 of ${COLD_RUNS}, alternating): model in the worker ${ms(pct(cold.worker, 50))} (max ${ms(Math.max(...cold.worker))}); model in the offscreen document (threads=${best.threads}, ${bestChannel} channel) ${ms(pct(cold.viaDocument, 50))} (max ${ms(Math.max(...cold.viaDocument))}), of which the worker's restart ${ms(pct(cold.restart, 50))}. The same document (same load time stamp) answered after ${cold.survived} of ${COLD_RUNS} stops. Load average at the end: ${load()}.`);

await finish();

/** Closes everything; a full run (all configurations, cold runs) replaces its section of BENCHMARKS.md. */
async function finish() {
  await browser.close();
  await servers.close();
  rmSync(outDir, { recursive: true, force: true });
  if (rows.length === CONFIGS.length && COLD_RUNS > 0 && !process.env.BENCH_THREADS) {
    writeMarkedSection(path.join(root, 'BENCHMARKS.md'), OFFSCREEN_START, OFFSCREEN_END, lines);
    console.log('\nmerged into BENCHMARKS.md');
  }
  process.exit(0);
}
