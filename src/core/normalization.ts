// Per-channel mean/std normalisation (x = (v/255 − mean) / std), the pixel convention of most
// PyTorch-trained and many Keras models, beside the fixed ranges 0–1, −1–1 and 0–255.
import * as z from 'zod/mini';

const Triple = z.tuple([z.number(), z.number(), z.number()]);

export const Normalization = z.object({
  /** Per RGB channel, on values scaled to [0, 1]. */
  mean: Triple.check(z.refine((v) => v.every(Number.isFinite), 'mean must be three numbers')),
  std: Triple.check(z.refine((v) => v.every((s) => Number.isFinite(s) && s > 0), 'std must be three positive numbers')),
});
export type Normalization = z.infer<typeof Normalization>;

/** ImageNet's statistics, the usual values (offered as the form's placeholder). */
export const IMAGENET_NORMALIZATION: Normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** "0.485, 0.456, 0.406" → [0.485, 0.456, 0.406]; null unless exactly three numbers. */
export function parseTriple(text: string): [number, number, number] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean).map(Number);
  return parts.length === 3 && parts.every(Number.isFinite) ? [parts[0], parts[1], parts[2]] : null;
}

/** A normalisation from the form's two fields, or null when they do not make one (std must be > 0). */
export function parseNormalization(meanText: string, stdText: string): Normalization | null {
  const parsed = Normalization.safeParse({ mean: parseTriple(meanText), std: parseTriple(stdText) });
  return parsed.success ? parsed.data : null;
}
