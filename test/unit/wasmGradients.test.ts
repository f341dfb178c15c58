// The CPU-forwarding gradient kernels on the WASM backend give the CPU backend's gradients.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WASM_MISSING_GRADIENT_KERNELS, registerWasmGradientFallbacks, withoutWeightGradients } from '../../src/background/wasmGradients';

const wasmDir = path.resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep;

/** Input and filter gradients of a loss through a conv and a depthwise conv, on the current backend. */
function gradients(x: number[], filter: number[], depthFilter: number[]): number[][] {
  return tf.tidy(() => {
    const loss = (...[xi, f, d]: tf.Tensor[]) =>
      tf.depthwiseConv2d(tf.relu6(tf.conv2d(xi as tf.Tensor4D, f as tf.Tensor4D, 1, 'same')), d as tf.Tensor4D, [2, 2], 'same').square().sum();
    const grads = tf.grads(loss)([tf.tensor4d(x, [1, 6, 6, 2]), tf.tensor4d(filter, [3, 3, 2, 4]), tf.tensor4d(depthFilter, [3, 3, 4, 1])]);
    return grads.map((g) => Array.from(g.dataSync()));
  });
}

describe('WASM gradient fallbacks', () => {
  const random = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.5);
  const x = random(72, 1);
  const filter = random(72, 2);
  const depthFilter = random(36, 3);
  let expected: number[][];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    expected = gradients(x, filter, depthFilter);
    setWasmPaths(wasmDir);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await tf.setBackend('wasm');
  });

  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('without them, WASM cannot take these gradients', () => {
    for (const name of WASM_MISSING_GRADIENT_KERNELS) expect(tf.getKernel(name, 'wasm'), name).toBeUndefined();
    expect(() => gradients(x, filter, depthFilter)).toThrow(/not registered for backend 'wasm'/);
  });

  it("with them, WASM's gradients equal the CPU backend's, and no tensor or CPU buffer is left behind", () => {
    registerWasmGradientFallbacks();
    const before = tf.memory().numTensors;
    const cpuBuffers = (tf.findBackend('cpu') as unknown as { numDataIds(): number }).numDataIds();
    const actual = gradients(x, filter, depthFilter);
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.findBackend('cpu') as unknown as { numDataIds(): number }).numDataIds()).toBe(cpuBuffers);
    actual.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 4)));
  });

  it('where weight gradients are declared unused: input gradients unchanged, weight gradients not computed (zeros), scope restored after a throw', () => {
    const [dx, dFilter, dDepth] = withoutWeightGradients(() => gradients(x, filter, depthFilter));
    dx.forEach((v, j) => expect(v).toBeCloseTo(expected[0][j], 4));
    expect(dFilter.every((v) => v === 0)).toBe(true);
    expect(dDepth.every((v) => v === 0)).toBe(true);
    expect(expected[1].some((v) => v !== 0)).toBe(true);
    expect(() =>
      withoutWeightGradients(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    // Outside the scope again: the filter gradient is computed.
    gradients(x, filter, depthFilter)[1].forEach((v, j) => expect(v).toBeCloseTo(expected[1][j], 4));
  });
});
