// Service worker: context menu, message routing and the test seam. The explanations themselves
// live in Explanations (and Explainer); the models it knows, in Models. Messages from content scripts
// carry no authority: the tab and frame come from the browser (`sender`), pictures from what the
// worker holds for that overlay, and popup-only requests are refused from web pages.
import * as tf from '@tensorflow/tfjs';
import browser, { type Menus, type Runtime, type Tabs } from 'webextension-polyfill';
import { BeginExplainReply, parseMessage, type ExplanationResult, type Message, type Status } from '../core/messages';
import { loadSettings, onSettingsChanged } from '../core/settingsStore';
import { describeMeasurements, type BackendName } from '../core/backendChoice';
import { configureWasm, startBackend } from './backend';
import { t } from '../core/i18nBrowser';
import type { ShownIn } from '../core/fetchPolicy';
import { errorMessage, Explainer } from './explainer';
import { Explanations, type ExplainOverrides } from './explanations';
import { HeldOverlays, type Owner } from './heldOverlays';
import { ModelHost } from './modelHost';
import { BackendChooser } from './backendChooser';
import { ExplainAllTracker, type ExplainAllOutcome } from './explainAllTracker';
import { catalog } from '../core/catalog';
import { ModelInstaller } from './modelInstaller';
import { modelStore } from './modelStore';
import { Models } from './models';
import { decodeBudget } from './pixels';
import { Checks, type CheckOptions, type CheckOverrides } from './metrics/checks';
import { PageShortcuts } from './metrics/pageShortcuts';
import type { TeachMenuOutcome } from './teach/routes';
import { createTeach, isTeachMessage } from './teach/setup';
import { UI_BUNDLE } from '../content/handoff';
import { isLabMessage, LabRoutes } from './lab';

export type { ExplainOverrides };
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
const explanations = new Explanations(explainer, models, new HeldOverlays(browser.storage.session));
/** "Check this map" and "Sanity check": figures for the map each overlay shows. */
const checks = new Checks(explainer, explanations);
/** The page-level shortcut line after "Explain all". */
const pageShortcuts = new PageShortcuts();
explainAll.hooks = { started: (tabId) => pageShortcuts.begin(tabId), finished: (tabId) => void pageShortcuts.finished(tabId) };
explanations.hooks = {
  shown: (owner, result) => {
    checks.remember(owner, result);
    pageShortcuts.record(owner, result);
  },
  forExport: (owner, result) => {
    const checked = checks.result(owner);
    return checked?.explanationId === result.explanationId ? checked : result;
  },
};
const teach = createTeach({ host, explainer, installer, models });
const lab = new LabRoutes(explainer, models, host);

onSettingsChanged(browser.storage, (settings, previous) => {
  if (settings.backend !== previous.backend) void switchBackend();
});

async function switchBackend(): Promise<void> {
  await explainer.reset();
  host.backendChanged();
}

browser.runtime.onInstalled.addListener(() => {
  browser.contextMenus.create({ id: MENU_EXPLAIN_IMAGE, title: t('menuExplainImage'), contexts: ['image', 'video'] });
  browser.contextMenus.create({ id: MENU_EXPLAIN_HERE, title: t('menuExplainHere'), contexts: ['page', 'frame'] });
  browser.contextMenus.create({ id: MENU_EXPLAIN_ALL, title: t('menuExplainAll'), contexts: ['page'] });
  void teach.rebuildMenus(true);
});

/**
 * The handler registered with contextMenus.onClicked: resolves to the explanation it showed, or for
 * "explain all", to the run's final progress.
 */
async function onMenuClick(info: Menus.OnClickData, tab?: Tabs.Tab, overrides: ExplainOverrides & CheckOverrides = {}): Promise<ExplanationResult | ExplainAllOutcome | TeachMenuOutcome> {
  if (tab?.id === undefined || tab.id < 0) return { ok: false, error: t('errNoTab') };
  const taught = teach.onMenuClick(info, tab);
  if (taught) return taught;
  if (info.menuItemId === MENU_EXPLAIN_ALL) return explainAll.run(tab.id);
  if (info.menuItemId !== MENU_EXPLAIN_IMAGE && info.menuItemId !== MENU_EXPLAIN_HERE) return { ok: false, error: `unknown menu item ${String(info.menuItemId)}` };
  const frameId = info.frameId ?? 0;
  const begin = await beginInPage(tab.id, frameId, info.srcUrl);
  if (!begin.ok) return { ok: false, error: begin.error };
  // Where the picture is shown, as the browser reports it (the page's URL for the top frame).
  const pageUrl = tab.url ?? info.pageUrl;
  const frameUrl = frameId === 0 ? pageUrl : info.frameUrl;
  const owner = { tabId: tab.id, frameId, overlayId: begin.overlayId };
  return checks.after(owner, await explanations.begin(owner, begin.source, { frameUrl, pageUrl }, overrides), overrides);
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

/**
 * The on-demand content script, into the asking frame only (its tab and frame as the browser reports
 * them): a content script can have no other file injected, and nowhere else.
 */
async function loadUi(tabId: number | undefined, frameId: number | undefined): Promise<{ ok: true } | { ok: false; error: string }> {
  if (tabId === undefined || frameId === undefined) return { ok: false, error: t('errNoTab') };
  try {
    await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, files: [UI_BUNDLE] });
    return { ok: true };
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
}

/**
 * The model the next explanation will use, loaded now (a no-op when it is): a right-click on a
 * picture announces one, and the worker may just have been started for it. Errors wait for the
 * explanation, which reports them.
 */
async function warmUp(): Promise<void> {
  const settings = await loadSettings(browser.storage.sync);
  const entry = await models.active(settings);
  await host.get(entry, settings.layers[entry.id]).catch(() => undefined);
}

/**
 * A trusted right-click on a picture: an <img>'s explanation is prepared for the sender's own frame
 * (its forward pass is the model's first run); otherwise, or when it is not prepared, the model is
 * loaded and warmed up for the request to come.
 */
async function prepareOrWarmUp(frame: { tabId: number; frameId: number } | undefined, srcUrl: string | undefined, shownIn: ShownIn): Promise<void> {
  if (frame && srcUrl && (await explanations.prepare(frame, srcUrl, shownIn))) return;
  await warmUp();
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
    lastTimingsMs: (explanations.lastResult?.ok ? explanations.lastResult.timingsMs : null) ?? session?.lastTimingsMs ?? null,
    explainAll: tabId === undefined ? undefined : explainAll.get(tabId),
  };
}

/** "Lab" in an overlay's panel: a Lab tab beside the page, with the overlay's picture, model, class and method. */
async function openInLab(owner: Owner, tabIndex: number | undefined, pixels?: string, explanationId?: string): Promise<{ ok: true } | { ok: false; error: string }> {
  if (!lab.mayOpenFrom(owner.tabId)) return { ok: false, error: t('errOpenInLab', t('errLabJustOpened')) };
  const picture = await explanations.picture(owner, pixels, explanationId);
  if (!picture.ok) return { ok: false, error: t('errOpenInLab', picture.error) };
  const { modelId, target, method } = picture.result;
  const id = lab.stash({ dataUrl: picture.dataUrl, origin: picture.origin, modelId, classIndex: target.index, method });
  await browser.tabs.create({ url: browser.runtime.getURL(`lab.html#from=${id}`), ...(tabIndex !== undefined ? { index: tabIndex + 1 } : {}) });
  return { ok: true };
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
  return explanations.begin({ tabId: tab.id, frameId: 0, overlayId: begin.overlayId }, begin.source, { frameUrl: tab.url, pageUrl: tab.url });
}

// A tab that closes takes its overlays and its "explain all" with it; one that loads another page
// ends its "explain all" (what the worker holds for its old overlays is simply never asked for again).
browser.tabs.onRemoved.addListener((tabId) => {
  explainAll.end(tabId);
  pageShortcuts.forget(tabId);
  void explanations.held.forgetTab(tabId);
});
browser.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status === 'loading' && change.url !== undefined) explainAll.end(tabId);
});

browser.runtime.onMessage.addListener((raw: unknown, sender: Runtime.MessageSender) => {
  if (!fromOurExtension(sender)) return undefined;
  const message = parseMessage(raw);
  if (!message) return undefined;
  // Teach's messages come from the Teach page only.
  if (isTeachMessage(message)) return fromExtensionPage(sender) ? teach.handle(message) : undefined;
  // The Lab's, from the Lab page only (it fetches addresses the user typed).
  if (isLabMessage(message)) return fromExtensionPage(sender) ? lab.handle(message) : undefined;
  const tabId = sender.tab?.id;
  /** The sender's overlay: its tab and frame as the browser reports them. */
  const owner = (overlayId: string): Owner | null => (tabId === undefined ? null : { tabId, frameId: sender.frameId ?? 0, overlayId });
  const shownIn = { frameUrl: sender.url, pageUrl: sender.tab?.url };
  switch (message.type) {
    // From content scripts: about the sender's own overlays only.
    case 'explain-class': {
      const o = owner(message.overlayId);
      return o ? explanations.switchClass(o, message.classIndex, message.method, message.pixels) : undefined;
    }
    case 'explain': {
      const o = owner(message.overlayId);
      if (!o) return undefined;
      return message.follow ? explanations.followFrame(o, message.source, shownIn, message.follow.classIndex) : explanations.explainFromPage(o, message.source, shownIn);
    }
    case 'export': {
      const o = owner(message.overlayId);
      return o ? explanations.export(o, message.look, message.pixels, message.explanationId) : undefined;
    }
    case 'open-in-lab': {
      const o = owner(message.overlayId);
      return o ? openInLab(o, sender.tab?.index, message.pixels, message.explanationId) : undefined;
    }
    case 'ping': {
      const o = owner(message.overlayId);
      return Promise.resolve({ running: o ? explanations.isRunning(o) : false });
    }
    case 'cancel': {
      const o = owner(message.overlayId);
      if (o) explanations.cancel(o);
      return undefined;
    }
    case 'forget': {
      const o = owner(message.overlayId);
      if (o) {
        checks.forget(o);
        void explanations.held.forget(o);
      }
      return undefined;
    }
    case 'check-map':
    case 'sanity-check': {
      const o = owner(message.overlayId);
      if (!o) return undefined;
      const kind = message.type === 'check-map' ? 'faithfulness' : 'sanity';
      const options = message.type === 'check-map' ? { positiveOnly: message.positiveOnly } : {};
      return checks.run(o, kind, options, { explanationId: message.explanationId, classIndex: message.classIndex, method: message.method }, false);
    }
    case 'watermark-probe': {
      const o = owner(message.overlayId);
      return o ? checks.watermark(o, { explanationId: message.explanationId, classIndex: message.classIndex, method: message.method }) : undefined;
    }
    case 'cancel-check': {
      const o = owner(message.overlayId);
      if (o) checks.cancel(o);
      return undefined;
    }
    case 'close-all': {
      // A trusted Esc in one frame: every frame of that tab closes its overlays.
      if (tabId !== undefined) void browser.tabs.sendMessage(tabId, { type: 'close-all' } satisfies Message).catch(() => undefined);
      return undefined;
    }
    case 'load-ui':
      return loadUi(tabId, sender.frameId);
    case 'warm-up':
      void prepareOrWarmUp(tabId === undefined ? undefined : { tabId, frameId: sender.frameId ?? 0 }, message.srcUrl, shownIn).catch(() => undefined);
      return undefined;
    case 'explain-all-progress':
      if (tabId !== undefined) explainAll.record(tabId, sender.frameId ?? 0, message.progress);
      return undefined;
    case 'class-labels':
      return models.labels(message.modelId);
    // From the popup only: a web page must not start, stop or watch work in other tabs.
    case 'get-status':
      return fromExtensionPage(sender) ? status(message.load, message.tabId) : undefined;
    case 'list-layers':
      return models.layers();
    case 'start-explain-all':
      return fromExtensionPage(sender) ? explainAll.start(message.tabId) : undefined;
    case 'cancel-explain-all': {
      if (!fromExtensionPage(sender)) return undefined;
      const cancel: Message = { type: 'cancel-all' };
      return browser.tabs.sendMessage(message.tabId, cancel).catch(() => undefined);
    }
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

/**
 * Tensors and bytes held by TensorFlow.js (benchmarks watch it for growth). Before any backend has
 * started there is nothing on one: the counts are zero, and no backend is started to say so.
 */
function memory(): tf.MemoryInfo {
  const engine = tf.engine() as unknown as { backendInstance: unknown; pendingBackendInit: unknown; state: { numTensors: number; numDataBuffers: number; numBytes: number } };
  if (engine.backendInstance == null || engine.pendingBackendInit != null) {
    const { numTensors, numDataBuffers, numBytes } = engine.state;
    return { numTensors, numDataBuffers, numBytes, unreliable: false } as tf.MemoryInfo;
  }
  return tf.memory();
}

interface OverlayReport {
  id: string;
  state: string;
  words: string;
}

/** Every overlay of a tab, frame by frame: its id, state and words (the page can read none of them). */
async function overlays(tabId: number): Promise<(OverlayReport & { frameId: number })[]> {
  const frames = await browser.scripting.executeScript({
    target: { tabId, allFrames: true },
    func: () => (window as { __camLensOverlays?: () => OverlayReport[] }).__camLensOverlays?.() ?? [],
  });
  return frames.flatMap((f) => ((f.result as OverlayReport[] | undefined) ?? []).map((o) => ({ frameId: f.frameId, ...o })));
}

/** Test and automation seam: the very functions the browser calls. */
(globalThis as Record<string, unknown>).camLens = {
  installModel: (source: unknown, form: unknown = {}) => installer.install(source as never, form as never),
  deleteModel: (id: string) => models.delete(id),
  onMenuClick,
  explainUnderPointer,
  explainClass: (classIndex: number, explanationId?: string, method?: ExplainOverrides['method']) => explanations.switchClassOf(classIndex, explanationId, method),
  explainAll: (tabId: number) => explainAll.run(tabId),
  status,
  checkMap: (options?: CheckOptions) => checks.last('faithfulness', options),
  sanityCheck: (options?: CheckOptions) => checks.last('sanity', options),
  /** The panel's "Try a watermark" on the last shown explanation. */
  tryWatermark: () => checks.lastWatermark(),
  /** The page-level shortcut line of the tab's last "Explain all" (null: none). */
  pageShortcut: (tabId: number) => pageShortcuts.line(tabId),
  listLayers: () => models.layers(),
  useBackend,
  memory,
  overlays,
  lastResult: () => explanations.lastResult,
  /** How many explanations right-clicks have prepared in this worker's life; the last one's times. */
  preparations: () => explanations.preparations,
  /** The screenshot crop an explanation was computed from (PNG data URL), for checking where it was taken. */
  capturedPixels: (explanationId: string) => explanations.capturedPixels(explanationId),
  /** The decode budget: pixels decoding now, the most ever at once, and its capacity. */
  decodeStats: () => ({ inUse: decodeBudget.pixelsInUse, peak: decodeBudget.peak, capacity: decodeBudget.capacity, waiting: decodeBudget.waiting }),
  /** Teach's classes, examples and training (benchmarks). */
  teach: teach.service,
};
