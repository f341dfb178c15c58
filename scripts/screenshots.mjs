// Regenerates the README's screenshots in headless Chromium:
//   docs/screenshot.png          the demo page's first row, with two overlays (a real explanation);
//   docs/popup-light.png, docs/popup-dark.png   the popup in the light and the dark theme (English);
//   docs/popup-de.png            the popup in German (Chromium started with --lang=de);
//   docs/options.png, docs/options-dark.png     the options page (Settings), light and dark theme;
//   docs/options-de.png          the options page in German;
//   docs/explain-all.png         the demo page with every photo explained (compact panels);
//   docs/lab.png                 the Lab's grid: the cat under the live methods at three layers.
// The popup and the options page are opened as tabs at the popup's width (the same page and CSS).
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchWithExtension } from './browser.mjs';
import { startServers } from './servers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docs = path.join(root, 'docs');
mkdirSync(docs, { recursive: true });
const wrote = (file) => console.log(`wrote ${path.relative(root, file)}`);

/** Opens an extension page and waits until it has the worker's status (its model line filled). */
async function openPage(browser, file, { width, colorScheme = 'light', height = 700 }) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme });
  await page.goto(`chrome-extension://${browser.extensionId}/${file}`);
  // The model line is filled, and the model loaded (no "…" left in it).
  await page.waitForFunction(() => !/…/.test(document.getElementById('model')?.textContent ?? '…'), undefined, { timeout: 60_000 });
  // The options page lists the layers once the model is loaded.
  await page.waitForFunction(() => !(document.getElementById('layer-select'))?.disabled, undefined, { timeout: 60_000 });
  await page.waitForTimeout(300);
  return page;
}

async function popupShots(browser, shots) {
  for (const [name, colorScheme] of shots) {
    const page = await openPage(browser, 'popup.html', { width: 400, colorScheme });
    await page.evaluate(() => {
      document.getElementById('welcome').hidden = true; // the first-run note is shown once; the pictures show the popup as used
    });
    const file = path.join(docs, name);
    await page.locator('body').screenshot({ path: file });
    wrote(file);
    await page.close();
  }
}

async function optionsShots(browser, shots) {
  for (const [name, colorScheme] of shots) {
    const page = await openPage(browser, 'options.html', { width: 1000, height: 800, colorScheme });
    const file = path.join(docs, name);
    await page.screenshot({ path: file, fullPage: true });
    wrote(file);
    await page.close();
  }
}

const servers = await startServers();
let browser = await launchWithExtension(path.join(root, 'dist'));
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
  const file = path.join(docs, 'screenshot.png');
  await page.screenshot({ path: file, clip: { x: 30, y: 130, width: 1100, height: 500 } });
  wrote(file);

  // Every photo of the demo page explained ("Explain all"): compact panels beside the pictures.
  // The whole page in the viewport: panels are kept inside the viewport, and the picture shows the page as seen.
  await page.setViewportSize({ width: 1180, height: await page.evaluate(() => document.documentElement.scrollHeight) });
  const tabId = await browser.worker.evaluate(async (pageUrl) => (await chrome.tabs.query({ url: pageUrl }))[0].id, page.url());
  await browser.worker.evaluate((id) => globalThis.camLens.explainAll(id), tabId);
  await page.mouse.move(0, 0);
  await page.waitForTimeout(500);
  const allFile = path.join(docs, 'explain-all.png');
  await page.screenshot({ path: allFile, fullPage: true });
  wrote(allFile);

  await popupShots(browser, [['popup-light.png', 'light'], ['popup-dark.png', 'dark']]);
  await optionsShots(browser, [['options.png', 'light'], ['options-dark.png', 'dark']]);

  const lab = await browser.context.newPage();
  await lab.setViewportSize({ width: 1200, height: 900 });
  await lab.goto(`chrome-extension://${browser.extensionId}/lab.html`);
  await lab.locator('#file').setInputFiles(path.join(root, 'test', 'fixtures', 'chelsea.png'));
  await lab.waitForFunction(() => document.querySelectorAll('#class option').length > 5, null, { timeout: 60_000 });
  await lab.locator('#run').click();
  await lab.waitForFunction(() => /cells in/.test(document.getElementById('run-status')?.textContent ?? ''), null, { timeout: 300_000 });
  await lab.mouse.move(0, 0);
  const labFile = path.join(docs, 'lab.png');
  await lab.locator('#grid').screenshot({ path: labFile });
  wrote(labFile);
} finally {
  await browser.close();
}
try {
  browser = await launchWithExtension(path.join(root, 'dist'), { extraArgs: ['--lang=de'] });
  await popupShots(browser, [['popup-de.png', 'light']]);
  await optionsShots(browser, [['options-de.png', 'light']]);
} finally {
  await browser.close();
  await servers.close();
}
