/**
 * Grad-CAM++ (Chattopadhay et al. 2018), in the closed form of pytorch-grad-cam:
 * α_ij^k = g² / (2g² + Σ_ab A_ab^k · g³) (0 where g = 0), w_k = Σ_ij α_ij^k ReLU(g_ij^k),
 * map ReLU(Σ_k w_k A_k). Cost: one forward, one backward.
 */
import * as tf from '@tensorflow/tfjs';
import type { CamMethod } from './types';

const EPS = 1e-7;

export const gradCamPlusPlus: CamMethod = {
  id: 'gradcampp',
  relu: true,
  channelWeights: (ctx) =>
    tf.tidy(() => {
      const g = ctx.gradients();
      const g2 = g.square();
      const g3 = g2.mul(g);
      const activationSum = ctx.features.sum([1, 2], true);
      const alpha = g2.div(g2.mul(2).add(activationSum.mul(g3)).add(EPS));
      const alphaWhereGrad = tf.where(g.notEqual(0), alpha, tf.zerosLike(alpha));
      return alphaWhereGrad.mul(tf.relu(g)).sum([0, 1, 2]) as tf.Tensor1D;
    }),
};
