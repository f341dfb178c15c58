// What the popup and the options page both show: their fixed texts translated, and the worker's status
// (model, layer, backend, timings, the model and method menus, the layer menu). Each view fills only the
// elements its page has, so one status renders into either page.
import browser from 'webextension-polyfill';
import type { MessageKey } from '../core/i18n';
import { t } from '../core/i18nBrowser';
import { shortLayerName } from '../core/explainHead';
import { LayersReply, Status, type Message } from '../core/messages';
import type { Settings } from '../core/settingsStore';
import { camNote, describeBackend, describeModelLoad, describeTimings, layerOptions, methodDescription, methodOptions } from './format';

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/** The element if this page has it. */
const maybe = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;

/** The page's fixed texts: each element with data-i18n gets its message (the HTML keeps the English for reading). */
export function translatePage(): void {
  document.documentElement.lang = t('langCode');
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) element.textContent = t(element.dataset.i18n as MessageKey);
}

/** The worker's status (with `load`, after loading the active model), or null when it does not answer. */
export async function fetchStatus(load: boolean, tabId?: number): Promise<Status | null> {
  const message: Message = { type: 'get-status', load, tabId };
  const parsed = Status.safeParse(await browser.runtime.sendMessage(message).catch(() => null));
  return parsed.success ? parsed.data : null;
}

function setText(id: string, text: string, title?: string): void {
  const element = maybe(id);
  if (!element) return;
  element.textContent = text;
  if (title !== undefined) element.title = title;
}

/** The status lines: model, layer, load time, backend (and its fallback note), renderer, measurements, last timings. */
export function renderStatus(status: Status | null): void {
  if (!status) {
    setText('model', t('errExtensionNoAnswer'));
    return;
  }
  const active = status.models.find((m) => m.id === status.modelId);
  setText('model', status.modelLoaded ? status.modelName : t('popupModelLoading', status.modelName));
  // Graph node names run long: shown without the converters' wrapper scopes, the whole name on hover.
  setText('layer', active?.layer ? shortLayerName(active.layer) : '—', active?.layer ?? '');
  setText('model-load', describeModelLoad(status, t));
  setText('backend', describeBackend(status, t));
  setText('renderer', status.renderer ?? '—');
  setText('measurements', status.backendMeasurements ?? t('popupNotMeasured'));
  setText('timings', describeTimings(status.lastTimingsMs, t));
  const note = maybe('backend-note');
  if (note) {
    note.hidden = !status.backendNote;
    note.textContent = status.backendNote ? t('popupFellBack', [describeBackend(status, t), status.backendNote]) : '';
  }
}

/** The model menu (bundled and installed models), on the worker's active one unless the user is in it. */
export function renderModelMenu(status: Status): void {
  const select = maybe<HTMLSelectElement>('model-select');
  if (!select) return;
  const wanted = status.models.map((m) => `${m.id}\t${m.name}`).join('\n');
  if (select.dataset.models !== wanted) {
    select.replaceChildren(...status.models.map((m) => new Option(m.name, m.id)));
    select.dataset.models = wanted;
  }
  if (document.activeElement !== select) select.value = status.modelId;
  select.disabled = false;
}

/** The method menu for the active model (CAM disabled where it cannot apply), its one-line description and why CAM is out. */
export function renderMethods(status: Status, settings: Settings): void {
  const select = maybe<HTMLSelectElement>('method-select');
  if (!select) return;
  const active = status.models.find((m) => m.id === status.modelId);
  select.replaceChildren(
    ...methodOptions(active, t).map((o) => {
      const option = new Option(o.label, o.value, false, o.value === settings.method);
      option.disabled = o.disabled;
      return option;
    }),
  );
  select.disabled = false;
  describeMethod(settings.method);
  const methodNote = maybe('method-note');
  if (!methodNote) return;
  const text = camNote(active, t);
  methodNote.hidden = !text;
  methodNote.textContent = text ?? '';
}

export function describeMethod(choice: Settings['method']): void {
  setText('method-description', methodDescription(choice, t));
}

/** The Layer menu for the active model (the worker loads the model to list its layers); until then it says it waits. */
export async function renderLayers(settings: Settings): Promise<void> {
  const select = maybe<HTMLSelectElement>('layer-select');
  if (!select) return;
  if (!select.dataset.modelId) {
    select.replaceChildren(new Option(t('optionsLayersLoading'), ''));
    select.disabled = true;
  }
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
