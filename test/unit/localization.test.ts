import { describe, expect, it } from 'vitest';
import { largestComponentBox, localizationBox, type Box } from '../../src/core/localization';

/** A grid from ASCII art: '.' is 0, a digit is its value. */
function art(rows: string[]): { values: number[]; width: number; height: number } {
  const width = rows[0].length;
  for (const r of rows) if (r.length !== width) throw new Error('ragged art');
  const values = rows.join('').split('').map((c) => (c === '.' ? 0 : Number(c)));
  return { values, width, height: rows.length };
}
const boxOf = (rows: string[], fraction?: number) => {
  const g = art(rows);
  return largestComponentBox(g.values, g.width, g.height, fraction);
};

/** A 7×7 raw map that is 0 except for one cell. */
function hotCell(cx: number, cy: number, v = 1) {
  const values = new Array(49).fill(0);
  values[cy * 7 + cx] = v;
  return { width: 7, height: 7, values };
}

const contains = (outer: Box, inner: Box) =>
  outer.x <= inner.x &&
  outer.y <= inner.y &&
  outer.x + outer.width >= inner.x + inner.width &&
  outer.y + outer.height >= inner.y + inner.height;

describe('largestComponentBox', () => {
  it('the larger blob wins even when the smaller one has the higher peak and comes first', () => {
    // max 9 → threshold 1.8; the 5s are foreground. Small blob: 2 px; big blob: 3×2 = 6 px.
    const box = boxOf([
      '......99..',
      '..........',
      '..........',
      '..........',
      '.555......',
      '.555......',
    ]);
    expect(box).toEqual({ x: 1, y: 4, width: 3, height: 2 });
  });

  it('equal sizes: the component whose first pixel comes first in row-major order wins', () => {
    // A: column 7, rows 1–4 (4 px, first pixel index 1·10 + 7 = 17).
    // B: 2×2 at rows 2–3 (4 px, first pixel index 20) — further left and hotter, but later in the scan.
    expect(
      boxOf([
        '..........',
        '.......2..',
        '99.....2..',
        '99.....2..',
        '.......2..',
        '..........',
      ]),
    ).toEqual({ x: 7, y: 1, width: 1, height: 4 });
    // Move B up to row 0: now B's first pixel (index 0) comes first, and B wins.
    expect(
      boxOf([
        '99........',
        '99........',
        '.......2..',
        '.......2..',
        '.......2..',
        '.......2..',
      ]),
    ).toEqual({ x: 0, y: 0, width: 2, height: 2 });
    // Same first row: the leftmost start wins.
    expect(boxOf(['.3..3.', '.3..3.'])).toEqual({ x: 1, y: 0, width: 1, height: 2 });
  });

  it('a blob touching the border reaches 0 and the grid size', () => {
    // Top-right blob 3×3 = 9 px; bottom-left blob (2 ≥ 1.8, foreground) 2 px; the 1s are background.
    const top = boxOf([
      '...999',
      '...999',
      '...999',
      '1.....',
      '22....',
    ]);
    expect(top).toEqual({ x: 3, y: 0, width: 3, height: 3 });
    expect(top!.x + top!.width).toBe(6);

    const bottomLeft = boxOf([
      '.....9',
      '......',
      '44....',
      '444...',
      '4444..',
    ]);
    expect(bottomLeft).toEqual({ x: 0, y: 2, width: 4, height: 3 });
    expect(bottomLeft!.y + bottomLeft!.height).toBe(5);

    expect(boxOf(['9999', '9999', '9999'])).toEqual({ x: 0, y: 0, width: 4, height: 3 });
  });

  it('diagonal-only contact connects (8-connectivity), on both diagonals', () => {
    // With 4-connectivity the three 5s would be three 1-px components and the 2-px blob would win.
    expect(
      boxOf([
        '......22',
        '.5......',
        '..5.....',
        '...5....',
      ]),
    ).toEqual({ x: 1, y: 1, width: 3, height: 3 });
    expect(
      boxOf([
        '22......',
        '......5.',
        '.....5..',
        '....5...',
      ]),
    ).toEqual({ x: 4, y: 1, width: 3, height: 3 });
  });

  it('the box spans a non-convex component', () => {
    // A U shape (7 px) beats a 2×3 block (6 px); its box includes the gap. Filling the U from its
    // first pixel (0, 0) has to climb back up the right arm, so a fill that only looks sideways
    // and down would split it (5 + 2 px) and pick the block.
    expect(
      boxOf([
        '3.3.44',
        '3.3.44',
        '333.44',
      ]),
    ).toEqual({ x: 0, y: 0, width: 3, height: 3 });
  });

  it('a value exactly at 20 % of the max is foreground (≥), just below is not', () => {
    // max 5 → threshold 0.2 · 5 = 1. A = columns 1–3 when 1 ≥ 1 (3 px); otherwise A is 1 px and
    // B (columns 5–6, 2 px) wins.
    expect(largestComponentBox([0, 1, 5, 1, 0, 4, 4], 7, 1)).toEqual({ x: 1, y: 0, width: 3, height: 1 });
    expect(largestComponentBox([0, 0.999, 5, 0.999, 0, 4, 4], 7, 1)).toEqual({ x: 5, y: 0, width: 2, height: 1 });
  });

  it('thresholdFraction is honoured', () => {
    // Threshold 0.5 · 5 = 2.5: A shrinks to the single 5, B (4, 4) wins.
    expect(largestComponentBox([0, 1, 5, 1, 0, 4, 4], 7, 1, 0.5)).toEqual({ x: 5, y: 0, width: 2, height: 1 });
    // Threshold 0: every value ≥ 0 is foreground (negatives are not): columns 0–3 vs 5–6.
    expect(largestComponentBox([0, 1, 5, 1, -1, 4, 4], 7, 1, 0)).toEqual({ x: 0, y: 0, width: 4, height: 1 });
  });

  it('no positive value → null', () => {
    expect(largestComponentBox(new Array(12).fill(0), 4, 3)).toBeNull();
    expect(largestComponentBox([-1, -2, -3, -0.5], 2, 2)).toBeNull();
    expect(largestComponentBox([-1, 0, -3, 0], 2, 2)).toBeNull();
    expect(largestComponentBox([NaN, NaN], 2, 1)).toBeNull();
    expect(largestComponentBox([Infinity, -Infinity], 2, 1)).toBeNull();
    expect(largestComponentBox([], 0, 0)).toBeNull();
    expect(largestComponentBox([], 5, 0)).toBeNull();
  });

  it('a single pixel', () => {
    const values = new Array(20).fill(0);
    values[2 * 5 + 3] = 0.001;
    expect(largestComponentBox(values, 5, 4)).toEqual({ x: 3, y: 2, width: 1, height: 1 });
    expect(largestComponentBox([7], 1, 1)).toEqual({ x: 0, y: 0, width: 1, height: 1 });
    expect(largestComponentBox(new Float32Array([0, 0, 0, 2]), 2, 2)).toEqual({ x: 1, y: 1, width: 1, height: 1 });
  });

  it('NaN and ±Infinity are background and do not set the max', () => {
    // Finite max 1. If Infinity were the max, only it would pass; if NaN were foreground, columns
    // 2–5 would form one 4-px component.
    expect(largestComponentBox([Infinity, 0, 1, 1, NaN, 1], 6, 1)).toEqual({ x: 2, y: 0, width: 2, height: 1 });
  });

  it('a 1024×1024 all-foreground map (one huge component) does not overflow the stack', () => {
    const n = 1024 * 1024;
    const values = new Float32Array(n).fill(1);
    values[0] = 3; // threshold 0.6: everything else (1) is still foreground
    expect(largestComponentBox(values, 1024, 1024)).toEqual({ x: 0, y: 0, width: 1024, height: 1024 });
  });

  it('a 1024×1024 serpentine (one long 1-px-wide path) is a single component', () => {
    // Rows 0, 2, 4, … are full; odd rows are joined at alternating ends. A path of ~0.5 M pixels:
    // a recursive fill would be ~0.5 M frames deep.
    const w = 1024;
    const values = new Uint8Array(w * w);
    for (let y = 0; y < w; y++) {
      if (y % 2 === 0) values.fill(1, y * w, y * w + w);
      else values[y * w + (y % 4 === 1 ? w - 1 : 0)] = 1;
    }
    expect(largestComponentBox(values, w, w)).toEqual({ x: 0, y: 0, width: w, height: w });
    // Cut the path at row 512: the top part (rows 0–511: 256 full rows + 256 joints) is larger than
    // the bottom (rows 513–1023: 255 full rows + 256 joints), and row 511's joint sets its height.
    values.fill(0, 512 * w, 513 * w);
    expect(largestComponentBox(values, w, w)).toEqual({ x: 0, y: 0, width: w, height: 512 });
  });

  it('malformed input throws RangeError', () => {
    expect(() => largestComponentBox([1, 2, 3], 2, 2)).toThrow(RangeError);
    expect(() => largestComponentBox([1, 2, 3, 4], 2.5, 1)).toThrow(RangeError);
    expect(() => largestComponentBox([1, 2, 3, 4], -2, -2)).toThrow(RangeError);
    for (const f of [-0.1, 1.5, NaN]) expect(() => largestComponentBox([1, 2, 3, 4], 2, 2, f)).toThrow(RangeError);
  });
});

describe('localizationBox', () => {
  // Expected boxes below are derived by hand. A single hot cell (value 1, rest 0) bilinearly
  // upsampled is a product of per-axis tents g(s) = max(0, 1 − |s − c|) at the half-pixel source
  // coordinate s = (d + 0.5) · 7 / out − 0.5 (clamped to [0, 6]). Min–max normalisation does not
  // change it (min 0, max 1). The superlevel set of a product of tents is convex, and its extent
  // along x is reached on the peak row, so: foreground columns are those with
  // gx(d) ≥ 0.2 · max gx, and likewise for rows.

  it('451×300 image, 7×7 map with the centre cell hot: grid = image, exact box', () => {
    // Grid 451×300 (longer side min(512, 451)). Columns: the peak s = 3 is hit exactly at d = 225,
    // so max gx = 1 and gx ≥ 0.2 ⇔ s ∈ [2.2, 3.8] ⇔ d + 0.5 ∈ [2.7, 4.3] · 451/7 = [173.96, 277.04]
    // ⇔ d ∈ 174…276 (gx(173) = 0.193, gx(174) = 0.208).
    // Rows: (d + 0.5) = 3.5 · 300/7 = 150 needs d = 149.5, so max gy = gy(149) = gy(150) = 1 − 7/600
    // = 0.98833 and the threshold is 0.19767: s ∈ [2.19767, 3.80233] ⇔ d + 0.5 ∈ [115.61, 184.39]
    // ⇔ d ∈ 116…183 (gy(115) = 0.195, gy(116) = 0.218).
    expect(localizationBox(hotCell(3, 3), { width: 451, height: 300 })).toEqual({ x: 174, y: 116, width: 103, height: 68 });
  });

  it('scales a coarser grid to image pixels, rounding outwards (maxSide 100)', () => {
    // Grid 100 × round(100 · 300/451 = 66.52) = 100×67.
    // Columns (out 100): peak between d = 49 and 50, max gx = 0.965, threshold 0.193:
    //   s ∈ [2.193, 3.807] ⇔ (d + 0.5) · 0.07 ∈ [2.693, 4.307] ⇔ d ∈ 38…61 (gx(38) = 0.195, gx(37) = 0.125).
    // Rows (out 67): peak exactly at d = 33 (d + 0.5 = 3.5 · 67/7), threshold 0.2:
    //   (d + 0.5) · 7/67 ∈ [2.7, 4.3] ⇔ d + 0.5 ∈ [25.84, 41.16] ⇔ d ∈ 26…40.
    // Image: x = floor(38 · 451/100) = floor(171.38) = 171, right = ceil(62 · 451/100) = ceil(279.62) = 280;
    //        y = floor(26 · 300/67) = floor(116.42) = 116, bottom = ceil(41 · 300/67) = ceil(183.58) = 184.
    const coarse = localizationBox(hotCell(3, 3), { width: 451, height: 300 }, { maxSide: 100 });
    expect(coarse).toEqual({ x: 171, y: 116, width: 109, height: 68 });
    // Outward rounding: the coarse box encloses the full-resolution one.
    expect(contains(coarse!, { x: 174, y: 116, width: 103, height: 68 })).toBe(true);
  });

  it('portrait images use the height as the longer side (transpose of the landscape case)', () => {
    // The centre-cell map is symmetric under transposition, so a 300×451 image must give the
    // transposed box of the 451×300 case.
    expect(localizationBox(hotCell(3, 3), { width: 300, height: 451 }, { maxSide: 100 })).toEqual({
      x: 116,
      y: 171,
      width: 68,
      height: 109,
    });
  });

  it('hot corner cells give boxes that reach the image edges', () => {
    // Cell (0, 0), grid = image 451×300. Clamping makes g = 1 for s < 0, so g ≥ 0.2 ⇔ s ≤ 0.8:
    //   columns (d + 0.5) · 7/451 ≤ 1.3 ⇔ d ≤ 83.26 → 0…83; rows (d + 0.5) · 7/300 ≤ 1.3 ⇔ d ≤ 55.21 → 0…55.
    expect(localizationBox(hotCell(0, 0), { width: 451, height: 300 })).toEqual({ x: 0, y: 0, width: 84, height: 56 });
    // Cell (6, 6), grid 100×67: g ≥ 0.2 ⇔ s ≥ 5.2:
    //   columns (d + 0.5) · 0.07 ≥ 5.7 ⇔ d ≥ 80.93 → 81…99: x = floor(81 · 4.51) = 365, right = 451;
    //   rows (d + 0.5) · 7/67 ≥ 5.7 ⇔ d ≥ 54.06 → 55…66: y = floor(55 · 300/67) = floor(246.27) = 246, bottom = 300.
    const far = localizationBox(hotCell(6, 6), { width: 451, height: 300 }, { maxSide: 100 });
    expect(far).toEqual({ x: 365, y: 246, width: 86, height: 54 });
  });

  it('maxSide bounds the work: a 30000×20000 image is fast and the box is in image pixels', () => {
    // Grid 512 × round(512 · 2/3 = 341.33) = 512×341 — not 30000×20000 (600 M pixels).
    // Columns (out 512): peak between 255 and 256, max gx = 1 − 3.5/512 = 0.99316, threshold 0.19863:
    //   d ∈ 197…314 (gx(196) = 0.1865, gx(197) = 0.2002, gx(314) = 0.2002, gx(315) = 0.1865).
    // Rows (out 341): peak exactly at d = 170, threshold 0.2: (d + 0.5) · 7/341 ∈ [2.7, 4.3] ⇔ d ∈ 132…208.
    // Image: x = floor(197 · 30000/512) = 11542, right = ceil(315 · 30000/512) = ceil(18457.03) = 18458;
    //        y = floor(132 · 20000/341) = floor(7741.94) = 7741, bottom = ceil(209 · 20000/341) = ceil(12258.06) = 12259.
    // (At full resolution the left edge would be 11571, so these numbers also prove the grid size.)
    const t0 = performance.now();
    const box = localizationBox(hotCell(3, 3), { width: 30000, height: 20000 });
    const ms = performance.now() - t0;
    expect(box).toEqual({ x: 11542, y: 7741, width: 6916, height: 4518 });
    expect(ms).toBeLessThan(1500); // typically a few ms; generous for a loaded CI machine
  });

  it('a very wide image still gets a grid at least one pixel high', () => {
    // 7×1 map, centre hot; image 10000×1 → grid 512×1 (round(512/10000) = 0 → 1). Columns as in
    // the 512-wide case: 197…314 → x = floor(197 · 10000/512) = 3847, right = ceil(315 · 10000/512) = 6153.
    const raw = { width: 7, height: 1, values: [0, 0, 0, 1, 0, 0, 0] };
    expect(localizationBox(raw, { width: 10000, height: 1 })).toEqual({ x: 3847, y: 0, width: 2306, height: 1 });
  });

  it('relu (default true) decides whether negative cells pull the map down', () => {
    // Raw 3×1 (−4, 1, 0), image 30×1 → grid 30×1, s = (d + 0.5)/10 − 0.5 clamped to [0, 2].
    // ReLU: (0, 1, 0), a tent at 1 with max 0.95 (d = 14, 15), threshold 0.19:
    //   s ∈ [0.19, 1.81] ⇔ d ∈ 7…22 (s(6) = 0.15, s(7) = 0.25, s(22) = 1.75, s(23) = 1.85).
    // No ReLU: min–max gives (0, 1, 0.8): everything right of the peak is ≥ 0.8, so the box runs
    //   to the right edge: d ∈ 7…29 (left side v = s ≥ 0.198).
    const raw = { width: 3, height: 1, values: [-4, 1, 0] };
    const image = { width: 30, height: 1 };
    expect(localizationBox(raw, image, { relu: true })).toEqual({ x: 7, y: 0, width: 16, height: 1 });
    expect(localizationBox(raw, image)).toEqual({ x: 7, y: 0, width: 16, height: 1 });
    expect(localizationBox(raw, image, { relu: false })).toEqual({ x: 7, y: 0, width: 23, height: 1 });
  });

  it('thresholdFraction is passed through', () => {
    // Same ReLU tent, threshold 0.5 · 0.95 = 0.475: s ∈ [0.475, 1.525] ⇔ d ∈ 10…19.
    const raw = { width: 3, height: 1, values: [-4, 1, 0] };
    expect(localizationBox(raw, { width: 30, height: 1 }, { thresholdFraction: 0.5 })).toEqual({ x: 10, y: 0, width: 10, height: 1 });
  });

  it('no positive evidence, a flat map or an empty image → null', () => {
    const image = { width: 451, height: 300 };
    expect(localizationBox({ width: 7, height: 7, values: new Array(49).fill(0) }, image)).toBeNull();
    expect(localizationBox({ width: 2, height: 2, values: [-1, -2, -3, -4] }, image, { relu: true })).toBeNull();
    // Without ReLU an all-negative map normalises to a normal picture, but it is still no evidence.
    expect(localizationBox({ width: 2, height: 2, values: [-1, -2, -3, -4] }, image, { relu: false })).toBeNull();
    expect(localizationBox({ width: 2, height: 2, values: [3, 3, 3, 3] }, image)).toBeNull();
    expect(localizationBox({ width: 2, height: 1, values: [NaN, NaN] }, image)).toBeNull();
    expect(localizationBox(hotCell(3, 3), { width: 0, height: 300 })).toBeNull();
  });

  it('leaves the raw map unchanged', () => {
    const values = new Float32Array([-2, 5, NaN, 1]);
    localizationBox({ width: 2, height: 2, values }, { width: 40, height: 40 });
    expect(Array.from(values)).toEqual([-2, 5, NaN, 1]);
  });

  it('bad image sizes or maxSide throw RangeError', () => {
    for (const image of [
      { width: NaN, height: 10 },
      { width: -1, height: 10 },
      { width: 10, height: Infinity },
    ]) {
      expect(() => localizationBox(hotCell(3, 3), image)).toThrow(RangeError);
    }
    for (const maxSide of [0, 0.5, NaN, Infinity]) {
      expect(() => localizationBox(hotCell(3, 3), { width: 10, height: 10 }, { maxSide })).toThrow(RangeError);
    }
  });
});
