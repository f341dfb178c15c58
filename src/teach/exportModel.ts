// Export of a model trained here: Teachable Machine's three files (model.json, weights.bin,
// metadata.json) in one zip, as Teachable Machine downloads them, read back from this browser's
// storage. Installing them again (popup → Add a model → pick the three files) gives the same model.
import browser from 'webextension-polyfill';
import { strToU8, zipSync } from 'fflate';
import { t } from '../core/i18nBrowser';
import { teachMetadataOf, TEACH_IMAGE_SIZE } from '../core/teach/tmExport';
import { loadUserModels } from '../core/userModels';
import { modelStore } from '../background/modelStore';

/** The zip's bytes and a file name, or throws with the user's message. */
export async function exportTeachModel(modelId: string): Promise<{ name: string; bytes: Uint8Array }> {
  const record = (await loadUserModels(browser.storage.local)).find((m) => m.id === modelId);
  const stored = record && (await modelStore.get(modelId));
  if (!record || !stored) throw new Error(t('modelErrFilesGone', record?.displayName ?? modelId));
  const metadata = teachMetadataOf(stored.modelJson) ?? {
    modelName: record.displayName,
    labels: record.labels ?? [],
    imageSize: record.inputSize.width || TEACH_IMAGE_SIZE,
  };
  const bytes = zipSync({
    'model.json': strToU8(JSON.stringify(stored.modelJson)),
    'weights.bin': new Uint8Array(stored.weightData),
    'metadata.json': strToU8(JSON.stringify(metadata)),
  });
  const slug = record.displayName.normalize('NFKD').replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'model';
  return { name: `${slug}.zip`, bytes };
}
