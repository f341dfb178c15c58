// Benchmark: explanation latency per TensorFlow.js backend in Chromium with the built extension.
// Prints, per backend, the first explanation (backend start + model load + warm-up + inference)
// and the warm latency (median of several), plus class-switch latency. Numbers, not assertions.
import path from 'node:path';
import { statSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchWithExtension } from './browser.mjs';
import { startServers } from './servers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WARM_RUNS = Number(process.env.BENCH_RUNS ?? 7);
const backends = (process.env.BENCH_BACKENDS ?? 'webgl,wasm,cpu').split(',');

function dirSize(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? dirSize(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size), 0);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${Math.round(x)} ms`.padStart(8);

const servers = await startServers();
const browser = await launchWithExtension(path.join(root, 'dist'));
const page = await browser.context.newPage();
await page.goto(`${servers.pageOrigin}/`);
await page.waitForLoadState('load');
await page.locator('#cat').click({ button: 'right' });
const srcUrl = await page.locator('#cat').evaluate((img) => img.currentSrc);

const explain = () =>
  browser.worker.evaluate(
    async ({ pageUrl, srcUrl }) => {
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      return globalThis.camLens.onMenuClick({ menuItemId: 'explain-image', srcUrl, frameId: 0, pageUrl, editable: false }, tab);
    },
    { pageUrl: page.url(), srcUrl },
  );

console.log(`CAM Lens benchmark — default model, 451×300 PNG, Chromium headless, ${WARM_RUNS} warm runs`);
console.log(`dist/ size ${(dirSize(path.join(root, 'dist')) / 1024 / 1024).toFixed(1)} MiB; model ${(dirSize(path.join(root, 'dist', 'models')) / 1024 / 1024).toFixed(1)} MiB`);
console.log('backend  first (total / load+warm-up)   warm median (inference)   class switch');
for (const name of backends) {
  await browser.worker.evaluate((n) => globalThis.camLens.useBackend(n), name);
  const first = await explain();
  if (!first.ok) {
    console.log(`${name.padEnd(8)} failed: ${first.error}`);
    continue;
  }
  if (first.backend !== name) {
    console.log(`${name.padEnd(8)} unavailable (ran on ${first.backend})`);
    continue;
  }
  const warm = [];
  const inference = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const r = await explain();
    warm.push(r.timingsMs.total);
    inference.push(r.timingsMs.inference);
  }
  const switches = [];
  for (const c of [1, 2, 3, 4, 0]) {
    const r = await browser.worker.evaluate((c) => globalThis.camLens.explainClass(c), c);
    switches.push(r.timingsMs.total);
  }
  const status = await browser.worker.evaluate(() => globalThis.camLens.status());
  console.log(
    `${name.padEnd(8)} ${ms(first.timingsMs.total)} / ${ms(first.timingsMs.modelWait)}            ${ms(median(warm))} (${ms(median(inference)).trim()})          ${ms(median(switches))}` +
      (status.renderer ? `   renderer: ${status.renderer}` : ''),
  );
}
await browser.close();
await servers.close();
