// Firefox: the build in dist-firefox/ passes AMO's linter, and end-to-end tests in Debian's headless
// firefox-esr with the add-on installed temporarily (WebDriver BiDi webExtension.install; no geckodriver):
// its popup page, a real right-click on the demo's photo then the context menu's own handler (called in
// the background event page) drawing the overlay, an inner-layer Grad-CAM, withdrawn site access; and the
// launcher's fallback route to the add-on's pages. Skipped, saying so, only when no Firefox can be run.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { firefoxAvailability, launchFirefoxWithExtension } from '../../scripts/firefox.mjs';
import { manifestFor } from '../../scripts/manifest.mjs';
import { startServers } from '../../scripts/servers.mjs';
import type { ExplanationResult } from '../../src/core/messages';

const ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const DIST_FIREFOX = path.join(ROOT, 'dist-firefox');

describe('Firefox build', () => {
  test('dist-firefox/ has the Firefox manifest and the same files as dist/', () => {
    expect(existsSync(path.join(DIST_FIREFOX, 'manifest.json')), 'run npm run build').toBe(true);
    const base = JSON.parse(readFileSync(path.join(ROOT, 'manifest.json'), 'utf8'));
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(JSON.parse(readFileSync(path.join(DIST_FIREFOX, 'manifest.json'), 'utf8'))).toEqual(manifestFor('firefox', base, version));
    expect(JSON.parse(readFileSync(path.join(ROOT, 'dist', 'manifest.json'), 'utf8'))).toEqual(manifestFor('chrome', base, version));
    for (const file of ['background.js', 'content.js', 'content-ui.js', 'popup.js', 'popup.html']) {
      expect(readFileSync(path.join(DIST_FIREFOX, file)).equals(readFileSync(path.join(ROOT, 'dist', file))), file).toBe(true);
    }
  });

  test('web-ext lint: no errors', async () => {
    const webExt = path.join(ROOT, 'node_modules', '.bin', 'web-ext');
    // web-ext exits non-zero when there are errors; the JSON report is on stdout either way.
    const { stdout } = await promisify(execFile)(webExt, ['lint', '--source-dir', DIST_FIREFOX, '--output', 'json', '--no-config-discovery'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch(
      (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
    );
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { errors: LintMessage[]; warnings: LintMessage[]; notices: LintMessage[] };
    const line = (m: LintMessage) => `${m.code} ${m.file ?? ''}${m.line ? `:${m.line}` : ''} ${m.message}`;
    if (report.warnings.length) console.log(`web-ext lint warnings:\n  ${report.warnings.map(line).join('\n  ')}`);
    expect(report.errors.map(line)).toEqual([]);
  }, 180_000); // 10–20 s alone; several times that on a busy 2-core machine
});

interface LintMessage {
  code: string;
  message: string;
  file?: string;
  line?: number;
}

const firefox = firefoxAvailability();
if (!firefox.ok) console.log(`Firefox end-to-end tests SKIPPED: ${firefox.reason}`);

describe.skipIf(!firefox.ok)(`Firefox end-to-end (${firefox.ok ? firefox.reason : `skipped: ${firefox.reason}`})`, () => {
  let browser: Awaited<ReturnType<typeof launchFirefoxWithExtension>>;
  let servers: Awaited<ReturnType<typeof startServers>>;
  /** The demo page's tab, and a tab with one of the extension's pages (popup.html). */
  let page: string;
  let extensionPage: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    servers = await startServers();
    browser = await launchFirefoxWithExtension(DIST_FIREFOX);
    const { bidi } = browser;
    page = (await bidi.send('browsingContext.getTree', {})).contexts[0].context;
    extensionPage = await browser.openExtensionPage('/popup.html');
    console.log(`Firefox e2e on ${firefox.reason}: add-on pages opened by the '${browser.pageRoute()}' route`);
    await bidi.send('browsingContext.activate', { context: page });
    await bidi.send('browsingContext.navigate', { context: page, url: `${servers.pageOrigin}/`, wait: 'complete' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await servers?.close();
  });

  const inPage = <T>(expression: string) => browser.bidi.evaluate(page, expression) as Promise<T>;
  const inExtension = <T>(expression: string) => browser.bidi.evaluate(extensionPage, expression) as Promise<T>;

  async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function screenshot(clip?: { x: number; y: number; width: number; height: number }): Promise<PNG> {
    const box = clip && { type: 'box', x: Math.round(clip.x), y: Math.round(clip.y), width: Math.round(clip.width), height: Math.round(clip.height) };
    const { data } = await browser.bidi.send('browsingContext.captureScreenshot', { context: page, ...(box ? { clip: box } : {}) });
    return PNG.sync.read(Buffer.from(data, 'base64'));
  }

  test('the add-on is installed with its permissions, and the popup shows no site-access prompt', async () => {
    expect(browser.addonId).toBe('cam-lens@example.org');
    const permissions = JSON.parse(await inExtension<string>('browser.permissions.getAll().then(JSON.stringify)'));
    expect(permissions.origins).toContain('<all_urls>');
    expect(permissions.permissions).toEqual(expect.arrayContaining(['contextMenus', 'storage', 'scripting']));
    // The background is an event page (a document), where the seam lives.
    expect(await inExtension<string>('browser.runtime.getBackgroundPage().then((w) => typeof w.camLens.onMenuClick)')).toBe('function');
    await waitFor('the popup to check site access', () => inExtension<boolean>(`document.getElementById('host-access').hidden`));
  });

  test('right-click → Explain this image: the overlay is drawn over the photo', async () => {
    await inPage(`(() => {
      const img = document.querySelector('#cat');
      img.scrollIntoView({ block: 'center' });
      window.__contextMenus = [];
      window.addEventListener('contextmenu', (e) => window.__contextMenus.push(e.target.id), true);
    })()`);
    await waitFor('#cat to load', () => inPage<boolean>(`document.querySelector('#cat').complete && document.querySelector('#cat').naturalWidth > 0`));
    const rect = JSON.parse(await inPage<string>(`JSON.stringify(document.querySelector('#cat').getBoundingClientRect())`)) as { x: number; y: number; width: number; height: number };
    const before = await screenshot(rect);

    // A real right-click (trusted pointer events → contextmenu), as the user does before choosing the menu item.
    await browser.bidi.send('input.performActions', {
      context: page,
      actions: [{
        type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' },
        actions: [
          { type: 'pointerMove', x: Math.round(rect.x + rect.width / 2), y: Math.round(rect.y + rect.height / 2) },
          { type: 'pointerDown', button: 2 },
          { type: 'pointerUp', button: 2 },
        ],
      }],
    });
    await browser.bidi.send('input.releaseActions', { context: page });
    expect(await inPage<string[]>('window.__contextMenus')).toEqual(['cat']);

    // Then what the menu item does: the very handler registered with contextMenus.onClicked, in the event page.
    const pageUrl = await inPage<string>('location.href');
    const srcUrl = await inPage<string>(`document.querySelector('#cat').currentSrc`);
    const started = Date.now();
    const result = JSON.parse(await inExtension<string>(`(async () => {
      const background = await browser.runtime.getBackgroundPage();
      const tab = (await browser.tabs.query({})).find((t) => t.url === ${JSON.stringify(pageUrl)});
      const info = { menuItemId: 'explain-image', srcUrl: ${JSON.stringify(srcUrl)}, frameId: 0, pageUrl: ${JSON.stringify(pageUrl)}, editable: false };
      return JSON.stringify(await background.camLens.onMenuClick(info, tab));
    })()`)) as ExplanationResult;
    const elapsed = Date.now() - started;
    if (!result.ok) throw new Error(`explanation failed in Firefox: ${result.error}`);
    console.log(`Firefox: ${result.classes[0].label} ${(result.classes[0].probability * 100).toFixed(1)} % by ${result.method} on ${result.backend} in ${elapsed} ms (${browser.version})`);
    writeFileSync(path.join(ARTIFACTS, 'firefox-cat-result.json'), JSON.stringify(result, null, 2));

    expect(result.method).toBe('cam');
    expect(result.image).toEqual({ width: 451, height: 300 });
    expect(['webgl', 'wasm', 'cpu']).toContain(result.backend);
    expect(result.classes).toHaveLength(5);
    expect(result.classes.reduce((sum, c) => sum + c.probability, 0)).toBeCloseTo(1, 3);
    expect(result.map.width * result.map.height).toBe(result.map.values.length);

    // The page cannot read the overlay's state; the worker's seam reports it.
    await waitFor('the overlay to be done', async () => JSON.parse(await inExtension<string>(`(async () => {
      const background = await browser.runtime.getBackgroundPage();
      const tab = (await browser.tabs.query({})).find((t) => t.url === ${JSON.stringify(pageUrl)});
      return JSON.stringify((await background.camLens.overlays(tab.id)).map((o) => o.state));
    })()`)).join() === 'done');
    // The heat map is really drawn (in Firefox the content script must hand the page its own pixels).
    const after = await screenshot(rect);
    expect(meanAbsDiff(before, after)).toBeGreaterThan(8);
    writeFileSync(path.join(ARTIFACTS, 'firefox-overlay.png'), PNG.sync.write(await screenshot()));
  });

  test('the layer menu and Grad-CAM from an inner layer work in the event page too', async () => {
    const outcome = JSON.parse(await inExtension<string>(`(async () => {
      const background = await browser.runtime.getBackgroundPage();
      const choices = await background.camLens.listLayers();
      const inner = choices.layers.find((l) => l.shape[0] === 14).name;
      const tab = (await browser.tabs.query({})).find((t) => t.url.startsWith(${JSON.stringify(servers.pageOrigin)}));
      const info = { menuItemId: 'explain-image', srcUrl: ${JSON.stringify(`${servers.pageOrigin}/fixtures/chelsea.png`)}, frameId: 0, pageUrl: tab.url, editable: false };
      const result = await background.camLens.onMenuClick(info, tab, { method: 'gradcam', layer: inner });
      return JSON.stringify({ ok: choices.ok, automatic: choices.automatic, count: choices.layers.length, inner, result });
    })()`));
    expect(outcome.ok).toBe(true);
    expect(outcome.automatic).toMatch(/Conv_1\/Relu6$/);
    expect(outcome.count).toBeGreaterThan(20);
    if (!outcome.result.ok) throw new Error(`inner-layer Grad-CAM failed in Firefox: ${outcome.result.error}`);
    expect(outcome.result.layer).toBe(outcome.inner);
    expect(outcome.result.map).toMatchObject({ width: 14, height: 14 });
    expect(outcome.result.map.values.some((v: number) => v > 0)).toBe(true);
    // A real key press: the overlay acts only on trusted keys.
    await browser.bidi.send('input.performActions', {
      context: page,
      actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: '\uE00C' }, { type: 'keyUp', value: '\uE00C' }] }],
    });
    await browser.bidi.send('input.releaseActions', { context: page });
    await waitFor('Esc to close the overlays', async () => (await inPage<number>(`document.querySelectorAll('[data-cam-lens]').length`)) === 0);
  });

  /** The demo tab's overlays as the content script reports them through the seam (the page can read none of it). */
  interface SeamOverlay {
    state: string;
    follow?: { maps: number; requests: number; mapsPerSecond: number; latencyMs: number; running: boolean };
    panel: { buttons: { name: string; rect: { x: number; y: number; width: number; height: number } }[] };
  }
  const seamOverlays = async (): Promise<SeamOverlay[]> => JSON.parse(await inExtension<string>(`(async () => {
    const background = await browser.runtime.getBackgroundPage();
    const tab = (await browser.tabs.query({})).find((t) => t.url.startsWith(${JSON.stringify(servers.pageOrigin)}));
    return JSON.stringify(await background.camLens.overlays(tab.id));
  })()`));
  const followStats = async () => (await seamOverlays())[0].follow!;

  async function pointer(x: number, y: number, button?: number): Promise<void> {
    const press = button === undefined ? [] : [{ type: 'pointerDown', button }, { type: 'pointerUp', button }];
    await browser.bidi.send('input.performActions', {
      context: page,
      actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: [{ type: 'pointerMove', x: Math.round(x), y: Math.round(y) }, ...press] }],
    });
    await browser.bidi.send('input.releaseActions', { context: page });
  }

  /** A real click on a panel button (closed shadow root): where the seam says it is, once the pointer on the panel has opened it. */
  async function clickPanelButton(name: string): Promise<void> {
    const centre = async () => {
      const b = (await seamOverlays())[0].panel.buttons.find((b) => b.name === name);
      if (!b) throw new Error(`no panel button named ${name}`);
      return { x: b.rect.x + b.rect.width / 2, y: b.rect.y + b.rect.height / 2 };
    };
    const first = await centre();
    await pointer(first.x, first.y);
    await new Promise((r) => setTimeout(r, 300));
    const settled = await centre();
    await pointer(settled.x, settled.y, 0);
  }

  test('Follow on a playing video: maps keep coming and the overlay changes with the frames; off stops the requests', async () => {
    await browser.bidi.send('browsingContext.navigate', { context: page, url: `${servers.pageOrigin}/demo/video.html`, wait: 'complete' });
    await waitFor('the video to play', () => inPage<boolean>(`document.getElementById('video').readyState >= 2 && !document.getElementById('video').paused`), 20_000);
    const box = JSON.parse(await inPage<string>(`JSON.stringify(document.getElementById('video').getBoundingClientRect())`)) as { x: number; y: number; width: number; height: number };
    await pointer(box.x + 60, box.y + 60, 2);
    const pageUrl = await inPage<string>('location.href');
    const result = JSON.parse(await inExtension<string>(`(async () => {
      const background = await browser.runtime.getBackgroundPage();
      const tab = (await browser.tabs.query({})).find((t) => t.url === ${JSON.stringify(pageUrl)});
      return JSON.stringify(await background.camLens.onMenuClick({ menuItemId: 'explain-image', frameId: 0, pageUrl: ${JSON.stringify(pageUrl)}, editable: false }, tab));
    })()`)) as ExplanationResult;
    if (!result.ok) throw new Error(`explaining the video failed in Firefox: ${result.error}`);
    await waitFor('the overlay to be done', async () => (await seamOverlays())[0]?.state === 'done', 30_000);

    await clickPanelButton('Follow');
    await waitFor('3 maps', async () => (await followStats()).maps >= 3, 60_000);
    // Only the overlay's map is left in the screenshots (the video is there, transparent); two moments 2 s apart.
    await inPage(`document.getElementById('video').style.opacity = '0'`);
    const shots: PNG[] = [];
    for (let i = 0; i < 2; i++) {
      const before = (await followStats()).maps;
      await waitFor('more maps', async () => (await followStats()).maps > before + 1, 20_000);
      shots.push(await screenshot(box));
      await new Promise((r) => setTimeout(r, 2000));
    }
    const diff = meanAbsDiff(shots[0], shots[1]);
    await inPage(`document.getElementById('video').style.opacity = '1'`);
    writeFileSync(path.join(ARTIFACTS, 'firefox-follow.png'), PNG.sync.write(await screenshot()));
    expect(diff).toBeGreaterThan(3);

    const start = await followStats();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    const end = await followStats();
    const seconds = (Date.now() - t0) / 1000;
    console.log(`Firefox Follow (${browser.version}): ${((end.maps - start.maps) / seconds).toFixed(1)} maps/s over ${seconds.toFixed(0)} s, window ${end.mapsPerSecond.toFixed(1)} maps/s, latency ${end.latencyMs.toFixed(0)} ms; overlay change between frames ${diff.toFixed(1)}`);
    expect(end.requests - end.maps).toBeLessThanOrEqual(1);

    await clickPanelButton('Follow');
    await waitFor('the request in flight to come back', async () => !(await followStats()).running, 10_000);
    const off = (await followStats()).requests;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await followStats()).requests).toBe(off);
    await browser.bidi.send('input.performActions', {
      context: page,
      actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: '\uE00C' }, { type: 'keyUp', value: '\uE00C' }] }],
    });
    await browser.bidi.send('input.releaseActions', { context: page });
    await waitFor('Esc to close the overlay', async () => (await inPage<number>(`document.querySelectorAll('[data-cam-lens]').length`)) === 0);
  }, 180_000);

  test('with site access withdrawn, the popup offers to ask for it again', async () => {
    // Firefox lets the user withdraw MV3 host permissions (about:addons); the popup then shows its button.
    await inExtension(`browser.permissions.remove({ origins: ['<all_urls>'] })`);
    await waitFor('the site-access prompt', async () => !(await inExtension<boolean>(`document.getElementById('host-access').hidden`)));
    expect(await inExtension<string>(`document.getElementById('grant-hosts').textContent`)).toBe('Allow reading images on all sites');
  });
});

describe.skipIf(!firefox.ok)('Firefox harness without system access (the route a stricter Firefox leaves)', () => {
  test('the add-on\'s page opens, and reaches the event page, even where WebDriver may not navigate to it', async () => {
    const browser = await launchFirefoxWithExtension(DIST_FIREFOX, { allowSystemAccess: false });
    try {
      const context = await browser.openExtensionPage('/popup.html');
      console.log(`Firefox without --remote-allow-system-access: add-on pages opened by the '${browser.pageRoute()}' route`);
      expect(await browser.bidi.evaluate(context, 'location.href')).toBe(`${browser.extensionOrigin}/popup.html`);
      expect(await browser.bidi.evaluate(context, 'browser.runtime.getBackgroundPage().then((w) => typeof w.camLens.onMenuClick)')).toBe('function');
      // A second page comes by the same route.
      const second = await browser.openExtensionPage('/popup.html?second');
      expect(second).not.toBe(context);
      expect(await browser.bidi.evaluate(second, 'location.search')).toBe('?second');
    } finally {
      await browser.close();
    }
  });
});

/** Mean absolute RGB difference per pixel of two same-sized images. */
function meanAbsDiff(a: PNG, b: PNG): number {
  expect([b.width, b.height]).toEqual([a.width, a.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 4) sum += Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]);
  return sum / (a.width * a.height) / 3;
}
