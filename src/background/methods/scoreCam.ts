/**
 * Score-CAM (Wang et al. 2020), weighting as pytorch-grad-cam: each chosen channel A_k is upsampled to
 * the input (half-pixel bilinear), min–max normalised to a mask, and the class logit of x ⊙ mask_k is
 * its score; w = softmax over the chosen channels' scores (0 for the others), map ReLU(Σ_k w_k A_k).
 * Channels: the N with the highest spatial variance (default 64), or all K.
 * Cost: one forward per chosen channel, batched (ceil(N / batch) passes).
 */
import * as tf from '@tensorflow/tfjs';
import { checkpoint, type CamMethod, type MethodContext } from './types';

const EPS = 1e-7;

/** Indices of the channels to score: all, or the N of highest spatial variance. */
export async function chooseChannels(features: tf.Tensor4D, count: number | 'all'): Promise<number[]> {
  const k = features.shape[3];
  if (count === 'all' || count >= k) return Array.from({ length: k }, (_, i) => i);
  const varianceT = tf.tidy(() => tf.moments(features, [0, 1, 2]).variance);
  const variance = await varianceT.data();
  varianceT.dispose();
  return Array.from(variance, (v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, Math.max(1, Math.floor(count)))
    .map(([, i]) => i);
}

export const scoreCam: CamMethod = {
  id: 'scorecam',
  relu: true,
  async channelWeights(ctx: MethodContext) {
    const { features, input, model, classIndex, options, signal } = ctx;
    const [, inH, inW] = input.shape;
    const k = features.shape[3];
    const channels = await chooseChannels(features, options.scoreCamChannels);
    const scores = new Float32Array(channels.length);
    const batch = Math.max(1, Math.floor(options.batchSize));
    for (let start = 0; start < channels.length; start += batch) {
      await checkpoint(signal);
      const ids = channels.slice(start, start + batch);
      const logitsT = tf.tidy(() => {
        const maps = tf.gather(features, ids, 3).transpose([3, 1, 2, 0]) as tf.Tensor4D; // [B, h, w, 1]
        const up = tf.image.resizeBilinear(maps, [inH, inW], false, true);
        const min = up.min([1, 2, 3], true);
        const max = up.max([1, 2, 3], true);
        const masks = up.sub(min).div(max.sub(min).add(EPS));
        return model.forward(input.mul(masks) as tf.Tensor4D).logits.slice([0, classIndex], [ids.length, 1]);
      });
      scores.set(await logitsT.data(), start);
      logitsT.dispose();
      ctx.progress?.(Math.min(channels.length, start + batch), channels.length);
    }
    return tf.tidy(() => tf.scatterND(tf.tensor2d(channels, [channels.length, 1], 'int32'), tf.softmax(tf.tensor1d(scores)), [k]) as tf.Tensor1D);
  },
};
