/**
 * CAM (Zhou et al. 2016): M_c = Σ_k w_k^c A_k, with w^c the class's row of the single linear layer
 * after global average pooling. Exact, and only for that architecture. Cost: one forward, no backward.
 */
import * as tf from '@tensorflow/tfjs';
import { MethodError, type CamMethod } from './types';

export const cam: CamMethod = {
  id: 'cam',
  relu: false,
  channelWeights({ model, classIndex }) {
    if (!model.camWeights) throw new MethodError(`CAM does not apply to this model: ${model.camUnavailable}; use Grad-CAM`);
    const [k] = model.camWeights.shape;
    return tf.tidy(() => model.camWeights!.slice([0, classIndex], [k, 1]).reshape([k]) as tf.Tensor1D);
  },
};
