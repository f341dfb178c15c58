/**
 * HiResCAM (Draelos & Carin 2020): M = Σ_k g_k ⊙ A_k (element-wise, no spatial averaging of the
 * gradients), signed. On a GAP + linear head it equals CAM / (h·w). Cost: one forward, one backward.
 */
import * as tf from '@tensorflow/tfjs';
import type { CamMethod } from './types';

export const hiResCam: CamMethod = {
  id: 'hirescam',
  relu: false,
  spatialMap: (ctx) => tf.tidy(() => ctx.gradients().mul(ctx.features).sum([0, 3]) as tf.Tensor2D),
};
