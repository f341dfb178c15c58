// What the extension costs a page that never uses it: main-thread script time and JS heap of a page
// load, without the extension and with one or two builds of it, in alternating rounds on the same
// machine. CDP Performance.getMetrics on each fresh tab (ScriptDuration covers every world of the
// renderer, the content scripts' isolated worlds included). The iframes are same-origin, so they share
// the page's renderer process and its metrics.
//   node scripts/bench-pageload.mjs [--runs 10] [--frames 20] [--build name=dir ...]
// With no --build: the current dist/ only. Prints a Markdown table; nothing is written. `npm run bench`
// calls pageLoadRows() for its section (BENCH_BEFORE=<a dist of another commit> adds that build's row).
import http from 'node:http';
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, launchWithExtension } from './browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
/**
 * Markdown lines: for each build (and without the extension), the content script's size and the median
 * script time and heap of a plain page and of a page with `frames` same-origin iframes.
 * @param {{ runs?: number, frames?: number, builds: { name: string, dir: string }[] }} options
 */
export async function pageLoadRows({ runs: RUNS = 10, frames: FRAMES = 20, builds }) {
  const lines = [];
  // A page of FRAMES iframes, each a small document with a picture and some text (like ads or embeds).
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/pixel.gif') {
      res.writeHead(200, { 'content-type': 'image/gif' }).end(PIXEL);
      return;
    }
    const html = (body) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(`<!doctype html><meta charset="utf-8">${body}`);
    if (url.pathname === '/frame') return html(`<p>frame ${url.searchParams.get('i')}</p><img src="/pixel.gif?${url.searchParams.get('i')}" width="300" height="250" alt="">`);
    const n = Number(url.searchParams.get('frames') ?? 0);
    const frames = Array.from({ length: n }, (_, i) => `<iframe src="/frame?i=${i}&r=${url.searchParams.get('r')}" width="320" height="270"></iframe>`).join('');
    return html(`<title>page</title><h1>A page</h1><p>${'Some text. '.repeat(50)}</p><img src="/pixel.gif" width="400" height="300" alt="">${frames}`);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;

  async function plainChromium() {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 900 },
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    return { context, close: async () => { await context.close().catch(() => undefined); rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); } };
  }

  const configs = [{ name: 'no extension', launch: plainChromium }, ...builds.map((b) => ({ name: b.name, dir: b.dir, launch: () => launchWithExtension(b.dir) }))];
  for (const c of configs) c.browser = await c.launch();

  let round = 0;
  /** One load in a fresh tab: script ms, heap MB (after the content scripts of every frame ran). */
  async function load(config, frames) {
    const page = await config.browser.context.newPage();
    const cdp = await config.browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${origin}/?frames=${frames}&r=${round++}`, { waitUntil: 'load' });
    // document_idle scripts run by load + 200 ms at the latest; leave time for them and for GC-free settling.
    await page.waitForTimeout(1000);
    const { metrics } = await cdp.send('Performance.getMetrics');
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    await cdp.detach();
    await page.close();
    return { script: m.ScriptDuration * 1000, heap: m.JSHeapUsedSize / 2 ** 20 };
  }

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const results = new Map();
  for (const frames of [0, FRAMES]) {
    for (const c of configs) await load(c, frames); // warm the HTTP cache and the browser's code cache
    for (let i = 0; i < RUNS; i++) {
      for (const c of configs) {
        const key = `${c.name}|${frames}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(await load(c, frames));
      }
    }
  }
  for (const c of configs) await c.browser.close();
  server.close();

    const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  lines.push(`| | content script injected per frame | plain page: script, heap | ${FRAMES} iframes: script, heap |`);
  lines.push('|---|---|---|---|');
  for (const c of configs) {
    const cell = (frames) => {
      const r = results.get(`${c.name}|${frames}`);
      return `${median(r.map((x) => x.script)).toFixed(1)} ms, ${median(r.map((x) => x.heap)).toFixed(1)} MB`;
    };
    const size = c.dir ? kb(statSync(path.join(c.dir, 'content.js')).size) : '—';
    lines.push(`| ${c.name} | ${size} | ${cell(0)} | ${cell(FRAMES)} |`);
  }
  lines.push(`\nMedian of ${RUNS} loads each, rounds alternating between the columns; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores.`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const builds = args.flatMap((a, i) => (a === '--build' ? [args[i + 1]] : [])).map((b) => {
    const [name, dir] = b.split('=');
    return { name, dir: path.resolve(dir) };
  });
  if (!builds.length) builds.push({ name: 'this build', dir: path.join(root, 'dist') });
  const lines = await pageLoadRows({ runs: Number(option('runs', 10)), frames: Number(option('frames', 20)), builds });
  console.log(lines.join('\n'));
}
