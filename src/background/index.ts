// Service worker: context menu, message routing and the test seam. The work itself lives in Explainer.
import browser, { type Menus, type Runtime, type Tabs } from 'webextension-polyfill';
import { defaultModel, modelPath } from '../core/catalog';
import { BeginExplainReply, parseMessage, type ExplanationResult, type ExplanationSuccess, type ImageSource, type Message, type Status } from '../core/messages';
import { BACKEND_PREFERENCE, configureWasm, type BackendName } from './backend';
import { errorMessage, Explainer } from './explainer';
import { ModelHost } from './modelHost';

export const MENU_EXPLAIN_IMAGE = 'explain-image';

configureWasm(browser.runtime.getURL('wasm/'));
const entry = defaultModel();
const host = new ModelHost(entry, browser.runtime.getURL(modelPath(entry.id)));
const explainer = new Explainer(host);

/** Where the last explanation is shown, so the seam's explainClass can update it. */
let lastShown: { tabId: number; frameId: number; overlayId: string; explanationId: string; source: ImageSource } | null = null;
let lastTimingsMs: Record<string, number> | null = null;
let lastResult: ExplanationResult | null = null;

browser.runtime.onInstalled.addListener(() => {
  browser.contextMenus.create({ id: MENU_EXPLAIN_IMAGE, title: 'Explain this image', contexts: ['image'] });
});

/** The handler registered with contextMenus.onClicked; resolves to the explanation it showed. */
async function onMenuClick(info: Menus.OnClickData, tab?: Tabs.Tab): Promise<ExplanationResult> {
  if (info.menuItemId !== MENU_EXPLAIN_IMAGE) return { ok: false, error: `unknown menu item ${String(info.menuItemId)}` };
  if (tab?.id === undefined || tab.id < 0) return { ok: false, error: 'no tab to explain the image in' };
  const tabId = tab.id;
  const frameId = info.frameId ?? 0;
  const begin = await beginInPage(tabId, frameId, info.srcUrl);
  if (!begin.ok) return { ok: false, error: begin.error };
  const result = await explainer.explain(begin.source);
  await show(tabId, frameId, begin.overlayId, begin.source, result);
  return result;
}

/** Asks the content script in the clicked frame to open an overlay and say where the pixels are. */
async function beginInPage(tabId: number, frameId: number, srcUrl: string | undefined): Promise<BeginExplainReply> {
  const message: Message = { type: 'begin-explain', srcUrl };
  let raw: unknown;
  try {
    raw = await browser.tabs.sendMessage(tabId, message, { frameId });
  } catch {
    // No content script yet (the page was open before the extension was installed): inject it and retry.
    try {
      await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, files: ['content.js'] });
      raw = await browser.tabs.sendMessage(tabId, message, { frameId });
    } catch (e) {
      return { ok: false, error: `cannot run on this page (${errorMessage(e)})` };
    }
  }
  const reply = BeginExplainReply.safeParse(raw);
  return reply.success ? reply.data : { ok: false, error: 'the page did not answer' };
}

async function show(tabId: number, frameId: number, overlayId: string, source: ImageSource, result: ExplanationResult): Promise<void> {
  if (result.ok) {
    lastShown = { tabId, frameId, overlayId, explanationId: result.explanationId, source };
    record(result);
  }
  const message: Message = { type: 'show-result', overlayId, result };
  // The tab may have navigated away or closed meanwhile; nothing is left to update then.
  await browser.tabs.sendMessage(tabId, message, { frameId }).catch(() => undefined);
}

function record(result: ExplanationSuccess): void {
  lastResult = result;
  const timings = result.timingsMs;
  lastTimingsMs = timings;
  void browser.storage.session?.set({ lastTimingsMs: timings }).catch(() => undefined);
}

/** Re-explains the last shown image for another class and updates its overlay. */
async function explainClass(classIndex: number, explanationId?: string): Promise<ExplanationResult> {
  if (!lastShown) return { ok: false, error: 'nothing has been explained yet' };
  const { tabId, frameId, overlayId, source } = lastShown;
  const result = await explainer.explainClass(explanationId ?? lastShown.explanationId, classIndex, source);
  await show(tabId, frameId, overlayId, source, result);
  return result;
}

async function status(): Promise<Status> {
  const hosted = host.current;
  // The worker may have restarted since the last explanation; its timings survive in session storage.
  const session = (await browser.storage.session?.get('lastTimingsMs').catch(() => undefined)) as { lastTimingsMs?: Record<string, number> } | undefined;
  const stored = lastTimingsMs ?? session?.lastTimingsMs ?? null;
  return {
    modelId: entry.id,
    modelName: entry.displayName,
    modelLoaded: hosted !== null,
    backend: hosted?.backend.backend ?? null,
    backendNote: hosted?.backend.note ?? null,
    renderer: hosted?.backend.renderer ?? null,
    lastTimingsMs: stored,
  };
}

/** Only our own content scripts and pages may talk to the worker. */
function fromOurExtension(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id;
}

browser.contextMenus.onClicked.addListener((info, tab) => {
  void onMenuClick(info, tab);
});

browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
  if (!fromOurExtension(sender)) return undefined;
  const message = parseMessage(raw);
  if (!message) return undefined;
  switch (message.type) {
    case 'explain-class': {
      const tabId = sender.tab?.id;
      if (tabId === undefined) return undefined;
      return explainer.explainClass(message.explanationId, message.classIndex, message.source).then((result) => {
        if (result.ok) {
          lastShown = { tabId, frameId: sender.frameId ?? 0, overlayId: message.overlayId, explanationId: result.explanationId, source: message.source };
          record(result);
        }
        return result;
      });
    }
    case 'get-status':
      return status();
    default:
      return undefined;
  }
});

/** Runs the model on one backend only (benchmarks, and users whose WebGL misbehaves); 'auto' restores the default order. */
async function useBackend(name: BackendName | 'auto'): Promise<void> {
  await explainer.reset();
  await host.setPreference(name === 'auto' ? BACKEND_PREFERENCE : [name]);
}

/** Test and automation seam: the very functions the browser calls. */
(globalThis as Record<string, unknown>).camLens = { onMenuClick, explainClass, status, useBackend, lastResult: () => lastResult };
