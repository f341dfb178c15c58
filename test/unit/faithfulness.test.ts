// Deletion and insertion (src/background/metrics) on a model small enough to work out by hand: the
// synthetic graph (4×4×3 input → 1×1 conv (3 → 2) + ReLU → mean → dense → softmax) recomputed in
// plain JavaScript, a 4×4 map whose order is listed, 4 steps of 4 pixels. Also: the baselines go the
// same way, batching changes nothing, known scores are not computed again, cancel stops.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphExplainable } from '../../src/background/explainable';
import { checkFaithfulness, type FaithfulnessRequest } from '../../src/background/metrics/faithfulness';
import { CancelledError } from '../../src/background/methods/types';
import { trapezoidAuc } from '../../src/core/metrics/auc';
import { seededRandom } from '../../src/core/random';
import { gaussianBlur } from '../../src/core/metrics/blur';
import { substituteFor } from '../../src/core/metrics/substitute';
import { loadSyntheticGraph } from './helpers/tinyModels';

let model: GraphExplainable;
let input: tf.Tensor4D;
const next = seededRandom(3);
/** 16 pixels × RGB, values in [0, 1]. */
const IMAGE = Array.from({ length: 48 }, () => Math.round(next() * 100) / 100);
/** The map: pixel i's value. Its order (highest first) is listed below. */
const MAP = [3, 15, 7, 0, 12, 1, 9, 14, 5, 11, 2, 13, 8, 6, 10, 4];
const ORDER = [1, 7, 11, 4, 9, 14, 6, 12, 2, 13, 8, 15, 0, 10, 5, 3];
const CLASS = 2;
const SUBSTITUTE = substituteFor('unit'); // 0.5 grey
const SIGMA = { x: 1, y: 1 };

/** The synthetic graph by hand: per pixel relu(x·W + b), mean over pixels, dense, softmax; class CLASS's probability. */
function jsProbability(image: number[]): number {
  const W = [[1, 1], [-1, 1], [0.5, -1]];
  const b = [0.25, -0.5];
  const pooled = [0, 0];
  for (let p = 0; p < 16; p++) {
    for (let k = 0; k < 2; k++) {
      const a = image[p * 3] * W[0][k] + image[p * 3 + 1] * W[1][k] + image[p * 3 + 2] * W[2][k] + b[k];
      pooled[k] += Math.max(0, a) / 16;
    }
  }
  const D = [[1, -1, 2], [0.5, 2, -1]];
  const logits = [1, 0, -1].map((bias, c) => bias + pooled[0] * D[0][c] + pooled[1] * D[1][c]);
  const top = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - top));
  return e[CLASS] / e.reduce((x, y) => x + y);
}

/** `base` with the first `count` pixels of ORDER taken from `fill`. */
function moved(base: number[], fill: number[], count: number): number[] {
  const out = [...base];
  for (const p of ORDER.slice(0, count)) for (let c = 0; c < 3; c++) out[p * 3 + c] = fill[p * 3 + c];
  return out;
}

const request = (extra: Partial<FaithfulnessRequest> = {}): FaithfulnessRequest => ({
  model,
  input,
  classIndex: CLASS,
  map: { width: 4, height: 4, values: MAP },
  positiveOnly: true,
  substitute: SUBSTITUTE,
  steps: 4,
  blurSigma: SIGMA,
  probe: { batchSize: 5 },
  ...extra,
});

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  const { graph, nodes, entry } = await loadSyntheticGraph();
  model = new GraphExplainable(entry, graph, nodes);
  input = tf.tensor4d(IMAGE, [1, 4, 4, 3]);
});

afterAll(() => {
  input.dispose();
  model.dispose();
});

describe('deletion and insertion on a hand-checkable model', () => {
  it('the order is the one listed (highest map value first)', () => {
    expect(ORDER.map((p) => MAP[p])).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('deletion replaces the 4k most relevant pixels with mid grey; insertion restores them into the blurred copy', async () => {
    const before = tf.memory().numTensors;
    const result = await checkFaithfulness(request());
    const grey = new Array<number>(48).fill(0.5);
    const blurred = Array.from(gaussianBlur(IMAGE, 4, 4, 3, SIGMA));
    const deletion = [0, 4, 8, 12, 16].map((count) => jsProbability(moved(IMAGE, grey, count)));
    const insertion = [0, 4, 8, 12, 16].map((count) => jsProbability(moved(blurred, IMAGE, count)));
    expect(result.deletion.curve).toEqual(deletion.map((p) => expect.closeTo(p, 5)));
    expect(result.insertion.curve).toEqual(insertion.map((p) => expect.closeTo(p, 5)));
    expect(result.deletion.auc).toBeCloseTo(trapezoidAuc(deletion), 5);
    expect(result.insertion.auc).toBeCloseTo(trapezoidAuc(insertion), 5);
    // The curves really move (the test would not notice a wrong order otherwise).
    expect(new Set(deletion.map((p) => p.toFixed(4))).size).toBe(5);
    expect(result).toMatchObject({ steps: 4, ranking: 'positive', classIndex: CLASS, substitute: SUBSTITUTE, blurSigma: SIGMA });
    expect(result.timingsMs?.forwards).toBe(3 + 3 * 2 * 3); // input, grey, blurred + 3 orders × 2 curves × 3 inner steps
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the baselines are computed the same way and share the curves’ ends', async () => {
    const result = await checkFaithfulness(request());
    for (const baseline of [result.baselines.random, result.baselines.centre]) {
      expect(baseline.deletion.curve).toHaveLength(5);
      expect(baseline.deletion.curve[0]).toBe(result.deletion.curve[0]);
      expect(baseline.deletion.curve[4]).toBe(result.deletion.curve[4]);
      expect(baseline.insertion.curve[0]).toBe(result.insertion.curve[0]);
      expect(baseline.deletion.auc).toBeCloseTo(trapezoidAuc(baseline.deletion.curve), 12);
    }
    // The centre map deletes the four middle pixels first (5, 6, 9, 10).
    const grey = new Array<number>(48).fill(0.5);
    const middle = [...IMAGE];
    for (const p of [5, 6, 9, 10]) for (let c = 0; c < 3; c++) middle[p * 3 + c] = 0.5;
    expect(result.baselines.centre.deletion.curve[1]).toBeCloseTo(jsProbability(middle), 5);
    expect(result.baselines.centre.deletion.curve[4]).toBeCloseTo(jsProbability(grey), 5);
  });

  it('the random baseline is seeded: the same seed gives the same curves, another seed others', async () => {
    const a = await checkFaithfulness(request({ seed: 1 }));
    const b = await checkFaithfulness(request({ seed: 1 }));
    const c = await checkFaithfulness(request({ seed: 2 }));
    expect(b.baselines.random).toEqual(a.baselines.random);
    expect(c.baselines.random.deletion.curve).not.toEqual(a.baselines.random.deletion.curve);
  });

  it('ranks the signed map when asked: negative evidence is then ordered, not tied', async () => {
    const signedMap = MAP.map((v) => v - 8); // half negative
    const positive = await checkFaithfulness(request({ map: { width: 4, height: 4, values: signedMap } }));
    const signed = await checkFaithfulness(request({ map: { width: 4, height: 4, values: signedMap }, positiveOnly: false }));
    expect(signed.ranking).toBe('signed');
    // The seven positive pixels come first either way (steps 0 and 1: 0 and 4 pixels); from the
    // eighth on, ReLU ties the rest and position decides, while the signed map goes on by value.
    expect(signed.deletion.curve.slice(0, 2)).toEqual(positive.deletion.curve.slice(0, 2));
    expect(signed.deletion.curve[2]).not.toBeCloseTo(positive.deletion.curve[2], 6);
  });

  it('batching changes nothing', async () => {
    const one = await checkFaithfulness(request({ probe: { batchSize: 1 } }));
    const all = await checkFaithfulness(request({ probe: { batchSize: 64 } }));
    expect(all.deletion.curve).toEqual(one.deletion.curve.map((p) => expect.closeTo(p, 6)));
    expect(all.baselines.centre.insertion.curve).toEqual(one.baselines.centre.insertion.curve.map((p) => expect.closeTo(p, 6)));
  });

  it('known scores are not computed again: the same map is free, another map costs only its own curves', async () => {
    const known = new Map<string, number>();
    const progress: number[] = [];
    const first = await checkFaithfulness(request({ known, probe: { batchSize: 4, progress: (done) => progress.push(done) } }));
    expect(progress).toEqual([4, 8, 12, 16, 20, 21]);
    const again = await checkFaithfulness(request({ known }));
    expect(again.timingsMs?.forwards).toBe(0);
    expect({ ...again, timingsMs: undefined }).toEqual({ ...first, timingsMs: undefined });
    const other = await checkFaithfulness(request({ known, map: { width: 4, height: 4, values: [...MAP].reverse() } }));
    expect(other.timingsMs?.forwards).toBe(2 * 3);
    expect(other.baselines).toEqual(first.baselines);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(checkFaithfulness(request({ probe: { batchSize: 2, signal: controller.signal } }))).rejects.toBeInstanceOf(CancelledError);
  });
});
