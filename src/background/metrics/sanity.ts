/**
 * Model-randomisation sanity check (Adebayo et al. 2018, cascading): the same method's map for the
 * same input and class, with the top of the model re-initialised — first the classifier head, then
 * cumulatively the last 1, 2, 3 convolution blocks — compared with the original map by Spearman ρ.
 * A map that stays similar once the head and the last block are random mostly shows the image, not
 * what the model learned. Random weights: seeded normal noise with each tensor's own mean and
 * standard deviation (same shape, same scale). The loaded model is never written: each level is a
 * variant that shares it (graphs: weights fed as inputs; layers models: a copy).
 * Cost: per level, one forward and the method (Score-CAM: its batched forwards too).
 */
import * as tf from '@tensorflow/tfjs';
import { t } from '../../core/i18nBrowser';
import { INSENSITIVE_RHO, METRICS_SEED, type SanityCheck } from '../../core/metrics/results';
import { spearman } from '../../core/metrics/spearman';
import type { MethodId } from '../../core/methods';
import type { ExplainableModel } from '../explainable';
import { computeMap } from '../methods/base';
import { checkpoint, DEFAULT_METHOD_OPTIONS, MethodError, type MethodOptions } from '../methods/types';

export interface SanityRequest {
  model: ExplainableModel;
  input: tf.Tensor4D;
  method: MethodId;
  classIndex: number;
  /** The map the user sees (the method's raw map). */
  map: { values: ArrayLike<number> };
  seed?: number;
  methodOptions?: Partial<MethodOptions>;
  signal?: AbortSignal;
  progress?(done: number, total: number): void;
  /** Runs one level's model work (the explainer's queue). */
  exclusive?<T>(work: () => Promise<T>): Promise<T>;
  assertUsable?(): void;
}

export async function sanityCheck(request: SanityRequest): Promise<SanityCheck> {
  const started = performance.now();
  const { model, input, signal } = request;
  const seed = request.seed ?? METRICS_SEED;
  const exclusive = request.exclusive ?? ((work) => work());
  const groups = model.weightGroups();
  if (groups.length === 0) throw new MethodError(t('errSanityNoWeights'));
  const replacements = new Map<string, tf.Tensor>();
  const levels: SanityCheck['levels'] = [];
  try {
    for (const [level, group] of groups.entries()) {
      await checkpoint(signal);
      const rho = await exclusive(async () => {
        request.assertUsable?.();
        for (const name of group.weights) replacements.set(name, await randomLike(model.weight(name), seed + replacements.size));
        const variant = await model.withWeights(replacements);
        try {
          const features = tf.tidy(() => variant.forward(input).features);
          try {
            const map = await computeMap(request.method, {
              model: variant,
              input,
              features,
              classIndex: request.classIndex,
              options: { ...DEFAULT_METHOD_OPTIONS, ...request.methodOptions },
              signal,
            });
            return spearman(request.map.values, map.values);
          } finally {
            features.dispose();
          }
        } finally {
          variant.dispose();
        }
      });
      levels.push({ randomised: groups.slice(0, level + 1).map((g) => g.name), rho });
      request.progress?.(level + 1, groups.length);
    }
  } finally {
    tf.dispose([...replacements.values()]);
  }
  // The head and the last block: the second level (or the only one, for a model with no block above the layer).
  const telling = levels[Math.min(1, levels.length - 1)];
  return { seed, levels, insensitive: telling.rho !== null && telling.rho >= INSENSITIVE_RHO, timingsMs: { total: performance.now() - started } };
}

/** Seeded normal noise with the tensor's shape, mean and standard deviation. */
async function randomLike(weight: tf.Tensor, seed: number): Promise<tf.Tensor> {
  const moments = tf.tidy(() => {
    const { mean, variance } = tf.moments(weight);
    return tf.stack([mean, variance]);
  });
  const [mean, variance] = await moments.data();
  moments.dispose();
  return tf.randomNormal(weight.shape, mean, Math.sqrt(variance) || 1e-3, 'float32', seed);
}
