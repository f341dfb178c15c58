// Exact CAM (the 'cam' method through GraphExplainable) on the real default model (nsfwjs MobileNetV2 1.4):
// the maps the extension computes on the backend must equal an independent Float64 recomputation from the feature maps and the model's own
// dense weights, and must average (plus bias) back to the logits.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { scoresFromLogits, type ExplainableModel } from '../../src/background/explainable';
import { computeMap, type RawMap } from '../../src/background/methods/base';
import { DEFAULT_METHOD_OPTIONS, MethodError } from '../../src/background/methods/types';
import { pixelsToInput } from '../../src/background/preprocess';
import { findCamHead } from '../../src/core/camHead';
import { loadRealModel, type RealModel } from './helpers/realModel';
import { loadPngResized } from './helpers/tinyModels';

interface Forward {
  /** CAM-layer activations A, [1, H, W, K]; owned by the caller. */
  features: tf.Tensor4D;
  logits: Float32Array;
  probabilities: Float32Array;
}

/** One forward pass as the explainer runs it: features kept, logits and scores read back. */
async function forward(explainable: ExplainableModel, x: tf.Tensor4D): Promise<Forward> {
  const [features, logitsT, scoresT] = tf.tidy(() => {
    const out = explainable.forward(x);
    return [out.features, out.logits, scoresFromLogits(explainable, out.logits)] as const;
  });
  const [logits, probabilities] = (await Promise.all([logitsT.data(), scoresT.data()])) as Float32Array[];
  tf.dispose([logitsT, scoresT]);
  return { features, logits, probabilities };
}

/** Exact CAM for class c, as the extension computes it. */
function classActivationMap(features: tf.Tensor4D, classIndex: number, x: tf.Tensor4D = input): Promise<RawMap> {
  return computeMap('cam', { model: model.explainable, input: x, features, classIndex, options: DEFAULT_METHOD_OPTIONS });
}

let model: RealModel;
let input: tf.Tensor4D;
let fwd: Forward;
/** Features as read back, [H*W*K] row-major NHWC. */
let A: Float32Array;
/** The model's own dense weights, [K, C] row-major. */
let Wkc: Float32Array;
/** The dense bias, [C]. */
let bias: Float32Array;
let H: number;
let Wd: number;
let K: number;
let C: number;

beforeAll(async () => {
  model = await loadRealModel();
  const { width, height } = model.entry.inputSize;
  input = pixelsToInput(loadPngResized('chelsea.png', width, height), width, height, model.entry.pixelScaling);
  fwd = await forward(model.explainable, input);
  [, H, Wd, K] = fwd.features.shape;
  A = (await fwd.features.data()) as Float32Array;

  // The head as findCamHead sees it; the explainable explains its feature node.
  const head = findCamHead(model.nodes);
  expect(model.explainable.layer).toBe(head.featureNode);
  const weight = model.graph.weights[head.weightNode][0];
  expect(weight.shape).toEqual([1792, 5]);
  Wkc = (await weight.data()) as Float32Array;
  C = weight.shape[1]!;

  // The bias of the dense layer is the third input of the _FusedMatMul named head.logitsNode.
  const logitsNode = model.nodes.find((n) => n.name === head.logitsNode);
  expect(logitsNode?.op).toBe('_FusedMatMul');
  const biasName = logitsNode!.input![2];
  const biasTensor = model.graph.weights[biasName]?.[0];
  expect(biasTensor?.shape).toEqual([C]);
  bias = (await biasTensor.data()) as Float32Array;
});

afterAll(() => {
  fwd?.features.dispose();
  input?.dispose();
});

/** Independent Float64 CAM: M_c(y, x) = Σ_k w_k^c A_k(y, x). */
function referenceCam(c: number): Float64Array {
  const m = new Float64Array(H * Wd);
  for (let p = 0; p < H * Wd; p++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += A[p * K + k] * Wkc[k * C + c];
    m[p] = s;
  }
  return m;
}

/** Class indices sorted by probability, best first (plain JS, not topClasses). */
function ranking(): number[] {
  return Array.from(fwd.probabilities.keys()).sort((a, b) => fwd.probabilities[b] - fwd.probabilities[a]);
}

describe('exact CAM on the real model (chelsea.png)', () => {
  it('yields 7×7×1792 feature maps and one logit per label', () => {
    expect(fwd.features.shape).toEqual([1, 7, 7, 1792]);
    expect(fwd.logits.length).toBe(model.entry.labels.length);
    expect(fwd.probabilities.length).toBe(model.entry.labels.length);
    // The features are ReLU6 outputs and not degenerate.
    let min = Infinity;
    let max = -Infinity;
    for (const v of A) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(6);
    expect(max).toBeGreaterThan(0);
  });

  it('classifies a photo of a coffee cup as Neutral (sanity check of input scaling and graph)', async () => {
    // (Chelsea the cat is "Drawing" for this model, also with nsfwjs's own preprocessing; coffee is unambiguous.)
    const { width, height } = model.entry.inputSize;
    const x = pixelsToInput(loadPngResized('coffee.png', width, height), width, height, model.entry.pixelScaling);
    const f = await forward(model.explainable, x);
    tf.dispose([x, f.features]);
    const neutral = model.entry.labels.indexOf('Neutral');
    expect(neutral).toBeGreaterThanOrEqual(0);
    expect(f.probabilities[neutral]).toBeGreaterThan(0.9);
  });

  it('matches an independent Float64 recomputation for every class, top and bottom included', async () => {
    const order = ranking();
    const classes = [...new Set([order[0], order[order.length - 1], ...order])];
    expect(classes.length).toBe(C);
    for (const c of classes) {
      const map = await classActivationMap(fwd.features, c);
      expect(map.width).toBe(7);
      expect(map.height).toBe(7);
      expect(map.values.length).toBe(49);
      const ref = referenceCam(c);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of ref) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const range = hi - lo;
      expect(range).toBeGreaterThan(0);
      let maxErr = 0;
      for (let p = 0; p < ref.length; p++) maxErr = Math.max(maxErr, Math.abs(map.values[p] - ref[p]));
      expect(maxErr, `class ${c} (${model.entry.labels[c]})`).toBeLessThan(1e-4 * range);
    }
  });

  it('maps for different classes differ (the class index selects a weight column)', async () => {
    const order = ranking();
    const top = await classActivationMap(fwd.features, order[0]);
    const bottom = await classActivationMap(fwd.features, order[order.length - 1]);
    let diff = 0;
    for (let p = 0; p < 49; p++) diff = Math.max(diff, Math.abs(top.values[p] - bottom.values[p]));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('ties each map to its logit: mean_xy M_c + b_c = logit_c', async () => {
    for (let c = 0; c < C; c++) {
      const map = await classActivationMap(fwd.features, c);
      let sum = 0;
      for (const v of map.values) sum += v;
      const mean = sum / map.values.length;
      expect(Math.abs(mean + bias[c] - fwd.logits[c]), `class ${c}`).toBeLessThan(1e-3);
    }
  });

  it('returns logits whose softmax is the reported probabilities', () => {
    const maxLogit = Math.max(...fwd.logits);
    const exps = Array.from(fwd.logits, (l) => Math.exp(l - maxLogit));
    const z = exps.reduce((a, b) => a + b, 0);
    for (let c = 0; c < C; c++) expect(Math.abs(exps[c] / z - fwd.probabilities[c])).toBeLessThan(1e-6);
  });

  it('reports the same probabilities as graph.predict, summing to 1', async () => {
    const predicted = model.graph.predict(input) as tf.Tensor;
    const p = await predicted.data();
    predicted.dispose();
    expect(p.length).toBe(C);
    let sum = 0;
    for (let c = 0; c < C; c++) {
      expect(Math.abs(fwd.probabilities[c] - p[c]), `class ${c}`).toBeLessThan(1e-5);
      sum += fwd.probabilities[c];
    }
    expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
  });

  it('rejects out-of-range or non-integer class indices with MethodError', async () => {
    for (const c of [5, -1, 1.5, Number.NaN]) {
      await expect(classActivationMap(fwd.features, c), `class ${c}`).rejects.toBeInstanceOf(MethodError);
    }
    // The last valid index still works.
    await expect(classActivationMap(fwd.features, 4)).resolves.toMatchObject({ width: 7, height: 7 });
  });

  it('does not leak tensors across a forward + CAM + dispose cycle', async () => {
    const cycle = async () => {
      const x = tf.zeros([1, 224, 224, 3]) as tf.Tensor4D;
      const f = await forward(model.explainable, x);
      await classActivationMap(f.features, 0, x);
      await classActivationMap(f.features, 4, x);
      f.features.dispose();
      x.dispose();
    };
    await cycle(); // warm-up: lets any one-time caches settle
    const before = tf.memory().numTensors;
    await cycle();
    expect(tf.memory().numTensors).toBe(before);
    // Failing calls must not leak either.
    await expect(classActivationMap(fwd.features, 7)).rejects.toBeInstanceOf(MethodError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
