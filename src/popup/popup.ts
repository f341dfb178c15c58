// Popup: settings (model, method, box, display) and the worker's status. Settings apply live.
import browser from 'webextension-polyfill';
import type { MessageKey } from '../core/i18n';
import { t } from '../core/i18nBrowser';
import { shortLayerName } from '../core/explainHead';
import { LayersReply, Status, type Message } from '../core/messages';
import { loadSettings, saveSettings, type Settings } from '../core/settingsStore';
import { camNote, describeBackend, describeExplainAll, describeModelLoad, describeTimings, layerOptions, methodOptions } from './format';
import { renderModels, setupModels } from './models';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The tab the popup was opened over. */
let tabId: number | undefined;

async function fetchStatus(load: boolean): Promise<Status | null> {
  const message: Message = { type: 'get-status', load, tabId };
  const parsed = Status.safeParse(await browser.runtime.sendMessage(message).catch(() => null));
  return parsed.success ? parsed.data : null;
}

function render(status: Status | null, settings: Settings): void {
  if (!status) {
    $('model').textContent = t('errExtensionNoAnswer');
    return;
  }
  renderModels(status);
  const active = status.models.find((m) => m.id === status.modelId);
  $('model').textContent = status.modelLoaded ? status.modelName : t('popupModelLoading', status.modelName);
  // Graph node names run long: shown without the converters' wrapper scopes, the whole name on hover.
  $('layer').textContent = active?.layer ? shortLayerName(active.layer) : '—';
  $('layer').title = active?.layer ?? '';
  $('model-load').textContent = describeModelLoad(status, t);
  $('backend').textContent = describeBackend(status, t);
  $('renderer').textContent = status.renderer ?? '—';
  $('measurements').textContent = status.backendMeasurements ?? t('popupNotMeasured');
  $('timings').textContent = describeTimings(status.lastTimingsMs, t);
  const note = $('backend-note');
  note.hidden = !status.backendNote;
  note.textContent = status.backendNote ? t('popupFellBack', [describeBackend(status, t), status.backendNote]) : '';

  const select = $<HTMLSelectElement>('method-select');
  select.replaceChildren(
    ...methodOptions(active, t).map((o) => {
      const option = new Option(o.label, o.value, false, o.value === settings.method);
      option.disabled = o.disabled;
      return option;
    }),
  );
  renderExplainAll(status);
  const methodNote = $('method-note');
  const text = camNote(active, t);
  methodNote.hidden = !text;
  methodNote.textContent = text ?? '';
}

/** The Layer menu for the active model (the worker loads the model to list its layers). */
async function renderLayers(settings: Settings): Promise<void> {
  const select = $<HTMLSelectElement>('layer-select');
  const message: Message = { type: 'list-layers' };
  const parsed = LayersReply.safeParse(await browser.runtime.sendMessage(message).catch(() => null));
  const reply = parsed.success ? parsed.data : { ok: false as const, error: t('errExtensionNoAnswer') };
  if (!reply.ok) {
    delete select.dataset.modelId;
    select.replaceChildren(new Option(reply.error, ''));
    select.disabled = true;
    return;
  }
  const chosen = settings.layers[reply.modelId];
  select.dataset.modelId = reply.modelId;
  select.replaceChildren(
    ...layerOptions(reply, chosen, t).map((o) => {
      const option = new Option(o.label, o.value, false, o.value === (chosen ?? ''));
      option.title = o.title;
      return option;
    }),
  );
  select.disabled = false;
}

function renderExplainAll(status: Status): void {
  const progress = status.explainAll;
  const running = !!progress && !progress.finished;
  $('explain-all').toggleAttribute('disabled', running || tabId === undefined);
  $('cancel-all').hidden = !running;
  const bar = $<HTMLProgressElement>('all-progress');
  bar.hidden = !progress || progress.total === 0;
  if (progress && progress.total > 0) bar.value = (progress.done + progress.failed) / progress.total;
  $('all-text').textContent = describeExplainAll(progress, t);
}

/** While "explain all" runs, the popup follows its progress. */
async function followExplainAll(settings: Settings): Promise<void> {
  for (;;) {
    const status = await fetchStatus(false);
    if (status) render(status, settings);
    if (!status?.explainAll || status.explainAll.finished) return;
    await new Promise((r) => setTimeout(r, 400));
  }
}

/** Site access: Firefox treats MV3 host permissions as optional (the user may withdraw them in about:addons, as in Chrome's site access menu). */
const ALL_SITES = { origins: ['<all_urls>'] };

async function renderHostAccess(): Promise<void> {
  $('host-access').hidden = await browser.permissions.contains(ALL_SITES).catch(() => true);
}

/** The page's fixed texts: each element with data-i18n gets its message (popup.html keeps the English for reading). */
function translatePage(): void {
  document.documentElement.lang = t('langCode');
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) element.textContent = t(element.dataset.i18n as MessageKey);
}

/** The first-run view: two sentences on what to do, until the user says they got it. */
async function showWelcome(): Promise<void> {
  const { welcomed } = (await browser.storage.local.get('welcomed').catch(() => ({}))) as { welcomed?: boolean };
  $('welcome').hidden = !!welcomed;
  $('welcome-dismiss').addEventListener('click', () => {
    $('welcome').hidden = true;
    void browser.storage.local.set({ welcomed: true }).catch(() => undefined);
  });
}

async function main(): Promise<void> {
  void showWelcome();
  translatePage();
  void renderHostAccess();
  // permissions.request must be called in the click itself (a user gesture), before anything is awaited.
  $('grant-hosts').addEventListener('click', () => void browser.permissions.request(ALL_SITES).catch(() => false).then(renderHostAccess));
  browser.permissions.onAdded.addListener(() => void renderHostAccess());
  browser.permissions.onRemoved.addListener(() => void renderHostAccess());
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true }).catch(() => []);
  tabId = tab?.id;
  let settings = await loadSettings(browser.storage.sync);
  const save = async (patch: Partial<Settings>) => {
    settings = await saveSettings(browser.storage.sync, patch);
  };

  const modelSelect = $<HTMLSelectElement>('model-select');
  setupModels({
    installed: async (modelId) => {
      await save({ modelId });
      render(await fetchStatus(false), settings);
      render(await fetchStatus(true), settings);
      await renderLayers(settings);
    },
    changed: async () => {
      settings = await loadSettings(browser.storage.sync); // a deleted active model hands over to the default
      render(await fetchStatus(false), settings);
      await renderLayers(settings);
    },
  });
  modelSelect.addEventListener('change', async () => {
    await save({ modelId: modelSelect.value });
    render(await fetchStatus(false), settings);
    render(await fetchStatus(true), settings);
    await renderLayers(settings);
  });
  const layerSelect = $<HTMLSelectElement>('layer-select');
  layerSelect.addEventListener('change', async () => {
    // For the model the menu lists (the worker's active one), over what is stored now.
    const modelId = layerSelect.dataset.modelId;
    if (!modelId) return;
    const { [modelId]: _previous, ...others } = (await loadSettings(browser.storage.sync)).layers;
    await save({ layers: layerSelect.value ? { ...others, [modelId]: layerSelect.value } : others });
    // Another layer may change which methods apply (exact CAM only at the pooled layer).
    render(await fetchStatus(true), settings);
  });
  $<HTMLSelectElement>('method-select').addEventListener('change', (e) => void save({ method: (e.target as HTMLSelectElement).value as Settings['method'] }));
  const backendSelect = $<HTMLSelectElement>('backend-select');
  backendSelect.value = settings.backend;
  backendSelect.addEventListener('change', async () => {
    await save({ backend: backendSelect.value as Settings['backend'] });
    render(await fetchStatus(true), settings);
  });
  const colormap = $<HTMLSelectElement>('colormap-select');
  colormap.value = settings.colormap;
  colormap.addEventListener('change', () => void save({ colormap: colormap.value as Settings['colormap'] }));
  const topK = $<HTMLInputElement>('top-k');
  topK.value = String(settings.topK);
  topK.addEventListener('change', () => {
    const value = Math.round(Number(topK.value));
    if (value >= 1 && value <= 10) void save({ topK: value });
    else topK.value = String(settings.topK);
  });
  const box = $<HTMLInputElement>('show-box');
  box.checked = settings.showBox;
  box.addEventListener('change', () => void save({ showBox: box.checked }));
  const hideNegative = $<HTMLInputElement>('hide-negative');
  hideNegative.checked = settings.hideNegative;
  hideNegative.addEventListener('change', () => void save({ hideNegative: hideNegative.checked }));
  const checkAutomatically = $<HTMLInputElement>('check-automatically');
  checkAutomatically.checked = settings.checkAutomatically;
  checkAutomatically.addEventListener('change', () => void save({ checkAutomatically: checkAutomatically.checked }));

  const opacity = $<HTMLInputElement>('opacity');
  const output = $<HTMLOutputElement>('opacity-value');
  const showOpacity = (v: number) => (output.textContent = `${Math.round(v * 100)} %`);
  opacity.value = String(settings.opacity);
  showOpacity(settings.opacity);
  // storage.sync allows ~2 writes a second: while dragging, save at most every 400 ms (overlays follow live), and on release.
  let lastSave = -Infinity;
  opacity.addEventListener('input', () => {
    showOpacity(Number(opacity.value));
    if (performance.now() - lastSave < 400) return;
    lastSave = performance.now();
    void save({ opacity: Number(opacity.value) });
  });
  opacity.addEventListener('change', () => void save({ opacity: Number(opacity.value) }));

  // Teach is a page of its own: training takes longer than a popup stays open.
  $('open-teach').addEventListener('click', () => {
    void browser.tabs.create({ url: browser.runtime.getURL('teach.html') }).then(() => window.close());
  });
  $('explain-all').addEventListener('click', async () => {
    if (tabId === undefined) return;
    const message: Message = { type: 'start-explain-all', tabId };
    await browser.runtime.sendMessage(message).catch(() => undefined);
    void followExplainAll(settings);
  });
  $('cancel-all').addEventListener('click', () => {
    if (tabId === undefined) return;
    const message: Message = { type: 'cancel-explain-all', tabId };
    void browser.runtime.sendMessage(message).catch(() => undefined);
  });

  // Quick first paint from what the worker knows, then again once the active model has loaded.
  render(await fetchStatus(false), settings);
  render(await fetchStatus(true), settings);
  await renderLayers(settings);
  void followExplainAll(settings);
}

void main();
