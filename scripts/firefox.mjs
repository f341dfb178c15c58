// Launches Firefox (Debian's firefox-esr) headless with the built Firefox extension installed as a
// temporary add-on, driven through WebDriver BiDi (no geckodriver): Firefox's own remote agent listens
// on --remote-debugging-port and `webExtension.install` installs the unpacked dist-firefox/. The
// add-on's pages get a fixed moz-extension:// UUID from the profile's prefs; a test opens one and
// reaches the background event page with runtime.getBackgroundPage() (same process, same origin).
//
// Firefox changes what WebDriver may do from release to release (153 refuses to navigate to
// moz-extension:// unless the remote agent has system access), so the launcher detects what works
// instead of trusting version numbers. Extension pages are opened by the first route that works:
//   - 'navigate': browsingContext.navigate (allowed before 153, and with --remote-allow-system-access);
//   - 'opened-by-extension': the add-on is installed again with one extra background script that opens
//     the page in a tab itself (an extension may open its own pages); later pages are opened from it.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Bidi } from './bidi.mjs';
import { GECKO_ID } from './manifest.mjs';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const PAGE_ROUTES = /** @type {const} */ (['auto', 'navigate', 'opened-by-extension']);

/** `Mozilla Firefox 153.8.0esr`, or null when the binary is missing or does not run. */
export function firefoxVersion(binary = FIREFOX) {
  if (!existsSync(binary)) return null;
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, MOZ_HEADLESS: '1' } }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Whether the Firefox end-to-end tests can run here, and if not, why (one line, for the skip message).
 * Only "no Firefox at all" skips: whether this Firefox can install and drive the add-on is what the tests find out.
 */
export function firefoxAvailability(binary = FIREFOX) {
  if (process.env.CAM_LENS_SKIP_FIREFOX) return { ok: false, reason: 'CAM_LENS_SKIP_FIREFOX is set' };
  if (!existsSync(binary)) return { ok: false, reason: `no Firefox could be installed: none at ${binary} (apt-get install -y firefox-esr, or set FIREFOX_PATH)` };
  const version = firefoxVersion(binary);
  if (!version) return { ok: false, reason: `no Firefox could be run: ${binary} --version failed` };
  return { ok: true, reason: version };
}

/** Profile prefs: quiet start, no updates or telemetry, and a known moz-extension:// UUID for the add-on. */
function userJs(extensionUuid) {
  const prefs = {
    'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: extensionUuid }),
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.startup.page': 0,
    'browser.aboutwelcome.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'app.update.auto': false,
    'app.update.disabledForTesting': true,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
  };
  return Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n') + '\n';
}

/**
 * Starts headless Firefox with a fresh profile, connects WebDriver BiDi and installs the unpacked
 * extension from extensionDir as a temporary add-on.
 * `allowSystemAccess`: pass --remote-allow-system-access (lets BiDi navigate to extension pages in 153+).
 * `pageRoute`: how openExtensionPage() opens pages ('auto' = the first that works; CAM_LENS_FIREFOX_PAGE_ROUTE overrides it).
 * Returns { bidi, extensionOrigin (moz-extension://<uuid>; the add-on's pages tell it anew if it had to be reinstalled), addonId, version, openExtensionPage(path),
 * pageRoute() (the route in use, once a page was opened), close() }.
 */
export async function launchFirefoxWithExtension(extensionDir, { headless = true, binary = FIREFOX, timeoutMs = 30_000, allowSystemAccess = true, pageRoute = process.env.CAM_LENS_FIREFOX_PAGE_ROUTE ?? 'auto' } = {}) {
  if (!existsSync(binary)) throw new Error(`Firefox not found at ${binary} (apt-get install -y firefox-esr, or set FIREFOX_PATH)`);
  if (!existsSync(path.join(extensionDir, 'manifest.json'))) throw new Error(`${extensionDir} has no manifest.json: run npm run build`);
  if (!PAGE_ROUTES.includes(pageRoute)) throw new Error(`unknown page route ${pageRoute}: expected one of ${PAGE_ROUTES.join(', ')}`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-firefox-'));
  const temporaryCopies = [];
  const extensionUuid = randomUUID();
  writeFileSync(path.join(profile, 'user.js'), userJs(extensionUuid));
  const args = ['--no-remote', '--profile', profile, '--remote-debugging-port=0', ...(allowSystemAccess ? ['--remote-allow-system-access'] : []), ...(headless ? ['--headless'] : []), 'about:blank'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(headless ? { MOZ_HEADLESS: '1' } : {}) } });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const cleanUp = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    for (const dir of [profile, ...temporaryCopies]) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    const wsUrl = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Firefox did not start WebDriver BiDi within ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
      // Keep reading Firefox's output for its whole life (a full pipe would block it); keep only the tail.
      const onData = (chunk) => {
        output = (output + chunk).slice(-20_000);
        const match = output.match(/WebDriver BiDi listening on (ws:\/\/\S+)/);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Firefox exited (${signal ?? code}) before WebDriver BiDi started:\n${output.slice(-2000)}`));
      });
    });
    const bidi = await Bidi.connect(`${wsUrl}/session`);
    const session = await bidi.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: true } } });
    const install = (dir) =>
      bidi.send('webExtension.install', { extensionData: { type: 'path', path: path.resolve(dir) } }).catch((e) => {
        throw new Error(`this Firefox cannot install the add-on through WebDriver BiDi (${e.message})`);
      });
    let addonId = (await install(extensionDir)).extension;
    let extensionOrigin = `moz-extension://${extensionUuid}`;
    let route = pageRoute === 'auto' ? null : pageRoute;
    /** The first extension page, from which the 'opened-by-extension' route opens the next ones. */
    let opener = null;

    const openByNavigation = async (url) => {
      const { context } = await bidi.send('browsingContext.create', { type: 'tab' });
      try {
        await bidi.send('browsingContext.navigate', { context, url, wait: 'complete' });
        return context;
      } catch (e) {
        await bidi.send('browsingContext.close', { context }).catch(() => undefined);
        throw e;
      }
    };
    /** pagePath of the add-on (e.g. '/popup.html'), opened by the add-on itself. */
    const openFromExtension = async (pagePath) => {
      if (opener) {
        await bidi.evaluate(opener, `browser.tabs.create({ url: browser.runtime.getURL(${JSON.stringify(pagePath)}) }).then(() => true)`);
        return (await waitForExtensionPage(bidi, pagePath, (c) => c !== opener)).context;
      }
      // Install again with a background script that opens the page (uninstalling first: one add-on id).
      // Firefox forgets the add-on's UUID when it is uninstalled, so the page tells the new origin.
      const copy = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-firefox-addon-'));
      temporaryCopies.push(copy);
      cpSync(extensionDir, copy, { recursive: true });
      const manifestPath = path.join(copy, 'manifest.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      writeFileSync(path.join(copy, 'e2e-open-page.js'), `browser.tabs.create({ url: browser.runtime.getURL(${JSON.stringify(pagePath)}) });\n`);
      manifest.background.scripts = [...manifest.background.scripts, 'e2e-open-page.js'];
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
      await bidi.send('webExtension.uninstall', { extension: addonId });
      addonId = (await install(copy)).extension;
      const page = await waitForExtensionPage(bidi, pagePath);
      extensionOrigin = splitExtensionUrl(page.url).origin;
      opener = page.context;
      return opener;
    };

    return {
      bidi,
      get addonId() {
        return addonId;
      },
      get extensionOrigin() {
        return extensionOrigin;
      },
      version: `${session.capabilities.browserName} ${session.capabilities.browserVersion}`,
      pageRoute: () => route,
      /** Opens one of the add-on's pages (e.g. '/popup.html') in a new tab; returns its browsing context. */
      async openExtensionPage(pagePath) {
        if (route === 'opened-by-extension') return openFromExtension(pagePath);
        try {
          const context = await openByNavigation(`${extensionOrigin}${pagePath}`);
          route = 'navigate';
          return context;
        } catch (e) {
          if (route === 'navigate' || !/not allowed|unsupported operation/i.test(e.message)) throw e;
          console.log(`Firefox refused to navigate to its add-on's page (${e.message}): the add-on opens it itself.`);
          route = 'opened-by-extension';
          return openFromExtension(pagePath);
        }
      },
      async close() {
        await bidi.send('browser.close').catch(() => undefined);
        bidi.close();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        await cleanUp();
      },
    };
  } catch (e) {
    await cleanUp();
    throw e;
  }
}

/** The tab showing the add-on's page pagePath (once loaded), among the contexts `which` accepts: { context, url }. */
async function waitForExtensionPage(bidi, pagePath, which = () => true, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  const shows = (url) => splitExtensionUrl(url)?.pagePath === pagePath;
  for (;;) {
    const { contexts } = await bidi.send('browsingContext.getTree', {});
    const found = contexts.find((c) => shows(c.url) && which(c.context));
    if (found && (await bidi.evaluate(found.context, 'document.readyState').catch(() => '')) === 'complete') return found;
    if (Date.now() > until) throw new Error(`no tab showed the add-on's ${pagePath} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** moz-extension://<uuid>/popup.html → { origin, pagePath: '/popup.html' } (URL gives no origin for this scheme). */
function splitExtensionUrl(url) {
  const match = /^(moz-extension:\/\/[^/]+)(\/.*)$/.exec(url);
  return match ? { origin: match[1], pagePath: match[2] } : null;
}
