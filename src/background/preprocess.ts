// RGBA bytes at the model's input size → the model's input tensor. tfjs only, no browser API.
import * as tf from '@tensorflow/tfjs';
import type { PixelScaling } from '../core/catalog';

export class PreprocessError extends Error {}

const SCALE: Record<PixelScaling, { mul: number; add: number }> = {
  unit: { mul: 1 / 255, add: 0 },
  symmetric: { mul: 2 / 255, add: -1 },
  byte: { mul: 1, add: 0 },
};

/** RGBA bytes already at the model's input size → [1, H, W, 3] float input (alpha dropped). */
export function pixelsToInput(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, scaling: PixelScaling): tf.Tensor4D {
  if (rgba.length !== width * height * 4) throw new PreprocessError(`expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  const { mul, add } = SCALE[scaling];
  return tf.tidy(() => {
    const rgb = tf.tensor3d(Int32Array.from(rgba), [height, width, 4], 'int32').slice([0, 0, 0], [height, width, 3]);
    return rgb.toFloat().mul(mul).add(add).expandDims(0) as tf.Tensor4D;
  });
}
