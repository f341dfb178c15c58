// Every kernel the methods' gradients reach on WASM, checked against the CPU backend on inputs with
// ties: the bundled models (at their CAM layer and at an inner 14×14 layer), the fixture heads (a
// local max-pool head like human's liveness, Keras's MobileNet head) and the operations typical heads
// are made of. tfjs-backend-wasm 4.22's MaxPoolGrad is wrong on ties (the repro below) and is routed
// through the CPU backend's kernel (src/background/wasmGradients.ts); after that, no kernel differs.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractModel, readCatalog } from '../../models/extract.mjs';
import { logitGradients } from '../../src/background/methods/base';
import { artifactsFrom, explainableFrom } from '../../src/background/modelLoad';
import type { ExplainableModel } from '../../src/background/explainable';
import { LayersExplainable } from '../../src/background/explainable';
import { registerWasmGradientFallbacks, WASM_WRONG_GRADIENT_KERNELS } from '../../src/background/wasmGradients';
import type { ModelEntry } from '../../src/core/catalog';
import { buildLiveness, buildMobilenetV1 } from '../../scripts/make-fixture-models.mjs';
import { compareKernels, startComparingWasm, type KernelComparison } from './helpers/kernelDiff';
import { tinyEntry } from './helpers/tinyModels';

/** Deterministic values drawn from a few levels, so that pooling windows and activations tie. */
function levels(shape: number[], seed: number, values = [-1, 0, 0.5, 1, 6]): tf.Tensor {
  let s = seed;
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => values[(s = (s * 1103515245 + 12345) % 2147483648) % values.length]), shape);
}

/** Gradient of Σ w ⊙ maxPool(x) with respect to x, on the current backend. */
function maxPoolGradient(x: tf.Tensor4D, size: number, stride: number, pad: 'valid' | 'same'): number[] {
  return tf.tidy(() => {
    const out = tf.maxPool(x, size, stride, pad);
    const w = tf.add(levels(out.shape, 3, [0, 1, 2, 3]), 0.5);
    return Array.from(tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, size, stride, pad).mul(w).sum())(x).dataSync());
  });
}

// A 4×4 picture, 2×2 windows: the top windows hold a clear maximum (2); the bottom ones are all zeros,
// as after a ReLU. TensorFlow and the CPU backend give each window's gradient to its first maximum.
const TIES = [1, 1, 1, 1, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const FIRST_MAXIMUM = [0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0];
const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

describe("tfjs-backend-wasm's MaxPoolGrad on ties, without the fallback", () => {
  beforeAll(async () => {
    setWasmPaths(path.resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await tf.setBackend('wasm');
  });

  it("drops the gradient of all-zero windows (the CPU backend's is TensorFlow's: the first maximum)", async () => {
    const wasm = tf.tidy(() => Array.from(tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').sum())(tf.tensor4d(TIES, [1, 4, 4, 1])).dataSync()));
    await tf.setBackend('cpu');
    const cpu = tf.tidy(() => Array.from(tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').sum())(tf.tensor4d(TIES, [1, 4, 4, 1])).dataSync()));
    await tf.setBackend('wasm');
    expect(cpu).toEqual(FIRST_MAXIMUM);
    expect(wasm).not.toEqual(FIRST_MAXIMUM);
    expect(sum(wasm)).toBeLessThan(sum(cpu)); // the bottom windows' gradient is lost
  });

  it('the repro: a 16×16×32 input of 3 levels, 2×2 max-pool — the gradients differ (and so do their sums with SAME padding on an odd size)', async () => {
    const x = levels([1, 16, 16, 32], 5, [0, 0.5, 1]) as tf.Tensor4D;
    const odd = levels([1, 15, 15, 32], 9, [0, 0.5, 1]) as tf.Tensor4D;
    const wasm = [maxPoolGradient(x, 2, 2, 'valid'), maxPoolGradient(odd, 2, 2, 'same')];
    await tf.setBackend('cpu');
    const cpu = [maxPoolGradient(x, 2, 2, 'valid'), maxPoolGradient(odd, 2, 2, 'same')];
    await tf.setBackend('wasm');
    expect(wasm[0]).not.toEqual(cpu[0]);
    expect(Math.abs(sum(wasm[1]) - sum(cpu[1]))).toBeGreaterThan(1);
    tf.dispose([x, odd]);
  });
});

/** Runs `fn`'s kernels on WASM, each repeated by the CPU backend; the ones that differ by more than float rounding. */
function differing(fn: () => void, ignore: readonly string[] = []): KernelComparison[] {
  const { kernels } = compareKernels(fn, ignore);
  expect(kernels.length).toBeGreaterThan(0);
  return kernels.filter((k) => !ignore.includes(k.kernel) && (k.uncompared || k.maxRelDiff > 1e-4));
}

/** Which of the kernels the methods' gradient path (∂y_c/∂A through the head) calls for this model and input differ. */
function differingOnGradientPath(model: ExplainableModel, input: tf.Tensor4D): KernelComparison[] {
  const { features } = tf.tidy(() => model.forward(input));
  try {
    return differing(() => logitGradients(model, features, input, 0).dispose(), UNUSED_WEIGHT_GRADIENTS);
  } finally {
    features.dispose();
  }
}

// Weight gradients are not computed inside logitGradients (zeros instead, by design): not a difference.
const UNUSED_WEIGHT_GRADIENTS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter'];

describe('with the fallbacks: every kernel the gradients reach agrees with the CPU backend', () => {
  beforeAll(async () => {
    registerWasmGradientFallbacks();
    await startComparingWasm();
  });

  it('the repro and the all-zero windows now give the first maximum', () => {
    expect(WASM_WRONG_GRADIENT_KERNELS).toContain('MaxPoolGrad');
    const grad = tf.tidy(() => Array.from(tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').sum())(tf.tensor4d(TIES, [1, 4, 4, 1])).dataSync()));
    expect(grad).toEqual(FIRST_MAXIMUM);
    const x = levels([1, 16, 16, 32], 5, [0, 0.5, 1]) as tf.Tensor4D;
    expect(differing(() => void maxPoolGradient(x, 2, 2, 'valid'))).toEqual([]);
    x.dispose();
  });

  // The operations heads are made of, each differentiated on a tie-rich 9×9×3 activation.
  const HEADS: Record<string, (a: tf.Tensor4D) => tf.Tensor> = {
    'max-pool 2×2 valid': (a) => tf.maxPool(a, 2, 2, 'valid'),
    'max-pool 3×3 stride 2 same': (a) => tf.maxPool(a, 3, 2, 'same'),
    'average pool 3×3 same': (a) => tf.avgPool(a, 3, 2, 'same'),
    'global max (reduce)': (a) => tf.max(a, [1, 2]),
    'global mean': (a) => tf.mean(a, [1, 2]),
    relu: (a) => tf.relu(a),
    relu6: (a) => tf.relu6(a),
    elu: (a) => tf.elu(a),
    'leaky relu': (a) => tf.leakyRelu(a, 0.1),
    prelu: (a) => tf.prelu(a, tf.fill([3], 0.2) as unknown as tf.Tensor4D),
    sigmoid: (a) => tf.sigmoid(a),
    'hard swish': (a) => tf.mul(a, tf.relu6(tf.add(a, 3))).div(6),
    clip: (a) => tf.clipByValue(a, 0, 1),
    'batch norm': (a) => tf.batchNorm(a, tf.fill([3], 0.1) as tf.Tensor1D, tf.fill([3], 2) as tf.Tensor1D, tf.fill([3], 0.3) as tf.Tensor1D, tf.fill([3], 1.5) as tf.Tensor1D, 1e-3),
    pad: (a) => tf.pad(a, [[0, 0], [1, 1], [1, 1], [0, 0]]),
    concat: (a) => tf.concat([a, tf.relu(a)], 3),
    'resize bilinear': (a) => tf.image.resizeBilinear(a, [13, 13]),
    'conv 3×3 stride 2': (a) => tf.conv2d(a, levels([3, 3, 3, 4], 3, [-0.5, 0, 0.5]) as tf.Tensor4D, 2, 'same'),
    'fused conv + relu6': (a) => tf.fused.conv2d({ x: a, filter: levels([3, 3, 3, 4], 3, [-0.5, 0, 0.5]) as tf.Tensor4D, strides: 1, pad: 'same', bias: tf.fill([4], 0.1), activation: 'relu6' }),
    depthwise: (a) => tf.depthwiseConv2d(a, levels([3, 3, 3, 2], 4, [-0.5, 0, 0.5]) as tf.Tensor4D, 2, 'same'),
    separable: (a) => tf.separableConv2d(a, levels([3, 3, 3, 1], 4, [-0.5, 0, 0.5]) as tf.Tensor4D, levels([1, 1, 3, 3], 5, [-0.5, 0.5]) as tf.Tensor4D, 1, 'same'),
    'dense + relu': (a) => tf.fused.matMul({ a: a.reshape([1, -1]), b: levels([a.size, 5], 6, [-0.5, 0, 0.5]) as tf.Tensor2D, bias: tf.fill([5], 0.1), activation: 'relu' }),
    'local response norm': (a) => tf.localResponseNormalization(a, 2, 1, 1, 0.5),
  };
  for (const [name, head] of Object.entries(HEADS)) {
    it(name, () => {
      const a = levels([1, 9, 9, 3], 7) as tf.Tensor4D;
      const gradient = () =>
        tf.tidy(() => {
          const w = (out: tf.Tensor) => levels(out.shape, 11, [0.5, 1, 2]);
          tf.grad((x: tf.Tensor) => {
            const out = head(x as tf.Tensor4D);
            return out.mul(w(out)).sum();
          })(a).dataSync();
        });
      expect(differing(gradient)).toEqual([]);
      a.dispose();
    });
  }

  it('the bundled models, at their CAM layer and (graph model) at a 14×14 layer, expanded_conv_12', async () => {
    const catalog = readCatalog() as { models: ModelEntry[] };
    for (const entry of catalog.models) {
      const { modelJson, shards } = extractModel(entry) as unknown as { modelJson: never; shards: { bytes: Uint8Array }[] };
      const weights = Buffer.concat(shards.map((s) => s.bytes));
      const artifacts = () => artifactsFrom(modelJson, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length), entry.format);
      const model = await explainableFrom(entry, artifacts());
      // The layers model's path back ends at its CAM layer (a residual addition comes before it).
      const inner = entry.format === 'graph' ? (modelJson as { modelTopology: { node: { name: string }[] } }).modelTopology.node.find((n) => /expanded_conv_12\/expand\/Relu6$/.test(n.name)) : undefined;
      const models = [model, ...(inner ? [await explainableFrom(entry, artifacts(), inner.name)] : [])];
      const input = levels([1, 224, 224, 3], 13, [0, 0.5, 1]) as tf.Tensor4D;
      for (const m of models) expect(differingOnGradientPath(m, input), `${entry.id} at ${m.layer}`).toEqual([]);
      input.dispose();
      for (const m of models) m.dispose();
    }
    expect(catalog.models.map((m) => m.format).sort()).toEqual(['graph', 'layers']);
  }, 120_000);

  it("the fixture heads: human's liveness layout (through two local max-pools) and Keras's MobileNet head", () => {
    const liveness = new LayersExplainable({ ...tinyEntry(2), inputSize: { width: 32, height: 32 } }, buildLiveness(), 'batch_normalization_2');
    const small = levels([1, 32, 32, 3], 17, [0, 0.5, 1]) as tf.Tensor4D;
    expect(differingOnGradientPath(liveness, small)).toEqual([]);
    const mobilenet = new LayersExplainable({ ...tinyEntry(1000), inputSize: { width: 224, height: 224 } }, buildMobilenetV1('0.25'), 'conv_pw_4_relu');
    const large = levels([1, 224, 224, 3], 19, [-1, 0, 1]) as tf.Tensor4D;
    expect(differingOnGradientPath(mobilenet, large)).toEqual([]);
    tf.dispose([small, large]);
    liveness.dispose();
    mobilenet.dispose();
  });
});
