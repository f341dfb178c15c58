// findCamHead: on the real model topology, on a hand-built loadable GAP model (CAM checked on paper, through
// GraphExplainable and the 'cam' method), and on hand-made node lists for each head shape it must accept or
// reject. Also the class-count check of GraphExplainable and LayersExplainable against the catalog labels.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphExplainable, LayersExplainable, ModelError, scoresFromLogits, type ExplainableModel } from '../../src/background/explainable';
import { computeMap } from '../../src/background/methods/base';
import { DEFAULT_METHOD_OPTIONS, MethodError } from '../../src/background/methods/types';
import { CamHeadError, findCamHead, type GraphNode } from '../../src/core/camHead';
import type { ModelEntry } from '../../src/core/catalog';
import { concatBytes, loadRealModel, type RealModel } from './helpers/realModel';
import { buildTinyLayers, tinyEntry, TRUNK, type TinySpec } from './helpers/tinyModels';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

// ---------------------------------------------------------------------------------------------
// Real model
// ---------------------------------------------------------------------------------------------

describe('findCamHead on the real nsfwjs MobileNetV2 topology', () => {
  let real: RealModel;
  beforeAll(async () => {
    real = await loadRealModel();
  });

  it('finds Conv_1/Relu6 → AvgPool 7×7 → dense [1792, 5] → Softmax', () => {
    const head = findCamHead(real.nodes);
    expect(head.featureNode.endsWith('MobilenetV2/Conv_1/Relu6')).toBe(true);
    expect(head.poolNode.endsWith('MobilenetV2/Logits/AvgPool')).toBe(true);
    expect(head.poolKernel).toEqual([7, 7]);
    expect(head.weightNode).toBe('Func/StatefulPartitionedCall/input/_262');
    expect(head.weightLayout).toBe('KC');
    expect(head.logitsNode.endsWith('dense/BiasAdd')).toBe(true);
    expect(head.outputActivation).toBe('softmax');
    // GraphExplainable found the same head: same layer, same activation, exact CAM available.
    expect(real.explainable.layer).toBe(head.featureNode);
    expect(real.explainable.outputActivation).toBe(head.outputActivation);
    expect(real.explainable.camUnavailable).toBeNull();
  });

  it('names nodes that exist, with the weight const shaped [1792, 5]', () => {
    const head = findCamHead(real.nodes);
    const names = new Set(real.nodes.map((n) => n.name));
    for (const name of [head.featureNode, head.poolNode, head.weightNode, head.logitsNode]) expect(names.has(name)).toBe(true);
    expect(real.graph.weights[head.weightNode][0].shape).toEqual([1792, 5]);
    expect(real.explainable.camWeights?.shape).toEqual([1792, 5]);
    // …and its class weights are that const (layout KC: read as is).
    expect(Array.from(real.explainable.camWeights!.dataSync())).toEqual(Array.from(real.graph.weights[head.weightNode][0].dataSync()));
  });

  it('feature node yields a [1, 7, 7, 1792] tensor', () => {
    const head = findCamHead(real.nodes);
    const input = tf.zeros([1, 224, 224, 3]);
    const features = real.graph.execute(input, head.featureNode) as tf.Tensor;
    expect(features.shape).toEqual([1, 7, 7, 1792]);
    tf.dispose([input, features]);
  });

  it('does not depend on the order of the node list', () => {
    const head = findCamHead(real.nodes);
    expect(findCamHead([...real.nodes].reverse())).toEqual(head);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-built loadable GAP model
// ---------------------------------------------------------------------------------------------

type Attr = NonNullable<GraphNode['attr']>[string] | Record<string, unknown>;
interface JsonNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, Attr>;
}
interface Weight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: number[];
}

const FLOAT = { type: 'DT_FLOAT' };
const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
const dims = (shape: number[]) => ({ dim: shape.map((s) => ({ size: String(s) })) });

function placeholder(name: string, shape: number[]): JsonNode {
  return { name, op: 'Placeholder', attr: { shape: { shape: dims(shape) }, dtype: FLOAT } };
}
function constNode(w: Weight): JsonNode {
  const dt = w.dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
  return { name: w.name, op: 'Const', attr: { value: { tensor: { dtype: dt, tensorShape: dims(w.shape) } }, dtype: { type: dt } } };
}
const NHWC = { s: b64('NHWC') };
const VALID = { s: b64('VALID') };

/** Input: 4×4×3 with R = y, G = x, B = 1. */
function synthInput(): tf.Tensor4D {
  const v: number[] = [];
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) v.push(y, x, 1);
  return tf.tensor4d(v, [1, 4, 4, 3]);
}

// Backbone: 1×1 conv, W[in][out] = [[1, 1], [-1, 1], [0, -1]], bias [0, -1], then Relu:
//   A0 = relu(y − x),  A1 = relu(y + x − 2).
const CONV_W: Weight = { name: 'conv/w', shape: [1, 1, 3, 2], dtype: 'float32', values: [1, 1, -1, 1, 0, -1] };
const CONV_B: Weight = { name: 'conv/b', shape: [2], dtype: 'float32', values: [0, -1] };
// Dense: w^0 = (1, 0), w^1 = (−1, 2), w^2 = (2, −1); bias (1, 0, −1).
const DENSE_KC = [1, -1, 2, 0, 2, -1]; // [K=2][C=3]
const DENSE_CK = [1, 0, -1, 2, 2, -1]; // [C=3][K=2]
const DENSE_B: Weight = { name: 'dense/b', shape: [3], dtype: 'float32', values: [1, 0, -1] };

// Worked by hand (rows y = 0..3, columns x = 0..3):
//        A0 = relu(y-x)     A1 = relu(y+x-2)
//        0 0 0 0            0 0 0 1
//        1 0 0 0            0 0 1 2
//        2 1 0 0            0 1 2 3
//        3 2 1 0            1 2 3 4
const M0 = [0, 0, 0, 0, 1, 0, 0, 0, 2, 1, 0, 0, 3, 2, 1, 0]; // = A0
const M1 = [0, 0, 0, 2, -1, 0, 2, 4, -2, 1, 4, 6, -1, 2, 5, 8]; // = −A0 + 2·A1
const M2 = [0, 0, 0, -1, 2, 0, -1, -2, 4, 1, -2, -3, 5, 2, -1, -4]; // = 2·A0 − A1
// mean A0 = 10/16, mean A1 = 20/16 → logits = (0.625 + 1, −0.625 + 2.5 + 0, 1.25 − 1.25 − 1).
const LOGITS = [1.625, 1.875, -1];

type Variant = 'mean-kc' | 'avgpool-ck' | 'avgpool-conv1x1' | 'mean-kc-sigmoid' | 'mean-wrong-axes';

function backbone(): { nodes: JsonNode[]; weights: Weight[] } {
  const conv = { T: FLOAT, strides: ints(1, 1, 1, 1), dilations: ints(1, 1, 1, 1), padding: VALID, data_format: NHWC };
  return {
    nodes: [
      // Placeholder with free spatial dims, so the same graph can be fed a bigger image.
      placeholder('input', [-1, -1, -1, 3]),
      constNode(CONV_W),
      constNode(CONV_B),
      { name: 'conv', op: 'Conv2D', input: ['input', CONV_W.name], attr: conv },
      { name: 'conv/bias', op: 'BiasAdd', input: ['conv', CONV_B.name], attr: { T: FLOAT, data_format: NHWC } },
      { name: 'relu', op: 'Relu', input: ['conv/bias'], attr: { T: FLOAT } },
    ],
    weights: [CONV_W, CONV_B],
  };
}

function synthGraphJson(variant: Variant): { nodes: JsonNode[]; weights: Weight[] } {
  const { nodes, weights } = backbone();
  const add = (...ws: Weight[]) => {
    for (const w of ws) {
      weights.push(w);
      nodes.push(constNode(w));
    }
  };
  const avgPool = { name: 'pool', op: 'AvgPool', input: ['relu'], attr: { T: FLOAT, ksize: ints(1, 4, 4, 1), strides: ints(1, 1, 1, 1), padding: VALID, data_format: NHWC } };
  const biasAdd = (input: string): JsonNode => ({ name: 'logits', op: 'BiasAdd', input: [input, DENSE_B.name], attr: { T: FLOAT, data_format: NHWC } });
  switch (variant) {
    case 'mean-kc':
    case 'mean-kc-sigmoid':
    case 'mean-wrong-axes': {
      const axes: Weight = { name: 'pool/axes', shape: [2], dtype: 'int32', values: variant === 'mean-wrong-axes' ? [1, 3] : [1, 2] };
      const w: Weight = { name: 'dense/w', shape: [2, 3], dtype: 'float32', values: DENSE_KC };
      add(axes, w, DENSE_B);
      nodes.push(
        { name: 'pool', op: 'Mean', input: ['relu', axes.name], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } },
        { name: 'dense', op: 'MatMul', input: ['pool', w.name], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } } },
        biasAdd('dense'),
        { name: 'scores', op: variant === 'mean-kc' ? 'Softmax' : 'Sigmoid', input: ['logits'], attr: { T: FLOAT } },
      );
      break;
    }
    case 'avgpool-ck': {
      const shape: Weight = { name: 'flatten/shape', shape: [2], dtype: 'int32', values: [-1, 2] };
      const w: Weight = { name: 'dense/w', shape: [3, 2], dtype: 'float32', values: DENSE_CK };
      add(shape, w, DENSE_B);
      nodes.push(
        avgPool,
        { name: 'flatten', op: 'Reshape', input: ['pool', shape.name], attr: { T: FLOAT, Tshape: { type: 'DT_INT32' } } },
        { name: 'dense', op: 'MatMul', input: ['flatten', w.name], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: true } } },
        biasAdd('dense'),
        { name: 'scores', op: 'Softmax', input: ['logits'], attr: { T: FLOAT } },
      );
      break;
    }
    case 'avgpool-conv1x1': {
      const w: Weight = { name: 'dense/w', shape: [1, 1, 2, 3], dtype: 'float32', values: DENSE_KC };
      add(w, DENSE_B);
      nodes.push(
        avgPool,
        { name: 'dense', op: 'Conv2D', input: ['pool', w.name], attr: { T: FLOAT, strides: ints(1, 1, 1, 1), dilations: ints(1, 1, 1, 1), padding: VALID, data_format: NHWC } },
        biasAdd('dense'),
        { name: 'squeeze', op: 'Squeeze', input: ['logits'], attr: { T: FLOAT, squeeze_dims: ints(1, 2) } },
        { name: 'scores', op: 'Softmax', input: ['squeeze'], attr: { T: FLOAT } },
      );
      break;
    }
  }
  return { nodes, weights };
}

function synthEntry(labels = ['zero', 'one', 'two']): ModelEntry {
  return {
    id: 'synthetic-gap',
    displayName: 'synthetic',
    description: 'hand-built GAP model',
    source: { kind: 'nsfwjs', package: 'none', folder: 'none' },
    format: 'graph',
    inputSize: { width: 4, height: 4 },
    pixelScaling: 'byte',
    labels,
  };
}

async function loadSynth(variant: Variant): Promise<{ graph: tf.GraphModel; nodes: GraphNode[] }> {
  const { nodes, weights } = synthGraphJson(variant);
  const weightSpecs = weights.map(({ name, shape, dtype }) => ({ name, shape, dtype }));
  const weightData = concatBytes(
    weights.map((w) => new Uint8Array((w.dtype === 'float32' ? new Float32Array(w.values) : new Int32Array(w.values)).buffer)),
  );
  const modelTopology = { node: nodes, versions: { producer: 1 } };
  const graph = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }));
  return { graph, nodes: nodes as GraphNode[] };
}

const softmax = (z: number[]) => {
  const e = z.map(Math.exp);
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/** One forward pass read back: features (caller disposes), logits and the scores the user sees. */
async function runForward(model: ExplainableModel, input: tf.Tensor4D): Promise<{ features: tf.Tensor4D; logits: Float32Array; probabilities: Float32Array }> {
  const [features, logitsT, scoresT] = tf.tidy(() => {
    const out = model.forward(input);
    return [out.features, out.logits, scoresFromLogits(model, out.logits)] as const;
  });
  const [logits, probabilities] = (await Promise.all([logitsT.data(), scoresT.data()])) as Float32Array[];
  tf.dispose([logitsT, scoresT]);
  return { features, logits, probabilities };
}

const camMap = (model: ExplainableModel, input: tf.Tensor4D, features: tf.Tensor4D, classIndex: number) =>
  computeMap('cam', { model, input, features, classIndex, options: DEFAULT_METHOD_OPTIONS });

describe('hand-built GAP model: CAM checked on paper', () => {
  it('a Mean over other than the spatial axes makes exact CAM unavailable (and the cam method refuses)', async () => {
    const { graph, nodes } = await loadSynth('mean-wrong-axes');
    const before = tf.memory().numTensors;
    const model = new GraphExplainable(synthEntry(), graph, nodes);
    expect(tf.memory().numTensors).toBe(before); // no class weights kept
    expect(model.layer).toBe('relu');
    expect(model.camWeights).toBeNull();
    expect(model.camUnavailable).toMatch(/axes \[1, 3\], not the spatial axes/);
    // (This graph cannot run: its Mean leaves [1, 4] for a [2, 3] dense. The cam method needs no forward.)
    const input = synthInput();
    const features = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    await expect(camMap(model, input, features, 0)).rejects.toBeInstanceOf(MethodError);
    await expect(camMap(model, input, features, 0)).rejects.toThrow(/not the spatial axes/);
    tf.dispose([input, features]);
    model.dispose();
  });

  const LAYOUT: Partial<Record<Variant, string>> = { 'mean-kc': 'KC', 'mean-kc-sigmoid': 'KC', 'avgpool-ck': 'CK', 'avgpool-conv1x1': 'conv1x1' };

  for (const variant of ['mean-kc', 'avgpool-ck', 'avgpool-conv1x1', 'mean-kc-sigmoid'] as const) {
    it(`${variant}: finds the head and reproduces the hand-computed maps and scores`, async () => {
      const { graph, nodes } = await loadSynth(variant);
      const head = findCamHead(nodes);
      expect(head.featureNode).toBe('relu');
      expect(head.poolNode).toBe('pool');
      expect(head.poolKernel).toEqual(variant.startsWith('avgpool') ? [4, 4] : null);
      expect(head.weightNode).toBe('dense/w');
      expect(head.weightLayout).toBe(LAYOUT[variant]);
      expect(head.outputActivation).toBe(variant === 'mean-kc-sigmoid' ? 'sigmoid' : 'softmax');

      const model = new GraphExplainable(synthEntry(), graph, nodes);
      expect(model.layer).toBe('relu');
      expect(model.outputActivation).toBe(head.outputActivation);
      expect(model.camUnavailable).toBeNull();
      // Whatever the stored layout, the class weights read back as [K, C].
      expect(model.camWeights?.shape).toEqual([2, 3]);
      expect(Array.from(await model.camWeights!.data())).toEqual(DENSE_KC);

      const input = synthInput();
      const f = await runForward(model, input);
      expect(f.features.shape).toEqual([1, 4, 4, 2]);
      const maps = await Promise.all([0, 1, 2].map((c) => camMap(model, input, f.features, c)));
      for (const m of maps) expect([m.width, m.height]).toEqual([4, 4]);
      expect(Array.from(maps[0].values)).toEqual(M0);
      expect(Array.from(maps[1].values)).toEqual(M1);
      expect(Array.from(maps[2].values)).toEqual(M2);

      expect(Array.from(f.logits)).toEqual(LOGITS);
      const want = variant === 'mean-kc-sigmoid' ? LOGITS.map((z) => 1 / (1 + Math.exp(-z))) : softmax(LOGITS);
      for (let c = 0; c < 3; c++) expect(f.probabilities[c]).toBeCloseTo(want[c], 6);
      // And the graph's own output agrees.
      const out = graph.predict(input) as tf.Tensor;
      const p = Array.from(await out.data());
      for (let c = 0; c < 3; c++) expect(p[c]).toBeCloseTo(want[c], 6);

      tf.dispose([input, f.features, out]);
      model.dispose();
    });
  }

  // A feature map larger than the AvgPool window (the 4×4 window then pools locally; the graphs accept any
  // image size). the removed prepareCamModel/forward refused this ("not global pooling"); GraphExplainable has no such check.
  it('avgpool-conv1x1 fed an 8×8 image: forward throws (the Squeeze of the 5×5 pooled map fails), no tensor growth', async () => {
    const { graph, nodes } = await loadSynth('avgpool-conv1x1');
    const model = new GraphExplainable(synthEntry(), graph, nodes);
    const input = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => model.forward(input))).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    model.dispose();
  });

  // With a Reshape [-1, K] flatten, an 8×8 image makes the graph pool 25 local 4×4 windows and return
  // logits [25, 3] for one image: no map explains that, so the forward pass must refuse.
  it('avgpool-ck fed an 8×8 image: rejects (pooling would not be global)', async () => {
    const { graph, nodes } = await loadSynth('avgpool-ck');
    const model = new GraphExplainable(synthEntry(), graph, nodes);
    const input = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    try {
      await expect(
        (async () => {
          const f = await runForward(model, input);
          try {
            return await camMap(model, input, f.features, 0);
          } finally {
            f.features.dispose();
          }
        })(),
      ).rejects.toThrow(/pooling does not cover the 8×8 feature map/);
    } finally {
      input.dispose();
      model.dispose();
    }
  });

  it('GraphExplainable rejects a catalog entry whose label count does not match the class weights', async () => {
    const { graph, nodes } = await loadSynth('mean-kc');
    const before = tf.memory().numTensors;
    expect(() => new GraphExplainable(synthEntry(['a', 'b']), graph, nodes)).toThrow(ModelError);
    expect(() => new GraphExplainable(synthEntry(['a', 'b']), graph, nodes)).toThrow('model has 3 classes, catalog lists 2 labels');
    expect(tf.memory().numTensors).toBe(before);
    graph.dispose();
  });

  it('without class weights the label count is checked on the first forward (GraphExplainable)', async () => {
    const { graph, nodes } = await loadSynth('mean-kc');
    // Explaining another layer than the GAP input: exact CAM does not apply, so no class weights.
    const model = new GraphExplainable(synthEntry(['a', 'b', 'c', 'd']), graph, nodes, 'conv/bias');
    expect(model.camWeights).toBeNull();
    expect(model.camUnavailable).toMatch(/only to layer relu/);
    const input = synthInput();
    const before = tf.memory().numTensors;
    expect(() => model.forward(input)).toThrow(ModelError);
    expect(() => model.forward(input)).toThrow('model has 3 classes, catalog lists 4 labels');
    expect(tf.memory().numTensors).toBe(before); // even outside tidy
    input.dispose();
    model.dispose();
    // Control: with the right labels the same model runs.
    const again = await loadSynth('mean-kc');
    const ok = new GraphExplainable(synthEntry(), again.graph, again.nodes, 'conv/bias');
    const x = synthInput();
    const f = await runForward(ok, x);
    expect(Array.from(f.logits)).toEqual(LOGITS);
    tf.dispose([x, f.features]);
    ok.dispose();
  });
});

describe('LayersExplainable: class count vs catalog labels', () => {
  const dense3 = { kernel: [[1, -1, 0], [2, 1, -1]], bias: [0, 0, 0], activation: 'softmax' as const };
  const LINEAR: TinySpec = { ...TRUNK, pool: 'gap', dense: [dense3] };
  const MLP: TinySpec = { ...TRUNK, pool: 'gap', dense: [{ kernel: [[1, 0], [0, 1]], bias: [0, 0], activation: 'relu' }, dense3] };
  const image = () => tf.tensor4d(Array.from({ length: 16 }, (_, i) => i % 5), [1, 4, 4, 1]);

  it('a linear head: the constructor checks the class weights', () => {
    const layers = buildTinyLayers(LINEAR);
    const before = tf.memory().numTensors;
    expect(() => new LayersExplainable(tinyEntry(2), layers)).toThrow(ModelError);
    expect(() => new LayersExplainable(tinyEntry(4), layers)).toThrow('model has 3 classes, catalog lists 4 labels');
    expect(tf.memory().numTensors).toBe(before);
    // Control: the right count is accepted.
    const model = new LayersExplainable(tinyEntry(3), layers);
    expect(model.camWeights?.shape).toEqual([2, 3]);
    model.dispose();
  });

  it('an MLP head (no class weights): the first forward checks the logits', () => {
    const model = new LayersExplainable(tinyEntry(2), buildTinyLayers(MLP));
    expect(model.camWeights).toBeNull();
    const input = image();
    expect(() => tf.tidy(() => model.forward(input))).toThrow(ModelError);
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => model.forward(input))).toThrow('model has 3 classes, catalog lists 2 labels');
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    model.dispose();
    // Control: the right count is accepted.
    const ok = new LayersExplainable(tinyEntry(3), buildTinyLayers(MLP));
    const input3 = image();
    const { features, logits } = tf.tidy(() => ok.forward(input3));
    expect(logits.shape).toEqual([1, 3]);
    tf.dispose([features, logits, input3]);
    ok.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Pure finder on hand-made node lists
// ---------------------------------------------------------------------------------------------

const node = (name: string, op: string, input: string[] = [], attr?: GraphNode['attr']): GraphNode => ({ name, op, input, attr });
const ksize = (h: number, w: number): GraphNode['attr'] => ({ ksize: { list: { i: ['1', String(h), String(w), '1'] } } });
const fused = (...ops: string[]): GraphNode['attr'] => ({ fused_ops: { list: { s: ops.map(b64) } } });

/** input → conv → relu (feature maps), plus the given head nodes. */
function withBackbone(...head: GraphNode[]): GraphNode[] {
  return [node('input', 'Placeholder'), node('conv/w', 'Const'), node('conv', 'Conv2D', ['input', 'conv/w']), node('features', 'Relu', ['conv']), ...head];
}

const AVGPOOL = node('gap', 'AvgPool', ['features'], ksize(7, 7));
const W = node('W', 'Const');
const B = node('b', 'Const');

describe('findCamHead on hand-made topologies', () => {
  it('AvgPool → Squeeze → MatMul → BiasAdd → Softmax (KC)', () => {
    const head = findCamHead(
      withBackbone(AVGPOOL, node('sq', 'Squeeze', ['gap']), W, node('mm', 'MatMul', ['sq', 'W']), B, node('logits', 'BiasAdd', ['mm', 'b']), node('prob', 'Softmax', ['logits'])),
    );
    expect(head).toEqual({
      featureNode: 'features',
      poolNode: 'gap',
      poolKernel: [7, 7],
      poolAxesNode: null,
      weightNode: 'W',
      weightLayout: 'KC',
      logitsNode: 'logits',
      outputActivation: 'softmax',
    });
  });

  it('transpose_b MatMul → CK', () => {
    const head = findCamHead(
      withBackbone(AVGPOOL, W, node('mm', 'MatMul', ['gap', 'W'], { transpose_b: { b: true } }), node('prob', 'Softmax', ['mm'])),
    );
    expect(head.weightLayout).toBe('CK');
    expect(head.weightNode).toBe('W');
    expect(head.logitsNode).toBe('mm');
  });

  it('transpose_b false → KC', () => {
    const head = findCamHead(withBackbone(AVGPOOL, W, node('mm', 'MatMul', ['gap', 'W'], { transpose_b: { b: false } }), node('prob', 'Softmax', ['mm'])));
    expect(head.weightLayout).toBe('KC');
  });

  it('1×1 Conv2D head after AvgPool → conv1x1', () => {
    const head = findCamHead(
      withBackbone(
        node('gap', 'AvgPool', ['features'], ksize(5, 6)),
        W,
        node('head', 'Conv2D', ['gap', 'W']),
        B,
        node('logits', 'BiasAdd', ['head', 'b']),
        node('sq', 'Squeeze', ['logits']),
        node('prob', 'Softmax', ['sq']),
      ),
    );
    expect(head.weightLayout).toBe('conv1x1');
    expect(head.weightNode).toBe('W');
    expect(head.poolKernel).toEqual([5, 6]);
    expect(['logits', 'sq']).toContain(head.logitsNode);
    expect(head.outputActivation).toBe('softmax');
  });

  it('_FusedConv2D 1×1 head with only BiasAdd fused → conv1x1, logits at the fused node', () => {
    const head = findCamHead(withBackbone(AVGPOOL, W, B, node('head', '_FusedConv2D', ['gap', 'W', 'b'], fused('BiasAdd')), node('prob', 'Softmax', ['head'])));
    expect(head.weightLayout).toBe('conv1x1');
    expect(head.logitsNode).toBe('head');
  });

  it('Squeeze, Reshape and Identity between pool and MatMul are passed through', () => {
    const head = findCamHead(
      withBackbone(
        AVGPOOL,
        node('sq', 'Squeeze', ['gap']),
        node('shape', 'Const'),
        node('flat', 'Reshape', ['sq', 'shape']),
        node('id', 'Identity', ['flat']),
        W,
        node('mm', 'MatMul', ['id', 'W']),
        node('prob', 'Softmax', ['mm']),
      ),
    );
    expect(head.featureNode).toBe('features');
    expect(head.poolNode).toBe('gap');
    expect(head.weightNode).toBe('W');
  });

  it('MatMul followed by a separate BiasAdd (or AddV2) with a Const → logits are the bias node', () => {
    for (const op of ['BiasAdd', 'AddV2', 'Add']) {
      const head = findCamHead(withBackbone(AVGPOOL, W, node('mm', 'MatMul', ['gap', 'W']), B, node('bias', op, ['mm', 'b']), node('prob', 'Softmax', ['bias'])));
      expect(head.logitsNode, op).toBe('bias');
    }
  });

  it('Sigmoid output → sigmoid; no activation → none', () => {
    const sig = findCamHead(withBackbone(AVGPOOL, W, node('mm', 'MatMul', ['gap', 'W']), B, node('bias', 'BiasAdd', ['mm', 'b']), node('out', 'Sigmoid', ['bias'])));
    expect(sig.outputActivation).toBe('sigmoid');
    expect(sig.logitsNode).toBe('bias');
    const none = findCamHead(withBackbone(AVGPOOL, W, node('mm', 'MatMul', ['gap', 'W']), B, node('bias', 'BiasAdd', ['mm', 'b'])));
    expect(none.outputActivation).toBe('none');
    expect(none.logitsNode).toBe('bias');
  });

  it('Mean over a Const axis is a global pool with no fixed kernel; "name:0" inputs resolve', () => {
    const head = findCamHead(
      withBackbone(node('axes', 'Const'), node('mean', 'Mean', ['features:0', 'axes']), W, node('mm', 'MatMul', ['mean:0', 'W:0']), node('prob', 'Softmax', ['mm'])),
    );
    expect(head.poolNode).toBe('mean');
    expect(head.poolKernel).toBeNull();
    expect(head.featureNode).toBe('features');
    expect(head.weightNode).toBe('W');
  });

  it('skips an earlier squeeze-excite pooling and finds the classifier head', () => {
    // SE block: Mean → 1×1 conv → Relu → … (not a single linear layer) ; then the real head.
    const nodes = withBackbone(
      node('se/axes', 'Const'),
      node('se/mean', 'Mean', ['features', 'se/axes']),
      node('se/w', 'Const'),
      node('se/conv', 'Conv2D', ['se/mean', 'se/w']),
      node('se/relu', 'Relu', ['se/conv']),
      node('se/w2', 'Const'),
      node('se/conv2', 'Conv2D', ['se/relu', 'se/w2']),
      node('se/gate', 'Sigmoid', ['se/conv2']),
      node('se/scaled', 'Mul', ['features', 'se/gate']),
      node('gap', 'AvgPool', ['se/scaled'], ksize(7, 7)),
      W,
      node('mm', 'MatMul', ['gap', 'W']),
      node('prob', 'Softmax', ['mm']),
    );
    for (const list of [nodes, [...nodes].reverse()]) {
      const head = findCamHead(list);
      expect(head.poolNode).toBe('gap');
      expect(head.featureNode).toBe('se/scaled');
    }
  });

  describe('rejects heads where exact CAM does not apply', () => {
    it('no pooling at all', () => {
      expect(() => findCamHead(withBackbone(node('shape', 'Const'), node('flat', 'Reshape', ['features', 'shape']), W, node('mm', 'MatMul', ['flat', 'W']), node('prob', 'Softmax', ['mm'])))).toThrow(
        CamHeadError,
      );
    });

    it('MaxPool is not average pooling', () => {
      expect(() => findCamHead(withBackbone(node('gmp', 'MaxPool', ['features'], ksize(7, 7)), W, node('mm', 'MatMul', ['gmp', 'W']), node('prob', 'Softmax', ['mm'])))).toThrow(CamHeadError);
    });

    it('dense layer with Relu fused (_FusedMatMul BiasAdd+Relu)', () => {
      const nodes = withBackbone(AVGPOOL, W, B, node('dense', '_FusedMatMul', ['gap', 'W', 'b'], fused('BiasAdd', 'Relu')), node('prob', 'Softmax', ['dense']));
      expect(() => findCamHead(nodes)).toThrow(CamHeadError);
      // Control: the same graph with only BiasAdd fused is accepted.
      const ok = withBackbone(AVGPOOL, W, B, node('dense', '_FusedMatMul', ['gap', 'W', 'b'], fused('BiasAdd')), node('prob', 'Softmax', ['dense']));
      expect(findCamHead(ok).logitsNode).toBe('dense');
    });

    it('1×1 conv head with Relu6 fused', () => {
      expect(() => findCamHead(withBackbone(AVGPOOL, W, B, node('head', '_FusedConv2D', ['gap', 'W', 'b'], fused('BiasAdd', 'Relu6')), node('prob', 'Softmax', ['head'])))).toThrow(
        CamHeadError,
      );
    });

    it('MLP head: MatMul → Relu → MatMul', () => {
      const nodes = withBackbone(
        AVGPOOL,
        W,
        node('mm1', 'MatMul', ['gap', 'W']),
        node('relu1', 'Relu', ['mm1']),
        node('W2', 'Const'),
        node('mm2', 'MatMul', ['relu1', 'W2']),
        node('prob', 'Softmax', ['mm2']),
      );
      expect(() => findCamHead(nodes)).toThrow(CamHeadError);
    });

    it('MLP head with a separate bias: MatMul → BiasAdd → Relu → MatMul', () => {
      const nodes = withBackbone(
        AVGPOOL,
        W,
        B,
        node('mm1', 'MatMul', ['gap', 'W']),
        node('bias1', 'BiasAdd', ['mm1', 'b']),
        node('relu1', 'Relu', ['bias1']),
        node('W2', 'Const'),
        node('mm2', 'MatMul', ['relu1', 'W2']),
        node('prob', 'Softmax', ['mm2']),
      );
      expect(() => findCamHead(nodes)).toThrow(CamHeadError);
    });

    it('weights that are not a Const', () => {
      const nodes = withBackbone(AVGPOOL, node('W', 'Placeholder'), node('mm', 'MatMul', ['gap', 'W']), node('prob', 'Softmax', ['mm']));
      expect(() => findCamHead(nodes)).toThrow(CamHeadError);
    });

    it('transpose_a on the linear layer', () => {
      const nodes = withBackbone(AVGPOOL, W, node('mm', 'MatMul', ['gap', 'W'], { transpose_a: { b: true } }), node('prob', 'Softmax', ['mm']));
      expect(() => findCamHead(nodes)).toThrow(CamHeadError);
    });

    it('pooled features feeding two layers', () => {
      const nodes = withBackbone(AVGPOOL, W, node('mm', 'MatMul', ['gap', 'W']), node('prob', 'Softmax', ['mm']), node('W2', 'Const'), node('mm2', 'MatMul', ['gap', 'W2']));
      expect(() => findCamHead(nodes)).toThrow(CamHeadError);
    });

    it('a bias Add whose other operand is not a Const is not a bias (and the head is not linear-only)', () => {
      const nodes = withBackbone(AVGPOOL, W, node('mm', 'MatMul', ['gap', 'W']), node('add', 'AddV2', ['mm', 'input']), node('prob', 'Softmax', ['add']));
      expect(() => findCamHead(nodes)).toThrow(CamHeadError);
    });

    // A linear layer whose output fans out is not the final logits (it was once mistaken for them).
    it('MLP head whose first layer fans out (MatMul → {Relu → MatMul, Identity})', () => {
      const nodes = withBackbone(
        AVGPOOL,
        W,
        node('mm1', 'MatMul', ['gap', 'W']),
        node('relu1', 'Relu', ['mm1']),
        node('W2', 'Const'),
        node('mm2', 'MatMul', ['relu1', 'W2']),
        node('prob', 'Softmax', ['mm2']),
        node('side', 'Identity', ['mm1']),
      );
      expect(() => findCamHead(nodes)).toThrow(CamHeadError);
    });

    it('an EfficientNet-style SE block (swish fans out) listed after the head is not taken as the head', () => {
      const nodes = withBackbone(
        AVGPOOL,
        W,
        node('mm', 'MatMul', ['gap', 'W']),
        node('prob', 'Softmax', ['mm']),
        // SE block on the same features, listed later (converter node order is not topological).
        node('se/axes', 'Const'),
        node('se/mean', 'Mean', ['features', 'se/axes']),
        node('se/w', 'Const'),
        node('se/conv', 'Conv2D', ['se/mean', 'se/w']),
        node('se/b', 'Const'),
        node('se/bias', 'BiasAdd', ['se/conv', 'se/b']),
        node('se/sig', 'Sigmoid', ['se/bias']),
        node('se/swish', 'Mul', ['se/bias', 'se/sig']),
      );
      expect(findCamHead(nodes).poolNode).toBe('gap');
    });
  });
});
