// Regenerates the README's screenshot from a real explanation in headless Chromium:
// docs/screenshot.png (the demo page's first row, with two overlays) and docs/lab.png (the Lab's grid).
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchWithExtension } from './browser.mjs';
import { startServers } from './servers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const servers = await startServers();
const browser = await launchWithExtension(path.join(root, 'dist'));
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1180, height: 760 });
  await page.goto(`${servers.pageOrigin}/`);
  await page.waitForLoadState('load');
  for (const [id, options] of [['coffee', { box: true }], ['cat', {}]]) {
    const img = page.locator(`#${id}`);
    await img.click({ button: 'right', force: true });
    const result = await browser.worker.evaluate(
      async ({ pageUrl, srcUrl, options }) => {
        const [tab] = await chrome.tabs.query({ url: pageUrl });
        return globalThis.camLens.onMenuClick({ menuItemId: 'explain-image', srcUrl, frameId: 0, pageUrl, editable: false }, tab, options);
      },
      { pageUrl: page.url(), srcUrl: await img.evaluate((el) => el.currentSrc), options },
    );
    if (!result.ok) throw new Error(`#${id}: ${result.error}`);
  }
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  mkdirSync(path.join(root, 'docs'), { recursive: true });
  const file = path.join(root, 'docs', 'screenshot.png');
  await page.screenshot({ path: file, clip: { x: 30, y: 130, width: 1100, height: 500 } });
  console.log(`wrote ${path.relative(root, file)}`);

  // The Lab: the cat across the live methods and three layers.
  const lab = await browser.context.newPage();
  await lab.setViewportSize({ width: 1200, height: 900 });
  await lab.goto(`chrome-extension://${browser.extensionId}/lab.html`);
  await lab.locator('#file').setInputFiles(path.join(root, 'test', 'fixtures', 'chelsea.png'));
  await lab.waitForFunction(() => document.querySelectorAll('#class option').length > 5, null, { timeout: 60_000 });
  await lab.locator('#run').click();
  await lab.waitForFunction(() => /cells in/.test(document.getElementById('run-status')?.textContent ?? ''), null, { timeout: 300_000 });
  await lab.mouse.move(0, 0);
  const labFile = path.join(root, 'docs', 'lab.png');
  await lab.locator('#grid').screenshot({ path: labFile });
  console.log(`wrote ${path.relative(root, labFile)}`);
} finally {
  await browser.close();
  await servers.close();
}
