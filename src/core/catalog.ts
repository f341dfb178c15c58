// Types and accessors for the declarative model catalog (models/catalog.json).
import catalogJson from '../../models/catalog.json';

/** How 0–255 RGB bytes are mapped to the model's input range. */
export type PixelScaling = 'unit' /* [0,1] */ | 'symmetric' /* [-1,1] */ | 'byte' /* 0–255 */;

export interface ModelEntry {
  id: string;
  displayName: string;
  description: string;
  source: { kind: 'nsfwjs'; package: string; folder: string };
  /** tfjs model format: a converted TF graph, or a Keras layers model. */
  format: 'graph' | 'layers';
  inputSize: { width: number; height: number };
  pixelScaling: PixelScaling;
  labels: string[];
}

export interface Catalog {
  defaultModelId: string;
  models: ModelEntry[];
}

export const catalog: Catalog = catalogJson as Catalog;

export function findModel(id: string): ModelEntry | undefined {
  return catalog.models.find((m) => m.id === id);
}

export function defaultModel(): ModelEntry {
  const entry = findModel(catalog.defaultModelId);
  if (!entry) throw new Error(`catalog default ${catalog.defaultModelId} is not in the catalog`);
  return entry;
}

/** Path of a model's model.json inside the built extension. */
export function modelPath(id: string): string {
  return `models/${id}/model.json`;
}
