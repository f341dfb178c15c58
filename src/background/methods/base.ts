// The shared part of every method: Σ_k w_k A_k (or the method's own map), ReLU when the formula
// has it, gradients of the logit computed once, read back as a raw row-major map.
import * as tf from '@tensorflow/tfjs';
import type { ExplainableModel } from '../explainable';
import { withoutWeightGradients } from '../wasmGradients';
import { METHOD_REGISTRY } from './registry';
import type { CamMethod, MethodContext, MethodOptions } from './types';
import { MethodError } from './types';
import { METHODS, type MethodId } from '../../core/methods';
import { t } from '../../core/i18nBrowser';

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

/**
 * ∂y/∂A through the model's head for the target y: the logit y_c of class c, or y_c − y_c′ for a
 * contrastive map (the weights' gradients are not needed).
 */
export function logitGradients(model: ExplainableModel, features: tf.Tensor4D, input: tf.Tensor4D, classIndex: number, contrastIndex?: number): tf.Tensor4D {
  return withoutWeightGradients(() =>
    tf.tidy(() => {
      const target = (a: tf.Tensor) => {
        const logits = model.head(a as tf.Tensor4D, input);
        const y = logits.slice([0, classIndex], [1, 1]).sum();
        return contrastIndex === undefined ? y : y.sub(logits.slice([0, contrastIndex], [1, 1]).sum());
      };
      return tf.grad(target)(features) as tf.Tensor4D;
    }),
  );
}

export interface ComputeArgs {
  model: ExplainableModel;
  input: tf.Tensor4D;
  features: tf.Tensor4D;
  classIndex: number;
  /** A contrastive map, "why classIndex and not contrastIndex": signed, no final ReLU. */
  contrastIndex?: number;
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
  const contrast = args.contrastIndex;
  if (contrast !== undefined) {
    if (!Number.isInteger(contrast) || contrast < 0 || contrast >= classes || contrast === args.classIndex) {
      throw new MethodError(`class ${contrast} cannot be contrasted with class ${args.classIndex} (model has ${classes} classes)`);
    }
    if (!METHODS[methodId].contrastive) throw new MethodError(t('errNoContrastiveForm', METHODS[methodId].name));
  }
  const cache: { gradients?: tf.Tensor4D } = {};
  const ctx: MethodContext = {
    ...args,
    // keep(): methods call this inside their own tidy, which must not free the shared cache.
    gradients: () => (cache.gradients ??= tf.keep(logitGradients(args.model, args.features, args.input, args.classIndex, contrast))),
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
  // A contrastive map keeps both signs: evidence for c over c′, and for c′ over c.
  if (method.relu && contrast === undefined) {
    const rectified = tf.relu(map);
    map.dispose();
    map = rectified;
  }
  const [height, width] = map.shape;
  const values = (await map.data()) as Float32Array;
  map.dispose();
  return { width, height, values };
}
