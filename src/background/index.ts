// Service worker: context menu, message routing and the test seam. The work itself lives in Explainer;
// the models it knows, in Models.
import * as tf from '@tensorflow/tfjs';
import browser, { type Menus, type Runtime, type Tabs } from 'webextension-polyfill';
import {
  BeginExplainReply, ImageSource as ImageSourceSchema, parseMessage, type ExportReply, type PixelSource, type ExplanationResult, type ExplanationSuccess, type ImageSource, type Message, type Status,
} from '../core/messages';
import type { MethodChoice } from '../core/methods';
import { loadSettings, onSettingsChanged } from '../core/settingsStore';
import { describeMeasurements, type BackendName } from '../core/backendChoice';
import { configureWasm, startBackend } from './backend';
import { t } from '../core/i18nBrowser';
import { LruMap } from '../core/lru';
import { dataUrlOf } from '../core/bytes';
import { captureVisiblePart, type Captured } from './capture';
import { composeExport, type ExportLook } from './exporter';
import { errorMessage, Explainer, type ExplainRequest } from './explainer';
import { ModelHost } from './modelHost';
import { BackendChooser } from './backendChooser';
import { ExplainAllTracker, type ExplainAllOutcome } from './explainAllTracker';
import { catalog } from '../core/catalog';
import { ModelInstaller } from './modelInstaller';
import { modelStore } from './modelStore';
import { Models } from './models';
import { MapChecker, type CheckOptions, type CheckTarget } from './metrics/checker';
import type { CheckKind } from '../core/metrics/results';
import type { TeachMenuOutcome } from './teach/routes';
import { createTeach, isTeachMessage } from './teach/setup';

export const MENU_EXPLAIN_IMAGE = 'explain-image';
export const MENU_EXPLAIN_ALL = 'explain-all';
/** For pictures Chrome does not call images: canvases and CSS backgrounds (the content script finds them). */
export const MENU_EXPLAIN_HERE = 'explain-here';

configureWasm(browser.runtime.getURL('wasm/'));
const backends = new BackendChooser();
const host = new ModelHost((path) => browser.runtime.getURL(path), () => backends.order(), (id) => modelStore.get(id));
/** Installs the user's own models; the only code that downloads models, and only when the user asks. */
const models = new Models(host);
const installer = new ModelInstaller({
  fetch: (url, init) => fetch(url, init),
  t,
  records: browser.storage.local,
  store: modelStore,
  ready: async () => void (await startBackend(await backends.order())),
  replaced: (oldId, newId) => models.replaced(oldId, newId),
  reservedNames: catalog.models.map((m) => m.displayName),
});
const explainer = new Explainer(host);
const explainAll = new ExplainAllTracker(errorMessage);
/** "Check this map" and "Sanity check": figures for the map each overlay shows. */
const checks = new MapChecker(explainer, (_, shown) => reexplainForCheck(shown.result, shown.source));
const teach = createTeach({ host, explainer, installer, models });

onSettingsChanged(browser.storage, (settings, previous) => {
  if (settings.backend !== previous.backend) void switchBackend();
});

async function switchBackend(): Promise<void> {
  await explainer.reset();
  host.backendChanged();
}

/** Where an explanation is shown: the frame and overlay that get its result and progress. */
interface Shown {
  tabId: number;
  frameId: number;
  overlayId: string;
}

/** The last shown explanation, so the seam's explainClass can update it. */
let lastShown: (Shown & { explanationId: string; source: ImageSource; method: ExplanationSuccess['method'] }) | null = null;
let lastResult: ExplanationResult | null = null;
/** Running on-demand explanations, by overlay, so the overlay's Cancel button can stop them. */
const running = new Map<string, AbortController>();

browser.runtime.onInstalled.addListener(() => {
  browser.contextMenus.create({ id: MENU_EXPLAIN_IMAGE, title: t('menuExplainImage'), contexts: ['image', 'video'] });
  browser.contextMenus.create({ id: MENU_EXPLAIN_HERE, title: t('menuExplainHere'), contexts: ['page', 'frame'] });
  browser.contextMenus.create({ id: MENU_EXPLAIN_ALL, title: t('menuExplainAll'), contexts: ['page'] });
  void teach.rebuildMenus(true);
});

/** Optional overrides of the user's settings (the seam's third argument). */
export interface ExplainOverrides {
  method?: MethodChoice;
  classIndex?: number;
  layer?: string;
  box?: boolean;
  scoreCamChannels?: number | 'all';
  /** Skip the recent-results cache (benchmarks). */
  fresh?: boolean;
  /** Also check the map (deletion/insertion) and/or run the sanity check; the result carries the figures. */
  check?: boolean | CheckOptions;
  sanity?: boolean;
}

async function requestFor(shown: Shown, overrides: ExplainOverrides): Promise<ExplainRequest> {
  const settings = await loadSettings(browser.storage.sync);
  const key = overlayKey(shown);
  running.get(key)?.abort();
  const controller = new AbortController();
  running.set(key, controller);
  const entry = await models.active(settings);
  return {
    entry,
    method: overrides.method ?? settings.method,
    classIndex: overrides.classIndex,
    layer: overrides.layer ?? settings.layers[entry.id],
    box: overrides.box ?? settings.showBox,
    topK: settings.topK,
    methodOptions: overrides.scoreCamChannels !== undefined ? { scoreCamChannels: overrides.scoreCamChannels } : undefined,
    fresh: overrides.fresh,
    signal: controller.signal,
    progress: (done, total) => void send(shown, { type: 'progress', overlayId: shown.overlayId, done, total }),
  };
}

const overlayKey = (s: Shown) => `${s.tabId}:${s.frameId}:${s.overlayId}`;

/**
 * The handler registered with contextMenus.onClicked: resolves to the explanation it showed, or for
 * "explain all", to the run's final progress.
 */
async function onMenuClick(info: Menus.OnClickData, tab?: Tabs.Tab, overrides: ExplainOverrides = {}): Promise<ExplanationResult | ExplainAllOutcome | TeachMenuOutcome> {
  if (tab?.id === undefined || tab.id < 0) return { ok: false, error: t('errNoTab') };
  if (info.menuItemId === MENU_EXPLAIN_ALL) return explainAll.run(tab.id);
  const taught = teach.onMenuClick(info, tab);
  if (taught) return taught;
  if (info.menuItemId !== MENU_EXPLAIN_IMAGE && info.menuItemId !== MENU_EXPLAIN_HERE) return { ok: false, error: `unknown menu item ${String(info.menuItemId)}` };
  const frameId = info.frameId ?? 0;
  const begin = await beginInPage(tab.id, frameId, info.srcUrl);
  if (!begin.ok) return { ok: false, error: begin.error };
  const shown = { tabId: tab.id, frameId, overlayId: begin.overlayId };
  const request = await requestFor(shown, overrides);
  const result = await explainFrom(shown, begin.source, request);
  await show(shown, begin.source, result);
  if (result.ok && overrides.check) await checkShown(shown, 'faithfulness', overrides.check === true ? {} : overrides.check);
  if (result.ok && overrides.sanity) await checkShown(shown, 'sanity');
  return (result.ok && checks.result(overlayKey(shown))) || result;
}

/** Runs a check on what an overlay shows, reporting progress to it; `announce`: also show the outcome there (seam). */
async function checkShown(shown: Shown, kind: CheckKind, options: CheckOptions = {}, target: CheckTarget | null = null, announce = true) {
  const positiveOnly = options.positiveOnly ?? (await loadSettings(browser.storage.sync)).hideNegative;
  const reply = await checks.run(overlayKey(shown), kind, target, { ...options, positiveOnly }, (done, total) =>
    void send(shown, { type: 'check-progress', overlayId: shown.overlayId, kind, done, total }),
  );
  if (announce) await send(shown, { type: 'check-result', overlayId: shown.overlayId, kind, reply });
  return reply;
}

/** The shown map's model input was evicted: the same explanation again (same model, method, class). */
async function reexplainForCheck(result: ExplanationSuccess, source: ImageSource): Promise<ExplanationResult> {
  const settings = await loadSettings(browser.storage.sync);
  const entry = await models.active(settings);
  const captured = source.kind === 'screenshot' ? captures.get(result.explanationId) : undefined;
  if (entry.id !== result.modelId || (source.kind === 'screenshot' && !captured)) return { ok: false, error: t('errCheckImageChanged') };
  const pixels: PixelSource = captured ? { kind: 'dataUrl', dataUrl: captured.dataUrl, originalUrl: 'screenshot' } : (source as PixelSource);
  return explainer.explainAgain(result.explanationId, pixels, { entry, method: result.method, classIndex: result.target.index, layer: settings.layers[entry.id], topK: settings.topK });
}

/** Screenshots kept per explanation, so switching class does not capture (and flicker) again. */
const captures = new LruMap<string, Captured>(8);

/**
 * Explains (or, with `again`, re-explains) what an overlay shows. Pixels the worker cannot fetch
 * (HTTP 401/403: images only the page may load) and pixels the page cannot read come from a
 * screenshot of the picture's visible part.
 */
async function explainFrom(shown: Shown, source: ImageSource, request: ExplainRequest, again?: string): Promise<ExplanationResult> {
  const run = (pixels: PixelSource, req: ExplainRequest) => (again ? explainer.explainAgain(again, pixels, req) : explainer.explain(pixels, req));
  if (source.kind !== 'screenshot') {
    const result = await run(source, request);
    if (result.ok || !result.fallback) return result;
    // The worker could not read these pixels; the page can draw the element, or it is on screen.
    const fallbackSource: ImageSource | null =
      result.fallback === 'screenshot' || source.kind !== 'url' ? { kind: 'screenshot' } : await pagePixels(shown);
    const sameUrl = fallbackSource?.kind === 'url' && source.kind === 'url' && fallbackSource.url === source.url;
    if (!fallbackSource || sameUrl) return result;
    const fallback = await explainFrom(shown, fallbackSource, request, again);
    return fallback.ok ? fallback : result;
  }
  const captured = (again && captures.get(again)) || (await captureVisiblePart(shown));
  if (!captured.ok) return captured;
  const result = await run({ kind: 'dataUrl', dataUrl: captured.dataUrl, originalUrl: 'screenshot' }, { ...request, capturedRegion: captured.region });
  if (result.ok) captures.set(result.explanationId, captured);
  return result;
}

/** Save / Copy: composes the explanation over the image; screenshots reuse the captured pixels. */
async function exportExplanation(source: ImageSource, result: ExplanationSuccess, look: ExportLook): Promise<ExportReply> {
  try {
    let pixels: PixelSource;
    if (source.kind === 'screenshot') {
      const captured = captures.get(result.explanationId);
      if (!captured) return { ok: false, error: t('errScreenshotGone') };
      pixels = { kind: 'dataUrl', dataUrl: captured.dataUrl, originalUrl: 'screenshot' };
    } else {
      pixels = source;
    }
    const png = await composeExport(pixels, result, look);
    return { ok: true, dataUrl: await dataUrlOf(png) };
  } catch (e) {
    return { ok: false, error: t('errExport', errorMessage(e)) };
  }
}

/** The element's pixels as the page draws them (a data URL, or a screenshot when the page may not read them). */
async function pagePixels(shown: Shown): Promise<ImageSource | null> {
  const message: Message = { type: 'page-pixels', overlayId: shown.overlayId };
  const reply = ImageSourceSchema.safeParse(await send(shown, message));
  return reply.success ? reply.data : null;
}

/** Asks the content script in the clicked frame to open an overlay and say where the pixels are. */
async function beginInPage(tabId: number, frameId: number, srcUrl: string | undefined, from: 'click' | 'pointer' = 'click'): Promise<BeginExplainReply> {
  const message: Message = { type: 'begin-explain', srcUrl, from };
  let raw: unknown;
  try {
    raw = await browser.tabs.sendMessage(tabId, message, { frameId });
  } catch {
    // No content script yet (the page was open before the extension was installed): inject it and retry.
    try {
      await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, files: ['content.js'] });
      raw = await browser.tabs.sendMessage(tabId, message, { frameId });
    } catch (e) {
      return { ok: false, error: t('errCannotRunHere', errorMessage(e)) };
    }
  }
  const reply = BeginExplainReply.safeParse(raw);
  return reply.success ? reply.data : { ok: false, error: t('errPageNoAnswer') };
}

function send(shown: Shown, message: Message): Promise<unknown> {
  // The tab may have navigated away or closed meanwhile; nothing is left to update then.
  return browser.tabs.sendMessage(shown.tabId, message, { frameId: shown.frameId }).catch(() => undefined);
}

async function show(shown: Shown, source: ImageSource, result: ExplanationResult): Promise<void> {
  finished(shown, result, source);
  await send(shown, { type: 'show-result', overlayId: shown.overlayId, result });
}

function finished(shown: Shown, result: ExplanationResult, source: ImageSource): void {
  running.delete(overlayKey(shown));
  checks.remember(overlayKey(shown), result, source);
  lastResult = result;
  if (!result.ok) return;
  lastShown = { ...shown, explanationId: result.explanationId, source, method: result.method };
  void browser.storage.session?.set({ lastTimingsMs: result.timingsMs }).catch(() => undefined);
}

/** Re-explains the last shown image for another class (and optionally another method) and updates its overlay. */
async function explainClass(classIndex: number, explanationId?: string, method?: MethodChoice): Promise<ExplanationResult> {
  if (!lastShown) return { ok: false, error: 'nothing has been explained yet' };
  const { source } = lastShown;
  const shown: Shown = { tabId: lastShown.tabId, frameId: lastShown.frameId, overlayId: lastShown.overlayId };
  const request = await requestFor(shown, { classIndex, method: method ?? lastShown.method });
  const result = await explainFrom(shown, source, request, explanationId ?? lastShown.explanationId);
  await show(shown, source, result);
  return result;
}

async function status(load = false, tabId?: number): Promise<Status> {
  const settings = await loadSettings(browser.storage.sync);
  const entry = await models.active(settings);
  if (load) await host.get(entry, settings.layers[entry.id]).catch(() => undefined);
  const hosted = host.current?.model.entry.id === entry.id ? host.current : null;
  // The worker may have restarted since the last explanation; its timings survive in session storage.
  const session = (await browser.storage.session?.get('lastTimingsMs').catch(() => undefined)) as { lastTimingsMs?: Record<string, number> } | undefined;
  const decision = await backends.stored();
  return {
    modelId: entry.id,
    modelName: entry.displayName,
    modelLoaded: hosted !== null,
    modelLoadMs: hosted?.loadMs ?? null,
    modelWarmupMs: hosted?.warmupMs ?? null,
    models: await models.statuses(),
    backend: hosted?.backend.backend ?? null,
    backendSetting: backends.override ?? settings.backend,
    backendMeasurements: decision ? describeMeasurements(decision.measurements, t) : null,
    backendNote: hosted?.backend.note ?? null,
    renderer: hosted?.backend.renderer ?? null,
    lastTimingsMs: (lastResult?.ok ? lastResult.timingsMs : null) ?? session?.lastTimingsMs ?? null,
    explainAll: tabId === undefined ? undefined : explainAll.get(tabId),
  };
}

/** Runs the model on exactly one backend (benchmarks); 'auto' returns to the user's setting. */
async function useBackend(name: BackendName | 'auto'): Promise<void> {
  backends.override = name === 'auto' ? null : name;
  await switchBackend();
}

/** Only our own content scripts and pages may talk to the worker. */
function fromOurExtension(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id;
}

/** The popup (an extension page), not a content script in a web page. */
function fromExtensionPage(sender: Runtime.MessageSender): boolean {
  return sender.tab === undefined || (sender.url ?? '').startsWith(browser.runtime.getURL(''));
}

browser.contextMenus.onClicked.addListener((info, tab) => {
  void onMenuClick(info, tab);
});

/** The keyboard shortcut (Alt+Shift+E by default; changeable on the browser's shortcuts page). */
browser.commands?.onCommand.addListener((command, tab) => {
  if (command === 'explain-under-pointer' && tab) void explainUnderPointer(tab);
});

async function explainUnderPointer(tab: Tabs.Tab): Promise<ExplanationResult> {
  if (tab.id === undefined) return { ok: false, error: t('errNoTab') };
  const begin = await beginInPage(tab.id, 0, undefined, 'pointer');
  if (!begin.ok) return { ok: false, error: begin.error };
  const shown = { tabId: tab.id, frameId: 0, overlayId: begin.overlayId };
  const result = await explainFrom(shown, begin.source, await requestFor(shown, {}));
  await show(shown, begin.source, result);
  return result;
}

browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
  if (!fromOurExtension(sender)) return undefined;
  const message = parseMessage(raw);
  if (!message) return undefined;
  // Teach's messages come from the Teach page only.
  if (isTeachMessage(message)) return fromExtensionPage(sender) ? teach.handle(message) : undefined;
  switch (message.type) {
    case 'explain-class': {
      const tabId = sender.tab?.id;
      if (tabId === undefined) return undefined;
      const shown: Shown = { tabId, frameId: sender.frameId ?? 0, overlayId: message.overlayId };
      return requestFor(shown, { classIndex: message.classIndex, method: message.method }).then(async (request) => {
        const result = await explainFrom(shown, message.source, request, message.explanationId);
        finished(shown, result, message.source);
        return result;
      });
    }
    case 'class-labels':
      return models.labels(message.modelId);
    case 'explain': {
      const tabId = sender.tab?.id;
      if (tabId === undefined) return undefined;
      const shown: Shown = { tabId, frameId: sender.frameId ?? 0, overlayId: message.overlayId };
      return requestFor(shown, {}).then(async (request) => {
        const result = await explainFrom(shown, message.source, request);
        finished(shown, result, message.source);
        return result;
      });
    }
    case 'ping': {
      const tabId = sender.tab?.id;
      const key = tabId === undefined ? '' : overlayKey({ tabId, frameId: sender.frameId ?? 0, overlayId: message.overlayId });
      return Promise.resolve({ running: running.has(key) });
    }
    case 'explain-all-progress': {
      const tabId = sender.tab?.id;
      // Only the top frame's run is tracked; frames report separately and would overwrite each other.
      if (tabId !== undefined && (sender.frameId ?? 0) === 0) explainAll.record(tabId, message.progress);
      return undefined;
    }
    case 'start-explain-all':
      return explainAll.start(message.tabId);
    case 'cancel-explain-all': {
      const cancel: Message = { type: 'cancel-all' };
      return browser.tabs.sendMessage(message.tabId, cancel).catch(() => undefined);
    }
    case 'export':
      return exportExplanation(message.source, message.result, message.look);
    case 'check-map':
    case 'sanity-check': {
      const tabId = sender.tab?.id;
      if (tabId === undefined) return undefined;
      const shown: Shown = { tabId, frameId: sender.frameId ?? 0, overlayId: message.overlayId };
      const kind = message.type === 'check-map' ? 'faithfulness' : 'sanity';
      const options = message.type === 'check-map' ? { positiveOnly: message.positiveOnly } : {};
      return checkShown(shown, kind, options, { explanationId: message.explanationId, classIndex: message.classIndex, method: message.method }, false);
    }
    case 'cancel-check': {
      const tabId = sender.tab?.id;
      if (tabId !== undefined) checks.cancel(overlayKey({ tabId, frameId: sender.frameId ?? 0, overlayId: message.overlayId }));
      return undefined;
    }
    case 'cancel': {
      const tabId = sender.tab?.id;
      if (tabId !== undefined) running.get(overlayKey({ tabId, frameId: sender.frameId ?? 0, overlayId: message.overlayId }))?.abort();
      return undefined;
    }
    case 'get-status':
      return status(message.load, message.tabId);
    case 'list-layers':
      return models.layers();
    // Installing and managing models: only the extension's own pages (the popup) may ask, never a content script.
    case 'install-model':
      if (!fromExtensionPage(sender)) return undefined;
      return installer.install(message.source, message.form).then((outcome) =>
        outcome.ok ? { ok: true, modelId: outcome.model.id, name: outcome.model.displayName, ...(outcome.note ? { note: outcome.note } : {}) } : outcome,
      );
    case 'describe-download':
      if (!fromExtensionPage(sender)) return undefined;
      return installer.describeDownload(message.id);
    case 'install-progress':
      if (!fromExtensionPage(sender)) return undefined;
      return Promise.resolve(installer.progress);
    case 'cancel-install':
      if (fromExtensionPage(sender)) installer.cancel();
      return undefined;
    case 'delete-model':
      if (!fromExtensionPage(sender)) return undefined;
      return models.delete(message.id);
    default:
      return undefined;
  }
});

/** Checks the last shown explanation (seam): deletion/insertion, or the sanity check; the overlay shows the outcome too. */
function checkLast(kind: CheckKind, options: CheckOptions = {}) {
  if (!lastShown) return Promise.resolve({ ok: false as const, error: t('errCheckNothingShown') });
  const { tabId, frameId, overlayId } = lastShown;
  return checkShown({ tabId, frameId, overlayId }, kind, options);
}

/** Test and automation seam: the very functions the browser calls. */
/** Tensors and bytes held by TensorFlow.js (benchmarks watch it for growth). */
const memory = () => tf.memory();

(globalThis as Record<string, unknown>).camLens = { installModel: (source: unknown, form: unknown = {}) => installer.install(source as never, form as never),
  deleteModel: (id: string) => models.delete(id), onMenuClick, explainUnderPointer, explainClass,
  explainAll: (tabId: number) => explainAll.run(tabId), status,
  checkMap: (options?: CheckOptions) => checkLast('faithfulness', options), sanityCheck: (options?: CheckOptions) => checkLast('sanity', options), listLayers: () => models.layers(), useBackend, memory, lastResult: () => lastResult,
  /** Teach's classes, examples and training (benchmarks). */
  teach: teach.service,
  /** The screenshot crop an explanation was computed from (PNG data URL), for checking where it was taken. */
  capturedPixels: (explanationId: string) => captures.get(explanationId)?.dataUrl ?? null };
