/**
 * XGrad-CAM (Fu et al. 2020): w_k = Σ_ij g_ij^k A_ij^k / (Σ_ij A_ij^k + ε), map ReLU(Σ_k w_k A_k).
 * Cost: one forward, one backward.
 */
import * as tf from '@tensorflow/tfjs';
import type { CamMethod } from './types';

const EPS = 1e-7;

export const xGradCam: CamMethod = {
  id: 'xgradcam',
  relu: true,
  channelWeights: (ctx) =>
    tf.tidy(() => ctx.gradients().mul(ctx.features).sum([0, 1, 2]).div(ctx.features.sum([0, 1, 2]).add(EPS)) as tf.Tensor1D),
};
