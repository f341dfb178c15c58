/**
 * Grad-CAM (Selvaraju et al. 2017): α_k = mean_ij ∂y_c/∂A_k^ij, map ReLU(Σ_k α_k A_k), y_c the logit.
 * Cost: one forward, one backward through the head.
 */
import * as tf from '@tensorflow/tfjs';
import type { CamMethod } from './types';

export const gradCam: CamMethod = {
  id: 'gradcam',
  relu: true,
  channelWeights: (ctx) => tf.tidy(() => ctx.gradients().mean([0, 1, 2]) as tf.Tensor1D),
};
