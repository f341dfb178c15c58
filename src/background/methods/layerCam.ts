/**
 * LayerCAM (Jiang et al. 2021): M = ReLU(Σ_k ReLU(g_k) ⊙ A_k). Cost: one forward, one backward.
 */
import * as tf from '@tensorflow/tfjs';
import type { CamMethod } from './types';

export const layerCam: CamMethod = {
  id: 'layercam',
  relu: true,
  spatialMap: (ctx) => tf.tidy(() => tf.relu(ctx.gradients()).mul(ctx.features).sum([0, 3]) as tf.Tensor2D),
};
