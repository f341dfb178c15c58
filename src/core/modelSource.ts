// Getting a user's model: where its files are (Teachable Machine link, model.json URL, TF Hub, or
// picked files) and the checks that can be made on the files alone (is it a tfjs model, are all
// weights there and of the right size, is it too large, is its input an RGB image of floats, is the
// Teachable Machine metadata valid, do the labels fit). Downloading is in modelDownload.ts. Pure:
// every text a user reads comes from the injected Translate.
import { concatBytes } from './bytes';
import type { Translate } from './i18n';
import type { PixelScaling } from './catalog';
import { isSecureModelUrl, ModelSourceError } from './modelHosts';
import type { Normalization } from './normalization';

export { ModelSourceError } from './modelHosts';

/** Largest model (weights) the extension installs: 100 MB (decimal, as the message and browsers show sizes). */
export const MAX_MODEL_BYTES = 100_000_000;

export type SourceKind = 'url' | 'teachable' | 'tfhub';
export type SourceKindChoice = SourceKind | 'auto';

export interface ResolvedSource {
  kind: SourceKind;
  /** The address as the user meant it (normalised: TM links end in '/', TF Hub handles do not). */
  url: string;
  modelUrl: string;
  /** Teachable Machine only. */
  metadataUrl?: string;
}

const TFHUB_SEARCH_PARAM = '?tfjs-format=file';

/**
 * Where a model's files are. `auto`: tfhub.dev (or a Kaggle model) → TF Hub; an address ending in
 * .json → that model.json; anything else (a Teachable Machine share link) → a folder holding
 * model.json, weights.bin and metadata.json.
 */
export function resolveSource(input: string, choice: SourceKindChoice, t: Translate): ResolvedSource {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new ModelSourceError(t('modelErrNotUrl', input.trim()));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ModelSourceError(t('modelErrNotUrl', input.trim()));
  // A model fetched without encryption could be swapped on the way: only this computer may serve one over http.
  if (!isSecureModelUrl(url)) throw new ModelSourceError(t('modelErrInsecure', url.href));
  url.hash = '';
  const kind: SourceKind =
    choice !== 'auto' ? choice : /(^|\.)tfhub\.dev$/.test(url.hostname) || /(^|\.)kaggle\.com$/.test(url.hostname) ? 'tfhub' : /\.json$/i.test(url.pathname) ? 'url' : 'teachable';
  switch (kind) {
    case 'tfhub': {
      url.search = '';
      const base = url.href.replace(/\/+$/, '');
      // tfjs's loadGraphModel(url, { fromTFHub: true }): `${url}/model.json?tfjs-format=file`.
      return { kind, url: base, modelUrl: `${base}/model.json${TFHUB_SEARCH_PARAM}` };
    }
    case 'teachable': {
      url.search = '';
      const base = url.href.replace(/\/(model|metadata)\.json$/i, '/').replace(/\/*$/, '/');
      return { kind, url: base, modelUrl: `${base}model.json`, metadataUrl: `${base}metadata.json` };
    }
    case 'url':
      return { kind, url: url.href, modelUrl: url.href };
  }
}

/** Weight file URLs as tfjs resolves them: the model.json's folder + path + the model.json's query (TF Hub's ?tfjs-format=file). */
export function weightUrls(modelUrl: string, manifest: WeightsGroup[]): string[] {
  const lastSlash = modelUrl.lastIndexOf('/');
  const lastQuery = modelUrl.lastIndexOf('?');
  const prefix = modelUrl.substring(0, lastSlash + 1);
  const suffix = lastQuery > lastSlash ? modelUrl.substring(lastQuery) : '';
  return manifest.flatMap((group) => group.paths.map((p) => prefix + p + suffix));
}

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}
export interface WeightsGroup {
  paths: string[];
  weights: WeightEntry[];
}
/** model.json as tfjs writes it. */
export interface ModelJson {
  format?: string;
  modelTopology: Record<string, unknown>;
  weightsManifest: WeightsGroup[];
  [key: string]: unknown;
}

/** Parses and checks a model.json; `file` names it in messages. */
export function parseModelJson(text: string, file: string, t: Translate): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ModelSourceError(t('modelErrNotTfjs', file));
  }
  const j = json as Partial<ModelJson> | null;
  if (!j || typeof j !== 'object' || !j.modelTopology || typeof j.modelTopology !== 'object') throw new ModelSourceError(t('modelErrNotTfjs', file));
  const manifest = j.weightsManifest;
  const validManifest =
    Array.isArray(manifest) &&
    manifest.every((g) => g && Array.isArray(g.paths) && g.paths.every((p) => typeof p === 'string') && Array.isArray(g.weights) && g.weights.every((w) => w && typeof w.name === 'string' && Array.isArray(w.shape)));
  if (!validManifest) throw new ModelSourceError(t('modelErrNotTfjs', file));
  modelFormat(j as ModelJson, file, t);
  return j as ModelJson;
}

/** Graph (converted TF graph) or layers (Keras) model, from model.json's format or the topology's shape. */
export function modelFormat(json: ModelJson, file: string, t: Translate): 'graph' | 'layers' {
  const topology = json.modelTopology as { node?: unknown; class_name?: unknown; model_config?: unknown };
  if (json.format === 'graph-model' || Array.isArray(topology.node)) return 'graph';
  if (json.format === 'layers-model' || typeof topology.class_name === 'string' || (topology.model_config && typeof topology.model_config === 'object')) return 'layers';
  throw new ModelSourceError(t('modelErrNotTfjs', file));
}

const BYTES_PER_DTYPE: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1, complex64: 8 };

/** Bytes each weights group's files must hold, from the manifest (quantized weights count in their stored dtype), as models/extract.mjs counts. */
export function groupByteLengths(manifest: WeightsGroup[], file: string, t: Translate): number[] {
  return manifest.map((group) =>
    group.weights.reduce((sum, w) => {
      const size = BYTES_PER_DTYPE[w.quantization ? w.quantization.dtype : w.dtype];
      if (!size || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ModelSourceError(t('modelErrNotTfjs', file));
      return sum + w.shape.reduce((a, b) => a * b, 1) * size;
    }, 0),
  );
}

export function checkModelSize(bytes: number, t: Translate, limit = MAX_MODEL_BYTES): void {
  if (bytes > limit) throw new ModelSourceError(t('modelErrTooLarge', [formatBytes(bytes), formatBytes(limit)]));
}

/** Each group's files hold exactly what the manifest says; `shards[i]` = byte counts of group i's files. */
export function checkWeightSizes(manifest: WeightsGroup[], shards: number[][], file: string, t: Translate): void {
  const expected = groupByteLengths(manifest, file, t);
  const actual = shards.map((s) => s.reduce((a, b) => a + b, 0));
  const expectedTotal = expected.reduce((a, b) => a + b, 0);
  const actualTotal = actual.reduce((a, b) => a + b, 0);
  if (expected.some((e, i) => e !== actual[i])) throw new ModelSourceError(t('modelErrWeightsSize', [String(actualTotal), String(expectedTotal)]));
}

/** "1.4 MB", "830 kB", "12 bytes" (decimal units, as browsers show downloads). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(bytes >= 1e7 ? 0 : 1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} bytes`;
}

/** What Teachable Machine writes to metadata.json (the fields read here). */
export interface TeachableMetadata {
  labels: string[];
  imageSize?: number;
  modelName?: string;
  grayscale?: boolean;
}

export function parseTeachableMetadata(text: string, t: Translate): TeachableMetadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ModelSourceError(t('modelErrTmMetadataInvalid'));
  }
  const m = json as Partial<TeachableMetadata> | null;
  if (!m || typeof m !== 'object' || !Array.isArray(m.labels) || m.labels.length === 0 || !m.labels.every((l) => typeof l === 'string')) {
    throw new ModelSourceError(t('modelErrTmMetadataInvalid'));
  }
  if (m.imageSize !== undefined && !(Number.isInteger(m.imageSize) && m.imageSize > 0 && m.imageSize <= 4096)) throw new ModelSourceError(t('modelErrTmMetadataInvalid'));
  return { labels: m.labels, imageSize: m.imageSize, modelName: typeof m.modelName === 'string' ? m.modelName : undefined, grayscale: m.grayscale === true };
}

/** A labels file: one label per line (a trailing empty line ignored), or a JSON array, or JSON with a `labels` array. */
export function parseLabels(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      const json = JSON.parse(trimmed) as unknown;
      const list = Array.isArray(json) ? json : (json as { labels?: unknown }).labels;
      if (Array.isArray(list)) return list.map((l) => String(l));
    } catch {
      // not JSON after all: lines
    }
  }
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.map((l) => l.trim());
}

/** The labels must name every output: a wrong count would label the classes wrongly, so it is an error. */
export function checkLabelCount(labels: readonly string[], outputs: number, t: Translate): void {
  if (labels.length !== outputs) throw new ModelSourceError(t('modelErrLabelsCount', [String(labels.length), String(outputs)]));
}

/**
 * The model's input shape [batch, height, width, channels] as declared (null for free dims), from a
 * graph's Placeholder or a layers model's InputLayer / first layer; undefined when it does not say.
 */
export function declaredInputShape(json: ModelJson): (number | null)[] | undefined {
  const topology = json.modelTopology as Record<string, unknown>;
  if (Array.isArray(topology.node)) {
    const placeholders = (topology.node as { op?: string; attr?: { shape?: { shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean } } } }[]).filter((n) => n.op === 'Placeholder');
    const shape = placeholders.length === 1 ? placeholders[0].attr?.shape?.shape : undefined;
    if (!shape || shape.unknownRank || !shape.dim) return undefined;
    return shape.dim.map((d) => {
      const size = Number(d.size ?? -1);
      return size < 0 ? null : size;
    });
  }
  const first = firstLayerShape((topology.model_config ?? topology) as Record<string, unknown>);
  return first;
}

function firstLayerShape(model: Record<string, unknown>): (number | null)[] | undefined {
  const config = model.config as Record<string, unknown> | unknown[] | undefined;
  const layers = (Array.isArray(config) ? config : config?.layers) as Record<string, unknown>[] | undefined;
  if (!Array.isArray(layers) || layers.length === 0) return undefined;
  const first = layers[0];
  if (first.class_name === 'Sequential' || first.class_name === 'Model' || first.class_name === 'Functional') return firstLayerShape(first);
  const c = (first.config ?? {}) as Record<string, unknown>;
  const shape = c.batch_input_shape ?? c.batchInputShape ?? (Array.isArray(c.input_shape) ? [null, ...(c.input_shape as unknown[])] : undefined);
  return Array.isArray(shape) ? shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null)) : undefined;
}

/** An image classifier reads [batch, height, width, 3]: refuse anything else (grayscale, sequences, feature vectors). */
export function checkImageInput(shape: readonly (number | null)[] | undefined, t: Translate): void {
  if (!shape) return; // not declared: the probe run at install decides
  if (shape.length !== 4 || (shape[3] !== null && shape[3] !== 3)) {
    throw new ModelSourceError(t('modelErrNotImage', `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`));
  }
}

/** The dtype of the model's input as declared ('float32', 'int32', …); undefined when it does not say. */
export function declaredInputDtype(json: ModelJson): string | undefined {
  const topology = json.modelTopology as Record<string, unknown>;
  if (Array.isArray(topology.node)) {
    const placeholders = (topology.node as { op?: string; attr?: { dtype?: { type?: string } } }[]).filter((n) => n.op === 'Placeholder');
    const type = placeholders.length === 1 ? placeholders[0].attr?.dtype?.type : undefined;
    return type?.replace(/^DT_/, '').toLowerCase().replace(/^float$/, 'float32');
  }
  const layers = ((topology.model_config ?? topology) as { config?: { layers?: { class_name?: string; config?: { dtype?: unknown } }[] } }).config?.layers;
  const input = Array.isArray(layers) ? layers.find((l) => l.class_name === 'InputLayer') : undefined;
  return typeof input?.config?.dtype === 'string' ? input.config.dtype : undefined;
}

/** Pixels reach the model as floats: a model that wants integers (int32, uint8) cannot be fed. */
export function checkInputDtype(json: ModelJson, t: Translate): void {
  const dtype = declaredInputDtype(json);
  if (dtype && /^u?int/.test(dtype)) throw new ModelSourceError(t('modelErrIntegerInput', dtype));
}

/** The input size: what the model declares, else the user's choice, else 224 × 224. */
export function chooseInputSize(shape: readonly (number | null)[] | undefined, wanted?: { width: number; height: number }): { width: number; height: number } {
  const height = shape?.[1];
  const width = shape?.[2];
  if (typeof height === 'number' && typeof width === 'number' && height > 0 && width > 0) return { width, height };
  return wanted ?? { width: 224, height: 224 };
}

/** A file's name from its address or manifest path. */
export function fileName(url: string): string {
  const path = url.replace(/[?#].*$/, '');
  return decodeURIComponent(path.substring(path.lastIndexOf('/') + 1)) || url;
}

/** Byte counts of the weight files, grouped as the manifest groups them. */
export function splitByGroup(manifest: WeightsGroup[], sizes: number[]): number[][] {
  let at = 0;
  return manifest.map((g) => {
    const group = sizes.slice(at, at + g.paths.length);
    at += g.paths.length;
    return group;
  });
}

/** A model's files, fetched or picked, before tfjs has seen them. */
export interface ModelFiles {
  modelJson: ModelJson;
  format: 'graph' | 'layers';
  /** All weight files concatenated in manifest order (what tfjs's weightData is). */
  weightData: ArrayBuffer;
  sizeBytes: number;
  metadata?: TeachableMetadata;
  /** From a picked labels file. */
  labels?: string[];
  /** Where the files came from, for messages. */
  origin: string;
}

// ---- Picked files ----

export interface PickedFile {
  name: string;
  bytes: ArrayBuffer;
}

const decodeText = (bytes: ArrayBuffer) => new TextDecoder().decode(bytes);

/**
 * A model from picked files: one model.json (any .json that is a tfjs model; metadata.json is TM's),
 * the weight files it names (matched by file name), and optionally metadata.json or a labels file (.txt,
 * labels.json).
 */
export function assembleFiles(files: readonly PickedFile[], t: Translate, limit = MAX_MODEL_BYTES): ModelFiles {
  const json = files.filter((f) => /\.json$/i.test(f.name));
  const metadataFile = json.find((f) => /^metadata\.json$/i.test(f.name));
  const labelsFile = files.find((f) => /\.txt$/i.test(f.name)) ?? json.find((f) => /^labels\.json$/i.test(f.name));
  const candidates = json.filter((f) => f !== metadataFile && f !== labelsFile);
  const modelFile = candidates.find((f) => /^model\.json$/i.test(f.name)) ?? candidates[0];
  if (!modelFile) throw new ModelSourceError(t('modelErrNoModelJson'));
  const modelJson = parseModelJson(decodeText(modelFile.bytes), modelFile.name, t);
  const format = modelFormat(modelJson, modelFile.name, t);
  const sizeBytes = groupByteLengths(modelJson.weightsManifest, modelFile.name, t).reduce((a, b) => a + b, 0);
  checkModelSize(sizeBytes, t, limit);
  checkImageInput(declaredInputShape(modelJson), t);
  checkInputDtype(modelJson, t);
  const byName = new Map(files.map((f) => [f.name, f]));
  const parts = modelJson.weightsManifest.flatMap((g) =>
    g.paths.map((p) => {
      const name = fileName(p);
      const file = byName.get(name);
      if (!file) throw new ModelSourceError(t('modelErrWeightsNotPicked', name));
      return new Uint8Array(file.bytes);
    }),
  );
  checkWeightSizes(modelJson.weightsManifest, splitByGroup(modelJson.weightsManifest, parts.map((p) => p.length)), modelFile.name, t);
  const metadata = metadataFile ? parseTeachableMetadata(decodeText(metadataFile.bytes), t) : undefined;
  const labels = labelsFile ? parseLabels(decodeText(labelsFile.bytes)) : undefined;
  return { modelJson, format, weightData: concatBytes(parts).buffer, sizeBytes, metadata, labels, origin: files.map((f) => f.name).join(', ') };
}

/** What the user says about a model that its files do not (all optional). */
export interface InstallForm {
  displayName?: string;
  inputSize?: { width: number; height: number };
  pixelScaling?: PixelScaling;
  /** With pixelScaling 'meanStd'. */
  normalization?: Normalization;
  labels?: string[];
  /** 'center': the model sees a picture's central square; 'whole': all of it, squashed. Default: center for Teachable Machine. */
  framing?: 'center' | 'whole';
  /** The user says it is a classifier, though its outputs do not look like class scores (no softmax, sigmoid or pooled linear head). */
  classifier?: boolean;
}
