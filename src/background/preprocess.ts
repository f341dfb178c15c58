// RGBA bytes at the model's input size → the model's input tensor. tfjs only, no browser API.
import * as tf from '@tensorflow/tfjs';
import type { PixelScaling } from '../core/catalog';
import type { Normalization } from '../core/normalization';

export class PreprocessError extends Error {}

const SCALE: Record<Exclude<PixelScaling, 'meanStd'>, { mul: number; add: number }> = {
  unit: { mul: 1 / 255, add: 0 },
  symmetric: { mul: 2 / 255, add: -1 },
  byte: { mul: 1, add: 0 },
};

/** RGBA bytes already at the model's input size → [1, H, W, 3] float input (alpha dropped). */
export function pixelsToInput(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  scaling: PixelScaling,
  normalization?: Normalization,
): tf.Tensor4D {
  if (rgba.length !== width * height * 4) throw new PreprocessError(`expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  if (scaling === 'meanStd' && !normalization) throw new PreprocessError('mean/std scaling needs the per-channel mean and std');
  return tf.tidy(() => {
    const rgb = tf.tensor3d(Int32Array.from(rgba), [height, width, 4], 'int32').slice([0, 0, 0], [height, width, 3]).toFloat();
    if (scaling === 'meanStd') {
      const { mean, std } = normalization!;
      return rgb.div(255).sub(tf.tensor1d(mean)).div(tf.tensor1d(std)).expandDims(0) as tf.Tensor4D;
    }
    const { mul, add } = SCALE[scaling];
    return rgb.mul(mul).add(add).expandDims(0) as tf.Tensor4D;
  });
}
