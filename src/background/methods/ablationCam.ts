/**
 * Ablation-CAM (Desai & Ramaswamy 2020) on the head only: y_c^k is the logit with channel k of the
 * CAM layer set to zero, re-running only the layers after it; w_k = (y_c − y_c^k) / y_c,
 * map ReLU(Σ_k w_k A_k). Cost: one forward, then ceil(K / batch) passes through the head alone.
 */
import * as tf from '@tensorflow/tfjs';
import { checkpoint, type CamMethod } from './types';

const EPS = 1e-7;

export const ablationCam: CamMethod = {
  id: 'ablationcam',
  relu: true,
  async channelWeights(ctx) {
    const { features, input, model, classIndex, options, signal } = ctx;
    const k = features.shape[3];
    const batch = Math.max(1, Math.floor(options.batchSize));
    const baseT = tf.tidy(() => model.head(features, input).slice([0, classIndex], [1, 1]));
    const base = (await baseT.data())[0];
    baseT.dispose();
    const ablated = new Float32Array(k);
    for (let start = 0; start < k; start += batch) {
      await checkpoint(signal);
      const n = Math.min(batch, k - start);
      const logitsT = tf.tidy(() => {
        // Row b of the mask zeroes channel start + b.
        const keep = tf.sub(1, tf.oneHot(tf.range(start, start + n, 1, 'int32'), k)).reshape([n, 1, 1, k]);
        const batchFeatures = features.mul(keep) as tf.Tensor4D;
        return model.head(batchFeatures, input).slice([0, classIndex], [n, 1]);
      });
      ablated.set(await logitsT.data(), start);
      logitsT.dispose();
      ctx.progress?.(start + n, k);
    }
    // Guard y_c = 0 without changing the sign convention of the paper's formula.
    const denominator = Math.abs(base) < EPS ? (base < 0 ? -EPS : EPS) : base;
    return tf.tensor1d(Float32Array.from(ablated, (y) => (base - y) / denominator));
  },
};
