// The models the worker knows: the bundled ones and those the user installed, which one is active,
// deleting one, what the popup lists of each, and where the active one can be explained.
import browser from 'webextension-polyfill';
import { allModels, defaultModel, findModel, type ModelEntry } from '../core/catalog';
import { t } from '../core/i18nBrowser';
import type { ClassLabelsReply, LayersReply, ModelStatus } from '../core/messages';
import { loadSettings, saveSettings, type Settings } from '../core/settingsStore';
import { entryFor, loadUserModels, removeUserModel, withDistinctNames } from '../core/userModels';
import type { ModelHost } from './modelHost';
import { modelStore } from './modelStore';

export class Models {
  constructor(private readonly host: ModelHost) {}

  /** The bundled models and the user's installed ones, no two under one name. */
  async known(): Promise<ModelEntry[]> {
    return withDistinctNames(allModels((await loadUserModels(browser.storage.local)).map((m) => entryFor(m, t))));
  }

  /** The one the settings choose; the default when that one is gone. */
  async active(settings: Settings): Promise<ModelEntry> {
    return findModel(settings.modelId, await this.known()) ?? defaultModel();
  }

  /** Deletes an installed model: its files, its description, the loaded copy; the choice falls back to the default. */
  async delete(id: string): Promise<{ ok: boolean }> {
    const removed = await removeUserModel(browser.storage.local, id);
    await modelStore.delete(id).catch(() => undefined);
    await this.host.forget(id);
    const settings = await loadSettings(browser.storage.sync);
    if (settings.modelId === id) await saveSettings(browser.storage.sync, { modelId: defaultModel().id });
    return { ok: removed };
  }

  /**
   * An installed model was installed again from the same address and its old copy removed: the loaded
   * copy is freed, and the user's choices (active model, layer) move to the new one.
   */
  async replaced(oldId: string, newId: string): Promise<void> {
    await this.host.forget(oldId);
    const settings = await loadSettings(browser.storage.sync);
    const { [oldId]: layer, ...layers } = settings.layers;
    await saveSettings(browser.storage.sync, {
      ...(settings.modelId === oldId ? { modelId: newId } : {}),
      ...(layer !== undefined ? { layers: { ...layers, [newId]: layer } } : {}),
    });
  }

  /** Each model as the popup lists it; what only loading tells (layer, CAM) for the loaded one. */
  async statuses(): Promise<ModelStatus[]> {
    return (await this.known()).map((m) => {
      const loaded = this.host.current?.model.entry.id === m.id ? this.host.current.model : null;
      return {
        id: m.id,
        name: m.displayName,
        format: m.format,
        ...(m.installed ? { installed: { ...m.installed, source: m.source.kind === 'files' ? m.source.names.join(', ') : 'url' in m.source ? m.source.url : '' } } : {}),
        layer: loaded?.layer ?? null,
        camApplies: loaded ? loaded.camWeights !== null : null,
        camUnavailable: loaded?.camUnavailable ?? null,
      };
    });
  }

  /** Where the active model can be explained; loads it (with the user's layer, if any: the list is the same). */
  async layers(): Promise<LayersReply> {
    const settings = await loadSettings(browser.storage.sync);
    const entry = await this.active(settings);
    try {
      const hosted = await this.host.get(entry, settings.layers[entry.id]).catch(() => this.host.get(entry));
      return { ok: true, modelId: entry.id, ...hosted.model.layerChoices() };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** All class names of a model (the panel's "another class" field). */
  async labels(modelId: string): Promise<ClassLabelsReply> {
    return { labels: [...(findModel(modelId, await this.known())?.labels ?? [])] };
  }
}
