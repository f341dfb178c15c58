// The display pipeline from a raw class activation map to the values that are drawn:
//
//   raw map (kept, never mutated) → optional ReLU → min–max normalise (with eps) → half-pixel
//   bilinear upsample to the displayed size
//
// Each step is explicit so that every decision about what the user sees — whether negative
// evidence is clipped, what happens to a flat or all-negative map, what a NaN turns into — is made
// in one place and can be unit-tested.
//
// Why this module is pure (no DOM, no tfjs, no browser API): the same code runs in the service
// worker, an offscreen document or the content script, and in Node under vitest; keeping tensors
// and canvases out means the maths can be tested exactly, and the raw map stays available (for
// export, or re-rendering with other settings) because nothing here writes to it.
//
// The arithmetic itself lives in heatmap.ts (normalizeMinMax, upsampleBilinear); this module only
// composes it and adds the ReLU step and the "is there anything to show?" verdict.

import { normalizeMinMax, upsampleBilinear, type Grid } from './heatmap';

/** A raw CAM as produced by the model, row-major: values[y * width + x]. Any scale, any sign. */
export interface RawGrid {
  width: number;
  height: number;
  values: ArrayLike<number>;
}

/** A map ready for display, still at the raw map's resolution. */
export interface DisplayMap {
  width: number;
  height: number;
  /** Min–max normalised values in [0, 1] (all 0 for a flat map); never NaN. */
  values: Float32Array;
  /** Min and max of the finite values after the optional ReLU (0 and 0 when there are none). */
  min: number;
  max: number;
  /**
   * True when there is no positive evidence for the class: the largest finite value (after the
   * optional ReLU) is ≤ 0, or there is no finite value at all. This covers an all-zero map, an
   * all-negative map with ReLU (which becomes all zeros), and also an all-negative map without
   * ReLU — that one still normalises to a normal 0…1 picture (`flat` false), but its "hottest"
   * region is merely the least negative one, so the UI should say so instead of presenting it as
   * evidence. A flat map with a positive level (constant c > 0) is flat but *not*
   * noPositiveEvidence: the class is supported everywhere, just not anywhere in particular.
   */
  noPositiveEvidence: boolean;
  /** True when max − min < eps: there is no spatial structure to show, and `values` are all 0. */
  flat: boolean;
}

export interface PrepareOptions {
  /**
   * Clip negative values to 0 before normalising (Grad-CAM style): negative evidence is then drawn
   * the same as no evidence, and the colour scale starts at 0 instead of at the most negative value.
   */
  relu: boolean;
  /** Minimum max − min for a map to count as non-flat; default 1e-8 (normalizeMinMax's default). */
  eps?: number;
}

/**
 * ReLU into a new array (the raw values are never touched). Non-finite entries are passed through
 * unchanged so that normalizeMinMax treats them all alike — excluded from min/max and drawn as 0 —
 * instead of letting a −Infinity from a broken backend become a real 0 that shifts the colour scale.
 */
function reluCopy(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out[i] = v < 0 && v !== -Infinity ? 0 : v;
  }
  return out;
}

/**
 * Raw CAM → normalised map at the raw resolution: optional ReLU, then min–max normalisation with
 * an epsilon (via normalizeMinMax). Always returns new arrays; `raw.values` is left as it was.
 * NaN and ±Infinity entries are ignored for min/max and become 0, so the output never contains NaN.
 * Throws RangeError for a malformed grid (from normalizeMinMax).
 */
export function prepareDisplayMap(raw: RawGrid, opts: PrepareOptions): DisplayMap {
  const { width, height } = raw;
  // Sizes are validated by normalizeMinMax, on the copy just as on the raw grid.
  const grid: Grid = opts.relu ? { width, height, values: reluCopy(raw.values) } : raw;
  const n = normalizeMinMax(grid, opts.eps);
  return {
    width,
    height,
    values: n.values,
    min: n.min,
    max: n.max,
    // normalizeMinMax reports max = 0 when no value is finite, so this also covers an all-NaN map.
    noPositiveEvidence: !(n.max > 0),
    flat: n.flat,
  };
}

/**
 * The normalised map resized to the displayed size (outWidth × outHeight) by half-pixel-centre
 * bilinear interpolation (upsampleBilinear). Bilinear weights are convex, so the result stays in
 * [0, 1]. Returns a new array; `map` is not modified.
 */
export function upsampleDisplayMap(map: DisplayMap, outWidth: number, outHeight: number): Float32Array {
  return upsampleBilinear(map, outWidth, outHeight);
}
