// The model-randomisation sanity check (src/background/metrics/sanity.ts): which weights each level
// randomises, that the maps are compared, and above all that the loaded model is left exactly as it
// was — same probabilities, same map — for graph models (weights fed as inputs) and layers models
// (a copy), tiny and real.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphExplainable, scoresFromLogits, type ExplainableModel } from '../../src/background/explainable';
import { sanityCheck } from '../../src/background/metrics/sanity';
import { computeMap } from '../../src/background/methods/base';
import { CancelledError, DEFAULT_METHOD_OPTIONS } from '../../src/background/methods/types';
import { pixelsToInput } from '../../src/background/preprocess';
import type { MethodId } from '../../src/core/methods';
import { loadRealLayersModel, loadRealModel } from './helpers/realModel';
import { loadPngResized, loadSyntheticGraph, tinyExplainable, TRUNK } from './helpers/tinyModels';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Probabilities and the method's map, read back. */
async function observe(model: ExplainableModel, input: tf.Tensor4D, method: MethodId, classIndex: number) {
  const [features, scores] = tf.tidy(() => {
    const out = model.forward(input);
    return [out.features, scoresFromLogits(model, out.logits)];
  });
  const probabilities = Array.from(await scores.data());
  const map = await computeMap(method, { model, input, features, classIndex, options: { ...DEFAULT_METHOD_OPTIONS, scoreCamChannels: 8 } });
  tf.dispose([features, scores]);
  return { probabilities, map: Array.from(map.values) };
}

/** Runs the check and proves the model unchanged: exactly the same numbers before and after. */
async function checkUnchanged(model: ExplainableModel, input: tf.Tensor4D, method: MethodId, classIndex: number) {
  const before = await observe(model, input, method, classIndex);
  const tensors = tf.memory().numTensors;
  const result = await sanityCheck({ model, input, method, classIndex, map: { values: before.map } });
  expect(tf.memory().numTensors).toBe(tensors);
  const after = await observe(model, input, method, classIndex);
  expect(after.probabilities).toEqual(before.probabilities);
  expect(after.map).toEqual(before.map);
  return result;
}

describe('graph models', () => {
  it('synthetic graph: head, then the conv block; CAM after randomising differs, the model does not', async () => {
    const { graph, nodes, entry } = await loadSyntheticGraph();
    const model = new GraphExplainable(entry, graph, nodes);
    expect(model.weightGroups()).toEqual([
      { name: 'head', weights: ['dense/w', 'dense/b'] },
      { name: 'conv', weights: ['conv/b', 'conv/w'] },
    ]);
    const input = tf.tensor4d(Array.from({ length: 48 }, (_, i) => ((i * 7) % 11) / 10), [1, 4, 4, 3]);
    const result = await checkUnchanged(model, input, 'cam', 0);
    expect(result.levels.map((l) => l.randomised)).toEqual([['head'], ['head', 'conv']]);
    for (const level of result.levels) expect(level.rho === null || Math.abs(level.rho) <= 1).toBe(true);
    expect(result.insensitive).toBe(result.levels[1].rho !== null && result.levels[1].rho >= 0.5);

    // A variant really runs other weights (fed as inputs), and its class weights follow them.
    const replacement = tf.tensor2d([[0, 0, 1], [0, 1, 0]]);
    const variant = await model.withWeights(new Map([['dense/w', replacement]]));
    expect(Array.from(await variant.camWeights!.data())).toEqual([0, 0, 1, 0, 1, 0]);
    expect(Array.from(await model.camWeights!.data())).toEqual([1, -1, 2, 0.5, 2, -1]);
    variant.dispose();
    expect(Array.from(await model.weight('dense/w').data())).toEqual([1, -1, 2, 0.5, 2, -1]); // the graph was not freed or written
    tf.dispose([replacement, input]);
  });

  it('default model (MobileNetV2 1.4): the head, Conv_1, expanded_conv_16, _15; CAM leaves it unchanged', async () => {
    const real = await loadRealModel();
    expect(real.explainable.weightGroups().map((g) => g.name)).toEqual(['head', 'Conv_1', 'expanded_conv_16', 'expanded_conv_15']);
    expect(real.explainable.weightGroups()[2].weights).toHaveLength(6); // expand, depthwise, project: weights and offsets
    const { width, height } = real.entry.inputSize;
    const input = pixelsToInput(loadPngResized('chelsea.png', width, height), width, height, real.entry.pixelScaling);
    const cam = await checkUnchanged(real.explainable, input, 'cam', 0);
    expect(cam.levels.map((l) => l.randomised.at(-1))).toEqual(['head', 'Conv_1', 'expanded_conv_16', 'expanded_conv_15']);
    expect(cam.levels.every((l) => l.rho !== null && l.rho < 0.99)).toBe(true); // the randomised maps are other maps
    input.dispose();
  });
});

describe('layers models', () => {
  it('tiny layers model: dense head, then the conv; Grad-CAM leaves it unchanged', async () => {
    const model = tinyExplainable({ ...TRUNK, pool: 'gap', dense: [{ kernel: [[1, -1], [2, 1]], bias: [0.5, -0.5], activation: 'softmax' }] });
    expect(model.weightGroups().map((g) => [g.name, g.weights.length])).toEqual([['head', 2], ['feat', 2]]);
    const input = tf.tensor4d([1, 1, 2, 0, 9, 2, 9, 1, 3, 1, 4, 2, 9, 0, 9, 1], [1, 4, 4, 1]);
    const result = await checkUnchanged(model, input, 'gradcam', 0);
    expect(result.levels).toHaveLength(2);
    input.dispose();
    model.dispose();
  });

  it('second bundled model (MobileNetV2 1.0, MLP head): the three dense layers, then Conv_1 and the last blocks; unchanged', async () => {
    const { entry, explainable } = await loadRealLayersModel();
    const groups = explainable.weightGroups();
    expect(groups.map((g) => g.name)).toEqual(['head', 'Conv_1', 'block_16', 'block_15']);
    expect(groups[0].weights).toHaveLength(6); // dense_1, dense_2, dense_3: kernel and bias each
    const { width, height } = entry.inputSize;
    const input = pixelsToInput(loadPngResized('chelsea.png', width, height), width, height, entry.pixelScaling);
    const result = await checkUnchanged(explainable, input, 'gradcam', 2);
    expect(result.levels).toHaveLength(4);
    input.dispose();
    explainable.dispose();
  });
});

it('stops when cancelled and frees what it made', async () => {
  const { graph, nodes, entry } = await loadSyntheticGraph();
  const model = new GraphExplainable(entry, graph, nodes);
  const input = tf.ones([1, 4, 4, 3]) as tf.Tensor4D;
  const controller = new AbortController();
  const tensors = tf.memory().numTensors;
  const run = sanityCheck({ model, input, method: 'cam', classIndex: 0, map: { values: new Array(16).fill(1) }, signal: controller.signal, progress: () => controller.abort() });
  await expect(run).rejects.toBeInstanceOf(CancelledError);
  expect(tf.memory().numTensors).toBe(tensors);
  input.dispose();
  model.dispose();
});
