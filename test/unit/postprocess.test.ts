import { describe, expect, it } from 'vitest';
import { prepareDisplayMap, upsampleDisplayMap, type DisplayMap } from '../../src/core/postprocess';

const grid = (width: number, height: number, values: ArrayLike<number>) => ({ width, height, values });
const hasNaN = (a: ArrayLike<number>) => Array.from(a).some((v) => Number.isNaN(v));

describe('prepareDisplayMap', () => {
  it('without ReLU: (v − min)/(max − min) over a mixed-sign map', () => {
    // min −8, max 8, range 16: (0, 8, 12, 16)/16
    const d = prepareDisplayMap(grid(2, 2, [-8, 0, 4, 8]), { relu: false });
    expect(Array.from(d.values)).toEqual([0, 0.5, 0.75, 1]);
    expect(d).toMatchObject({ width: 2, height: 2, min: -8, max: 8, flat: false, noPositiveEvidence: false });
    expect(d.values).toBeInstanceOf(Float32Array);
  });

  it('with ReLU: negatives become 0 before normalising, so the scale starts at 0', () => {
    // ReLU → (0, 0, 4, 8); min 0, max 8
    const d = prepareDisplayMap(grid(2, 2, [-8, 0, 4, 8]), { relu: true });
    expect(Array.from(d.values)).toEqual([0, 0, 0.5, 1]);
    expect(d).toMatchObject({ min: 0, max: 8, flat: false, noPositiveEvidence: false });
  });

  it('ReLU changes nothing on a strictly positive map', () => {
    // min 2, max 6: (0, 1, 2, 4)/4
    for (const relu of [true, false]) {
      const d = prepareDisplayMap(grid(4, 1, [2, 3, 4, 6]), { relu });
      expect(Array.from(d.values)).toEqual([0, 0.25, 0.5, 1]);
      expect(d).toMatchObject({ min: 2, max: 6, flat: false, noPositiveEvidence: false });
    }
  });

  it('never mutates the raw values (typed array and plain array, with and without ReLU)', () => {
    for (const relu of [true, false]) {
      const typed = new Float32Array([-3, 2, NaN, -Infinity, 5, 0]);
      const typedCopy = Array.from(typed);
      const plain = [-3, 2, NaN, Infinity, 5, 0];
      const plainCopy = plain.slice();
      const a = prepareDisplayMap(grid(3, 2, typed), { relu });
      const b = prepareDisplayMap(grid(3, 2, plain), { relu });
      expect(Array.from(typed)).toEqual(typedCopy); // toEqual treats NaN as equal to NaN
      expect(plain).toEqual(plainCopy);
      expect(a.values).not.toBe(typed);
      expect(b.values).not.toBe(plain);
    }
  });

  it('all-zero map: flat, no positive evidence, zeros, no NaN', () => {
    for (const relu of [true, false]) {
      const d = prepareDisplayMap(grid(3, 2, new Array(6).fill(0)), { relu });
      expect(Array.from(d.values)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(d).toMatchObject({ min: 0, max: 0, flat: true, noPositiveEvidence: true });
    }
  });

  it('all-negative map with ReLU: everything clipped to 0 → flat and no positive evidence', () => {
    const d = prepareDisplayMap(grid(2, 2, [-5, -4, -3, -1]), { relu: true });
    expect(Array.from(d.values)).toEqual([0, 0, 0, 0]);
    expect(d).toMatchObject({ min: 0, max: 0, flat: true, noPositiveEvidence: true });
  });

  it('all-negative map without ReLU: a normal 0…1 picture, but still no positive evidence', () => {
    // min −5, max −1, range 4: (0, 1, 2, 4)/4
    const d = prepareDisplayMap(grid(2, 2, [-5, -4, -3, -1]), { relu: false });
    expect(Array.from(d.values)).toEqual([0, 0.25, 0.5, 1]);
    expect(d).toMatchObject({ min: -5, max: -1, flat: false, noPositiveEvidence: true });
  });

  it('a maximum of exactly 0 is no positive evidence; any positive maximum is', () => {
    expect(prepareDisplayMap(grid(2, 1, [-2, 0]), { relu: false }).noPositiveEvidence).toBe(true);
    expect(prepareDisplayMap(grid(2, 1, [-2, 1e-6]), { relu: false }).noPositiveEvidence).toBe(false);
    expect(prepareDisplayMap(grid(2, 1, [-2, 1e-6]), { relu: true }).noPositiveEvidence).toBe(false);
  });

  it('constant positive map: flat zeros, but it is positive evidence', () => {
    for (const relu of [true, false]) {
      const d = prepareDisplayMap(grid(2, 2, [3, 3, 3, 3]), { relu });
      expect(Array.from(d.values)).toEqual([0, 0, 0, 0]);
      expect(d).toMatchObject({ min: 3, max: 3, flat: true, noPositiveEvidence: false });
    }
  });

  it('NaN and ±Infinity never produce NaN: they are ignored for min/max and drawn as 0', () => {
    const values = [NaN, 1, Infinity, -Infinity, 3, 2];
    // Finite values 1, 3, 2 → min 1, max 3 → (·, 0, ·, ·, 1, 0.5). With ReLU, −Infinity is *not*
    // turned into a real 0 (that would move min to 0 and give 2 → 2/3): it stays "missing".
    for (const relu of [true, false]) {
      const d = prepareDisplayMap(grid(6, 1, values), { relu });
      expect(Array.from(d.values)).toEqual([0, 0, 0, 0, 1, 0.5]);
      expect(d).toMatchObject({ min: 1, max: 3, flat: false, noPositiveEvidence: false });
      expect(hasNaN(d.values)).toBe(false);
    }
  });

  it('a map with no finite value is flat, no positive evidence, zeros', () => {
    for (const relu of [true, false]) {
      const d = prepareDisplayMap(grid(3, 1, [NaN, Infinity, -Infinity]), { relu });
      expect(Array.from(d.values)).toEqual([0, 0, 0]);
      expect(d).toMatchObject({ min: 0, max: 0, flat: true, noPositiveEvidence: true });
    }
  });

  it('passes eps through: a range below eps is flat', () => {
    const raw = grid(2, 1, [1, 1.001]);
    expect(prepareDisplayMap(raw, { relu: false }).flat).toBe(false);
    const coarse = prepareDisplayMap(raw, { relu: true, eps: 0.01 });
    expect(coarse.flat).toBe(true);
    expect(Array.from(coarse.values)).toEqual([0, 0]);
    expect(coarse.noPositiveEvidence).toBe(false);
    // Default eps is 1e-8: a range of 1e-10 is flat without passing eps.
    expect(prepareDisplayMap(grid(2, 1, [1, 1 + 1e-10]), { relu: false }).flat).toBe(true);
  });

  it('output is at the raw resolution, and only the first width·height values are used', () => {
    const d = prepareDisplayMap(grid(3, 1, [0, 1, 2, 100]), { relu: true });
    expect(d.values.length).toBe(3);
    expect(Array.from(d.values)).toEqual([0, 0.5, 1]);
    expect(d.max).toBe(2);
  });

  it('malformed grids throw RangeError', () => {
    expect(() => prepareDisplayMap(grid(3, 3, [1, 2]), { relu: false })).toThrow(RangeError);
    expect(() => prepareDisplayMap(grid(3, 3, [1, 2]), { relu: true })).toThrow(RangeError);
    expect(() => prepareDisplayMap(grid(-1, 2, [1, 2]), { relu: true })).toThrow(RangeError);
    expect(() => prepareDisplayMap(grid(1.5, 2, [1, 2, 3]), { relu: false })).toThrow(RangeError);
  });
});

describe('upsampleDisplayMap', () => {
  it('2×2 → 4×4 with half-pixel centres (hand-computed)', () => {
    // raw (0, 1, 2, 4) → normalised a=0, b=0.25 (top row), c=0.5, d=1 (bottom row).
    // Bilinear: f(x, y) = 0.25x + 0.5y + 0.25xy. Half-pixel source coordinates for 2 → 4 are
    // (d + 0.5)/2 − 0.5 clamped: 0, 0.25, 0.75, 1 on both axes.
    const map = prepareDisplayMap(grid(2, 2, [0, 1, 2, 4]), { relu: false });
    const out = upsampleDisplayMap(map, 4, 4);
    expect(Array.from(out)).toEqual([
      [0, 0.0625, 0.1875, 0.25],
      [0.125, 0.203125, 0.359375, 0.4375],
      [0.375, 0.484375, 0.703125, 0.8125],
      [0.5, 0.625, 0.875, 1],
    ].flat());
  });

  it('non-square: width and height are not swapped (2×1 → 4×3)', () => {
    // (0, 1) along x; every row identical; x source coordinates 0, 0.25, 0.75, 1.
    const map = prepareDisplayMap(grid(2, 1, [5, 9]), { relu: true });
    const out = upsampleDisplayMap(map, 4, 3);
    expect(out.length).toBe(12);
    expect(Array.from(out)).toEqual([0, 0.25, 0.75, 1, 0, 0.25, 0.75, 1, 0, 0.25, 0.75, 1]);
  });

  it('stays in [0, 1] on a random map and does not modify the display map', () => {
    const raw = grid(7, 7, Array.from({ length: 49 }, (_, i) => 10 * Math.sin(12.9898 * i + 1)));
    const map: DisplayMap = prepareDisplayMap(raw, { relu: false });
    const before = Array.from(map.values);
    const out = upsampleDisplayMap(map, 97, 61);
    expect(out.length).toBe(97 * 61);
    expect(Array.from(out).every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.max(...out)).toBeGreaterThan(0.5); // not trivially all zero
    expect(Array.from(map.values)).toEqual(before);
  });

  it('a flat or no-evidence map upsamples to zeros, never NaN', () => {
    for (const values of [[0, 0, 0, 0], [NaN, NaN, NaN, NaN], [-1, -2, -3, -4]]) {
      const out = upsampleDisplayMap(prepareDisplayMap(grid(2, 2, values), { relu: true }), 5, 3);
      expect(Array.from(out)).toEqual(new Array(15).fill(0));
    }
  });
});
