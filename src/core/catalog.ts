// Types and accessors for the declarative model catalog (models/catalog.json): the bundled models, and
// the models offered for download on demand (each with its sources, tried in order). Models the user
// installs (src/core/userModels.ts) are described by the same ModelEntry.
import catalogJson from '../../models/catalog.json';
import type { Normalization } from './normalization';

/** How 0–255 RGB bytes are mapped to the model's input range. */
export type PixelScaling = 'unit' /* [0,1] */ | 'symmetric' /* [-1,1] */ | 'byte' /* 0–255 */ | 'meanStd' /* (v/255 − mean) / std */;
export const PIXEL_SCALINGS: readonly PixelScaling[] = ['unit', 'symmetric', 'byte', 'meanStd'];

/** Where a model comes from: bundled (extracted from an npm package at build time) or installed by the user. */
export type ModelSource = { kind: 'nsfwjs'; package: string; folder: string } | UserModelSource;

/** Where an installed model came from (`package`/`folder` never set: they are the bundled models'). */
export type UserModelSource = (
  /** A tfjs model.json at a URL (weights resolved relative to it). */
  | { kind: 'url'; url: string }
  /** A Teachable Machine share link (model.json, weights.bin, metadata.json under it). */
  | { kind: 'teachable'; url: string }
  /** A TF Hub tfjs model: `<url>/model.json?tfjs-format=file`. */
  | { kind: 'tfhub'; url: string }
  /** Files picked on the user's computer (their names). */
  | { kind: 'files'; names: string[] }
) & { package?: never; folder?: never };

export interface ModelEntry {
  id: string;
  displayName: string;
  description: string;
  source: ModelSource;
  /** tfjs model format: a converted TF graph, or a Keras layers model. */
  format: 'graph' | 'layers';
  inputSize: { width: number; height: number };
  pixelScaling: PixelScaling;
  /** Per-channel statistics, required when pixelScaling is 'meanStd'. */
  normalization?: Normalization;
  /** One per output class, in output order. */
  labels: string[];
  /** The model outputs raw scores (logits): percentages shown are their softmax. */
  softmaxScores?: boolean;
  /**
   * The model ends in neither softmax nor sigmoid nor a pooled linear classifier, and the user said it
   * is a classifier all the same: its raw outputs are shown through a softmax, and the panel says so.
   */
  rawScores?: boolean;
  /**
   * How the picture is framed before it is resized to the input: 'center' = its central square (as
   * Teachable Machine does, for the models it trains); absent = the whole picture, squashed.
   */
  inputCrop?: 'center';
  /** Installed by the user: stored in the browser (IndexedDB), not in the extension package. */
  installed?: { sizeBytes: number; installedAt: number };
}

/** One place a downloadable model can come from, with what its files do not say. */
export interface DownloadSource {
  kind: 'url' | 'tfhub';
  url: string;
  pixelScaling: PixelScaling;
  /** When this source holds another model than the download's own (an alternate), its name. */
  displayName?: string;
}

/** A model offered for download on demand (ImageNet): its sources, tried in order until one works. */
export interface Download {
  id: string;
  displayName: string;
  description: string;
  sources: DownloadSource[];
}

export interface Catalog {
  defaultModelId: string;
  models: ModelEntry[];
  downloads: Download[];
}

export const catalog: Catalog = catalogJson as Catalog;

/** A model by id: bundled, else one of the installed ones given. */
export function findModel(id: string, installed: readonly ModelEntry[] = []): ModelEntry | undefined {
  return catalog.models.find((m) => m.id === id) ?? installed.find((m) => m.id === id);
}

/** Bundled models first, then the user's, in install order. */
export function allModels(installed: readonly ModelEntry[]): ModelEntry[] {
  return [...catalog.models, ...installed];
}

/** A model offered for download, by id. */
export function findDownload(id: string): Download | undefined {
  return catalog.downloads.find((d) => d.id === id);
}

export function defaultModel(): ModelEntry {
  const entry = catalog.models.find((m) => m.id === catalog.defaultModelId);
  if (!entry) throw new Error(`catalog default ${catalog.defaultModelId} is not in the catalog`);
  return entry;
}

/** Path of a bundled model's model.json inside the built extension. */
export function modelPath(id: string): string {
  return `models/${id}/model.json`;
}
