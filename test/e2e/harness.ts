// Shared set-up for end-to-end tests: servers, Chromium with the built extension, and helpers that
// drive an explanation exactly as a user does (real right-click, then the menu's own handler).
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { PNG } from 'pngjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchWithExtension } from '../../scripts/browser.mjs';
import { startServers } from '../../scripts/servers.mjs';
import type { ExplanationResult } from '../../src/core/messages';

export const ROOT = path.resolve(__dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

export interface Harness {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  page: Page;
  pageOrigin: string;
  imageOrigin: string;
  /** Requests that reached the image origin's /victim/ routes: path and whether the session cookie came along. */
  victimLog: { path: string; cookie: boolean }[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Passed to startServers (e.g. modelsDir for the model fixtures). */
  servers?: Record<string, unknown>;
  /** More Chromium switches. */
  extraArgs?: string[];
  /** How the extension is loaded into Chromium (scripts/browser.mjs); 'auto' unless a test checks one route. */
  route?: 'auto' | 'switch' | 'devtools';
  /** Tabs behind another are really hidden (no focus emulation): for tests of what a background tab does. */
  realVisibility?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const servers = await startServers(options.servers);
  const browser = await launchWithExtension(path.join(ROOT, 'dist'), { extraArgs: options.extraArgs, realVisibility: options.realVisibility, ...(options.route ? { route: options.route } : {}) });
  const page = await browser.context.newPage();
  await page.goto(`${servers.pageOrigin}/`);
  await page.waitForLoadState('load');
  return {
    ...browser,
    page,
    pageOrigin: servers.pageOrigin,
    imageOrigin: servers.imageOrigin,
    victimLog: servers.victimLog,
    async close() {
      await browser.close();
      await servers.close();
    },
  };
}

/**
 * One browser for a test file: started before its tests (then `setUp`), its overlays closed after
 * each test (also after a failed one), closed after the last. The harness it returns stands for the
 * one started then.
 */
export function useHarness(options: HarnessOptions = {}, setUp?: (h: Harness) => Promise<void>): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(options);
    await setUp?.(started);
  });
  afterEach(async () => {
    if (started) await closeOverlays(started).catch(() => undefined);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): Harness => {
    if (!started) throw new Error('the harness starts in beforeAll');
    return started;
  };
  return new Proxy({} as Harness, {
    get: (_, key) => Reflect.get(current(), key),
    // nextWorker() replaces the worker after a stop: the started harness must see it.
    set: (_, key, value) => Reflect.set(current(), key, value),
  });
}

/** Optional overrides passed to the seam (method, class, layer, box, Score-CAM channels). */
export type Overrides = Record<string, unknown>;

/** A real right-click on the element (the contextmenu event the content script records); returns the picture's URL. */
async function rightClick(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector);
  await element.scrollIntoViewIfNeeded();
  await element.click({ button: 'right' });
  return element.evaluate((img: HTMLImageElement) => img.currentSrc || img.src);
}

/** Right-clicks the element (a real contextmenu event) and runs the context menu's handler for it. */
export async function explain(h: Harness, selector: string, overrides: Overrides = {}): Promise<ExplanationResult> {
  const srcUrl = await rightClick(h.page, selector);
  return h.worker.evaluate(
    async ({ pageUrl, srcUrl, overrides }) => {
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      const seam = (globalThis as any).camLens;
      return seam.onMenuClick({ menuItemId: 'explain-image', srcUrl, frameId: 0, pageUrl, editable: false }, tab, overrides);
    },
    { pageUrl: h.page.url(), srcUrl, overrides },
  );
}

/** Like explain(), but leaves the explanation running in the worker; pendingExplanation() waits for it. */
export async function startExplanation(h: Harness, selector: string, overrides: Overrides = {}, page: Page = h.page): Promise<void> {
  const srcUrl = await rightClick(page, selector);
  await h.worker.evaluate(
    async ({ pageUrl, srcUrl, overrides }) => {
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      (globalThis as any).pendingExplanation = (globalThis as any).camLens.onMenuClick({ menuItemId: 'explain-image', srcUrl, frameId: 0, pageUrl, editable: false }, tab, overrides);
    },
    { pageUrl: page.url(), srcUrl, overrides },
  );
}

/** The result of the explanation startExplanation() left running. */
export function pendingExplanation(h: Harness): Promise<ExplanationResult> {
  return h.worker.evaluate(() => (globalThis as any).pendingExplanation as Promise<ExplanationResult>);
}

/** Writes extension settings as the popup does (chrome.storage.sync 'settings'). */
export async function setSettings(h: Harness, patch: Record<string, unknown>): Promise<void> {
  await h.worker.evaluate(async (patch) => {
    const { settings } = await chrome.storage.sync.get('settings');
    await chrome.storage.sync.set({ settings: { ...(settings ?? {}), ...patch } });
  }, patch);
}

export interface OverlaySeen {
  /** 'loading', 'done' or 'error'. */
  state: string;
  /** The panel's words (generated content: the page cannot read them). */
  text: string;
}

/**
 * The overlays of the page's top document as the user sees them, read through the DevTools protocol:
 * their state and words live in closed shadow roots, where neither the page nor Playwright's
 * selectors reach.
 */
export async function overlaysOf(h: Harness, page: Page = h.page): Promise<OverlaySeen[]> {
  const cdp = await h.context.newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    type Node = { nodeName: string; attributes?: string[]; children?: Node[]; shadowRoots?: Node[] };
    const attr = (node: Node, name: string) => {
      const a = node.attributes ?? [];
      for (let i = 0; i < a.length; i += 2) if (a[i] === name) return a[i + 1];
      return undefined;
    };
    const inside = (node: Node): Node[] => [...(node.shadowRoots ?? []), ...(node.children ?? [])];
    const all = (node: Node): Node[] => [node, ...inside(node).flatMap(all)];
    const found: OverlaySeen[] = [];
    // Iframes' documents are not children here (no contentDocument walk): the top document only.
    const visit = (node: Node) => {
      if (attr(node, 'data-cam-lens') !== undefined) {
        const parts = inside(node).flatMap(all);
        const frame = parts.find((n) => /(^| )frame( |$)/.test(attr(n, 'class') ?? ''));
        const text = parts.map((n) => attr(n, 'data-text') ?? '').filter(Boolean).join(' ');
        found.push({ state: (frame && attr(frame, 'data-state')) ?? '', text });
      }
      for (const child of inside(node)) visit(child);
    };
    visit(root as Node);
    return found;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

export async function overlayState(h: Harness, page: Page = h.page): Promise<string[]> {
  return (await overlaysOf(h, page)).map((o) => o.state);
}

/** Waits until the top document's overlays are in these states (in any order), e.g. ['done']. */
export async function waitForOverlays(h: Harness, states: string[], { timeout = 20_000, page = h.page }: { timeout?: number; page?: Page } = {}): Promise<void> {
  await expect.poll(async () => (await overlayState(h, page)).sort(), { timeout, interval: 100 }).toEqual([...states].sort());
}

/** Waits until some overlay of the top document is in this state. */
export async function waitForOverlayIn(h: Harness, state: string, { timeout = 20_000, page = h.page }: { timeout?: number; page?: Page } = {}): Promise<void> {
  await expect.poll(async () => (await overlayState(h, page)).includes(state), { timeout, interval: 100 }).toBe(true);
}

export interface Rect { x: number; y: number; width: number; height: number }

/** The element's content box in viewport coordinates, from the browser's own layout. */
export function contentBoxOf(h: Harness, selector: string): Promise<Rect> {
  return h.page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    const n = (v: string) => parseFloat(v) || 0;
    const left = n(cs.borderLeftWidth) + n(cs.paddingLeft);
    const top = n(cs.borderTopWidth) + n(cs.paddingTop);
    const right = n(cs.borderRightWidth) + n(cs.paddingRight);
    const bottom = n(cs.borderBottomWidth) + n(cs.paddingBottom);
    return { x: r.left + left, y: r.top + top, width: r.width - left - right, height: r.height - top - bottom };
  });
}

export function overlayRect(h: Harness): Promise<Rect> {
  return h.page.locator('[data-cam-lens]').first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  });
}

export async function closeOverlays(h: Harness): Promise<void> {
  if ((await h.page.locator('[data-cam-lens]').count()) === 0) return;
  await h.page.keyboard.press('Escape');
  await h.page.waitForFunction(() => document.querySelectorAll('[data-cam-lens]').length === 0);
}

/** Screenshot of a viewport rectangle as raw RGBA. */
export async function grab(h: Harness, rect: Rect): Promise<PNG> {
  const clip = { x: Math.round(rect.x), y: Math.round(rect.y), width: Math.round(rect.width), height: Math.round(rect.height) };
  return PNG.sync.read(await h.page.screenshot({ clip }));
}

/** Mean absolute RGB difference per pixel between two same-sized screenshots, over a sub-rectangle. */
export function meanDiff(a: PNG, b: PNG, region: Rect = { x: 0, y: 0, width: a.width, height: a.height }): number {
  let sum = 0;
  let count = 0;
  for (let y = Math.round(region.y); y < Math.round(region.y + region.height); y++) {
    for (let x = Math.round(region.x); x < Math.round(region.x + region.width); x++) {
      const i = (y * a.width + x) * 4;
      sum += Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]);
      count++;
    }
  }
  return count ? sum / count / 3 : 0;
}

/** Stops the extension's service worker the way Chrome does when it is idle, and waits until it has stopped. */
export async function stopWorker(h: Harness): Promise<void> {
  await h.worker.evaluate(() => ((globalThis as any).beforeStop = true));
  const cdp = await h.context.newCDPSession(h.page);
  await cdp.send('ServiceWorker.enable');
  const stopped = new Promise<void>((resolve) =>
    cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
      if (e.versions.some((v) => v.scriptURL.startsWith(`chrome-extension://${h.extensionId}/`) && v.runningStatus === 'stopped')) resolve();
    }),
  );
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;
  await cdp.detach();
}

/** Any extension event restarts the worker (Playwright's handle follows it); waits until the new instance runs. */
export async function nextWorker(h: Harness, wake: () => Promise<unknown>): Promise<Worker> {
  await wake();
  await expect
    .poll(() => h.context.serviceWorkers()[0]?.evaluate(() => typeof (globalThis as any).camLens + ((globalThis as any).beforeStop ? ' old' : '')).catch(() => 'none'), { timeout: 30_000 })
    .toBe('object');
  h.worker = h.context.serviceWorkers()[0];
  return h.worker;
}

/**
 * Clicks a control of the overlay (closed shadow root) by its accessible name, via the DevTools
 * protocol (a pattern: the first name it matches). The pointer goes to the control first and the click lands where the control is then:
 * a compact panel opens, and may be placed again, when the pointer reaches it.
 */
export async function clickByName(h: Harness, name: string | RegExp, page: Page = h.page): Promise<void> {
  const cdp = await h.context.newCDPSession(page);
  const centre = async () => {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { name?: { value?: string }; backendDOMNodeId?: number }[] };
    const node = nodes.find((n) => (typeof name === 'string' ? n.name?.value === name : name.test(n.name?.value ?? '')));
    if (!node?.backendDOMNodeId) throw new Error(`no control named ${name}`);
    const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: node.backendDOMNodeId })) as { model: { content: number[] } };
    const [x1, y1, , , x3, y3] = model.content;
    return { x: (x1 + x3) / 2, y: (y1 + y3) / 2 };
  };
  try {
    const first = await centre();
    await page.mouse.move(first.x, first.y);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const settled = await centre();
    await page.mouse.click(settled.x, settled.y);
  } finally {
    await cdp.detach();
  }
}

/** Evaluates `expression` in the top frame's content-script world (what a compromised renderer could run there), via DevTools. */
export async function inContentScript(h: Harness, expression: string): Promise<unknown> {
  const cdp = await h.context.newCDPSession(h.page);
  const contexts: { id: number; name: string; auxData?: { type?: string; frameId?: string } }[] = [];
  cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const { frameTree } = await cdp.send('Page.getFrameTree');
  const world = contexts.find((c) => c.auxData?.type === 'isolated' && c.auxData.frameId === frameTree.frame.id && c.name === 'CAM Lens');
  if (!world) throw new Error(`no content-script world among ${JSON.stringify(contexts)}`);
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', { expression, contextId: world.id, awaitPromise: true, returnByValue: true });
  await cdp.detach();
  if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  return result.value;
}
