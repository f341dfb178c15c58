// The shared part of every method: Σ_k w_k A_k (or the method's own map), ReLU when the formula
// has it, gradients of the logit computed once, read back as a raw row-major map.
import * as tf from '@tensorflow/tfjs';
import type { ExplainableModel } from '../explainable';
import { withoutWeightGradients } from '../wasmGradients';
import { METHOD_REGISTRY } from './registry';
import type { CamMethod, MethodContext, MethodOptions } from './types';
import { MethodError } from './types';
import type { MethodId } from '../../core/methods';

export interface RawMap {
  width: number;
  height: number;
  /** The method's map at the CAM layer's resolution, row-major; signed unless the formula applies ReLU. */
  values: Float32Array;
}

/** Σ_k w_k A_k for features [1, h, w, K] and weights [K] → [h, w]. */
export function weightedSum(features: tf.Tensor4D, weights: tf.Tensor1D): tf.Tensor2D {
  const [, h, w, k] = features.shape;
  return tf.tidy(() => features.reshape([h * w, k]).matMul(weights.reshape([k, 1])).reshape([h, w]));
}

/** ∂y_c/∂A for the logit y_c of class c, through the model's head (the weights' gradients are not needed). */
export function logitGradients(model: ExplainableModel, features: tf.Tensor4D, input: tf.Tensor4D, classIndex: number): tf.Tensor4D {
  return withoutWeightGradients(() =>
    tf.tidy(() => {
      const logit = (a: tf.Tensor) => model.head(a as tf.Tensor4D, input).slice([0, classIndex], [1, 1]).sum();
      return tf.grad(logit)(features) as tf.Tensor4D;
    }),
  );
}

export interface ComputeArgs {
  model: ExplainableModel;
  input: tf.Tensor4D;
  features: tf.Tensor4D;
  classIndex: number;
  options: MethodOptions;
  signal?: AbortSignal;
  progress?(done: number, total: number): void;
}

/** Runs one method and returns its raw map; every intermediate tensor is released. */
export async function computeMap(methodId: MethodId, args: ComputeArgs): Promise<RawMap> {
  const method: CamMethod = METHOD_REGISTRY[methodId];
  const classes = args.model.entry.labels.length;
  if (!Number.isInteger(args.classIndex) || args.classIndex < 0 || args.classIndex >= classes) {
    throw new MethodError(`class ${args.classIndex} is out of range (model has ${classes} classes)`);
  }
  const cache: { gradients?: tf.Tensor4D } = {};
  const ctx: MethodContext = {
    ...args,
    // keep(): methods call this inside their own tidy, which must not free the shared cache.
    gradients: () => (cache.gradients ??= tf.keep(logitGradients(args.model, args.features, args.input, args.classIndex))),
  };
  let map: tf.Tensor2D;
  try {
    if (method.channelWeights) {
      const weights = await method.channelWeights(ctx);
      map = weightedSum(args.features, weights);
      weights.dispose();
    } else if (method.spatialMap) {
      map = await method.spatialMap(ctx);
    } else {
      throw new MethodError(`method ${methodId} supplies neither weights nor a map`);
    }
  } finally {
    cache.gradients?.dispose();
  }
  if (method.relu) {
    const rectified = tf.relu(map);
    map.dispose();
    map = rectified;
  }
  const [height, width] = map.shape;
  const values = (await map.data()) as Float32Array;
  map.dispose();
  return { width, height, values };
}
