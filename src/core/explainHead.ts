// Finds, for any classifier, where to explain it: the CAM layer (the 4-D activation just before the
// head) and the logits (the pre-softmax scores, which gradients and scores must use). Pure: works on
// a graph model's node list or on a light description of a layers model's layers.
import { CamHeadError, findCamHead, type GraphNode } from './camHead';

export type OutputActivation = 'softmax' | 'sigmoid' | 'none';

export interface GraphExplainHead {
  inputNode: string;
  featureNode: string;
  logitsNode: string;
  outputActivation: OutputActivation;
}

const PASS_THROUGH = new Set(['Identity', 'StopGradient', 'Snapshot']);
const POOLS = new Set(['AvgPool', 'Mean', 'MaxPool', 'Max']);
const FLATTENS = new Set(['Reshape', 'Squeeze']);
const NOT_DATA = new Set(['Const', 'NoOp']);

const baseName = (input: string) => input.replace(/^\^/, '').replace(/:\d+$/, '');

/**
 * Graph models: logits = the tensor the final Softmax/Sigmoid reads (else the output itself);
 * CAM layer = input of the last global pooling on the way back from the logits (a flatten when
 * the head has no pooling). `featureOverride` names the CAM layer explicitly.
 */
export function findGraphExplainHead(nodes: GraphNode[], featureOverride?: string): GraphExplainHead {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumed = new Set(nodes.flatMap((n) => (n.input ?? []).map(baseName)));
  const inputs = nodes.filter((n) => n.op === 'Placeholder');
  if (inputs.length !== 1) throw new CamHeadError(`the model has ${inputs.length} inputs; an image classifier has one`);
  const outputs = nodes.filter((n) => !consumed.has(n.name) && !NOT_DATA.has(n.op));
  if (outputs.length !== 1) throw new CamHeadError(`the model has ${outputs.length} outputs; an image classifier has one`);

  let logits = outputs[0];
  while (PASS_THROUGH.has(logits.op)) logits = dataInput(logits, byName);
  let outputActivation: OutputActivation = 'none';
  if (logits.op === 'Softmax' || logits.op === 'Sigmoid') {
    outputActivation = logits.op === 'Softmax' ? 'softmax' : 'sigmoid';
    logits = dataInput(logits, byName);
  }

  let featureNode: string;
  if (featureOverride) {
    if (!byName.has(featureOverride)) throw new CamHeadError(`no node named "${featureOverride}" in the model`);
    featureNode = featureOverride;
  } else {
    // An exact-CAM head, when there is one, fixes the layer; otherwise walk back to the pooling.
    featureNode = linearHeadFeature(nodes) ?? walkBackToFeatures(logits, byName);
  }
  return { inputNode: inputs[0].name, featureNode, logitsNode: logits.name, outputActivation };
}

function linearHeadFeature(nodes: GraphNode[]): string | null {
  try {
    return findCamHead(nodes).featureNode;
  } catch {
    return null;
  }
}

function dataInput(node: GraphNode, byName: Map<string, GraphNode>): GraphNode {
  for (const input of node.input ?? []) {
    if (input.startsWith('^')) continue;
    const n = byName.get(baseName(input));
    if (n && !NOT_DATA.has(n.op)) return n;
  }
  throw new CamHeadError(`${node.name} (${node.op}) has no data input`);
}

function walkBackToFeatures(logits: GraphNode, byName: Map<string, GraphNode>): string {
  let firstFlatten: GraphNode | null = null;
  let node = logits;
  for (let steps = 0; steps < 10_000; steps++) {
    if (POOLS.has(node.op)) return dataInput(node, byName).name;
    if (FLATTENS.has(node.op) && !firstFlatten) firstFlatten = node;
    if (node.op === 'Placeholder') break;
    node = dataInput(node, byName);
  }
  if (firstFlatten) return dataInput(firstFlatten, byName).name;
  throw new CamHeadError('no pooling or flatten before the classifier head: cannot tell which layer to explain');
}

/** What the layers-model finder needs to know of each layer (read from a tfjs LayersModel). */
export interface LayerInfo {
  name: string;
  className: string;
  /** Output shape with the batch dimension (null for free dims). */
  outputShape: (number | null)[];
  inbound: string[];
  /** Activation of Dense/Conv/Activation layers ('linear', 'relu', 'softmax', …). */
  activation?: string;
  /** Pool window of AveragePooling2D. */
  poolSize?: [number, number];
}

export interface LayersExplainHead {
  featureLayer: string;
  /** Layers after the CAM layer, in order, up to and including the output layer. */
  chain: string[];
  /** The Dense layer whose pre-activation is the logits (the last Dense in the chain). */
  logitsDense: string | null;
  outputActivation: OutputActivation;
  /** The single Dense layer of a linear head (pool → [flatten/dropout] → Dense): exact CAM applies. */
  linearDense: string | null;
  /** Why exact CAM does not apply, when it does not. */
  camUnavailable: string | null;
}

const LINEAR_HEAD_PASS = new Set(['Flatten', 'Dropout', 'Reshape', 'SpatialDropout2D', 'GaussianDropout', 'AlphaDropout']);
const GLOBAL_AVG = new Set(['GlobalAveragePooling2D']);

/** Layers models: walk back from the output through single-input layers to the last 4-D activation with spatial size > 1. */
export function findLayersExplainHead(layers: LayerInfo[], outputLayer: string, featureOverride?: string): LayersExplainHead {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const chain: LayerInfo[] = [];
  let layer = byName.get(outputLayer);
  if (!layer) throw new CamHeadError(`no layer named "${outputLayer}"`);
  for (;;) {
    if (featureOverride ? layer.name === featureOverride : isSpatialMap(layer.outputShape)) break;
    chain.unshift(layer);
    if (layer.inbound.length !== 1) {
      throw new CamHeadError(
        layer.inbound.length === 0
          ? featureOverride ? `layer "${featureOverride}" is not on the path to the output` : 'no 4-D convolutional activation before the head'
          : `the head branches at ${layer.name}: choose the layer to explain by name`,
      );
    }
    const next = byName.get(layer.inbound[0]);
    if (!next) throw new CamHeadError(`layer ${layer.name} reads unknown layer ${layer.inbound[0]}`);
    layer = next;
  }
  if (layer.outputShape.length !== 4) throw new CamHeadError(`layer "${layer.name}" is not a 4-D activation`);
  if (chain.length === 0) throw new CamHeadError(`layer "${layer.name}" is the output: there is no head to explain`);

  let outputActivation: OutputActivation = 'none';
  const last = chain[chain.length - 1];
  const finalAct = last.activation;
  if (finalAct === 'softmax' || finalAct === 'sigmoid') outputActivation = finalAct;
  const denses = chain.filter((l) => l.className === 'Dense');
  const logitsDense = denses.length ? denses[denses.length - 1].name : null;
  if (outputActivation !== 'none' && last.className !== 'Dense' && last.className !== 'Activation') {
    throw new CamHeadError(`the output layer ${last.name} applies ${finalAct} inside a ${last.className}: logits are not reachable`);
  }
  return { featureLayer: layer.name, chain: chain.map((l) => l.name), logitsDense, outputActivation, ...linearHead(layer, chain) };
}

function linearHead(feature: LayerInfo, chain: LayerInfo[]): { linearDense: string | null; camUnavailable: string | null } {
  const [pool, ...rest] = chain;
  const [, h, w] = feature.outputShape;
  const coversMap = pool.className === 'AveragePooling2D' && pool.poolSize?.[0] === h && pool.poolSize?.[1] === w;
  if (!GLOBAL_AVG.has(pool.className) && !coversMap) {
    return { linearDense: null, camUnavailable: `the head starts with ${pool.className}, not global average pooling` };
  }
  const denses = rest.filter((l) => l.className === 'Dense');
  if (denses.length !== 1) return { linearDense: null, camUnavailable: `the head has ${denses.length} dense layers after pooling; CAM needs exactly one` };
  const others = rest.filter((l) => l.className !== 'Dense' && !LINEAR_HEAD_PASS.has(l.className));
  const finalActivationLayer = others.length === 1 && others[0] === rest[rest.length - 1] && others[0].className === 'Activation';
  if (others.length > (finalActivationLayer ? 1 : 0)) return { linearDense: null, camUnavailable: `the head contains ${others[0].className}` };
  const dense = denses[0];
  const isLast = dense === rest[rest.length - 1] || finalActivationLayer;
  if (!isLast || !['linear', 'softmax', 'sigmoid', undefined].includes(dense.activation)) {
    return { linearDense: null, camUnavailable: `the dense layer applies ${dense.activation}` };
  }
  return { linearDense: dense.name, camUnavailable: null };
}

/** A layer that can be explained: a 4-D activation with a spatial map (height and width > 1). */
export interface LayerCandidate {
  name: string;
  /** [height, width, channels]; null where the model leaves a dimension free. */
  shape: [number | null, number | null, number | null];
}

/** Whether an output shape (with its batch dimension) is a spatial map worth explaining. */
export function isSpatialMap(shape: readonly (number | null)[]): boolean {
  return shape.length === 4 && (shape[1] ?? 2) > 1 && (shape[2] ?? 2) > 1;
}

/**
 * Layers models: the layers `findLayersExplainHead` can explain, deepest first — the spatial maps on
 * the single-input path back from the output (a branch, e.g. a residual addition, ends the path: the
 * head after an earlier layer would not be a chain). The input itself is the image, not a feature map.
 */
export function layersModelCandidates(layers: LayerInfo[], outputLayer: string): LayerCandidate[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const found: LayerCandidate[] = [];
  for (let layer = byName.get(outputLayer); layer; layer = layer.inbound.length === 1 ? byName.get(layer.inbound[0]) : undefined) {
    if (layer.name !== outputLayer && layer.className !== 'InputLayer' && isSpatialMap(layer.outputShape)) {
      const [, h, w, c] = layer.outputShape;
      found.push({ name: layer.name, shape: [h, w, c] });
    }
  }
  return found;
}

/**
 * Graph models: the nodes whose outputs may be explainable maps, in graph order. Shapes are rarely
 * stored in a converted graph, so the caller runs the model on a blank image and keeps the spatial maps.
 */
export function graphNodesToProbe(nodes: GraphNode[]): string[] {
  return nodes.filter((n) => !NOT_DATA.has(n.op) && !PASS_THROUGH.has(n.op) && n.op !== 'Placeholder').map((n) => n.name);
}

/** Scopes that converters and Keras wrappers add around a graph's own names. */
const WRAPPER_SCOPE = /^(StatefulPartitionedCall|PartitionedCall|sequential|keras_layer|predict|module_apply_default|model|functional)(_\d+)?$/;

/**
 * A layer's name as people read it: a graph node without the wrapper scopes converters add
 * ("MobilenetV2/expanded_conv_12/expand/Relu6"), a Keras name as is.
 */
export function shortLayerName(name: string): string {
  return name.split('/').filter((scope) => !WRAPPER_SCOPE.test(scope)).join('/') || name;
}
