// Finds, for any classifier, where to explain it: the CAM layer (the 4-D activation just before the
// head) and the logits (the pre-softmax scores, which gradients and scores must use). Pure: works on
// a graph model's node list or on a light description of a layers model's layers.
import { CamHeadError, decodeAttrString, findCamHead, type GraphNode } from './camHead';

export type OutputActivation = 'softmax' | 'sigmoid' | 'none';

export interface GraphExplainHead {
  inputNode: string;
  featureNode: string;
  logitsNode: string;
  outputActivation: OutputActivation;
}

const PASS_THROUGH = new Set(['Identity', 'StopGradient', 'Snapshot']);
/** Ops that change a tensor's shape only: a Softmax behind them is still the model's final activation. */
const SHAPE_ONLY = new Set([...PASS_THROUGH, 'Reshape', 'Squeeze']);
const NOT_DATA = new Set(['Const', 'NoOp']);

const baseName = (input: string) => input.replace(/^\^/, '').replace(/:\d+$/, '');

/** Output shapes of graph nodes (with the batch dimension), as one run on a blank image tells them. */
export type ShapesOf = (names: string[]) => number[][];

/**
 * Graph models: logits = the tensor the final Softmax/Sigmoid reads (else the output itself);
 * CAM layer = the exact-CAM head's feature map when there is one, else the deepest spatial map on
 * the way back from the logits (what the last global pooling reads; a local max-pool's output when
 * the head flattens it). Shapes are not stored in a converted graph: `shapesOf` gives them.
 * `featureOverride` names the CAM layer explicitly.
 */
export function findGraphExplainHead(nodes: GraphNode[], featureOverride: string | undefined, shapesOf: ShapesOf): GraphExplainHead {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumed = new Set(nodes.flatMap((n) => (n.input ?? []).map(baseName)));
  const inputs = nodes.filter((n) => n.op === 'Placeholder');
  if (inputs.length !== 1) throw new CamHeadError(`the model has ${inputs.length} inputs; an image classifier has one`);
  const outputs = nodes.filter((n) => !consumed.has(n.name) && !NOT_DATA.has(n.op));
  if (outputs.length !== 1) throw new CamHeadError(`the model has ${outputs.length} outputs; an image classifier has one`);

  let logits = outputs[0];
  while (PASS_THROUGH.has(logits.op)) logits = dataInput(logits, byName);
  let outputActivation: OutputActivation = 'none';
  let behind = logits;
  while (SHAPE_ONLY.has(behind.op)) behind = dataInput(behind, byName);
  if (behind.op === 'Softmax' || behind.op === 'Sigmoid') {
    outputActivation = behind.op === 'Softmax' ? 'softmax' : 'sigmoid';
    logits = dataInput(behind, byName);
  }

  let featureNode: string;
  if (featureOverride) {
    if (!byName.has(featureOverride)) throw new CamHeadError(`no node named "${featureOverride}" in the model`);
    featureNode = featureOverride;
  } else {
    featureNode = linearHeadFeature(nodes) ?? deepestSpatialMap(logits, byName, shapesOf);
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

/** Path nodes whose shapes one probe run asks for. */
const SHAPE_BATCH = 16;

/** The first node on the way back from the logits whose output is a spatial map (h, w > 1). */
function deepestSpatialMap(logits: GraphNode, byName: Map<string, GraphNode>, shapesOf: ShapesOf): string {
  const path: string[] = [];
  for (let node = logits; node.op !== 'Placeholder'; node = dataInput(node, byName)) {
    if (!PASS_THROUGH.has(node.op) && node !== logits) path.push(node.name);
    if (path.length > 100_000) break;
  }
  for (let i = 0; i < path.length; i += SHAPE_BATCH) {
    const names = path.slice(i, i + SHAPE_BATCH);
    const found = shapesOf(names).findIndex((shape) => isSpatialMap(shape));
    if (found >= 0) return names[found];
  }
  throw new CamHeadError('no spatial feature map before the classifier head: cannot tell which layer to explain');
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
  /** Kernel size and strides of Conv2D. */
  kernelSize?: [number, number];
  strides?: [number, number];
}

export interface LayersExplainHead {
  featureLayer: string;
  /** Layers after the CAM layer, in order, up to and including the output layer. */
  chain: string[];
  /**
   * The Dense or Conv2D layer whose pre-activation is the logits: the last one in the chain when only
   * dropout, reshapes and the final softmax/sigmoid follow it (null: the chain's output, less a final
   * activation layer, is the logits).
   */
  logitsLayer: string | null;
  outputActivation: OutputActivation;
  /**
   * The single linear layer of an exact-CAM head — global average pooling → (reshape / flatten /
   * dropout) → one Dense or 1×1 Conv2D → (softmax / sigmoid) → (reshape) — whose kernel is w_c.
   */
  linearLayer: string | null;
  /** Why exact CAM does not apply, when it does not. */
  camUnavailable: string | null;
}

/** Layers that change a tensor's shape only. */
const SHAPE_LAYERS = new Set(['Flatten', 'Reshape']);
/** Layers that pass values through unchanged when not training (and shape-only ones). */
const IDENTITY_LAYERS = new Set([...SHAPE_LAYERS, 'Dropout', 'SpatialDropout2D', 'GaussianDropout', 'AlphaDropout', 'GaussianNoise']);
/** Layers with a kernel that can hold the class weights. */
const WEIGHTED = new Set(['Dense', 'Conv2D']);
const LINEAR_ACTIVATIONS = new Set(['linear', 'softmax', 'sigmoid', undefined]);
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

  // The final activation, behind any reshapes at the end (Keras's MobileNet: act_softmax → reshape_2).
  let end = chain.length;
  while (end > 1 && SHAPE_LAYERS.has(chain[end - 1].className)) end--;
  const last = chain[end - 1];
  const finalAct = last.activation;
  const outputActivation: OutputActivation = finalAct === 'softmax' || finalAct === 'sigmoid' ? finalAct : 'none';
  if (outputActivation !== 'none' && !WEIGHTED.has(last.className) && last.className !== 'Activation') {
    throw new CamHeadError(`the output layer ${last.name} applies ${finalAct} inside a ${last.className}: logits are not reachable`);
  }
  return { featureLayer: layer.name, chain: chain.map((l) => l.name), logitsLayer: logitsLayer(chain, last, outputActivation), outputActivation, ...linearHead(layer, chain) };
}

/** Whether a layer after the logits layer leaves the logits as they are (up to shape), or is the final activation. */
const passesLogits = (l: LayerInfo, last: LayerInfo, outputActivation: OutputActivation) =>
  IDENTITY_LAYERS.has(l.className) || (l.className === 'Activation' && (l.activation === 'linear' || (l === last && outputActivation !== 'none')));

function logitsLayer(chain: LayerInfo[], last: LayerInfo, outputActivation: OutputActivation): string | null {
  const at = chain.map((l) => WEIGHTED.has(l.className)).lastIndexOf(true);
  if (at < 0 || !LINEAR_ACTIVATIONS.has(chain[at].activation)) return null;
  return chain.slice(at + 1).every((l) => passesLogits(l, last, outputActivation)) ? chain[at].name : null;
}

function linearHead(feature: LayerInfo, chain: LayerInfo[]): { linearLayer: string | null; camUnavailable: string | null } {
  const no = (why: string) => ({ linearLayer: null, camUnavailable: why });
  const [pool, ...rest] = chain;
  const [, h, w] = feature.outputShape;
  const coversMap = pool.className === 'AveragePooling2D' && pool.poolSize?.[0] === h && pool.poolSize?.[1] === w;
  if (!GLOBAL_AVG.has(pool.className) && !coversMap) return no(`the head starts with ${pool.className}, not global average pooling`);
  const weighted = rest.filter((l) => WEIGHTED.has(l.className));
  if (weighted.length !== 1) return no(`the head has ${weighted.length} dense layers after pooling; CAM needs exactly one`);
  const linear = weighted[0];
  if (linear.className === 'Conv2D' && (linear.kernelSize?.join() !== '1,1' || linear.strides?.join() !== '1,1')) {
    return no(`the head's ${linear.name} is a ${linear.kernelSize?.join('×') ?? '?'} convolution, not a 1×1 one`);
  }
  if (!LINEAR_ACTIVATIONS.has(linear.activation)) return no(`the dense layer applies ${linear.activation}`);
  const at = rest.indexOf(linear);
  const after = rest.slice(at + 1);
  const passes = (l: LayerInfo) => IDENTITY_LAYERS.has(l.className) || (l.className === 'Activation' && l.activation === 'linear');
  const finalActivation = (l: LayerInfo, i: number) =>
    l.className === 'Activation' && (l.activation === 'softmax' || l.activation === 'sigmoid') && after.slice(i + 1).every((r) => SHAPE_LAYERS.has(r.className));
  const blocker = rest.slice(0, at).find((l) => !passes(l)) ?? after.find((l, i) => !passes(l) && !finalActivation(l, i));
  if (blocker) return no(`the head contains ${blocker.className}`);
  return { linearLayer: linear.name, camUnavailable: null };
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

const ACTIVATION_OPS = new Set(['Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Prelu', 'Sigmoid', 'Tanh', 'Softplus', 'Swish', 'Gelu']);
const CONV_OPS = new Set(['Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative']);
const BATCH_NORM_OPS = new Set(['FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3']);
const POOL_OPS = new Set(['MaxPool', 'AvgPool']);
/** Elementwise ops that, with a constant operand, scale or shift per channel (a bias, a batch norm's parts). */
const AFFINE_OPS = new Set(['BiasAdd', 'Add', 'AddV2', 'Sub', 'Mul', 'RealDiv']);
/** Ops that join data tensors (residual additions, gating, concatenation): block outputs when two data tensors meet. */
const MERGE_OPS = new Set(['Add', 'AddV2', 'Mul', 'ConcatV2', 'Concat']);

/**
 * Graph models: the nodes whose outputs are layers a person would name, in graph order — the outputs
 * of convolution blocks, activations, poolings and merges — not the arithmetic a converter spells a
 * layer out in (a batch norm's `…/FusedBatchNormV3/Mul`, a bias added before the activation). Shapes
 * are rarely stored in a converted graph, so the caller runs the model on a blank image and keeps the
 * spatial maps.
 */
export function graphLayerNodes(nodes: GraphNode[]): string[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, GraphNode[]>();
  for (const n of nodes) for (const i of n.input ?? []) if (!i.startsWith('^')) consumers.set(baseName(i), [...(consumers.get(baseName(i)) ?? []), n]);
  const isConst = (input: string) => byName.get(baseName(input))?.op === 'Const';
  const dataInputs = (n: GraphNode) => (n.input ?? []).filter((i) => !i.startsWith('^') && !isConst(i));
  const withConstant = (n: GraphNode) => n.op === 'BiasAdd' || (AFFINE_OPS.has(n.op) && (n.input ?? []).some(isConst));
  const fusedActivation = (n: GraphNode) => (n.attr?.fused_ops?.list?.s ?? []).some((op) => ACTIVATION_OPS.has(decodeAttrString(op)));
  /** Spelt out inside another node's scope ("bn/FusedBatchNormV3/Mul" under "bn/FusedBatchNormV3"). */
  const internal = (n: GraphNode) => n.name.split('/').some((_, i, parts) => i > 0 && byName.has(parts.slice(0, i).join('/')));
  /** The block goes on in its only consumer (a bias, a batch norm, an activation). */
  const continued = (n: GraphNode) => {
    const next = consumers.get(n.name) ?? [];
    return next.length === 1 && (ACTIVATION_OPS.has(next[0].op) || BATCH_NORM_OPS.has(next[0].op) || withConstant(next[0]));
  };
  return nodes
    .filter((n) => {
      if (NOT_DATA.has(n.op) || PASS_THROUGH.has(n.op) || n.op === 'Placeholder' || internal(n)) return false;
      if (ACTIVATION_OPS.has(n.op) || POOL_OPS.has(n.op) || (CONV_OPS.has(n.op) && fusedActivation(n))) return true;
      if (MERGE_OPS.has(n.op) && dataInputs(n).length >= 2) return true;
      return (CONV_OPS.has(n.op) || BATCH_NORM_OPS.has(n.op) || withConstant(n)) && !continued(n);
    })
    .map((n) => n.name);
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
