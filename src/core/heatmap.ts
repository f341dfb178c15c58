// Display steps from a raw class activation map to overlay pixels:
//   raw CAM (e.g. 7×7) → min-max normalise → bilinear upsample to the displayed size → LUT colour.
// Every step returns a new array; the raw map is never modified, so it can still be shown or
// exported as measured.

/** A row-major 2-D array of numbers: values[y * width + x]. */
export interface Grid {
  width: number;
  height: number;
  values: ArrayLike<number>;
}

export interface Normalized {
  /** (v − min) / (max − min), in [0, 1], same layout as the input. */
  values: Float32Array<ArrayBuffer>;
  /** Min and max over the finite input values (0 and 0 when there are none). */
  min: number;
  max: number;
  /** True when max − min < eps: there is nothing to show, and the values are all 0. */
  flat: boolean;
}

function checkGrid(grid: Grid): number {
  const { width, height, values } = grid;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`Grid size must be non-negative integers, got ${width}×${height}`);
  }
  const n = width * height;
  if (values.length < n) throw new RangeError(`Grid ${width}×${height} needs ${n} values, got ${values.length}`);
  return n;
}

/**
 * Min-max normalisation to [0, 1]. CAM values have arbitrary scale and sign, so only their
 * relative ordering is displayable. A flat map (max − min < eps) becomes all zeros with
 * `flat: true` instead of 0/0 = NaN. Non-finite inputs (a NaN from a broken backend, ±Infinity)
 * are excluded from min/max and mapped to 0, so the output never contains NaN.
 */
export function normalizeMinMax(grid: Grid, eps = 1e-8): Normalized {
  const n = checkGrid(grid);
  const src = grid.values;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Float32Array(n);
  if (min === Infinity) return { values: out, min: 0, max: 0, flat: true };
  const range = max - min;
  if (!(range >= eps)) return { values: out, min, max, flat: true };
  const inv = 1 / range;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (!Number.isFinite(v)) continue; // stays 0, i.e. "treated as min"
    const t = (v - min) * inv;
    out[i] = t < 0 ? 0 : t > 1 ? 1 : t;
  }
  return { values: out, min, max, flat: false };
}

interface AxisTaps {
  i0: Int32Array;
  i1: Int32Array;
  w: Float64Array; // weight of i1; i0 gets 1 − w
}

/**
 * Source taps for one axis under the half-pixel-centre convention:
 * src = (dst + 0.5) · in / out − 0.5, clamped to [0, in − 1].
 */
function axisTaps(inSize: number, outSize: number): AxisTaps {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w = new Float64Array(outSize);
  const scale = inSize / outSize;
  const last = inSize - 1;
  for (let d = 0; d < outSize; d++) {
    let s = (d + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    if (s > last) s = last;
    const f = Math.floor(s);
    i0[d] = f;
    i1[d] = f < last ? f + 1 : last;
    w[d] = s - f;
  }
  return { i0, i1, w };
}

/**
 * Bilinear resize with half-pixel centres — the convention of OpenCV INTER_LINEAR and
 * tf.image.resizeBilinear(halfPixelCenters=true), which is what CAM reference code uses, so the
 * overlay matches published figures and is not shifted by half a CAM cell.
 * Separable: the per-column and per-row taps are computed once, then a single pass over the output
 * with no per-pixel allocation (the output can be millions of pixels; the input is tiny).
 */
export function upsampleBilinear(grid: Grid, outWidth: number, outHeight: number): Float32Array<ArrayBuffer> {
  const n = checkGrid(grid);
  if (!Number.isInteger(outWidth) || !Number.isInteger(outHeight) || outWidth < 0 || outHeight < 0) {
    throw new RangeError(`Output size must be non-negative integers, got ${outWidth}×${outHeight}`);
  }
  const out = new Float32Array(outWidth * outHeight);
  if (out.length === 0) return out;
  if (n === 0) throw new RangeError('Cannot resize an empty grid to a non-empty size');

  const inW = grid.width;
  // Copy once into a typed array: the input is small, and typed reads keep the hot loop monomorphic.
  const src = Float64Array.from({ length: n }, (_, i) => grid.values[i]);
  const cols = axisTaps(inW, outWidth);
  const rows = axisTaps(grid.height, outHeight);

  let o = 0;
  for (let y = 0; y < outHeight; y++) {
    const r0 = rows.i0[y] * inW;
    const r1 = rows.i1[y] * inW;
    const wy = rows.w[y];
    for (let x = 0; x < outWidth; x++) {
      const c0 = cols.i0[x];
      const c1 = cols.i1[x];
      const wx = cols.w[x];
      const top = src[r0 + c0] + (src[r0 + c1] - src[r0 + c0]) * wx;
      const bottom = src[r1 + c0] + (src[r1 + c1] - src[r1 + c0]) * wx;
      out[o++] = top + (bottom - top) * wy;
    }
  }
  return out;
}

/**
 * Colours normalised values through a 256-entry RGBA LUT (index round(v · 255), clamped; NaN → 0)
 * and sets a uniform alpha. One table lookup per pixel: no colour math in the hot loop. The result
 * can be wrapped directly in an ImageData (hence the concrete ArrayBuffer type).
 */
export function heatmapRgba(normalized: Float32Array, lut: Uint8ClampedArray, alpha: number): Uint8ClampedArray<ArrayBuffer> {
  if (lut.length !== 256 * 4) throw new RangeError(`LUT must have 1024 entries (256 RGBA), got ${lut.length}`);
  const a = Math.round((Number.isFinite(alpha) ? Math.min(1, Math.max(0, alpha)) : 0) * 255);
  const n = normalized.length;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const v = normalized[i] * 255;
    // NaN fails both comparisons and lands on index 0.
    const k = v >= 255 ? 255 : v > 0 ? Math.round(v) : 0;
    const l = k * 4;
    out[o] = lut[l];
    out[o + 1] = lut[l + 1];
    out[o + 2] = lut[l + 2];
    out[o + 3] = a;
  }
  return out;
}

/**
 * heatmapRgba(upsampleBilinear(grid, outWidth, outHeight), lut, alpha) in one pass, byte for byte the
 * same: the overlay's map is drawn on every result, at up to a million pixels. Rows between the same
 * two source rows share their horizontal interpolations (a 7×7 map has at most 7 such pairs), so each
 * pixel costs one vertical interpolation, one LUT index and one 32-bit store; no Float32 map between.
 */
export function heatmapRgbaUpsampled(grid: Grid, outWidth: number, outHeight: number, lut: Uint8ClampedArray, alpha: number): Uint8ClampedArray<ArrayBuffer> {
  const n = checkGrid(grid);
  if (!Number.isInteger(outWidth) || !Number.isInteger(outHeight) || outWidth < 0 || outHeight < 0) {
    throw new RangeError(`Output size must be non-negative integers, got ${outWidth}×${outHeight}`);
  }
  if (lut.length !== 256 * 4) throw new RangeError(`LUT must have 1024 entries (256 RGBA), got ${lut.length}`);
  const out = new Uint8ClampedArray(outWidth * outHeight * 4);
  if (out.length === 0) return out;
  if (n === 0) throw new RangeError('Cannot resize an empty grid to a non-empty size');

  // The LUT with heatmapRgba's alpha, as 32-bit pixels (views of the same bytes: no endianness assumed).
  const a = Math.round((Number.isFinite(alpha) ? Math.min(1, Math.max(0, alpha)) : 0) * 255);
  const colours = new Uint8ClampedArray(lut);
  for (let l = 3; l < colours.length; l += 4) colours[l] = a;
  const lut32 = new Uint32Array(colours.buffer);
  const out32 = new Uint32Array(out.buffer);

  const inW = grid.width;
  const src = Float64Array.from({ length: n }, (_, i) => grid.values[i]);
  const cols = axisTaps(inW, outWidth);
  const rows = axisTaps(grid.height, outHeight);
  const top = new Float64Array(outWidth);
  const bottom = new Float64Array(outWidth);
  let shared = -1; // the output row whose source rows `top` and `bottom` hold
  let o = 0;
  for (let y = 0; y < outHeight; y++) {
    const r0 = rows.i0[y] * inW;
    const r1 = rows.i1[y] * inW;
    if (shared < 0 || rows.i0[shared] !== rows.i0[y] || rows.i1[shared] !== rows.i1[y]) {
      shared = y;
      for (let x = 0; x < outWidth; x++) {
        const c0 = cols.i0[x];
        const c1 = cols.i1[x];
        const wx = cols.w[x];
        top[x] = src[r0 + c0] + (src[r0 + c1] - src[r0 + c0]) * wx;
        bottom[x] = src[r1 + c0] + (src[r1 + c1] - src[r1 + c0]) * wx;
      }
    }
    const wy = rows.w[y];
    for (let x = 0; x < outWidth; x++) {
      // Rounded to Float32 as upsampleBilinear stores it, then indexed as heatmapRgba does (NaN → 0).
      // A Float32 times 255 is exact in a double, and so is adding 0.5 below 255: (v + 0.5) | 0 is Math.round(v), faster.
      const v = Math.fround(top[x] + (bottom[x] - top[x]) * wy) * 255;
      out32[o++] = lut32[v >= 255 ? 255 : v > 0 ? (v + 0.5) | 0 : 0];
    }
  }
  return out;
}
