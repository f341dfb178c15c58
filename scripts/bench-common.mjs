// What the benchmark scripts share: writing their own marked section of BENCHMARKS.md, and waking a
// stopped service worker the way the browser's menu click would.
import { readFileSync, writeFileSync } from 'node:fs';

/** Puts `lines` between the `start` and `end` markers of `file`, or at its end when the markers are not there yet. */
export function writeMarkedSection(file, start, end, lines) {
  const current = readFileSync(file, 'utf8');
  const section = `${start}\n${lines.join('\n')}\n${end}`;
  const at = current.indexOf(start);
  writeFileSync(file, at >= 0 ? current.slice(0, at) + section + current.slice(current.indexOf(end, at) + end.length) : `${current.trimEnd()}\n\n${section}\n`);
}

/** Wakes the stopped worker (a page of the extension messages it, standing in for the menu click) and waits for its seam. */
export async function wakeWorker(browser) {
  const popup = await browser.context.newPage();
  await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
  for (;;) {
    const ready = await browser.context.serviceWorkers()[0]?.evaluate(() => typeof globalThis.camLens).catch(() => 'none');
    if (ready === 'object') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  browser.worker = browser.context.serviceWorkers()[0];
  await popup.close();
}
