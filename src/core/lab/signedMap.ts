// Signed maps for the Lab (contrastive maps and differences of two cells): positive and negative
// evidence in two colours around white, opacity growing with |value| so that zero shows the picture.
import { upsampleBilinear, type Grid } from '../heatmap';

export interface SignedGrid {
  width: number;
  height: number;
  values: Float32Array;
}

/** a − b, with b resampled (bilinear, half-pixel centres) to a's resolution when they differ. */
export function difference(a: SignedGrid, b: SignedGrid): SignedGrid {
  const bValues = a.width === b.width && a.height === b.height ? b.values : upsampleBilinear(b as Grid, a.width, a.height);
  const values = new Float32Array(a.values.length);
  for (let i = 0; i < values.length; i++) values[i] = a.values[i] - bValues[i];
  return { width: a.width, height: a.height, values };
}

/** The largest |value| (0 for an all-zero map). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** The map divided by its largest |value| (an all-zero map stays zero): methods' raw scales differ by orders of magnitude. */
export function scaledToPeak(map: { width: number; height: number; values: ArrayLike<number> }): SignedGrid {
  const peak = maxAbs(map.values) || 1;
  return { width: map.width, height: map.height, values: Float32Array.from(map.values, (v) => v / peak) };
}

/** Blue (negative) → white (0) → red (positive), for t in [−1, 1]. */
export function diverging(t: number): [number, number, number] {
  const x = Math.max(-1, Math.min(1, t));
  const fade = (c: number) => Math.round(255 + (c - 255) * Math.abs(x));
  return x >= 0 ? [fade(178), fade(24), fade(43)] : [fade(33), fade(102), fade(172)];
}

/**
 * RGBA for values already at display size, scaled by `scale` (the largest |value| shown, so that
 * cells compared side by side can share one scale); alpha is `maxAlpha`·|t|.
 */
export function signedRgba(values: Float32Array, scale: number, maxAlpha = 0.75): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(values.length * 4);
  const s = scale > 0 ? scale : 1;
  for (let i = 0; i < values.length; i++) {
    const t = Math.max(-1, Math.min(1, values[i] / s));
    const [r, g, b] = diverging(t);
    out.set([r, g, b, Math.round(255 * maxAlpha * Math.abs(t))], i * 4);
  }
  return out;
}
