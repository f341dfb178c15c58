// The pure maths of the map checks (src/core/metrics): order and ties, steps, AUC, baseline maps,
// blur, Spearman's ρ, the substitute per pixel convention and the weight groups of the cascade.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pixelsToInput } from '../../src/background/preprocess';
import { trapezoidAuc } from '../../src/core/metrics/auc';
import { centreMap, randomMap } from '../../src/core/metrics/baselineMaps';
import { seededRandom } from '../../src/core/random';
import { blurSigma, gaussianBlur } from '../../src/core/metrics/blur';
import { mapRanks, pixelRanks, stepCounts } from '../../src/core/metrics/ranking';
import { averageRanks, spearman } from '../../src/core/metrics/spearman';
import { substituteFor } from '../../src/core/metrics/substitute';
import { blockKey, graphWeightGroups, layersWeightGroups } from '../../src/core/metrics/weightGroups';
import type { GraphNode } from '../../src/core/camHead';
import { IMAGENET_NORMALIZATION } from '../../src/core/normalization';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('pixel order', () => {
  it('puts higher values first', () => {
    // values 1 5 3 4 → order (by value) 5, 4, 3, 1 → pixel 1 first, then 3, 2, 0
    expect(Array.from(pixelRanks([1, 5, 3, 4]))).toEqual([3, 0, 2, 1]);
  });

  it('breaks ties by position (row-major), and ranks NaN last', () => {
    // 2 2 9 2 NaN 9: the 9s first (pixel 2 before 5), then the 2s in order, NaN last
    expect(Array.from(pixelRanks([2, 2, 9, 2, NaN, 9]))).toEqual([2, 3, 0, 4, 5, 1]);
    // A flat map deletes in reading order.
    expect(Array.from(pixelRanks(new Float32Array(5)))).toEqual([0, 1, 2, 3, 4]);
  });

  it('ranks the map as the overlay draws it: ReLU ties negative evidence, the signed map keeps its order', () => {
    const map = { width: 2, height: 1, values: [-2, -1] };
    // Upsampled to 4×1 (half-pixel bilinear): −2, −1.75, −1.25, −1 → signed: rightmost first
    expect(Array.from(mapRanks(map, 4, 1, false))).toEqual([3, 2, 1, 0]);
    // Positive only: all zero → reading order
    expect(Array.from(mapRanks(map, 4, 1, true))).toEqual([0, 1, 2, 3]);
  });

  it('is deterministic for a map with many equal values (centre map on an even grid)', () => {
    const centre = centreMap(4, 4);
    const a = mapRanks(centre, 8, 8, true);
    expect(Array.from(a)).toEqual(Array.from(mapRanks(centre, 8, 8, true)));
    // The four middle pixels share the top value; the first in reading order wins.
    expect(a[3 * 8 + 3]).toBe(0);
    expect([a[3 * 8 + 4], a[4 * 8 + 3], a[4 * 8 + 4]]).toEqual([1, 2, 3]);
  });
});

describe('steps and AUC', () => {
  it('changes round(k · pixels / steps) pixels at step k', () => {
    expect(stepCounts(16, 4)).toEqual([0, 4, 8, 12, 16]);
    expect(stepCounts(10, 4)).toEqual([0, 3, 5, 8, 10]); // 2.5 → 3, 7.5 → 8
    expect(stepCounts(224 * 224, 32)[1]).toBe(1568);
    expect(() => stepCounts(16, 0)).toThrow(RangeError);
  });

  it('integrates by the trapezoid rule over k / steps', () => {
    expect(trapezoidAuc([1, 0])).toBe(0.5);
    expect(trapezoidAuc([1, 1, 1])).toBe(1);
    // (1 + .5)/2·¼ + (.5 + .5)/2·¼ + (.5 + .25)/2·¼ + (.25 + 0)/2·¼ = (.75 + .5 + .375 + .125)/4
    expect(trapezoidAuc([1, 0.5, 0.5, 0.25, 0])).toBeCloseTo(1.75 / 4, 12);
    expect(() => trapezoidAuc([1])).toThrow(RangeError);
  });
});

describe('baseline maps', () => {
  it('the random map is seeded: same seed, same map; another seed, another map', () => {
    expect(Array.from(randomMap(7, 7, 14).values)).toEqual(Array.from(randomMap(7, 7, 14).values));
    expect(Array.from(randomMap(7, 7, 14).values)).not.toEqual(Array.from(randomMap(7, 7, 15).values));
    const values = randomMap(100, 100, 1).values;
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    // Mulberry32's first output for seed 0 (a fixed reference value: other implementations can compare).
    expect(seededRandom(0)()).toBeCloseTo(0.26642920868471265, 15);
  });

  it('the centre map peaks in the middle and is symmetric', () => {
    const { values } = centreMap(7, 7);
    expect(values[3 * 7 + 3]).toBe(1);
    expect(values[0]).toBeCloseTo(values[6 * 7 + 6], 7);
    expect(values[3 * 7]).toBeCloseTo(Math.exp(-((3 * 3) / (2 * 1.75 * 1.75))), 6);
  });
});

describe('Gaussian blur', () => {
  it('σ is 5 px at 224 px, scaled per axis', () => {
    expect(blurSigma(224, 224)).toEqual({ x: 5, y: 5 });
    expect(blurSigma(448, 112)).toEqual({ x: 10, y: 2.5 });
  });

  it('keeps a flat image flat (edges repeated, no dark frame)', () => {
    const flat = new Float32Array(10 * 6 * 3).fill(0.7);
    for (const v of gaussianBlur(flat, 10, 6, 3, { x: 5, y: 5 })) expect(v).toBeCloseTo(0.7, 6);
  });

  it('spreads an impulse as the normalised kernel: weights e^(−i²/2σ²) / Σ, truncated at 3σ', () => {
    const image = new Float32Array(9 * 9);
    image[4 * 9 + 4] = 1;
    const out = gaussianBlur(image, 9, 9, 1, { x: 1, y: 1 });
    const w = [-3, -2, -1, 0, 1, 2, 3].map((i) => Math.exp(-(i * i) / 2));
    const sum = w.reduce((a, b) => a + b);
    expect(out[4 * 9 + 4]).toBeCloseTo((w[3] / sum) ** 2, 6);
    expect(out[4 * 9 + 5]).toBeCloseTo((w[3] / sum) * (w[4] / sum), 6);
    expect(out[0]).toBe(0); // beyond 3σ
    expect(out.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
  });
});

describe("Spearman's ρ", () => {
  it('is 1 for the same order, −1 for the reverse, whatever the scale', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('gives ties their average rank', () => {
    expect(Array.from(averageRanks([5, 1, 5, 0]))).toEqual([3.5, 2, 3.5, 1]);
    // ranks a = (1, 2.5, 2.5, 4), b = (1, 2, 3, 4): Pearson of the ranks
    const ra = [1, 2.5, 2.5, 4];
    const rb = [1, 2, 3, 4];
    const m = 2.5;
    const cov = ra.reduce((s, r, i) => s + (r - m) * (rb[i] - m), 0);
    const va = ra.reduce((s, r) => s + (r - m) ** 2, 0);
    const vb = rb.reduce((s, r) => s + (r - m) ** 2, 0);
    expect(spearman([0, 1, 1, 2], [0, 1, 2, 3])).toBeCloseTo(cov / Math.sqrt(va * vb), 12);
  });

  it('has no value for a flat map or mismatched sizes', () => {
    expect(spearman([0, 0, 0], [1, 2, 3])).toBeNull();
    expect(spearman([1, 2], [1, 2, 3])).toBeNull();
  });
});

describe('the "nothing" substitute', () => {
  it('is mid grey for fixed ranges and the dataset mean for mean/std models, in model-input space', () => {
    expect(substituteFor('unit')).toEqual({ rule: 'mid grey', input: [0.5, 0.5, 0.5], rgb: [127.5, 127.5, 127.5] });
    expect(substituteFor('symmetric').input).toEqual([0, 0, 0]);
    expect(substituteFor('byte').input).toEqual([127.5, 127.5, 127.5]);
    const meanStd = substituteFor('meanStd', IMAGENET_NORMALIZATION);
    expect(meanStd.rule).toBe('dataset mean');
    expect(meanStd.input).toEqual([0, 0, 0]);
    expect(meanStd.rgb.map((v) => v / 255)).toEqual(IMAGENET_NORMALIZATION.mean.map((m) => expect.closeTo(m, 12)));
    expect(() => substituteFor('meanStd')).toThrow(RangeError);
  });

  it('is what the model sees for the substitute colour (the same preprocessing as any picture)', async () => {
    for (const [scaling, normalization] of [['unit'], ['symmetric'], ['byte'], ['meanStd', IMAGENET_NORMALIZATION]] as const) {
      const sub = substituteFor(scaling, normalization);
      // A 2×1 image of that colour (exact for the fixed ranges; the mean colour is not a whole byte value,
      // so it is fed through the same formula as a float here).
      const rgba = new Float32Array([...sub.rgb, 255, ...sub.rgb, 255]);
      const x = pixelsToInputFloat(rgba, scaling, normalization);
      expect(x).toEqual([...sub.input, ...sub.input].map((v) => expect.closeTo(v, 5)));
    }
    // And through the real preprocessing for a whole grey byte: 128 is within half a level of mid grey.
    const grey = pixelsToInput(new Uint8ClampedArray([128, 128, 128, 255]), 1, 1, 'unit');
    expect(Array.from(await grey.data()).map((v) => v - 0.5).every((d) => Math.abs(d) <= 0.5 / 255 + 1e-7)).toBe(true);
  });
});

/** preprocess.ts's formulas on float pixels (the bytes path rounds). */
function pixelsToInputFloat(rgba: Float32Array, scaling: 'unit' | 'symmetric' | 'byte' | 'meanStd', n?: { mean: number[]; std: number[] }): number[] {
  const out: number[] = [];
  for (let i = 0; i < rgba.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const v = rgba[i + c];
      out.push(scaling === 'unit' ? v / 255 : scaling === 'symmetric' ? (2 * v) / 255 - 1 : scaling === 'byte' ? v : (v / 255 - n!.mean[c]) / n!.std[c]);
    }
  }
  return out;
}

describe('weight groups of the cascade', () => {
  it('a block is a numbered name without its role words', () => {
    expect(blockKey('block_16_project')).toBe('block_16');
    expect(blockKey('block_16_expand_BN')).toBe('block_16');
    expect(blockKey('Conv_1')).toBe('Conv_1');
    expect(blockKey('Conv_1_bn')).toBe('Conv_1');
    expect(blockKey('conv5_block3_2_conv')).toBe('conv5_block3');
    expect(blockKey('expanded_conv')).toBe('expanded_conv');
  });

  it('graphs: the head between the features and the logits, then blocks deepest first', () => {
    const n = (name: string, op: string, ...input: string[]): GraphNode => ({ name, op, input });
    const nodes = [
      n('input', 'Placeholder'),
      n('m/b1/w', 'Const'), n('m/b2/expand/w', 'Const'), n('m/b2/project/w', 'Const'), n('m/top_1/w', 'Const'), n('axes', 'Const'),
      n('dense/w', 'Const'), n('dense/b', 'Const'),
      n('m/b1/conv', 'Conv2D', 'input', 'm/b1/w'),
      n('m/b2/expand/conv', 'Conv2D', 'm/b1/conv', 'm/b2/expand/w'),
      n('m/b2/project/conv', 'Conv2D', 'm/b2/expand/conv', 'm/b2/project/w'),
      n('m/b2/add', 'AddV2', 'm/b1/conv', 'm/b2/project/conv'),
      n('m/top_1/conv', 'Conv2D', 'm/b2/add', 'm/top_1/w'),
      n('pool', 'Mean', 'm/top_1/conv', 'axes'),
      n('logits', '_FusedMatMul', 'pool', 'dense/w', 'dense/b'),
      n('scores', 'Softmax', 'logits'),
    ];
    const weights = new Set(['m/b1/w', 'm/b2/expand/w', 'm/b2/project/w', 'm/top_1/w', 'dense/w', 'dense/b']);
    expect(graphWeightGroups(nodes, 'm/top_1/conv', 'logits', (w) => weights.has(w))).toEqual([
      { name: 'head', weights: ['dense/w', 'dense/b'] },
      { name: 'top_1', weights: ['m/top_1/w'] },
      { name: 'b2', weights: ['m/b2/project/w', 'm/b2/expand/w'] },
      { name: 'b1', weights: ['m/b1/w'] },
    ]);
    expect(graphWeightGroups(nodes, 'm/top_1/conv', 'logits', (w) => weights.has(w), 1).map((g) => g.name)).toEqual(['head', 'top_1']);
  });

  it('layers models: dense head, then convolution blocks; normalisation layers keep their weights', () => {
    const layers = [
      { name: 'block_1_expand', trainable: true, weights: ['block_1_expand/kernel'] },
      { name: 'block_1_expand_BN', trainable: false, weights: ['block_1_expand_BN/gamma'] },
      { name: 'block_1_project', trainable: true, weights: ['block_1_project/kernel'] },
      { name: 'Conv_1', trainable: true, weights: ['Conv_1/kernel'] },
      { name: 'out_relu', trainable: false, weights: [] },
      { name: 'pool', trainable: false, weights: [] },
      { name: 'dense_1', trainable: true, weights: ['dense_1/kernel', 'dense_1/bias'] },
    ];
    expect(layersWeightGroups(layers, 'out_relu', ['pool', 'dense_1'])).toEqual([
      { name: 'head', weights: ['dense_1/kernel', 'dense_1/bias'] },
      { name: 'Conv_1', weights: ['Conv_1/kernel'] },
      { name: 'block_1', weights: ['block_1_project/kernel', 'block_1_expand/kernel'] },
    ]);
  });
});
