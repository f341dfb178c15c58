// Teach's benchmark rows: adding pictures (fetch, decode, the six views through the backbone, store),
// training the head on 50 and 200 examples and saving it through the model installer, and
// TensorFlow.js's memory around training. Called by bench.mjs; `node scripts/bench-teach.mjs` runs
// only these rows (prints them; BENCHMARKS.md is left alone).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs the rows through the harness pieces bench.mjs already has; `out` prints a line. */
export async function benchTeach({ browser, pageOrigin, page, out }) {
  const seam = (fn, arg) => browser.worker.evaluate(fn, arg);
  const tabId = await seam(async (url) => (await chrome.tabs.query({ url }))[0].id, page.url());
  out(`## Teach (train your own classes; automatic backend)`);
  out();
  out(`Pictures from the test server's two folders (crops of the cat and the coffee photos, 160×160 PNG), added by "Add all images on this page"; training with augmentation, seed 1. Load average at the start: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores.`);
  out();
  out(`| examples | adding, per picture | training (epochs) | saving through the installer | held-out accuracy | tensors before → after training |`);
  out(`| --- | --- | --- | --- | --- | --- |`);
  for (const total of [50, 200]) {
    const ids = await seam(async () => {
      const teach = globalThis.camLens.teach;
      await teach.clear('main');
      return { cat: (await teach.addClass('main', 'cat')).id, cup: (await teach.addClass('main', 'cup')).id };
    });
    let adding = 0;
    for (const [folder, classId] of [['cats', ids.cat], ['cups', ids.cup]]) {
      await page.goto(`${pageOrigin}/teach/${folder}/?count=${total / 2}`);
      await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
      const t = performance.now();
      const outcome = await seam(
        async ({ tabId, menuItemId }) => globalThis.camLens.onMenuClick({ menuItemId, frameId: 0, editable: false, pageUrl: '' }, await chrome.tabs.get(tabId)),
        { tabId, menuItemId: `teach-add-all:${classId}` },
      );
      if (!outcome.ok || outcome.added !== total / 2) throw new Error(`adding ${folder}: ${JSON.stringify(outcome).slice(0, 300)}`);
      adding += performance.now() - t;
    }
    const before = await seam(() => globalThis.camLens.memory());
    const started = await seam(() => globalThis.camLens.teach.train('main', { name: 'bench', augment: true, seed: 1 }));
    if (!started.ok) throw new Error(started.error);
    let progress;
    for (;;) {
      progress = await seam(() => globalThis.camLens.teach.progress);
      if (progress.phase !== 'training' && progress.phase !== 'saving') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (progress.phase !== 'done') throw new Error(`training ended ${progress.phase}: ${progress.error}`);
    const after = await seam(() => globalThis.camLens.memory());
    const heldOut = progress.heldOutAccuracy === null ? '—' : `${Math.round(progress.heldOutAccuracy * 100)} % of ${progress.heldOutCount}`;
    out(
      `| ${total} | ${Math.round(adding / total)} ms | **${progress.trainingSeconds.toFixed(2)} s** (${progress.history.length}) | ${(progress.seconds - progress.trainingSeconds).toFixed(2)} s | ${heldOut} | ${before.numTensors} → ${after.numTensors} |`,
    );
    await seam((id) => globalThis.camLens.deleteModel(id), progress.modelId);
  }
  out();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const { launchWithExtension } = await import('./browser.mjs');
  const { startServers } = await import('./servers.mjs');
  const servers = await startServers();
  const browser = await launchWithExtension(path.join(root, 'dist'));
  const page = await browser.context.newPage();
  await page.goto(`${servers.pageOrigin}/`);
  try {
    await benchTeach({ browser, pageOrigin: servers.pageOrigin, page, out: (line = '') => console.log(line) });
  } finally {
    await browser.close();
    await servers.close();
  }
}
