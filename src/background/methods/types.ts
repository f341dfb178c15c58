// The one interface every explanation method implements (the pattern of torch-cam's _get_weights and
// pytorch-grad-cam's get_cam_weights): a method supplies channel weights w_k, and the base forms
// Σ_k w_k A_k, or it supplies the spatial map itself. ReLU is applied when the formula has it.
import type * as tf from '@tensorflow/tfjs';
import type { MethodId } from '../../core/methods';
import type { ExplainableModel } from '../explainable';

export interface MethodOptions {
  /** Score-CAM: channels used, the N with the highest spatial variance, or all K. */
  scoreCamChannels: number | 'all';
  /** Inputs (or activation sets) per forward pass for the on-demand methods. */
  batchSize: number;
}

export const DEFAULT_METHOD_OPTIONS: MethodOptions = { scoreCamChannels: 64, batchSize: 16 };

export interface MethodContext {
  model: ExplainableModel;
  /** Preprocessed image, [1, H, W, 3]. */
  input: tf.Tensor4D;
  /** CAM-layer activations A, [1, h, w, K]. */
  features: tf.Tensor4D;
  classIndex: number;
  /** Contrastive maps: the class c′ whose logit is subtracted (the target is y_c − y_c′). */
  contrastIndex?: number;
  /** ∂y/∂A with y the target logit (y_c, or y_c − y_c′), [1, h, w, K]; computed at most once per explanation, owned by the context. */
  gradients(): tf.Tensor4D;
  options: MethodOptions;
  signal?: AbortSignal;
  /** On-demand methods report progress as passes done / passes in all. */
  progress?(done: number, total: number): void;
}

export interface CamMethod {
  readonly id: MethodId;
  /** Part of the method's formula: ReLU of the weighted sum. */
  readonly relu: boolean;
  /** Channel weights w, [K]; the caller owns the returned tensor. */
  channelWeights?(ctx: MethodContext): tf.Tensor1D | Promise<tf.Tensor1D>;
  /** Or the map itself, [h, w]; the caller owns the returned tensor. */
  spatialMap?(ctx: MethodContext): tf.Tensor2D | Promise<tf.Tensor2D>;
}

export class MethodError extends Error {}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/**
 * Between passes of a long method: lets queued events run (a cancel message is a task, and fast
 * backends resolve every await as a microtask, which would starve it), then stops if cancelled.
 */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (signal?.aborted) throw new CancelledError();
}
