// Launches Debian's Chromium with the built extension loaded, and finds its service worker.
//
// Two routes load an unpacked extension, and Chromium builds differ in which they allow (branded Chrome
// dropped --load-extension in 137; a build may do the same), so the launcher detects which works here
// instead of trusting a version number:
//   - 'switch': the --load-extension command-line switch, in a Playwright persistent context;
//   - 'devtools': DevTools' Extensions.loadUnpacked (needs --enable-unsafe-extension-debugging), sent on
//     the browser's own DevTools session of the same kind of Playwright context.
// 'auto' tries the switch and falls back to DevTools when no extension worker starts.
//
// Both keep Playwright's focus emulation, under which every tab counts as shown. `realVisibility`
// launches Chromium without Playwright and attaches to its DevTools port with Playwright's defaults
// off, so a tab behind another is really hidden (document.visibilityState 'hidden'); the extension
// then comes through Extensions.loadUnpacked.
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ROUTES = /** @type {const} */ (['auto', 'switch', 'devtools']);
const VIEWPORT = { width: 1280, height: 900 };
/** How long the extension's worker may take to appear before the switch route counts as unsupported. */
const WORKER_WAIT_MS = 20_000;

const QUIET_SWITCHES = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** `Chromium 156.0.8078.114 built on Debian…` → its first line, or null when it cannot run. */
export function chromiumVersion(binary = CHROMIUM) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return null;
  }
}

/**
 * `extraArgs`: more Chromium switches (e.g. host-resolver rules that keep a test's requests on this machine).
 * `route`: how to load the extension (see above); CAM_LENS_CHROMIUM_ROUTE overrides the default 'auto'.
 * `realVisibility`: tabs behind another are really hidden (see above; the route is then 'devtools-port').
 * Returns { context, worker, extensionId, profile, route, close() }.
 * @param {string} extensionDir
 * @param {{ headless?: boolean, extraArgs?: string[], route?: 'auto' | 'switch' | 'devtools', realVisibility?: boolean }} [options]
 */
export async function launchWithExtension(extensionDir, { headless = true, extraArgs = [], route = process.env.CAM_LENS_CHROMIUM_ROUTE ?? 'auto', realVisibility = false } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  if (!existsSync(path.join(extensionDir, 'manifest.json'))) throw new Error(`${extensionDir} has no manifest.json: run npm run build`);
  if (!CHROMIUM_ROUTES.includes(route)) throw new Error(`unknown Chromium route ${route}: expected one of ${CHROMIUM_ROUTES.join(', ')}`);
  if (realVisibility) return launchWithRealVisibility(extensionDir, headless, extraArgs);
  if (route !== 'devtools') {
    const launched = await launchBySwitch(extensionDir, headless, extraArgs);
    if (launched.worker || route === 'switch') {
      if (!launched.worker) {
        await launched.close();
        throw new Error(`Chromium did not start the extension loaded with --load-extension within ${WORKER_WAIT_MS / 1000} s`);
      }
      return launched;
    }
    await launched.close();
    console.log(`Chromium did not load the extension from --load-extension: loading it through DevTools' Extensions.loadUnpacked instead.`);
  }
  return launchByDevTools(extensionDir, headless, extraArgs);
}

async function launchBySwitch(extensionDir, headless, extraArgs) {
  const launched = await launchPersistent(headless, [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...extraArgs]);
  const worker = await extensionWorker(launched.context);
  return { ...launched, worker, extensionId: worker ? new URL(worker.url()).host : '', route: 'switch' };
}

async function launchByDevTools(extensionDir, headless, extraArgs) {
  // Playwright's --disable-extensions would unload what DevTools loads.
  const launched = await launchPersistent(headless, ['--enable-unsafe-extension-debugging', ...extraArgs], ['--disable-extensions']);
  try {
    const cdp = await launched.context.browser().newBrowserCDPSession();
    const { id } = await cdp.send('Extensions.loadUnpacked', { path: path.resolve(extensionDir) }).catch((e) => {
      throw new Error(`this Chromium loads the extension neither from --load-extension nor through DevTools (Extensions.loadUnpacked: ${e.message})`);
    });
    await cdp.detach();
    const worker = await extensionWorker(launched.context, id);
    if (!worker) throw new Error(`the extension ${id} was loaded through DevTools but its service worker did not start`);
    return { ...launched, worker, extensionId: id, route: 'devtools' };
  } catch (e) {
    await launched.close();
    throw e;
  }
}

/** Chromium started here, attached over its DevTools port without Playwright's focus emulation. */
async function launchWithRealVisibility(extensionDir, headless, extraArgs) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-profile-'));
  const args = [...QUIET_SWITCHES, `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--enable-unsafe-extension-debugging', `--window-size=${VIEWPORT.width},${VIEWPORT.height}`, ...(headless ? ['--headless'] : []), ...extraArgs, 'about:blank'];
  const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let browser;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
    removeProfile(profile);
  };
  try {
    const endpoint = await devToolsEndpoint(child);
    browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
    const context = browser.contexts()[0];
    const cdp = await browser.newBrowserCDPSession();
    const { id } = await cdp.send('Extensions.loadUnpacked', { path: path.resolve(extensionDir) });
    await cdp.detach();
    const worker = await extensionWorker(context, id);
    if (!worker) throw new Error(`the extension ${id} was loaded through DevTools but its service worker did not start`);
    return { context, worker, extensionId: id, profile, route: 'devtools-port', close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The browser's DevTools WebSocket address, from Chromium's "DevTools listening on ws://…" line on stderr. */
function devToolsEndpoint(child) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not open its DevTools port within ${WORKER_WAIT_MS / 1000} s: ${seen.slice(-500)}`)), WORKER_WAIT_MS);
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (!found) return;
      clearTimeout(timer);
      child.stderr.resume(); // drained from now on, unread
      child.stderr.removeAllListeners('data');
      resolve(found[1]);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code}) before opening its DevTools port: ${seen.slice(-500)}`));
    });
  });
}

/** A Playwright persistent context on a new temporary profile: { context, profile, close() }. */
async function launchPersistent(headless, args, ignoreDefaultArgs = []) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless, viewport: VIEWPORT, ignoreDefaultArgs, args: [...QUIET_SWITCHES, ...args] });
  const close = async () => {
    await context.close().catch(() => undefined);
    removeProfile(profile);
  };
  return { context, profile, close };
}

/** The extension's service worker once it runs (with id: that extension's), or null after WORKER_WAIT_MS. */
async function extensionWorker(context, id) {
  const isOurs = (w) => w.url().startsWith(id ? `chrome-extension://${id}/` : 'chrome-extension://');
  const found = context.serviceWorkers().find(isOurs);
  if (found) return found;
  return context.waitForEvent('serviceworker', { predicate: isOurs, timeout: WORKER_WAIT_MS }).catch(() => null);
}

/** Chromium's helper processes may still write into the profile for a moment after it exits. */
function removeProfile(profile) {
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (e) {
    console.log(`left the temporary profile ${profile} behind: ${e.message}`);
  }
}
