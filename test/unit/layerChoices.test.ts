// Which layers a model can be explained at: the pure finders, and both model kinds end to end.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GraphExplainable, LayersExplainable } from '../../src/background/explainable';
import { antispoof } from '../../scripts/fixture-graphs.mjs';
import { findLayersExplainHead, graphLayerNodes, isSpatialMap, layersModelCandidates, shortLayerName, type LayerInfo } from '../../src/core/explainHead';
import { loadRealModel, type RealModel } from './helpers/realModel';
import { tinyEntry } from './helpers/tinyModels';

const layer = (name: string, outputShape: (number | null)[], inbound: string[], className = 'Conv2D'): LayerInfo => ({ name, className, outputShape, inbound });

// input → conv1 (16×16×8) → conv2 (8×8×16) ┐
//                     └──────── skip ──────┴→ add (8×8×16) → conv3 (4×4×32) → relu → gap → dense
const RESIDUAL: LayerInfo[] = [
  layer('input', [null, 32, 32, 3], [], 'InputLayer'),
  layer('conv1', [null, 16, 16, 8], ['input']),
  layer('conv2', [null, 8, 8, 16], ['conv1']),
  layer('skip', [null, 8, 8, 16], ['conv1']),
  layer('add', [null, 8, 8, 16], ['conv2', 'skip'], 'Add'),
  layer('conv3', [null, 4, 4, 32], ['add']),
  layer('relu', [null, 4, 4, 32], ['conv3'], 'Activation'),
  layer('gap', [null, 32], ['relu'], 'GlobalAveragePooling2D'),
  layer('dense', [null, 10], ['gap'], 'Dense'),
];

describe('isSpatialMap', () => {
  it('a 4-D shape with height and width above 1, free dimensions allowed', () => {
    expect(isSpatialMap([null, 7, 7, 1280])).toBe(true);
    expect(isSpatialMap([1, null, null, 3])).toBe(true);
    expect(isSpatialMap([null, 1, 1, 1280])).toBe(false);
    expect(isSpatialMap([null, 1280])).toBe(false);
  });
});

describe('layersModelCandidates', () => {
  it('the spatial maps on the single-input path back from the output, deepest first; a branch ends it', () => {
    expect(layersModelCandidates(RESIDUAL, 'dense')).toEqual([
      { name: 'relu', shape: [4, 4, 32] },
      { name: 'conv3', shape: [4, 4, 32] },
      { name: 'add', shape: [8, 8, 16] },
    ]);
  });

  it('the first candidate is the automatic choice, and every candidate is accepted as an override', () => {
    const candidates = layersModelCandidates(RESIDUAL, 'dense');
    expect(findLayersExplainHead(RESIDUAL, 'dense').featureLayer).toBe(candidates[0].name);
    for (const c of candidates) expect(findLayersExplainHead(RESIDUAL, 'dense', c.name).featureLayer).toBe(c.name);
    // …while a layer behind the branch is refused by the finder, which is why it is not offered.
    expect(() => findLayersExplainHead(RESIDUAL, 'dense', 'conv2')).toThrow(/branches at add/);
  });
});

describe('shortLayerName', () => {
  it("a graph node without the converters' wrapper scopes; a Keras name as is", () => {
    const wrapped = 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/MobilenetV2';
    expect(shortLayerName(`${wrapped}/Conv_1/Relu6`)).toBe('MobilenetV2/Conv_1/Relu6');
    expect(shortLayerName(`${wrapped}/expanded_conv_15/project/BatchNorm/FusedBatchNormV3`)).toBe('MobilenetV2/expanded_conv_15/project/BatchNorm/FusedBatchNormV3');
    expect(shortLayerName('module_apply_default/MobilenetV2/Conv_1/Relu6')).toBe('MobilenetV2/Conv_1/Relu6');
    expect(shortLayerName('StatefulPartitionedCall')).toBe('StatefulPartitionedCall');
    expect(shortLayerName('out_relu')).toBe('out_relu');
  });
});

const b64 = (v: string) => Buffer.from(v).toString('base64');

describe('graphLayerNodes', () => {
  it('data nodes a person would name: no constants, inputs or identities', () => {
    const nodes = [
      { name: 'x', op: 'Placeholder' },
      { name: 'w', op: 'Const' },
      { name: 'conv', op: 'Conv2D', input: ['x', 'w'] },
      { name: 'id', op: 'Identity', input: ['conv'] },
      { name: 'relu', op: 'Relu6', input: ['id'] },
    ];
    // The convolution goes on through an identity into its activation only after the identity: both are named.
    expect(graphLayerNodes(nodes)).toEqual(['conv', 'relu']);
  });

  it("a converted Keras model (human's liveness): conv + ReLU, the batch norm's output, max-pools, merges — not the batch norm's arithmetic or a bias before an activation", () => {
    const fused = (ops: string[]) => ({ fused_ops: { list: { s: ops.map(b64) } } });
    const s = 'StatefulPartitionedCall/sequential_1';
    const nodes = [
      { name: 'input', op: 'Placeholder' },
      ...['w1', 'b1', 'scale', 'offset', 'w2', 'b2', 'w3'].map((name) => ({ name, op: 'Const' })),
      { name: `${s}/activation_1/Relu`, op: '_FusedConv2D', input: ['input', 'w1', 'b1'], attr: fused(['BiasAdd', 'Relu']) },
      { name: `${s}/batch_normalization_1/FusedBatchNormV3/Mul`, op: 'Mul', input: [`${s}/activation_1/Relu`, 'scale'] },
      { name: `${s}/batch_normalization_1/FusedBatchNormV3`, op: 'Add', input: [`${s}/batch_normalization_1/FusedBatchNormV3/Mul`, 'offset'] },
      { name: `${s}/max_pooling2d_1/MaxPool`, op: 'MaxPool', input: [`${s}/batch_normalization_1/FusedBatchNormV3`] },
      { name: `${s}/conv2d_2/Conv2D`, op: 'Conv2D', input: [`${s}/max_pooling2d_1/MaxPool`, 'w2'] },
      { name: `${s}/conv2d_2/BiasAdd`, op: 'BiasAdd', input: [`${s}/conv2d_2/Conv2D`, 'b2'] },
      { name: `${s}/activation_2/Relu`, op: 'Relu', input: [`${s}/conv2d_2/BiasAdd`] },
      { name: `${s}/conv2d_3/BiasAdd`, op: '_FusedConv2D', input: [`${s}/activation_2/Relu`, 'w3', 'b2'], attr: fused(['BiasAdd']) },
      { name: `${s}/add`, op: 'AddV2', input: [`${s}/conv2d_3/BiasAdd`, `${s}/activation_2/Relu`] },
    ];
    expect(graphLayerNodes(nodes).map(shortLayerName)).toEqual([
      'activation_1/Relu',
      'batch_normalization_1/FusedBatchNormV3',
      'max_pooling2d_1/MaxPool',
      'activation_2/Relu',
      'conv2d_3/BiasAdd', // a convolution block without activation, ending in a residual addition
      'add',
    ]);
  });
});

describe('the bundled graph model', () => {
  let real: RealModel;
  beforeAll(async () => {
    real = await loadRealModel();
  }, 60_000);

  it('offers its spatial maps, deepest first, with the CAM layer as the automatic choice', () => {
    const { automatic, layers } = real.explainable.layerChoices();
    expect(automatic).toBe(real.explainable.layer);
    expect(automatic).toMatch(/Conv_1\/Relu6$/);
    expect(layers[0]).toEqual({ name: automatic, shape: [7, 7, 1792] });
    // Earlier blocks have finer maps; the stem is 112×112.
    expect(layers.some((l) => l.shape[0] === 14 && /expanded_conv_1[0-2]\//.test(l.name))).toBe(true);
    expect(layers[layers.length - 1].shape[0]).toBe(112);
    for (const l of layers) expect(l.shape[0]! > 1 && l.shape[1]! > 1, l.name).toBe(true);
  });

  it('no tensors are left behind by the probe run', () => {
    const fresh = Object.create(Object.getPrototypeOf(real.explainable));
    Object.assign(fresh, real.explainable, { choices: null });
    const before = tf.memory().numTensors;
    fresh.layerChoices();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a layers model', () => {
  it('lists its path back from the output, and keeps the automatic choice when another layer is explained', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const conv1 = tf.layers.conv2d({ name: 'conv1', filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const conv2 = tf.layers.conv2d({ name: 'conv2', filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(conv1) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(conv2) as tf.SymbolicTensor;
    const output = tf.layers.dense({ name: 'dense', units: 3, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const explained = new LayersExplainable(tinyEntry(3), model, 'conv1');
    expect(explained.layer).toBe('conv1');
    expect(explained.layerChoices()).toEqual({
      automatic: 'conv2',
      layers: [
        { name: 'conv2', shape: [4, 4, 6] },
        { name: 'conv1', shape: [8, 8, 4] },
      ],
    });
    explained.dispose();
  });
});

describe('the automatic layer of a graph model: the deepest spatial map, not the input of any max-pool', () => {
  it("human's antispoof layout ((conv → local max-pool → ReLU) × 3 → flatten → dense): the last ReLU (6×6), not the 12×12 map before the last max-pool", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-antispoof-'));
    try {
      const made = antispoof(dir);
      const json = JSON.parse(readFileSync(path.join(made.dir, 'antispoof.json'), 'utf8'));
      const bytes = readFileSync(path.join(made.dir, 'antispoof.bin'));
      const graph = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) }));
      const entry = { ...tinyEntry(1), format: 'graph' as const, inputSize: { width: 64, height: 64 } };
      const explained = new GraphExplainable(entry, graph, json.modelTopology.node);
      expect(explained.layer).toBe(made.deepest);
      expect(explained.outputActivation).toBe('sigmoid');
      const { automatic, layers } = explained.layerChoices();
      expect(automatic).toBe(made.deepest);
      expect(layers[0]).toEqual({ name: made.deepest, shape: [6, 6, 16] });
      expect(layers.map((l) => shortLayerName(l.name))).toContain('max_pooling2d_2/MaxPool');
      explained.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
