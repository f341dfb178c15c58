// Which model-input pixels a map puts first, and how many of them each step of a curve changes.
// The order is total and deterministic: higher value first; equal values (and NaN, ranked last) by
// position, row-major (y, then x). A reader in another framework gets the same order with a stable
// sort on −value.
import { prepareDisplayMap, upsampleDisplayMap, type RawGrid } from '../postprocess';

/** rank[i] = place of pixel i in the order (0 = most relevant), for values in row-major order. */
export function pixelRanks(values: ArrayLike<number>): Int32Array {
  const n = values.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Number.isNaN(values[i]) ? -Infinity : values[i];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => keys[b] - keys[a] || a - b);
  const ranks = new Int32Array(n);
  for (let r = 0; r < n; r++) ranks[order[r]] = r;
  return ranks;
}

/** Pixels changed after step k of `steps` (k = 0…steps): round(k · pixels / steps); 0 first, all last. */
export function stepCounts(pixels: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  return Array.from({ length: steps + 1 }, (_, k) => Math.round((k * pixels) / steps));
}

/**
 * The ranks of the model-input pixels under a map as the overlay draws it: the same display steps
 * (optional ReLU, min–max normalisation, half-pixel bilinear upsampling from postprocess.ts) to the
 * input's width × height, so the check tests the picture the user sees.
 */
export function mapRanks(map: RawGrid, width: number, height: number, positiveOnly: boolean): Int32Array {
  return pixelRanks(upsampleDisplayMap(prepareDisplayMap(map, { relu: positiveOnly }), width, height));
}
