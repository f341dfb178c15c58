// pixelsToInput: RGBA bytes → [1, H, W, 3] float input, for each pixel scaling.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PreprocessError, pixelsToInput } from '../../src/background/preprocess';
import type { PixelScaling } from '../../src/core/catalog';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

// A 3-wide × 2-high image (non-square, so a width/height mix-up changes the layout).
// Row-major, 4 bytes per pixel; alphas vary (0, 255, 17, 128, 1, 254) and must not leak into the output.
const W = 3;
const H = 2;
const PIXELS: [number, number, number, number][] = [
  [0, 128, 255, 0], [10, 20, 30, 255], [255, 0, 1, 17],
  [64, 200, 100, 128], [1, 2, 3, 1], [250, 251, 252, 254],
];
const RGBA = new Uint8ClampedArray(PIXELS.flat());

/** Expected [H][W][3] values, computed per pixel from the bytes above with the documented formula. */
function expected(f: (v: number) => number): number[][][] {
  const out: number[][][] = [];
  for (let y = 0; y < H; y++) {
    const row: number[][] = [];
    for (let x = 0; x < W; x++) {
      const [r, g, b] = PIXELS[y * W + x];
      row.push([f(r), f(g), f(b)]);
    }
    out.push(row);
  }
  return out;
}

const CASES: [PixelScaling, (v: number) => number][] = [
  ['unit', (v) => v / 255],
  ['symmetric', (v) => (v * 2) / 255 - 1],
  ['byte', (v) => v],
];

function expectClose(actual: number[][][], want: number[][][]): void {
  expect(actual.length).toBe(want.length);
  for (let y = 0; y < want.length; y++) {
    expect(actual[y].length).toBe(want[y].length);
    for (let x = 0; x < want[y].length; x++) {
      for (let c = 0; c < 3; c++) expect(actual[y][x][c]).toBeCloseTo(want[y][x][c], 6);
    }
  }
}

describe('pixelsToInput', () => {
  for (const [scaling, f] of CASES) {
    it(`'${scaling}' maps each RGB byte independently and drops alpha`, async () => {
      const input = pixelsToInput(RGBA, W, H, scaling);
      try {
        expect(input.shape).toEqual([1, H, W, 3]);
        expect(input.dtype).toBe('float32');
        const values = (await input.array())[0];
        expectClose(values, expected(f));
      } finally {
        input.dispose();
      }
    });
  }

  it('gives the range ends for bytes 0 and 255', async () => {
    const rgba = new Uint8Array([0, 255, 0, 255]);
    const got = await Promise.all(
      (['unit', 'symmetric', 'byte'] as const).map(async (s) => {
        const t = pixelsToInput(rgba, 1, 1, s);
        const d = Array.from(await t.data());
        t.dispose();
        return d;
      }),
    );
    expect(got[0]).toEqual([0, 1, 0]);
    expect(got[1][0]).toBeCloseTo(-1, 6);
    expect(got[1][1]).toBeCloseTo(1, 6);
    expect(got[2]).toEqual([0, 255, 0]);
  });

  it('accepts a plain Uint8Array the same as a Uint8ClampedArray', async () => {
    const a = pixelsToInput(RGBA, W, H, 'unit');
    const b = pixelsToInput(new Uint8Array(RGBA), W, H, 'unit');
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([a, b]);
  });

  it('throws PreprocessError for a buffer of the wrong length', () => {
    expect(() => pixelsToInput(RGBA.subarray(0, RGBA.length - 1), W, H, 'unit')).toThrow(PreprocessError);
    expect(() => pixelsToInput(RGBA, W, H + 1, 'unit')).toThrow(PreprocessError);
    // 3 bytes per pixel (RGB without alpha) is not accepted either.
    expect(() => pixelsToInput(new Uint8Array(W * H * 3), W, H, 'unit')).toThrow(PreprocessError);
  });

  it('does not leak tensors', () => {
    const before = tf.memory().numTensors;
    const t = pixelsToInput(RGBA, W, H, 'symmetric');
    expect(tf.memory().numTensors).toBe(before + 1);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('mean/std normalisation', () => {
  it('computes (v/255 − mean) / std per channel and drops alpha', () => {
    const rgba = new Uint8Array([255, 0, 51, 7, 0, 255, 102, 200]);
    const normalization = { mean: [0.5, 0.25, 0.2] as [number, number, number], std: [0.5, 0.25, 0.1] as [number, number, number] };
    const input = pixelsToInput(rgba, 2, 1, 'meanStd', normalization);
    // Pixel 1: R (1 − 0.5)/0.5 = 1, G (0 − 0.25)/0.25 = −1, B (0.2 − 0.2)/0.1 = 0. Pixel 2: R −1, G 3, B 2.
    const expected = [1, -1, 0, -1, 3, 2];
    const actual = Array.from(input.dataSync());
    expect(input.shape).toEqual([1, 1, 2, 3]);
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    input.dispose();
  });

  it('refuses mean/std scaling without the statistics', () => {
    expect(() => pixelsToInput(new Uint8Array(4), 1, 1, 'meanStd')).toThrow(PreprocessError);
  });
});
