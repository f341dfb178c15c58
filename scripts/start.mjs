// The quick demo: launches Chromium with the built extension and a page of test photos.
// With a display, the browser stays open for you to right-click images. Without one (or with
// --headless), it explains every demo image itself, prints what it found and saves a screenshot.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchWithExtension } from './browser.mjs';
import { startServers } from './servers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const headless = process.argv.includes('--headless') || !process.env.DISPLAY;

const servers = await startServers();
const browser = await launchWithExtension(path.join(root, 'dist'), { headless });
const page = browser.context.pages()[0] ?? (await browser.context.newPage());
await page.goto(`${servers.pageOrigin}/`);
console.log(`CAM Lens demo at ${servers.pageOrigin}/ (extension ${browser.extensionId})`);

async function shutdown() {
  await browser.close();
  await servers.close();
}

if (!headless) {
  console.log('Right-click an image → "Explain this image". Close the browser window to stop.');
  browser.context.on('close', () => void servers.close().then(() => process.exit(0)));
  process.on('SIGINT', () => void shutdown().then(() => process.exit(0)));
} else {
  console.log('No display: running the demo headless.');
  await page.waitForLoadState('load');
  const ids = await page.locator('main img').evaluateAll((imgs) => imgs.map((img) => img.id));
  for (const id of ids) {
    const img = page.locator(`#${id}`);
    await img.scrollIntoViewIfNeeded();
    // An earlier overlay's panel may cover part of this image; the content script looks through it.
    await img.click({ button: 'right', force: true });
    const srcUrl = await img.evaluate((el) => el.currentSrc || el.src);
    const result = await browser.worker.evaluate(
      async ({ pageUrl, srcUrl }) => {
        const [tab] = await chrome.tabs.query({ url: pageUrl });
        return globalThis.camLens.onMenuClick({ menuItemId: 'explain-image', srcUrl, frameId: 0, pageUrl, editable: false }, tab);
      },
      { pageUrl: page.url(), srcUrl },
    );
    const summary = result.ok
      ? `${result.target.label} ${(result.target.probability * 100).toFixed(1)} % — ${Math.round(result.timingsMs.total)} ms on ${result.backend}`
      : `error: ${result.error}`;
    console.log(`  #${id.padEnd(10)} ${summary}`);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  mkdirSync(path.join(root, 'test-artifacts'), { recursive: true });
  const shot = path.join(root, 'test-artifacts', 'demo.png');
  await page.waitForTimeout(300);
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`Screenshot: ${path.relative(root, shot)}`);
  await shutdown();
}
