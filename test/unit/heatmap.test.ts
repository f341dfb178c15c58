import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { heatmapRgba, heatmapRgbaUpsampled, normalizeMinMax, upsampleBilinear, type Grid } from '../../src/core/heatmap';
import { seededRandom } from '../../src/core/random';

const randomGrid = (width: number, height: number, seed: number): Grid => {
  const r = seededRandom(seed);
  return { width, height, values: Array.from({ length: width * height }, () => r() * 20 - 10) };
};

/** Reference resize from tfjs (CPU backend), halfPixelCenters = true. */
function tfResize(grid: Grid, outW: number, outH: number): Float32Array {
  return tf.tidy(() => {
    const t = tf.tensor4d(Array.from(grid.values), [1, grid.height, grid.width, 1]);
    return tf.image.resizeBilinear(t, [outH, outW], false, true).dataSync() as Float32Array;
  });
}

const rows = (a: ArrayLike<number>, w: number) =>
  Array.from({ length: a.length / w }, (_, y) => Array.from(a).slice(y * w, y * w + w));

describe('upsampleBilinear', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('2×2 → 4×4 matches hand-computed half-pixel values', () => {
    // Source coordinates per output index: (d + 0.5)/2 − 0.5 = −0.25→0, 0.25, 0.75, 1.25→1.
    // The input is v = x + 2y, which bilinear reproduces exactly, so out = sx + 2·sy.
    const out = upsampleBilinear({ width: 2, height: 2, values: [0, 1, 2, 3] }, 4, 4);
    expect(rows(out, 4)).toEqual([
      [0, 0.25, 0.75, 1],
      [0.5, 0.75, 1.25, 1.5],
      [1.5, 1.75, 2.25, 2.5],
      [2, 2.25, 2.75, 3],
    ]);
  });

  it('keeps x and y apart on a non-square grid (1×2 → 3×4)', () => {
    // width 1, height 2: columns are constant; rows sample y at (d + 0.5)/2 − 0.5 → 0, 0.25, 0.75, 1.
    const out = upsampleBilinear({ width: 1, height: 2, values: [10, 20] }, 3, 4);
    expect(rows(out, 3)).toEqual([
      [10, 10, 10],
      [12.5, 12.5, 12.5],
      [17.5, 17.5, 17.5],
      [20, 20, 20],
    ]);
  });

  it('downsampling 4 → 2 averages neighbouring pairs', () => {
    // src = (d + 0.5)·2 − 0.5 = 0.5, 2.5
    const out = upsampleBilinear({ width: 4, height: 1, values: [0, 2, 10, 30] }, 2, 1);
    expect(Array.from(out)).toEqual([1, 20]);
  });

  it('a constant grid stays constant', () => {
    const out = upsampleBilinear({ width: 7, height: 5, values: new Array(35).fill(0.375) }, 123, 61);
    expect(out.length).toBe(123 * 61);
    expect(out.every((v) => v === 0.375)).toBe(true);
  });

  it('a 1×1 grid fills the output', () => {
    const out = upsampleBilinear({ width: 1, height: 1, values: [4.5] }, 5, 3);
    expect(Array.from(out)).toEqual(new Array(15).fill(4.5));
  });

  it('same size is the identity', () => {
    const g = randomGrid(6, 4, 3);
    const out = upsampleBilinear(g, 6, 4);
    Array.from(g.values).forEach((v, i) => expect(out[i]).toBeCloseTo(v, 5));
  });

  it('matches tf.image.resizeBilinear(halfPixelCenters) on a random 7×7 → 50×37', () => {
    const g = randomGrid(7, 7, 42);
    const ours = upsampleBilinear(g, 50, 37);
    const ref = tfResize(g, 50, 37);
    expect(ours.length).toBe(ref.length);
    let maxErr = 0;
    for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(ours[i] - ref[i]));
    expect(maxErr).toBeLessThan(1e-5);
  });

  it('matches tf on non-square up- and downsampling', () => {
    for (const [w, h, ow, oh, seed] of [
      [5, 3, 11, 8, 1],
      [3, 5, 17, 2, 2],
      [9, 5, 4, 3, 3],
      [1, 4, 6, 9, 4],
    ]) {
      const g = randomGrid(w, h, seed);
      const ours = upsampleBilinear(g, ow, oh);
      const ref = tfResize(g, ow, oh);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(ours[i] - ref[i]), `${w}×${h}→${ow}×${oh} @${i}`).toBeLessThan(1e-5);
    }
  });

  it('does not modify its input', () => {
    const values = new Float32Array([1, 2, 3, 4]);
    upsampleBilinear({ width: 2, height: 2, values }, 9, 9);
    expect(Array.from(values)).toEqual([1, 2, 3, 4]);
  });

  it('an empty output is empty; bad sizes throw', () => {
    expect(upsampleBilinear({ width: 2, height: 2, values: [0, 1, 2, 3] }, 0, 10).length).toBe(0);
    expect(() => upsampleBilinear({ width: 3, height: 3, values: [1, 2] }, 4, 4)).toThrow(RangeError);
    expect(() => upsampleBilinear({ width: 0, height: 0, values: [] }, 4, 4)).toThrow(RangeError);
    expect(() => upsampleBilinear({ width: 2, height: 2, values: [0, 1, 2, 3] }, 2.5, 4)).toThrow(RangeError);
  });
});

describe('normalizeMinMax', () => {
  it('maps negative ranges to [0, 1]', () => {
    const n = normalizeMinMax({ width: 3, height: 1, values: [-2, 0, 2] });
    expect(Array.from(n.values)).toEqual([0, 0.5, 1]);
    expect(n).toMatchObject({ min: -2, max: 2, flat: false });
  });

  it('uses (v − min)/(max − min) elementwise', () => {
    const n = normalizeMinMax({ width: 2, height: 2, values: [-5, -4, -1, -3] });
    // range 4: (0, 1, 4, 2)/4
    expect(Array.from(n.values)).toEqual([0, 0.25, 1, 0.5]);
  });

  it('a flat map gives zeros and flat = true, never NaN', () => {
    const n = normalizeMinMax({ width: 2, height: 2, values: [3, 3, 3, 3] });
    expect(Array.from(n.values)).toEqual([0, 0, 0, 0]);
    expect(n).toMatchObject({ min: 3, max: 3, flat: true });
  });

  it('a range below eps counts as flat', () => {
    expect(normalizeMinMax({ width: 2, height: 1, values: [1, 1 + 1e-10] }).flat).toBe(true);
    expect(normalizeMinMax({ width: 2, height: 1, values: [1, 1 + 1e-3] }, 1e-2).flat).toBe(true);
    expect(normalizeMinMax({ width: 2, height: 1, values: [1, 1 + 1e-3] }).flat).toBe(false);
  });

  it('NaN and ±Infinity become 0 and do not affect min/max', () => {
    const n = normalizeMinMax({ width: 5, height: 1, values: [NaN, 1, 3, Infinity, -Infinity] });
    expect(Array.from(n.values)).toEqual([0, 0, 1, 0, 0]);
    expect(n).toMatchObject({ min: 1, max: 3, flat: false });
  });

  it('an all-NaN map is flat zeros', () => {
    const n = normalizeMinMax({ width: 2, height: 1, values: [NaN, NaN] });
    expect(Array.from(n.values)).toEqual([0, 0]);
    expect(n.flat).toBe(true);
    expect(Number.isNaN(n.min) || Number.isNaN(n.max)).toBe(false);
  });

  it('returns a new Float32Array and leaves the raw map alone', () => {
    const raw = [5, -1, 2];
    const n = normalizeMinMax({ width: 3, height: 1, values: raw });
    expect(n.values).toBeInstanceOf(Float32Array);
    expect(raw).toEqual([5, -1, 2]);
  });
});

describe('heatmapRgba', () => {
  // A synthetic LUT where every entry is distinguishable: entry i = (i, 255 − i, (7i) mod 256, 255).
  const lut = new Uint8ClampedArray(1024);
  for (let i = 0; i < 256; i++) lut.set([i, 255 - i, (7 * i) % 256, 255], 4 * i);

  it('maps 0 and 1 to the two ends of the LUT', () => {
    const out = heatmapRgba(new Float32Array([0, 1]), lut, 1);
    expect(Array.from(out)).toEqual([0, 255, 0, 255, 255, 0, (7 * 255) % 256, 255]);
  });

  it('indexes by round(v · 255)', () => {
    // 0.5·255 = 127.5 → 128; 0.25·255 = 63.75 → 64; 0.1·255 = 25.5 → 26 (Float32 0.1 is slightly above)
    const out = heatmapRgba(new Float32Array([0.5, 0.25, 0.1]), lut, 1);
    expect([out[0], out[4], out[8]]).toEqual([128, 64, 26]);
  });

  it('sets a uniform alpha of round(alpha · 255), ignoring the LUT alpha', () => {
    const out = heatmapRgba(new Float32Array([0, 0.3, 1]), lut, 0.5);
    expect([out[3], out[7], out[11]]).toEqual([128, 128, 128]);
    expect(heatmapRgba(new Float32Array([0.7]), lut, 0)[3]).toBe(0);
  });

  it('clamps out-of-range and NaN values to the LUT ends', () => {
    const out = heatmapRgba(new Float32Array([-0.5, 2, NaN]), lut, 1);
    expect([out[0], out[4], out[8]]).toEqual([0, 255, 0]);
  });

  it('output is 4 bytes per value', () => {
    expect(heatmapRgba(new Float32Array(10), lut, 1).length).toBe(40);
    expect(() => heatmapRgba(new Float32Array(1), new Uint8ClampedArray(12), 1)).toThrow(RangeError);
  });
});

describe('heatmapRgbaUpsampled', () => {
  const lut = new Uint8ClampedArray(1024);
  for (let i = 0; i < 256; i++) lut.set([i, 255 - i, (7 * i) % 256, 200], 4 * i);
  const twoSteps = (g: Grid, w: number, h: number, alpha: number) => heatmapRgba(upsampleBilinear(g, w, h), lut, alpha);
  /** The first byte where the two differ (-1: none), with their lengths: a readable failure on a million pixels. */
  const difference = (a: Uint8ClampedArray, b: Uint8ClampedArray) => ({ lengths: [a.length, b.length], at: a.findIndex((v, i) => v !== b[i]) });

  it('is byte for byte heatmapRgba of upsampleBilinear, up and down, square or not', () => {
    for (const [w, h, ow, oh, seed] of [
      [7, 7, 413, 310, 1],
      [7, 7, 1024, 683, 2],
      [5, 3, 11, 8, 3],
      [3, 5, 17, 2, 4],
      [9, 5, 4, 3, 5],
      [1, 1, 6, 9, 6],
      [7, 7, 7, 7, 7],
    ]) {
      // Normalised values (as the overlay draws) and raw ones beyond [0, 1] (clamped to the LUT's ends).
      const raw = randomGrid(w, h, seed);
      const unit = { ...raw, values: Array.from(raw.values, (v) => (v + 10) / 20) };
      for (const g of [raw, unit]) for (const alpha of [1, 0.5]) {
        const expected = twoSteps(g, ow, oh, alpha);
        expect(difference(heatmapRgbaUpsampled(g, ow, oh, lut, alpha), expected), `${w}×${h}→${ow}×${oh}`).toEqual({ lengths: [expected.length, expected.length], at: -1 });
      }
    }
  });

  it('colours NaN as the low end, like heatmapRgba', () => {
    const g = { width: 2, height: 2, values: [NaN, 1, 0.5, 0] };
    expect(Array.from(heatmapRgbaUpsampled(g, 5, 4, lut, 1))).toEqual(Array.from(twoSteps(g, 5, 4, 1)));
  });

  it('checks its sizes and LUT as the two steps do', () => {
    expect(heatmapRgbaUpsampled({ width: 2, height: 2, values: [0, 1, 2, 3] }, 0, 10, lut, 1).length).toBe(0);
    expect(() => heatmapRgbaUpsampled({ width: 3, height: 3, values: [1, 2] }, 4, 4, lut, 1)).toThrow(RangeError);
    expect(() => heatmapRgbaUpsampled({ width: 0, height: 0, values: [] }, 4, 4, lut, 1)).toThrow(RangeError);
    expect(() => heatmapRgbaUpsampled({ width: 2, height: 2, values: [0, 1, 2, 3] }, 2.5, 4, lut, 1)).toThrow(RangeError);
    expect(() => heatmapRgbaUpsampled({ width: 2, height: 2, values: [0, 1, 2, 3] }, 4, 4, lut.subarray(4), 1)).toThrow(RangeError);
  });
});
