// "Try a watermark": the shown picture's model input with a semi-transparent text watermark and a
// corner logo blended in white (core/metrics/watermark.ts), and the top class before and after.
// Cost: one forward pass of a batch of two images.
import * as tf from '@tensorflow/tfjs';
import { watermarkMask, type WatermarkProbe } from '../../core/metrics/watermark';
import { scoresFromLogits, type ExplainableModel } from '../explainable';
import { pixelsToInput } from '../preprocess';
import { blend } from './perturbation';

export async function watermarkProbe(model: ExplainableModel, input: tf.Tensor4D, classIndex: number, labelOf: (i: number) => string): Promise<WatermarkProbe> {
  const [, height, width] = input.shape;
  const { entry } = model;
  const scores = tf.tidy(() => {
    const white = pixelsToInput(new Uint8ClampedArray(width * height * 4).fill(255), width, height, entry.pixelScaling, entry.normalization);
    const marked = blend(input, white, tf.tensor4d(watermarkMask(width, height), [1, height, width, 1]));
    return scoresFromLogits(model, model.forward(tf.concat([input, marked])).logits);
  });
  let values: Float32Array;
  try {
    values = (await scores.data()) as Float32Array;
  } finally {
    scores.dispose();
  }
  const classes = values.length / 2;
  const row = (r: number) => {
    const v = values.subarray(r * classes, (r + 1) * classes);
    let top = 0;
    for (let i = 1; i < classes; i++) if (v[i] > v[top]) top = i;
    return { top: { index: top, label: labelOf(top), probability: v[top] }, probability: v[classIndex] };
  };
  const before = row(0);
  const after = row(1);
  return { classIndex, before, after, flipped: before.top.index !== after.top.index };
}
