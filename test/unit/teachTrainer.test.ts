// The Teach head's training on synthetic pooled features: it converges, is deterministic for a seed,
// handles class imbalance, stops early, cancels, and leaves TensorFlow.js's memory as it found it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { trainHead, type TeachExample } from '../../src/background/teach/trainer';
import { CancelledError } from '../../src/background/methods/types';
import { seededRandom } from '../../src/core/random';

const DIM = 48;
const VIEWS = 3;

/**
 * Pooled features of `counts[c]` examples of class c: class c's mean (fixed by the class, so two seeds
 * are two samples of one problem) plus Gaussian noise; the views after the first add a little more.
 */
function synthetic(counts: number[], seed: number, { noise = 0.6, dim = DIM, views = VIEWS } = {}): TeachExample[] {
  const gauss = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const meanRandom = seededRandom(1234);
  const means = counts.map(() => Array.from({ length: dim }, () => gauss(meanRandom)));
  const random = seededRandom(seed);
  return counts.flatMap((n, label) =>
    Array.from({ length: n }, () => {
      const base = means[label].map((m) => m + noise * gauss(random));
      const features = new Float32Array(views * dim);
      for (let v = 0; v < views; v++) for (let k = 0; k < dim; k++) features[v * dim + k] = base[k] + (v === 0 ? 0 : 0.1 * gauss(random));
      return { label, features };
    }),
  );
}

/** Two overlapping classes in 4 dimensions, class 1 shifted by 0.8 on two of them: no line separates them. */
function overlapping(counts: [number, number], seed: number): TeachExample[] {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return counts.flatMap((n, label) =>
    Array.from({ length: n }, () => ({ label, features: Float32Array.from({ length: 4 }, (_, k) => gauss() + (k < 2 ? (label ? 0.8 : -0.8) : 0)) })),
  );
}

const options = (classCount: number, extra: Partial<Parameters<typeof trainHead>[1]> = {}) => ({ classCount, dim: DIM, views: VIEWS, seed: 7, augment: true, pause: async () => undefined, ...extra });

/** The class each example's first view gets from the head's weights (plain JS). */
function predict(head: { kernel: Float32Array; bias: Float32Array }, examples: TeachExample[], classCount: number): number[] {
  const dim = head.kernel.length / classCount;
  return examples.map((e) => {
    const scores = Array.from({ length: classCount }, (_, c) => head.bias[c] + Array.from({ length: dim }, (_, k) => e.features[k] * head.kernel[k * classCount + c]).reduce((a, b) => a + b, 0));
    return scores.indexOf(Math.max(...scores));
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('training the head', () => {
  test('converges on separable classes: every training example and every held-out one right', async () => {
    const examples = synthetic([12, 12, 12], 1);
    const head = await trainHead(examples, options(3));
    expect(head.heldOutCount).toBe(3 * 2); // 20 % of 12, per class
    expect(head.trainCount).toBe(36 - 6);
    expect(head.heldOutAccuracy).toBe(1);
    const last = head.history[head.history.length - 1];
    expect(last.accuracy).toBe(1);
    expect(head.history[0].loss).toBeGreaterThan(last.loss);
    // Fresh examples of the same classes are classified right too.
    const fresh = synthetic([10, 10, 10], 99);
    const predicted = predict(head, fresh, 3);
    expect(predicted.filter((p, i) => p === fresh[i].label).length / fresh.length).toBeGreaterThanOrEqual(0.95);
  });

  test('is deterministic for a seed (bit for bit), and the seed matters', async () => {
    const examples = synthetic([8, 8], 2, { noise: 1.2 });
    const a = await trainHead(examples, options(2, { seed: 11 }));
    const b = await trainHead(examples, options(2, { seed: 11 }));
    const c = await trainHead(examples, options(2, { seed: 12 }));
    expect(Array.from(a.kernel)).toEqual(Array.from(b.kernel));
    expect(Array.from(a.bias)).toEqual(Array.from(b.bias));
    expect(a.history).toEqual(b.history);
    expect(Array.from(c.kernel)).not.toEqual(Array.from(a.kernel));
  });

  test('holds nothing out when a class has fewer than five examples, and says so', async () => {
    const head = await trainHead(synthetic([4, 9], 3), options(2));
    expect(head.heldOutCount).toBe(0);
    expect(head.heldOutAccuracy).toBeNull();
    expect(head.history.every((h) => h.heldOutAccuracy === null)).toBe(true);
  });

  test('class imbalance: 10 examples against 200 of an overlapping class are still recognised', async () => {
    // Unweighted, the large class wins the overlap: class 1's recall was 0.36 (and class 0's 0.998).
    const head = await trainHead(overlapping([200, 10], 4), { ...options(2), dim: 4, views: 1, augment: false });
    const recall = (label: number, seed: number) => {
      const fresh = overlapping(label === 0 ? [400, 0] : [0, 400], seed);
      return predict(head, fresh, 2).filter((p) => p === label).length / fresh.length;
    };
    expect(recall(1, 5)).toBeGreaterThan(0.7);
    expect(recall(0, 6)).toBeGreaterThan(0.7);
  });

  test('stops early when the held-out loss stops improving, keeping the best epoch', async () => {
    const head = await trainHead(synthetic([10, 10], 6), options(2, { maxEpochs: 400, patience: 5 }));
    expect(head.history.length).toBeLessThan(400);
    expect(head.history.length - head.bestEpoch).toBe(5);
    // The kept epoch is the lowest held-out loss, up to the 1e-4 an improvement must reach.
    const bestLoss = head.history[head.bestEpoch - 1].heldOutLoss!;
    expect(bestLoss - Math.min(...head.history.map((h) => h.heldOutLoss!))).toBeLessThan(1e-3);
  });

  test('leaves no tensor behind: after training, after a cancel, after bad input', async () => {
    const examples = synthetic([10, 10, 10], 7);
    const before = tf.memory().numTensors;
    await trainHead(examples, options(3));
    expect(tf.memory().numTensors).toBe(before);

    const controller = new AbortController();
    const epochs: number[] = [];
    await expect(
      trainHead(examples, options(3, { signal: controller.signal, onEpoch: (s) => (epochs.push(s.epoch), s.epoch === 2 && controller.abort()) })),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(epochs).toEqual([1, 2]);
    expect(tf.memory().numTensors).toBe(before);

    await expect(trainHead([{ label: 0, features: new Float32Array(5) }], options(2))).rejects.toThrow(/expected 3 views × 48/);
    await expect(trainHead([{ label: 2, features: new Float32Array(VIEWS * DIM) }], options(2))).rejects.toThrow(/not one of 2 classes/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
