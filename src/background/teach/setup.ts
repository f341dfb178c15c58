// Wires Teach into the worker: its service over the worker's model host, explainer queue, installer
// and model list; the menus kept in step with the classes; the Teach page's messages.
import * as tf from '@tensorflow/tfjs';
import browser from 'webextension-polyfill';
import { modelPath } from '../../core/catalog';
import { concatBytes } from '../../core/bytes';
import { t } from '../../core/i18nBrowser';
import type { ExplanationResult } from '../../core/messages';
import type { ModelJson } from '../../core/modelSource';
import { saveSettings } from '../../core/settingsStore';
import { loadProject, projectKey, TeachProject } from '../../core/teach/project';
import { weightUrls } from '../../core/modelSource';
import type { Explainer } from '../explainer';
import type { ModelHost } from '../modelHost';
import type { ModelInstaller } from '../modelInstaller';
import { modelStore } from '../modelStore';
import type { Models } from '../models';
import { fetchImage, withDecoded } from '../pixels';
import { exampleStore } from './exampleStore';
import { BACKBONE_ID, backboneEntry } from './features';
import { rebuildTeachMenus } from './menus';
import { isTeachMessage, TeachRoutes, type TeachMessage } from './routes';
import { TeachService } from './teachService';

export { isTeachMessage };

export function createTeach(parts: { host: ModelHost; explainer: Explainer; installer: ModelInstaller; models: Models }) {
  const { host, explainer, installer, models } = parts;
  const service = new TeachService({
    t,
    area: browser.storage.local,
    store: exampleStore,
    withBackbone: (work) => explainer.exclusive(async () => work((await host.get(backboneEntry())).model)),
    withPicture: async (source, use) => withDecoded(await fetchImage(source), (bitmap) => use(bitmap)),
    backboneFiles,
    async install(files, name) {
      const stagingId = `teach-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      await modelStore.stage(stagingId, files);
      const outcome = await installer.install({ kind: 'files', stagingId, names: files.map((f) => f.name) }, { displayName: name });
      return outcome.ok ? { ok: true, modelId: outcome.model.id } : outcome;
    },
    deleteModel: async (id) => void (await models.delete(id)),
    activate: async (id) => void (await saveSettings(browser.storage.sync, { modelId: id })),
    versions: { tfjs: tf.version.tfjs, extension: browser.runtime.getManifest().version },
  });
  const routes = new TeachRoutes(service, t, browser.runtime.getURL('teach.html'));

  const rebuildMenus = async (force = false) => rebuildTeachMenus((await loadProject(browser.storage.local, 'main')).classes, t, force);
  browser.storage.onChanged.addListener((changes, area) => {
    const change = changes[projectKey('main')];
    if (area !== 'local' || !change) return;
    const parsed = TeachProject.safeParse(change.newValue);
    void rebuildTeachMenus(parsed.success ? parsed.data.classes : [], t);
  });

  /** The demo's test pictures, explained with a model the user trained (not necessarily the active one). */
  async function explainWith(modelId: string, dataUrl: string): Promise<ExplanationResult> {
    const entry = (await models.known()).find((m) => m.id === modelId);
    if (!entry) return { ok: false, error: t('modelErrFilesGone', modelId) };
    return explainer.explain({ kind: 'dataUrl', dataUrl, originalUrl: 'teach' }, { entry, method: 'auto', topK: entry.labels.length, owner: 'teach-page' });
  }

  return {
    service,
    rebuildMenus,
    onMenuClick: routes.onMenuClick.bind(routes),
    handle(message: TeachMessage): Promise<unknown> | undefined {
      return message.type === 'teach-explain' ? explainWith(message.modelId, message.dataUrl) : routes.handle(message);
    },
  };
}

/** The bundled backbone's files, from the extension package. */
async function backboneFiles(): Promise<{ modelJson: ModelJson; weights: ArrayBuffer }> {
  const url = browser.runtime.getURL(modelPath(BACKBONE_ID));
  const modelJson = (await (await fetch(url)).json()) as ModelJson;
  const shards = await Promise.all(weightUrls(url, modelJson.weightsManifest).map(async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer())));
  return { modelJson, weights: concatBytes(shards).buffer };
}
