// Perturbations as pairs of images (pytorch-grad-cam's PerturbationConfidenceMetric takes the
// perturbation as a parameter; here it is where pixels come from and where they go): a masked image
// shows `to` where the mask is 1 and `from` elsewhere. Deletion moves pixels from the input to the
// "nothing" substitute, insertion from a blurred copy to the input. A shortcut test ("cover this
// region" / "keep only this region") is the same blend with a region mask.
import * as tf from '@tensorflow/tfjs';
import { blurSigma, gaussianBlur } from '../../core/metrics/blur';
import type { Substitute } from '../../core/metrics/substitute';

/** The images perturbations blend, each [1, H, W, C] in model-input space. */
export interface PerturbationImages {
  input: tf.Tensor4D;
  /** Every pixel the substitute colour. */
  substitute: tf.Tensor4D;
  /** The input blurred (σ = 5 px at 224 px). */
  blurred: tf.Tensor4D;
}

export type ImageName = keyof PerturbationImages;

export interface Perturbation {
  readonly id: string;
  /** The image before any pixel is moved, and the one pixels are taken from. */
  readonly from: ImageName;
  readonly to: ImageName;
}

/** RISE's deletion: most relevant pixels first become the substitute. */
export const DELETION: Perturbation = { id: 'deletion', from: 'input', to: 'substitute' };
/** RISE's insertion: most relevant pixels first return, into a blurred copy. */
export const INSERTION: Perturbation = { id: 'insertion', from: 'blurred', to: 'input' };

/** The substitute and blurred images for an input; the caller disposes them (not the input). */
export async function perturbationImages(input: tf.Tensor4D, substitute: Substitute, sigma?: { x: number; y: number }): Promise<PerturbationImages> {
  return { input, substitute: substituteImage(input, substitute), blurred: await blurredImage(input, sigma) };
}

/** An image of the input's shape, every pixel the "nothing" colour (an occlusion test needs only this one). */
export function substituteImage(input: tf.Tensor4D, substitute: Substitute): tf.Tensor4D {
  const [, height, width, channels] = input.shape;
  const fill = channels === 3 ? substitute.input : new Array<number>(channels).fill(substitute.input[0]);
  return tf.tidy(() => tf.tensor1d(fill).reshape([1, 1, 1, channels]).tile([1, height, width, 1]) as tf.Tensor4D);
}

/** The input blurred (σ in input pixels; default 5 px at 224 px), computed in plain JavaScript (core/metrics/blur.ts). */
export async function blurredImage(input: tf.Tensor4D, sigma?: { x: number; y: number }): Promise<tf.Tensor4D> {
  const [, height, width, channels] = input.shape;
  const values = (await input.data()) as Float32Array;
  return tf.tensor4d(gaussianBlur(values, width, height, channels, sigma ?? blurSigma(width, height)), [1, height, width, channels]);
}

/** `to` where `masks` [B, H, W, 1] is 1, `from` elsewhere: [B, H, W, C]. */
export function blend(from: tf.Tensor4D, to: tf.Tensor4D, masks: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => from.add(to.sub(from).mul(masks)) as tf.Tensor4D);
}

/** One mask per count: 1 on the pixels ranked below it. `ranks` is [1, H, W, 1] float32. */
export function rankMasks(ranks: tf.Tensor4D, counts: number[]): tf.Tensor4D {
  return tf.tidy(() => ranks.less(tf.tensor1d(counts).reshape([counts.length, 1, 1, 1])).toFloat() as tf.Tensor4D);
}
