/**
 * CAM (Zhou et al. 2016): M_c = Σ_k w_k^c A_k, with w^c the class's row of the single linear layer
 * after global average pooling. Exact, and only for that architecture. Cost: one forward, no backward.
 */
import * as tf from '@tensorflow/tfjs';
import { MethodError, type CamMethod } from './types';

export const cam: CamMethod = {
  id: 'cam',
  relu: false,
  channelWeights({ model, classIndex, contrastIndex }) {
    if (!model.camWeights) throw new MethodError(`CAM does not apply to this model: ${model.camUnavailable}; use Grad-CAM`);
    const [k] = model.camWeights.shape;
    const column = (c: number) => model.camWeights!.slice([0, c], [k, 1]).reshape([k]) as tf.Tensor1D;
    // Contrastive: w^c − w^c′, exactly the evidence for c over c′.
    return tf.tidy(() => (contrastIndex === undefined ? column(classIndex) : column(classIndex).sub(column(contrastIndex))) as tf.Tensor1D);
  },
};
