// Launches Firefox (Debian's firefox-esr) headless with the built Firefox extension installed as a
// temporary add-on, driven through WebDriver BiDi (no geckodriver): Firefox's own remote agent listens
// on --remote-debugging-port, `webExtension.install` (Firefox 138+) installs the unpacked dist-firefox/,
// and tests evaluate script in pages. The extension's pages get a fixed moz-extension:// UUID from the
// profile's prefs, so a test can open one and reach the background event page with
// runtime.getBackgroundPage() (same process, same origin).
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { FIREFOX_MIN_VERSION, GECKO_ID } from './manifest.mjs';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** webExtension.install in WebDriver BiDi (138), and the add-on's own minimum (its manifest's strict_min_version). */
export const FIREFOX_MIN_MAJOR = Math.max(138, Number.parseInt(FIREFOX_MIN_VERSION, 10));

/** Firefox's major version, or null when it cannot be run. */
export function firefoxVersion(binary = FIREFOX) {
  if (!existsSync(binary)) return null;
  try {
    const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, MOZ_HEADLESS: '1' } });
    const match = out.match(/(\d+)\.\d+/);
    return match ? { major: Number(match[1]), text: out.trim() } : null;
  } catch {
    return null;
  }
}

/** Whether the Firefox end-to-end tests can run here, and if not, why (one line, for the skip message). */
export function firefoxAvailability(binary = FIREFOX) {
  if (process.env.CAM_LENS_SKIP_FIREFOX) return { ok: false, reason: 'CAM_LENS_SKIP_FIREFOX is set' };
  if (!existsSync(binary)) return { ok: false, reason: `no Firefox at ${binary} (apt-get install -y firefox-esr, or set FIREFOX_PATH)` };
  const version = firefoxVersion(binary);
  if (!version) return { ok: false, reason: `${binary} --version failed` };
  if (version.major < FIREFOX_MIN_MAJOR) return { ok: false, reason: `${version.text} is too old: the add-on and WebDriver BiDi's webExtension.install need Firefox ${FIREFOX_MIN_MAJOR}+` };
  return { ok: true, reason: version.text };
}

/** A minimal WebDriver BiDi client: commands, events, and script evaluation by value. */
export class Bidi {
  #ws;
  #nextId = 0;
  #pending = new Map();
  #listeners = new Set();

  constructor(ws) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      const pending = message.id !== undefined ? this.#pending.get(message.id) : undefined;
      if (pending) {
        this.#pending.delete(message.id);
        if (message.type === 'error') pending.reject(new Error(`${pending.method}: ${message.error}: ${message.message}`));
        else pending.resolve(message.result);
      } else if (message.type === 'event') {
        for (const listener of this.#listeners) listener(message);
      }
    });
    ws.on('close', () => {
      for (const { reject, method } of this.#pending.values()) reject(new Error(`${method}: the BiDi connection closed`));
      this.#pending.clear();
    });
  }

  static async connect(url) {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Bidi(ws);
  }

  send(method, params = {}) {
    return new Promise((resolve, reject) => {
      const id = ++this.#nextId;
      this.#pending.set(id, { resolve, reject, method });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Calls listener(event) for every BiDi event; returns the unsubscribe function. */
  onEvent(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Evaluates an expression (awaiting a promise) in a browsing context and returns its value. Results
   * cross as BiDi remote values: return primitives or JSON strings.
   */
  async evaluate(context, expression) {
    const reply = await this.send('script.evaluate', { expression, target: { context }, awaitPromise: true, resultOwnership: 'none' });
    if (reply.type !== 'success') throw new Error(`script error in ${context}: ${reply.exceptionDetails?.text ?? JSON.stringify(reply.exceptionDetails)}`);
    return deserialize(reply.result);
  }

  close() {
    this.#ws.close();
  }
}

/** BiDi remote value → JS value (primitives, arrays and plain objects). */
function deserialize(value) {
  switch (value.type) {
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    case 'string':
    case 'boolean':
      return value.value;
    case 'number':
      return typeof value.value === 'string' ? Number(value.value) : value.value;
    case 'array':
      return (value.value ?? []).map(deserialize);
    case 'object':
      return Object.fromEntries((value.value ?? []).map(([k, v]) => [typeof k === 'string' ? k : deserialize(k), deserialize(v)]));
    default:
      return { type: value.type };
  }
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
 * Returns { bidi, extensionOrigin (moz-extension://<uuid>), addonId, version, close() }.
 */
export async function launchFirefoxWithExtension(extensionDir, { headless = true, binary = FIREFOX, timeoutMs = 30_000 } = {}) {
  if (!existsSync(binary)) throw new Error(`Firefox not found at ${binary} (apt-get install -y firefox-esr, or set FIREFOX_PATH)`);
  if (!existsSync(path.join(extensionDir, 'manifest.json'))) throw new Error(`${extensionDir} has no manifest.json: run npm run build`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-firefox-'));
  const extensionUuid = randomUUID();
  writeFileSync(path.join(profile, 'user.js'), userJs(extensionUuid));
  const args = ['--no-remote', '--profile', profile, '--remote-debugging-port=0', ...(headless ? ['--headless'] : []), 'about:blank'];
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
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
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
    const installed = await bidi.send('webExtension.install', { extensionData: { type: 'path', path: path.resolve(extensionDir) } });
    return {
      bidi,
      addonId: installed.extension,
      extensionOrigin: `moz-extension://${extensionUuid}`,
      version: `${session.capabilities.browserName} ${session.capabilities.browserVersion}`,
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
