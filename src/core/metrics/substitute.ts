// The "nothing" a deleted pixel becomes: the value that carries no information in the model's own
// input convention. Models that normalise by a dataset mean get that mean colour (0 after
// normalising); models on a fixed range get mid grey (0.5 on [0, 1], 0 on [−1, 1], 127.5 on 0–255).
import type { PixelScaling } from '../catalog';
import type { Normalization } from '../normalization';

export interface Substitute {
  rule: 'dataset mean' | 'mid grey';
  /** Per RGB channel, in model-input space (what the model is fed). */
  input: [number, number, number];
  /** The same colour as 0–255 pixel values. */
  rgb: [number, number, number];
}

export function substituteFor(scaling: PixelScaling, normalization?: Normalization): Substitute {
  if (scaling === 'meanStd') {
    if (!normalization) throw new RangeError('mean/std scaling needs the per-channel mean and std');
    return { rule: 'dataset mean', input: [0, 0, 0], rgb: normalization.mean.map((m) => m * 255) as [number, number, number] };
  }
  const grey = { unit: 0.5, symmetric: 0, byte: 127.5 }[scaling];
  return { rule: 'mid grey', input: [grey, grey, grey], rgb: [127.5, 127.5, 127.5] };
}
