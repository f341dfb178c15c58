// Loads the catalog's default model (nsfwjs MobileNetV2 "mid") in Node, straight from the nsfwjs
// package via models/extract.mjs, and wraps it as a GraphExplainable. The result is cached at module level;
// vitest isolates modules per test file, so each test file loads it once (~1 s).
import * as tf from '@tensorflow/tfjs';
import { concatBytes as concatAll } from '../../../src/core/bytes';
import { extractModel, readCatalog } from '../../../models/extract.mjs';
import { GraphExplainable, LayersExplainable } from '../../../src/background/explainable';
import type { GraphNode } from '../../../src/core/camHead';
import type { ModelEntry } from '../../../src/core/catalog';

export const DEFAULT_MODEL_ID = 'nsfw-mobilenet-v2-mid';

export interface RealModel {
  entry: ModelEntry;
  /** The model.json object produced by extractModel (graph-model format). */
  modelJson: { modelTopology: { node: GraphNode[] }; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  nodes: GraphNode[];
  graph: tf.GraphModel;
  /** The model as the extension sees it (shares `graph`: do not dispose it in a test). */
  explainable: GraphExplainable;
}

/** Concatenates byte arrays into one fresh ArrayBuffer. */
export const concatBytes = (parts: Uint8Array[]): ArrayBuffer => concatAll(parts).buffer;

export function defaultEntry(): ModelEntry {
  const catalog = readCatalog() as { models: ModelEntry[] };
  const entry = catalog.models.find((m) => m.id === DEFAULT_MODEL_ID);
  if (!entry) throw new Error(`catalog has no ${DEFAULT_MODEL_ID}`);
  return entry;
}

async function load(): Promise<RealModel> {
  await tf.setBackend('cpu');
  await tf.ready();
  const entry = defaultEntry();
  const { modelJson, shards } = extractModel(entry) as {
    modelJson: RealModel['modelJson'];
    shards: { fileName: string; bytes: Uint8Array }[];
  };
  const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightData = concatBytes(shards.map((s) => s.bytes));
  const graph = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }));
  const nodes = modelJson.modelTopology.node;
  const explainable = new GraphExplainable(entry, graph, nodes);
  return { entry, modelJson, nodes, graph, explainable };
}

let cached: Promise<RealModel> | undefined;

/** The default model, loaded once per test file. */
export function loadRealModel(): Promise<RealModel> {
  cached ??= load();
  return cached;
}

/** The second bundled model (nsfwjs MobileNetV2 1.0, a layers model with an MLP head), wrapped as the extension does. */
export async function loadRealLayersModel(): Promise<{ entry: ModelEntry; explainable: LayersExplainable }> {
  const entry = (readCatalog() as { models: ModelEntry[] }).models.find((m) => m.id === 'nsfw-mobilenet-v2');
  if (!entry) throw new Error('catalog has no nsfw-mobilenet-v2');
  const { modelJson, shards } = extractModel(entry) as {
    modelJson: { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
    shards: { bytes: Uint8Array }[];
  };
  const layers = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights), weightData: concatBytes(shards.map((s) => s.bytes)) }),
  );
  return { entry, explainable: new LayersExplainable(entry, layers) };
}
