// Batched forward passes for the map checks: the explained class's score for many model inputs,
// built one batch at a time (only one batch of images exists at once), with progress and cancel.
// Every batch can run as its own unit of the explainer's queue, so a long check never holds up a
// right-click on another picture for more than one batch.
import * as tf from '@tensorflow/tfjs';
import { scoresFromLogits, type ExplainableModel } from '../explainable';
import { checkpoint } from '../methods/types';

export interface ProbeOptions {
  /** Images per forward pass (chosen by measurement: BENCHMARKS.md). */
  batchSize: number;
  signal?: AbortSignal;
  /** Forward passes done / in all. */
  progress?(done: number, total: number): void;
  /** Runs one batch's model work (the explainer's queue); default: at once. */
  exclusive?<T>(work: () => Promise<T>): Promise<T>;
  /** Throws when the model may no longer be used (it was switched or unloaded meanwhile). */
  assertUsable?(): void;
}

export const DEFAULT_BATCH = 8;

/**
 * The score (as shown: softmax or sigmoid of the logits) of `classIndex` for `count` inputs;
 * `build(start, end)` makes inputs start…end−1 as one [end − start, H, W, C] tensor (inside a tidy).
 */
export async function classScores(
  model: ExplainableModel,
  classIndex: number,
  count: number,
  build: (start: number, end: number) => tf.Tensor4D,
  options: ProbeOptions,
): Promise<Float32Array> {
  const scores = new Float32Array(count);
  const batch = Math.max(1, Math.floor(options.batchSize));
  const exclusive = options.exclusive ?? ((work) => work());
  for (let start = 0; start < count; start += batch) {
    await checkpoint(options.signal);
    const end = Math.min(count, start + batch);
    const column = await exclusive(async () => {
      options.assertUsable?.();
      const t = tf.tidy(() => scoresFromLogits(model, model.forward(build(start, end)).logits).slice([0, classIndex], [end - start, 1]));
      try {
        return await t.data();
      } finally {
        t.dispose();
      }
    });
    scores.set(column, start);
    options.progress?.(end, count);
  }
  return scores;
}
