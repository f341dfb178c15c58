// One model abstraction for every method: the CAM layer's activations, the logits, and the head as
// a differentiable function of those activations. Graph models and layers models both implement it.
import * as tf from '@tensorflow/tfjs';
import { findCamHead, type GraphNode } from '../core/camHead';
import type { ModelEntry } from '../core/catalog';
import {
  findGraphExplainHead, findLayersExplainHead, graphLayerNodes, isSpatialMap, layersModelCandidates, shortLayerName,
  type LayerCandidate, type LayerInfo, type OutputActivation,
} from '../core/explainHead';

export class ModelError extends Error {}

export interface ExplainableModel {
  readonly entry: ModelEntry;
  /** Name of the explained layer (graph node or Keras layer). */
  readonly layer: string;
  readonly outputActivation: OutputActivation;
  /** Class weights [K, C] of a linear head (exact CAM applies), else null. */
  readonly camWeights: tf.Tensor2D | null;
  /** Why exact CAM does not apply (null when it does). */
  readonly camUnavailable: string | null;
  /** CAM-layer activations [N, h, w, K] and logits [N, C] for a batch of inputs. Synchronous, use inside tidy. */
  forward(input: tf.Tensor4D): { features: tf.Tensor4D; logits: tf.Tensor2D };
  /** Logits [N, C] from CAM-layer activations: differentiable; `input` is needed only by graphs with bypass branches. */
  head(features: tf.Tensor4D, input: tf.Tensor4D): tf.Tensor2D;
  /** The layers this model can be explained at, deepest first, and the one chosen when the user names none. */
  layerChoices(): LayerChoices;
  dispose(): void;
}

export interface LayerChoices {
  automatic: string;
  layers: LayerCandidate[];
}

/** Scores the user sees, from logits. */
export function scoresFromLogits(model: ExplainableModel, logits: tf.Tensor2D): tf.Tensor2D {
  if (model.outputActivation === 'softmax') return tf.softmax(logits);
  if (model.outputActivation === 'sigmoid') return tf.sigmoid(logits);
  return logits.clone();
}

/** Nodes whose shapes one probe run asks for (their activations are alive together). */
const PROBE_BATCH = 24;

/** A converted TF graph model. */
export class GraphExplainable implements ExplainableModel {
  readonly layer: string;
  readonly outputActivation: OutputActivation;
  readonly camWeights: tf.Tensor2D | null;
  readonly camUnavailable: string | null;
  private readonly inputNode: string;
  private readonly logitsNode: string;
  /** Whether the head reads tensors other than the CAM layer (bypass branches); learnt on first use. */
  private headNeedsInput: boolean | null = null;
  private choices: LayerChoices | null = null;
  /** The layer chosen when the user names none. */
  private automatic: string | null;

  constructor(
    readonly entry: ModelEntry,
    private readonly graph: tf.GraphModel,
    private readonly nodes: GraphNode[],
    layerOverride?: string,
  ) {
    // The finder probes shapes through this.shapesOf, which feeds the input node.
    this.inputNode = nodes.find((n) => n.op === 'Placeholder')?.name ?? '';
    const head = findGraphExplainHead(nodes, layerOverride, (names) => this.shapesOf(names));
    this.automatic = layerOverride ? null : head.featureNode;
    this.layer = head.featureNode;
    this.logitsNode = head.logitsNode;
    this.outputActivation = head.outputActivation;
    const linear = linearGraphHead(graph, nodes);
    const applies = linear !== null && linear.featureNode === this.layer && !(linear.weights instanceof Error);
    this.camWeights = applies ? (linear.weights as tf.Tensor2D) : null;
    if (!applies && linear && !(linear.weights instanceof Error)) (linear.weights as tf.Tensor).dispose();
    this.camUnavailable = applies
      ? null
      : linear === null
        ? 'the model does not end in global average pooling followed by one linear layer'
        : linear.weights instanceof Error
          ? linear.weights.message
          : `exact CAM applies only to layer ${shortLayerName(linear.featureNode)}`;
    if (this.camWeights) checkCamWeights(entry, this.camWeights);
  }

  /**
   * Shapes are not stored in a converted graph: runs on a blank image tell them (shapes only, no
   * download), a few nodes at a time so that a large model never holds all its activations at once.
   */
  private shapesOf(names: string[]): number[][] {
    const { width, height } = this.entry.inputSize;
    const input = tf.zeros([1, height, width, 3]);
    const shapes: number[][] = [];
    try {
      for (let i = 0; i < names.length; i += PROBE_BATCH) {
        const outputs = this.graph.execute({ [this.inputNode]: input }, names.slice(i, i + PROBE_BATCH)) as tf.Tensor[];
        shapes.push(...outputs.map((t) => t.shape));
        tf.dispose(outputs);
      }
    } finally {
      input.dispose();
    }
    return shapes;
  }

  /** The layers a person would name (the automatic one always among them) that have a spatial map. */
  layerChoices(): LayerChoices {
    if (this.choices) return this.choices;
    const automatic = (this.automatic ??= findGraphExplainHead(this.nodes, undefined, (names) => this.shapesOf(names)).featureNode);
    const named = graphLayerNodes(this.nodes);
    const names = named.includes(automatic) ? named : [...named, automatic];
    const shapes = this.shapesOf(names);
    const { width, height } = this.entry.inputSize;
    const layers = names
      .map((name, i): LayerCandidate | null => {
        const [, h, w, c] = shapes[i];
        const image = h === height && w === width && c === 3; // the input or its scaling: not a feature map
        return isSpatialMap(shapes[i]) && !image ? { name, shape: [h ?? null, w ?? null, c ?? null] } : null;
      })
      .filter((c): c is LayerCandidate => c !== null)
      .reverse();
    this.choices = { automatic, layers };
    return this.choices;
  }

  forward(input: tf.Tensor4D): { features: tf.Tensor4D; logits: tf.Tensor2D } {
    const [features, logits] = this.graph.execute({ [this.inputNode]: input }, [this.layer, this.logitsNode]) as tf.Tensor[];
    if (features.rank !== 4) {
      tf.dispose([features, logits]);
      throw new ModelError(`layer ${this.layer} is ${features.rank}-D; explaining needs a 4-D convolutional activation`);
    }
    const logits2d = logits.reshape([logits.shape[0], -1]) as tf.Tensor2D;
    try {
      checkClassCount(this.entry, logits2d.shape[1]);
      // One row of logits per image: otherwise the pooling was not global (e.g. an AvgPool window
      // smaller than the feature map pools local windows) and no map explains the scores.
      if (logits2d.shape[0] !== input.shape[0]) {
        throw new ModelError(`the head gives ${logits2d.shape[0]} score rows for ${input.shape[0]} image(s): its pooling does not cover the ${features.shape[1]}×${features.shape[2]} feature map`);
      }
    } catch (e) {
      tf.dispose([features, logits, logits2d]);
      throw e;
    }
    return { features: features as tf.Tensor4D, logits: logits2d };
  }

  head(features: tf.Tensor4D, input: tf.Tensor4D): tf.Tensor2D {
    if (this.headNeedsInput !== true) {
      try {
        const logits = this.graph.execute({ [this.layer]: features }, this.logitsNode) as tf.Tensor;
        this.headNeedsInput = false;
        return logits.reshape([logits.shape[0], -1]) as tf.Tensor2D;
      } catch (e) {
        if (this.headNeedsInput === false) throw e;
        this.headNeedsInput = true;
      }
    }
    const batch = features.shape[0];
    const inputs = batch === input.shape[0] ? input : tf.tile(input, [batch, 1, 1, 1]);
    const logits = this.graph.execute({ [this.inputNode]: inputs, [this.layer]: features }, this.logitsNode) as tf.Tensor;
    return logits.reshape([batch, -1]) as tf.Tensor2D;
  }

  dispose(): void {
    this.camWeights?.dispose();
    this.graph.dispose();
  }
}

/** Class weights must have one column per label; frees them when they do not. */
function checkCamWeights(entry: ModelEntry, weights: tf.Tensor2D): void {
  try {
    checkClassCount(entry, weights.shape[1]);
  } catch (e) {
    weights.dispose();
    throw e;
  }
}

/** The model's class count must match the catalog's labels (checked once the count is known: head weights or first logits). */
function checkClassCount(entry: ModelEntry, classes: number): void {
  if (classes !== entry.labels.length) throw new ModelError(`model has ${classes} classes, catalog lists ${entry.labels.length} labels`);
}

/** The [K, C] weights of a GAP + linear head, read from the graph (or the reason they cannot be). */
function linearGraphHead(graph: tf.GraphModel, nodes: GraphNode[]): { featureNode: string; weights: tf.Tensor2D | Error } | null {
  let head;
  try {
    head = findCamHead(nodes);
  } catch {
    return null;
  }
  if (head.poolAxesNode) {
    const axes = graph.weights[head.poolAxesNode]?.[0];
    const values = axes ? Array.from(axes.dataSync()).sort() : [];
    if (values.join() !== '1,2') return { featureNode: head.featureNode, weights: new ModelError(`pooling ${head.poolNode} averages over axes [${values.join(', ')}], not the spatial axes [1, 2]`) };
  }
  const raw = graph.weights[head.weightNode]?.[0];
  if (!raw) return { featureNode: head.featureNode, weights: new ModelError(`weights ${head.weightNode} not loaded`) };
  if (head.weightLayout === 'conv1x1' && (raw.shape[0] !== 1 || raw.shape[1] !== 1)) {
    return { featureNode: head.featureNode, weights: new ModelError(`the head's convolution is ${raw.shape[0]}×${raw.shape[1]}, not 1×1`) };
  }
  const weights = tf.tidy(() => {
    switch (head.weightLayout) {
      case 'KC':
        return raw.clone() as tf.Tensor2D;
      case 'CK':
        return (raw as tf.Tensor2D).transpose() as tf.Tensor2D;
      case 'conv1x1':
        return raw.reshape([raw.shape[2]!, raw.shape[3]!]) as tf.Tensor2D;
    }
  });
  return { featureNode: head.featureNode, weights };
}

/** A Keras layers model (functional or sequential). */
export class LayersExplainable implements ExplainableModel {
  readonly layer: string;
  readonly outputActivation: OutputActivation;
  readonly camWeights: tf.Tensor2D | null;
  readonly camUnavailable: string | null;
  private readonly trunk: tf.LayersModel;
  private readonly chain: tf.layers.Layer[];
  private readonly logitsLayer: tf.layers.Layer | null;
  /** The Activation layer that applies the model's final softmax/sigmoid (the logits are before it). */
  private readonly finalActivation: tf.layers.Layer | null;
  private readonly choices: LayerChoices;

  constructor(
    readonly entry: ModelEntry,
    private readonly model: tf.LayersModel,
    layerOverride?: string,
  ) {
    if (model.outputs.length !== 1) throw new ModelError(`the model has ${model.outputs.length} outputs; an image classifier has one`);
    const infos = model.layers.map(describeLayer);
    const outputLayer = model.outputs[0].sourceLayer.name;
    const found = findLayersExplainHead(infos, outputLayer, layerOverride);
    this.choices = {
      automatic: layerOverride ? findLayersExplainHead(infos, outputLayer).featureLayer : found.featureLayer,
      layers: layersModelCandidates(infos, outputLayer),
    };
    this.layer = found.featureLayer;
    this.outputActivation = found.outputActivation;
    this.chain = found.chain.map((name) => model.getLayer(name));
    this.logitsLayer = found.logitsLayer ? model.getLayer(found.logitsLayer) : null;
    const activating = [...this.chain].reverse().find((l) => !SHAPE_ONLY_LAYERS.has(l.getClassName()));
    this.finalActivation = this.outputActivation !== 'none' && activating?.getClassName() === 'Activation' ? activating : null;
    this.trunk = tf.model({ inputs: model.inputs, outputs: model.getLayer(this.layer).output as tf.SymbolicTensor });
    this.camUnavailable = found.camUnavailable;
    // A Dense kernel is [K, C]; a 1×1 convolution's (Keras's MobileNet: conv_preds) is [1, 1, K, C].
    const kernel = found.linearLayer ? model.getLayer(found.linearLayer).getWeights()[0] : null;
    this.camWeights = kernel ? (kernel.reshape([kernel.shape[kernel.rank - 2]!, kernel.shape[kernel.rank - 1]!]) as tf.Tensor2D) : null;
    if (this.camWeights) checkCamWeights(entry, this.camWeights);
  }

  layerChoices(): LayerChoices {
    return this.choices;
  }

  forward(input: tf.Tensor4D): { features: tf.Tensor4D; logits: tf.Tensor2D } {
    const features = this.trunk.predict(input) as tf.Tensor4D;
    const logits = this.head(features);
    try {
      checkClassCount(this.entry, logits.shape[1]);
    } catch (e) {
      tf.dispose([features, logits]);
      throw e;
    }
    return { features, logits };
  }

  head(features: tf.Tensor4D): tf.Tensor2D {
    let x: tf.Tensor = features;
    for (const layer of this.chain) {
      if (layer === this.logitsLayer) {
        x = preActivation(layer, x);
        break;
      }
      if (layer === this.finalActivation) break;
      x = layer.apply(x, { training: false }) as tf.Tensor;
    }
    return x.reshape([x.shape[0], -1]) as tf.Tensor2D;
  }

  dispose(): void {
    this.camWeights?.dispose();
    this.model.dispose();
  }
}

const SHAPE_ONLY_LAYERS = new Set(['Reshape', 'Flatten']);

interface ConvConfig {
  strides: number[];
  padding: 'valid' | 'same';
  dilationRate?: number[] | number;
}

/** The logits are a Dense or Conv2D layer's pre-activation (x·W + b, or the convolution + b), whatever activation it applies. */
function preActivation(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  const [kernel, bias] = layer.getWeights();
  let out: tf.Tensor;
  if (layer.getClassName() === 'Conv2D') {
    const { strides, padding, dilationRate } = layer.getConfig() as unknown as ConvConfig;
    const dilation = (Array.isArray(dilationRate) ? dilationRate : [dilationRate ?? 1, dilationRate ?? 1]) as [number, number];
    out = tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides as [number, number], padding, 'NHWC', dilation);
  } else {
    out = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
  }
  return bias ? tf.add(out, bias) : out;
}

const pair = (v: number[] | number | undefined): [number, number] | undefined => (v === undefined ? undefined : Array.isArray(v) ? [v[0], v[1]] : [v, v]);

function describeLayer(layer: tf.layers.Layer): LayerInfo {
  const config = layer.getConfig() as { activation?: string; poolSize?: number[] | number; pool_size?: number[]; kernelSize?: number[] | number; strides?: number[] | number };
  const shape = layer.outputShape;
  return {
    name: layer.name,
    className: layer.getClassName(),
    outputShape: (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[],
    inbound: layer.inboundNodes.flatMap((n) => n.inboundLayers.map((l) => l.name)),
    activation: config.activation,
    poolSize: pair(config.poolSize ?? config.pool_size),
    kernelSize: pair(config.kernelSize),
    strides: pair(config.strides),
  };
}
