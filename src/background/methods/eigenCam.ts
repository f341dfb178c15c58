/**
 * Eigen-CAM (Muhammad & Yeasin 2020): the projection of the channel-centred activations X (hw × K) on
 * their first principal component, M = X v₁ = s₁ u₁, with the sign chosen so that M correlates
 * positively with the activation sum Σ_k A_k. Class-agnostic. Cost: one forward; an eigen-
 * decomposition of the small hw × hw Gram matrix X Xᵀ (ml-matrix), no backward.
 */
import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { CamMethod } from './types';

export const eigenCam: CamMethod = {
  id: 'eigencam',
  relu: false,
  async spatialMap({ features }) {
    const [, h, w, k] = features.shape;
    const [gramT, sumT] = tf.tidy(() => {
      const x = features.reshape([h * w, k]);
      const centred = x.sub(x.mean(0, true));
      return [centred.matMul(centred, false, true), x.sum(1)];
    });
    const [gramData, activationSum] = (await Promise.all([gramT.data(), sumT.data()])) as [Float32Array, Float32Array];
    tf.dispose([gramT, sumT]);
    const n = h * w;
    const gram = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gram.set(i, j, (gramData[i * n + j] + gramData[j * n + i]) / 2);
    const evd = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
    const eigenvalues = evd.realEigenvalues;
    let top = 0;
    for (let i = 1; i < n; i++) if (eigenvalues[i] > eigenvalues[top]) top = i;
    const s1 = Math.sqrt(Math.max(0, eigenvalues[top]));
    const u1 = evd.eigenvectorMatrix.getColumn(top);
    const meanSum = activationSum.reduce((a, b) => a + b, 0) / n;
    const correlation = u1.reduce((acc, u, i) => acc + u * (activationSum[i] - meanSum), 0);
    const sign = correlation < 0 ? -1 : 1;
    return tf.tensor2d(Float32Array.from(u1, (u) => sign * s1 * u), [h, w]);
  },
};
