// model.json + weights → an ExplainableModel, for bundled and installed models alike. Keras models
// nested in Keras models (Teachable Machine) are flattened first so that their CAM layer is visible;
// models that output raw scores get a softmax for the percentages shown (installed models only).
import * as tf from '@tensorflow/tfjs';
import type { GraphNode } from '../core/camHead';
import type { ModelEntry } from '../core/catalog';
import { flattenKerasTopology } from '../core/kerasFlatten';
import type { ModelJson } from '../core/modelSource';
import { GraphExplainable, LayersExplainable, type ExplainableModel } from './explainable';

/** tfjs model artifacts from model.json and the concatenated weights; layers topologies flattened. */
export function artifactsFrom(modelJson: ModelJson, weightData: ArrayBuffer, format: 'graph' | 'layers'): tf.io.ModelArtifacts {
  const json = format === 'layers' ? { ...modelJson, modelTopology: flattenKerasTopology(modelJson.modelTopology) } : modelJson;
  return tf.io.getModelArtifactsForJSONSync(json as unknown as tf.io.ModelJSON, tf.io.getWeightSpecs(modelJson.weightsManifest as tf.io.WeightsManifestConfig), weightData);
}

/** Loads the model the artifacts describe and wraps it for explaining. */
export async function explainableFrom(entry: ModelEntry, artifacts: tf.io.ModelArtifacts, layerOverride?: string): Promise<ExplainableModel> {
  if (entry.format === 'graph') {
    const graph = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
    try {
      return withScores(entry, new GraphExplainable(entry, graph, (artifacts.modelTopology as { node: GraphNode[] }).node, layerOverride));
    } catch (e) {
      graph.dispose();
      throw e;
    }
  }
  const layers = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    return withScores(entry, new LayersExplainable(entry, layers, layerOverride));
  } catch (e) {
    layers.dispose();
    throw e;
  }
}

function withScores(entry: ModelEntry, model: ExplainableModel): ExplainableModel {
  return entry.softmaxScores && model.outputActivation === 'none' ? new SoftmaxScores(model) : model;
}

/** A model whose outputs are logits, shown as softmax probabilities (e.g. TF Hub's ImageNet classifiers). */
class SoftmaxScores implements ExplainableModel {
  readonly outputActivation = 'softmax' as const;
  constructor(private readonly inner: ExplainableModel) {}
  get entry() {
    return this.inner.entry;
  }
  get layer() {
    return this.inner.layer;
  }
  get camWeights() {
    return this.inner.camWeights;
  }
  get camUnavailable() {
    return this.inner.camUnavailable;
  }
  forward(input: tf.Tensor4D) {
    return this.inner.forward(input);
  }
  head(features: tf.Tensor4D, input: tf.Tensor4D) {
    return this.inner.head(features, input);
  }
  layerChoices() {
    return this.inner.layerChoices();
  }
  weightGroups() {
    return this.inner.weightGroups();
  }
  weight(name: string) {
    return this.inner.weight(name);
  }
  async withWeights(replacements: ReadonlyMap<string, tf.Tensor>): Promise<ExplainableModel> {
    return new SoftmaxScores(await this.inner.withWeights(replacements));
  }
  dispose() {
    this.inner.dispose();
  }
}
