// The shortcut alarm's causal test (src/background/metrics/shortcut.ts) on a hand-made model whose
// class 1 reads only the top-left 4×4 corner: covering it with the substitute, keeping only it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExplainableModel } from '../../src/background/explainable';
import { shortcutAlarm, type ShortcutRequest } from '../../src/background/metrics/shortcut';
import { substituteFor } from '../../src/core/metrics/substitute';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const SIZE = 20;

/** Logits: class 0 = 5; class 1 = 10 × the corner's mean red − green (the rest of the picture does not count); class 2 = 30 × the centre's. */
function model(): ExplainableModel {
  return {
    entry: {} as never,
    layer: 'feat',
    outputActivation: 'softmax',
    camWeights: null,
    camUnavailable: null,
    forward(input: tf.Tensor4D) {
      // Red minus green: the grey substitute carries nothing.
      const redness = input.slice([0, 0, 0, 0], [-1, -1, -1, 1]).sub(input.slice([0, 0, 0, 1], [-1, -1, -1, 1]));
      const corner = redness.slice([0, 0, 0, 0], [-1, 4, 4, 1]).mean([1, 2, 3]).mul(10);
      const centre = redness.slice([0, 8, 8, 0], [-1, 4, 4, 1]).mean([1, 2, 3]).mul(30);
      const logits = tf.stack([tf.fill([input.shape[0]], 5), corner, centre], 1) as tf.Tensor2D;
      return { features: input, logits };
    },
  } as unknown as ExplainableModel;
}

/** A dark picture with a red stamp in the top-left corner (and, if asked, a faint reddish object in the centre: no hard edges). */
function picture(stampCentre = false): tf.Tensor4D {
  const v = new Float32Array(SIZE * SIZE * 3).fill(0.1);
  const paint = (x0: number, y0: number, red: number) => {
    for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 4; x++) v[(y * SIZE + x) * 3] = red;
  };
  paint(0, 0, 1);
  if (stampCentre) paint(8, 8, 0.35);
  return tf.tensor4d(v, [1, SIZE, SIZE, 3]);
}

/** A 10×10 map (2 px cells), hot in the 2×2 block of cells at (2·cx, 2·cy): a 4×4 pixel square. */
const hotCell = (cx: number, cy: number) => ({
  width: 10,
  height: 10,
  values: Array.from({ length: 100 }, (_, i) => (Math.floor(i % 10 / 2) === cx && Math.floor(i / 20) === cy ? 1 : 0.01)),
});

async function run(input: tf.Tensor4D, classIndex: number, map: ShortcutRequest['map'], loaded = model()) {
  const scores = tf.tidy(() => tf.softmax(loaded.forward(input).logits));
  const before = (await scores.data())[classIndex];
  scores.dispose();
  return shortcutAlarm({ model: loaded, input, classIndex, before, map, substitute: substituteFor('unit'), area: { x: 0, y: 0, width: 200, height: 100 }, labelOf: (i) => `class${i}` });
}

describe('shortcut alarm, causal test', () => {
  it('fires on the corner the class reads: covering it drops the class, the corner alone keeps it top-1', async () => {
    const input = picture();
    const tensors = tf.memory().numTensors;
    const { shortcut, forwards } = await run(input, 1, hotCell(0, 0));
    expect(forwards).toBe(3);
    expect(shortcut).not.toBeNull();
    const s = shortcut!;
    expect(s.region.kind).toBe('corner');
    expect(s.place).toBe('top-left');
    // In image pixels: the model's 20×20 input is the 200×100 image, so the 4×4 corner is 40×20.
    expect(s.region).toMatchObject({ x: 0, y: 0, width: 40, height: 20 });
    // Before: softmax(5, 9, 0) for class 1; covered (grey 0.5): logits (5, 0, 0); the corner alone: (5, 9, 0).
    const soft = (l: number[]) => l.map((x) => Math.exp(x) / l.reduce((a, y) => a + Math.exp(y), 0));
    expect(s.drop.before).toBeCloseTo(soft([5, 9, 0])[1], 5);
    expect(s.drop.after).toBeCloseTo(soft([5, 0, 0])[1], 5);
    expect(s.keptOnly).toMatchObject({ top: 1, label: 'class1' });
    expect(s.keptOnly.probability).toBeCloseTo(soft([5, 9, 0])[1], 5);
    expect(s).toMatchObject({ necessary: true, sufficient: true });
    expect(s.massShare).toBeGreaterThan(0.35);
    expect(s.areaShare).toBeCloseTo(0.04, 6);
    expect(tf.memory().numTensors).toBe(tensors);
    input.dispose();
  });

  it('stays quiet without a forward pass when the evidence is in the middle', async () => {
    const input = picture(true);
    expect(await run(input, 2, hotCell(2, 2))).toEqual({ shortcut: null, forwards: 0 });
    input.dispose();
  });

  it('tests but stays quiet when the map points at a corner the class does not need', async () => {
    // Class 2 reads the centre stamp; a (wrong) map on the corner is suspicious, but covering the corner changes nothing.
    const input = picture(true);
    expect(await run(input, 2, hotCell(0, 0))).toEqual({ shortcut: null, forwards: 3 });
    input.dispose();
  });

  it('does not call a region sufficient when the "nothing" image alone is the class too', async () => {
    // Class 0 (a constant logit) wins on grey: a map pointing at the corner for class 0 on a plain picture.
    const input = tf.tensor4d(new Float32Array(SIZE * SIZE * 3).fill(0.1), [1, SIZE, SIZE, 3]);
    expect(await run(input, 0, hotCell(0, 0))).toEqual({ shortcut: null, forwards: 3 });
    input.dispose();
  });

  it('runs the "nothing" image once per model: the next suspicious picture costs two images, with the same verdicts', async () => {
    const loaded = model();
    const stamped = picture();
    const first = await run(stamped, 1, hotCell(0, 0), loaded);
    expect(first.forwards).toBe(3);
    const tensors = tf.memory().numTensors;
    const second = await run(stamped, 1, hotCell(0, 0), loaded);
    expect(second).toEqual({ ...first, forwards: 2 });
    const plain = tf.tensor4d(new Float32Array(SIZE * SIZE * 3).fill(0.1), [1, SIZE, SIZE, 3]);
    expect(await run(plain, 0, hotCell(0, 0), loaded)).toEqual({ shortcut: null, forwards: 2 });
    expect(tf.memory().numTensors).toBe(tensors + 1);
    stamped.dispose();
    plain.dispose();
  });

  it('stays quiet for a map with no positive evidence', async () => {
    const input = picture();
    expect(await run(input, 1, { width: 10, height: 10, values: new Array(100).fill(-1) })).toEqual({ shortcut: null, forwards: 0 });
    input.dispose();
  });
});
