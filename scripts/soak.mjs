// Soak and hostile-input figures: many explanations across tabs with the worker stopped now and
// then (failures, overlays left busy, class switches that end on the wrong picture, tensors), every
// hostile file of scripts/servers.mjs (answer and time), and what huge pictures cost the extension
// process (time, peak memory). Prints a Markdown section; `npm run bench` includes it in
// BENCHMARKS.md, and `node scripts/soak.mjs` measures it alone and replaces that section there.
//   SOAK_N       explanations in the soak (default 200)
//   SOAK_ONLY    soak | hostile | decode: one part only (printed, BENCHMARKS.md left alone)
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchWithExtension } from './browser.mjs';
import { startServers } from './servers.mjs';
import { writeMarkedSection } from './bench-common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SOAK_START = '<!-- soak: written by scripts/soak.mjs (alone) or scripts/bench.mjs -->';
export const SOAK_END = '<!-- /soak -->';

/** RSS (MiB) of the browser's extension process(es), where the service worker runs. */
function extensionRss(profile) {
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const info = new Map();
  for (const pid of procs) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      info.set(Number(pid), { cmd, ppid, rss });
    } catch {
      // gone meanwhile
    }
  }
  const browserPid = [...info.entries()].find(([, p]) => p.cmd.includes(`--user-data-dir=${profile}`) && !p.cmd.includes('--type='))?.[0];
  const underBrowser = (pid) => {
    for (let p = pid, hops = 0; p && hops < 6; p = info.get(p)?.ppid, hops++) if (p === browserPid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, p] of info) if (p.cmd.includes('--extension-process') && underBrowser(pid)) total += p.rss;
  return total;
}

/** Samples the extension process's RSS every 50 ms while `work` runs: baseline and peak, MiB. */
async function withPeakRss(profile, work) {
  const base = extensionRss(profile);
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, extensionRss(profile))), 50);
  const started = performance.now();
  try {
    const result = await work();
    return { result, ms: performance.now() - started, base, peak };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The states of every overlay in the page and its (same-process) iframes, read through the DevTools
 * protocol: inside the closed shadow root (on the frame element), or on the host in older versions.
 */
async function overlayStates(browser, page) {
  const cdp = await browser.context.newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const attr = (node, name) => {
      const a = node.attributes ?? [];
      for (let i = 0; i < a.length; i += 2) if (a[i] === name) return a[i + 1];
      return undefined;
    };
    const inside = (node) => [...(node.shadowRoots ?? []), ...(node.children ?? []), ...(node.contentDocument ? [node.contentDocument] : [])];
    const all = (node) => [node, ...inside(node).flatMap(all)];
    return all(root)
      .filter((node) => attr(node, 'data-cam-lens') !== undefined)
      .map((host) => inside(host).flatMap(all).map((n) => attr(n, 'data-state')).find(Boolean) ?? attr(host, 'data-cam-lens'));
  } finally {
    await cdp.detach();
  }
}

/** @param {{ browser: Awaited<ReturnType<typeof launchWithExtension>>, servers: Awaited<ReturnType<typeof startServers>>, out: (line?: string) => void, only?: string, n?: number }} ctx */
export async function runSoak({ browser, servers, out, only, n = 200 }) {
  const worker = () => browser.context.serviceWorkers()[0];
  const seam = (fn, arg) => worker().evaluate(fn, arg);
  const tabIdOf = (page) => seam(async (url) => (await chrome.tabs.query({ url }))[0].id, page.url());
  /** Right-click the element and run the menu handler for it (as the harness does). */
  async function explain(page, selector, overrides = {}) {
    await page.locator(selector).click({ button: 'right', force: true });
    const srcUrl = await page.locator(selector).evaluate((img) => img.currentSrc || img.src);
    return seam(
      async ({ url, srcUrl, overrides }) => {
        const tabs = await chrome.tabs.query({ url });
        if (tabs.length !== 1) throw new Error(`${tabs.length} tabs at ${url}: the menu click would go to the wrong one`);
        const [tab] = tabs;
        return globalThis.camLens.onMenuClick({ menuItemId: 'explain-image', srcUrl, frameId: 0, pageUrl: url, editable: false }, tab, overrides);
      },
      { url: page.url(), srcUrl, overrides },
    );
  }
  async function stopWorker(page) {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    const stopped = new Promise((resolve) => cdp.on('ServiceWorker.workerVersionUpdated', (e) => e.versions.some((v) => v.runningStatus === 'stopped') && resolve()));
    await cdp.send('ServiceWorker.stopAllWorkers');
    await stopped;
    await cdp.detach();
    const popup = await browser.context.newPage();
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    for (let i = 0; i < 600; i++) {
      const ready = await browser.context.serviceWorkers()[0]?.evaluate(() => typeof globalThis.camLens).catch(() => 'none');
      if (ready === 'object') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await popup.close();
  }

  if (!only || only === 'soak') {
    const TABS = 3;
    const STOPS = 3;
    const selectors = ['#cat', '#coffee', '#astronaut', '#rocket', '#logo', '#cat2'];
    const pages = [];
    for (let t = 0; t < TABS; t++) {
      const page = await browser.context.newPage();
      await page.goto(`${servers.pageOrigin}/?soak-tab=${t}`);
      await page.waitForLoadState('load');
      pages.push(page);
    }
    /** What each tab's last explanation was, to check a later class switch stays on it. */
    const shown = new Map();
    const failures = [];
    let wrongPicture = 0;
    let switches = 0;
    const tensors = [];
    let lifeStart = null;
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      if (i > 0 && i % Math.ceil(n / (STOPS + 1)) === 0) {
        tensors.push(`${lifeStart} → ${(await seam(() => globalThis.camLens.memory())).numTensors}`);
        await stopWorker(pages[0]);
        lifeStart = null;
      }
      const page = pages[i % TABS];
      await page.bringToFront();
      const selector = selectors[(i * 7) % selectors.length];
      // Every fifth explanation is a class switch on the tab's shown overlay (after a stop too).
      if (i % 5 === 4 && shown.has(page)) {
        const before = shown.get(page);
        switches++;
        const other = before.classes.find((c) => c.index !== before.target.index);
        const result = await seam(({ index, id }) => globalThis.camLens.explainClass(index, id), { index: other.index, id: before.explanationId });
        if (!result.ok) failures.push(`switch: ${result.error}`);
        else if (result.image.width !== before.image.width || JSON.stringify(result.classes) !== JSON.stringify(before.classes)) wrongPicture++;
        continue;
      }
      await page.keyboard.press('Escape');
      const result = await explain(page, selector, { fresh: i % 3 === 0 });
      if (!result.ok) failures.push(result.error);
      else shown.set(page, result);
      lifeStart ??= (await seam(() => globalThis.camLens.memory())).numTensors;
    }
    tensors.push(`${lifeStart} → ${(await seam(() => globalThis.camLens.memory())).numTensors}`);
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1500));
    let busy = 0;
    for (const page of pages) {
      const states = await seam((id) => globalThis.camLens.overlays(id), await tabIdOf(page));
      busy += states.filter((s) => s.state === 'loading').length;
    }
    for (const page of pages) await page.close();
    out(`### Soak`);
    out();
    out(
      `${n} requests in ${TABS} tabs (${n - switches} explanations of the demo photos, a third computed afresh; ${switches} class switches through the seam on each tab's last overlay), the worker stopped ${STOPS} times in between, in ${seconds.toFixed(0)} s: ` +
        `**${failures.length} failures**${failures.length ? ` (${[...new Set(failures)].join('; ')})` : ''}, **${busy} overlays left busy**, **${wrongPicture} class switches that ended on another picture**; TensorFlow.js tensors over each worker's life (after its first explanation → at its end; the rise is the cache of the last 8 images' activations filling): ${tensors.join(', ')}.`,
    );
    out();
  }

  if (!only || only === 'hostile') {
    const page = await browser.context.newPage();
    // A URL of its own: the seam finds the tab by URL, and the full bench leaves other tabs on '/'.
    await page.goto(`${servers.pageOrigin}/?soak=hostile`);
    await page.waitForLoadState('load');
    await explain(page, '#cat');
    const routes = [
      'status/404', 'status/500', 'redirect-loop', 'html-as-jpeg', 'text-as-png', 'empty.png', 'svg-without-extension', 'page-only/chelsea.png',
      'truncated/chelsea.png', 'truncated/rocket.jpg', 'corrupt/chelsea.png', 'corrupt/rocket.jpg', 'truncated.gif', 'truncated-animated.gif', 'animated.gif', '1x1.png',
      'huge.png', 'exact-limit.png', 'oversize.png', 'no-answer', 'stall-body/chelsea.png', 'trickle/chelsea.png?ms=500',
    ];
    out(`### Hostile files (scripts/servers.mjs /hostile/…)`);
    out();
    out(`| file | answer | time |`);
    out(`| --- | --- | --- |`);
    for (const route of routes) {
      await page.keyboard.press('Escape');
      const src = `${servers.imageOrigin}/hostile/${route}`;
      await page.evaluate((src) => {
        document.getElementById('hostile')?.remove();
        const img = Object.assign(document.createElement('img'), { id: 'hostile', src, width: 200, height: 150 });
        document.body.prepend(img);
      }, src);
      const t = performance.now();
      const result = await explain(page, '#hostile', { fresh: true });
      const ms = performance.now() - t;
      const answer = result.ok ? `explained (${result.source}${result.notes ? `; ${result.notes.join('; ')}` : ''})` : result.error;
      out(`| ${route} | ${answer} | ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`} |`);
    }
    await page.keyboard.press('Escape');
    const after = await explain(page, '#coffee', { fresh: true });
    out();
    out(`Afterwards a normal explanation ${after.ok ? 'works' : `FAILS (${after.error})`}; the worker reported no uncaught error (test/e2e/hostile.test.ts checks that).`);
    out();
    await page.close();
  }

  if (!only || only === 'decode') {
    const page = await browser.context.newPage();
    await page.goto(`${servers.pageOrigin}/?soak=decode`);
    await page.waitForLoadState('load');
    await explain(page, '#cat');
    const mib = (x) => `${Math.round(x)} MiB`;
    out(`### Huge pictures: time and the extension process's memory (peak RSS above its level before)`);
    out();
    out(`| case | time | extension process |`);
    out(`| --- | --- | --- |`);
    // One 9990×9990 PNG (~300 KB on disk, just under 100 MP).
    {
      await page.evaluate((src) => {
        const img = Object.assign(document.createElement('img'), { id: 'huge', src, width: 200, height: 200 });
        document.body.prepend(img);
      }, `${servers.imageOrigin}/victim/flat.png?w=9990&h=9990&soak=1`);
      await page.waitForFunction(() => document.getElementById('huge').complete, null, { timeout: 60_000 });
      await new Promise((r) => setTimeout(r, 1500));
      const { result, ms, base, peak } = await withPeakRss(browser.profile, () => explain(page, '#huge', { fresh: true }));
      out(`| one 9990×9990 PNG (${result.ok ? 'explained' : result.error}) | ${(ms / 1000).toFixed(1)} s | +${mib(peak - base)} (${mib(base)} → peak ${mib(peak)}) |`);
      await page.keyboard.press('Escape');
      await page.evaluate(() => document.getElementById('huge').remove());
    }
    // Explain all over four iframes of two pictures each.
    for (const [w, h, label] of [[5000, 5000, '25 MP'], [10000, 10000, 'exactly 100 MP']]) {
      await page.goto(`${servers.pageOrigin}/?frames=${w}`);
      await page.waitForLoadState('load');
      await page.evaluate(({ origin, w, h }) => {
        document.querySelector('main').innerHTML = '';
        for (let f = 0; f < 4; f++) {
          const frame = Object.assign(document.createElement('iframe'), { src: `${origin}/fixtures/big-frame.html?w=${w}&h=${h}&f=${f}`, width: 220, height: 120 });
          document.querySelector('main').append(frame);
        }
      }, { origin: servers.imageOrigin, w, h });
      for (const frame of page.frames()) await frame.waitForLoadState('load');
      for (const frame of page.frames()) await frame.waitForFunction(() => [...document.images].every((i) => i.complete), null, { timeout: 60_000 }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 2000));
      const tabId = await tabIdOf(page);
      const { result, ms, base, peak } = await withPeakRss(browser.profile, async () => {
        const first = await seam((id) => globalThis.camLens.explainAll(id), tabId);
        // Older versions answered before the frames were done: wait for every frame's overlays too.
        for (let i = 0; i < 2400; i++) {
          const states = await overlayStates(browser, page);
          if (states.length >= 8 && states.every((s) => s === 'done' || s === 'error')) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        return first;
      });
      out(`| explain all, 4 iframes × 2 PNGs of ${label} (${result.done}/${result.total} explained, ${result.failed} refused) | ${(ms / 1000).toFixed(1)} s | +${mib(peak - base)} (${mib(base)} → peak ${mib(peak)}) |`);
      await page.keyboard.press('Escape');
    }
    const stats = await seam(() => globalThis.camLens.decodeStats?.() ?? null);
    out();
    if (stats) out(`Decode budget: ${stats.capacity / 1e6} MP at once across all tabs and frames (a larger picture decodes alone; one whose header gives no size counts as 100 MP); the most decoding at once in this run: ${(stats.peak / 1e6).toFixed(1)} MP.`);
    out();
    await page.close();
  }
}

// Run alone: its own browser, and the section in BENCHMARKS.md replaced.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.env.SOAK_ONLY;
  const servers = await startServers();
  const browser = await launchWithExtension(path.join(root, 'dist'));
  const lines = [];
  const out = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  out(`## Soak, hostile files and huge pictures`);
  out();
  out(`Measured ${new Date().toISOString().slice(0, 10)} by \`node scripts/soak.mjs\` (load average ${execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ')} at the start: other work shared the 2 cores).`);
  out();
  try {
    await runSoak({ browser, servers, out, only, n: Number(process.env.SOAK_N ?? 200) });
  } finally {
    await browser.close();
    await servers.close();
  }
  if (!only) {
    writeMarkedSection(path.join(root, 'BENCHMARKS.md'), SOAK_START, SOAK_END, lines);
    console.log('\nwritten to BENCHMARKS.md');
  }
}
