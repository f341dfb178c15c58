// Trains a Teach head: global average pooling → one dense layer → softmax, on the frozen backbone's
// pooled features (pooling is linear and fixed, so each view's pooled vector is all the head needs and
// the dense layer is the only thing learnt). Multinomial logistic regression, then: zero-initialised,
// Adam, L2 on the weights, class-weighted cross-entropy (a class with few examples counts as much as
// one with many), mini-batches in a seeded order, one augmentation view per example and epoch when
// asked. With a held-out part it stops when the held-out loss stops improving and keeps the best
// epoch's weights; without one, when the training loss levels off. Deterministic for a seed on a
// given backend; every tensor it makes (features, variables, optimizer state) is freed before it
// returns, also when cancelled or failing. tfjs only, no browser API: tested in Node.
import * as tf from '@tensorflow/tfjs';
import { classWeights, splitHeldOut } from '../../core/teach/dataset';
import { randomInt, seededRandom, shuffle } from '../../core/random';
import type { TrainedHeadWeights } from '../../core/teach/tmExport';
import { CancelledError } from '../methods/types';

export interface TeachExample {
  label: number;
  /** Pooled features of each view, view after view: views × dim values. */
  features: Float32Array;
}

export interface TrainOptions {
  classCount: number;
  /** Features per view (1792 for the bundled backbone). */
  dim: number;
  /** Views per example; view 0 is the unaugmented one. */
  views: number;
  seed: number;
  augment: boolean;
  maxEpochs?: number;
  learningRate?: number;
  l2?: number;
  /** Epochs without improvement before stopping. */
  patience?: number;
  batchSize?: number;
  signal?: AbortSignal;
  onEpoch?(stats: EpochStats): void;
  /** Lets other work (messages, cancel) run between epochs. */
  pause?(): Promise<void>;
}

export interface EpochStats {
  epoch: number;
  loss: number;
  accuracy: number;
  heldOutLoss: number | null;
  heldOutAccuracy: number | null;
}

export interface TrainedHead extends TrainedHeadWeights {
  history: EpochStats[];
  /** The epoch whose weights were kept. */
  bestEpoch: number;
  trainCount: number;
  heldOutCount: number;
  /** Accuracy of the kept weights on the held-out examples (null: too few examples to hold some out). */
  heldOutAccuracy: number | null;
}

/**
 * Adam's step moves every one of the 1792 weights of a class by about the learning rate, so a class's
 * logit moves by about lr × Σ features (≈ 0.2 each): 0.003 keeps one step near 1 — 0.01 overshoots on
 * small or contradictory sets (measured: loss rising from epoch 1), 0.001 needs more than 80 epochs.
 */
export const TRAIN_DEFAULTS = { maxEpochs: 80, learningRate: 0.003, l2: 1e-3, patience: 10, batchSize: 32 } as const;
/** Without a held-out part, the training loss must drop by 1 % (and at least 0.001) to count as improving. */
const MIN_RELATIVE_IMPROVEMENT = 0.01;
const MIN_ABSOLUTE_IMPROVEMENT = 1e-3;

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function trainHead(examples: readonly TeachExample[], options: TrainOptions): Promise<TrainedHead> {
  const { classCount: K, dim, views, seed, augment } = options;
  const { maxEpochs, learningRate, l2, patience, batchSize } = { ...TRAIN_DEFAULTS, ...options };
  for (const e of examples) {
    if (e.features.length !== views * dim) throw new Error(`an example has ${e.features.length} features, expected ${views} views × ${dim}`);
    if (!(e.label >= 0 && e.label < K)) throw new Error(`label ${e.label} is not one of ${K} classes`);
  }
  const random = seededRandom(seed);
  const labels = examples.map((e) => e.label);
  const split = splitHeldOut(labels, K, random);
  const trainLabels = split.train.map((i) => labels[i]);
  const perClass = classWeights(trainLabels, K);

  const tensors: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (tensors.push(t), t);
  const optimizer = tf.train.adam(learningRate);
  try {
    // Every view of every training example, row i·views + v; held-out examples by their first view only.
    const allViews = new Float32Array(split.train.length * views * dim);
    split.train.forEach((index, row) => allViews.set(examples[index].features, row * views * dim));
    const trainX = keep(tf.tensor2d(allViews, [split.train.length * views, dim]));
    const trainY = keep(oneHot(trainLabels, K));
    const trainW = keep(tf.tensor1d(trainLabels.map((l) => perClass[l])));
    const held = split.heldOut.length > 0
      ? {
          x: keep(tf.tensor2d(Float32Array.from(split.heldOut.flatMap((i) => Array.from(examples[i].features.subarray(0, dim)))), [split.heldOut.length, dim])),
          y: keep(oneHot(split.heldOut.map((i) => labels[i]), K)),
          w: keep(tf.tensor1d(split.heldOut.map((i) => perClass[labels[i]]))),
        }
      : null;
    // tidy frees the zeros; variables outlive it.
    const kernel = keep(tf.tidy(() => tf.variable(tf.zeros([dim, K]))));
    const bias = keep(tf.tidy(() => tf.variable(tf.zeros([K]))));

    /** Class-weighted mean cross-entropy and accuracy of the current weights. */
    const evaluate = (x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor1D) =>
      tf.tidy(() => {
        const logits = x.matMul(kernel).add(bias);
        const loss = weightedCrossEntropy(logits, y, w);
        const correct = logits.argMax(1).equal(y.argMax(1)).toFloat().mean();
        return [loss.dataSync()[0], correct.dataSync()[0]] as const;
      });

    const history: EpochStats[] = [];
    let best: { score: number; epoch: number; kernel: tf.Tensor; bias: tf.Tensor } | null = null;
    const rowsOf = (order: number[], viewOf: number[]) => order.map((row) => row * views + viewOf[row]);
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      if (options.signal?.aborted) throw new CancelledError();
      const order = shuffle(split.train.map((_, row) => row), random);
      const viewOf = split.train.map(() => (augment && views > 1 ? randomInt(random, views) : 0));
      for (let start = 0; start < order.length; start += batchSize) {
        const batch = order.slice(start, start + batchSize);
        tf.tidy(() => {
          const x = tf.gather(trainX, tf.tensor1d(rowsOf(batch, viewOf), 'int32')) as tf.Tensor2D;
          const index = tf.tensor1d(batch, 'int32');
          const y = tf.gather(trainY, index) as tf.Tensor2D;
          const w = tf.gather(trainW, index) as tf.Tensor1D;
          optimizer.minimize(() => weightedCrossEntropy(x.matMul(kernel).add(bias), y, w).add(kernel.square().sum().mul(l2)) as tf.Scalar);
        });
      }
      const epochX = tf.tidy(() => tf.gather(trainX, tf.tensor1d(rowsOf(split.train.map((_, row) => row), viewOf), 'int32')) as tf.Tensor2D);
      const [loss, accuracy] = evaluate(epochX, trainY, trainW);
      epochX.dispose();
      const [heldOutLoss, heldOutAccuracy] = held ? evaluate(held.x, held.y, held.w) : [null, null];
      const stats = { epoch, loss, accuracy, heldOutLoss, heldOutAccuracy };
      history.push(stats);
      options.onEpoch?.(stats);
      if (!Number.isFinite(loss)) throw new Error(`training diverged at epoch ${epoch}`);

      // Held-out loss when there is a held-out part, else the training loss.
      const score = heldOutLoss ?? loss;
      const improved = !best || (held ? score < best.score - 1e-4 : score < best.score - Math.max(MIN_ABSOLUTE_IMPROVEMENT, MIN_RELATIVE_IMPROVEMENT * best.score));
      if (improved) {
        if (best) tf.dispose([best.kernel, best.bias]);
        best = { score, epoch, kernel: keep(kernel.clone()), bias: keep(bias.clone()) };
      } else if (epoch - best!.epoch >= patience) {
        break;
      }
      await (options.pause ?? nextTask)();
    }
    // Held out: the best epoch's weights; otherwise the last ones (training loss has levelled off).
    const chosen = held && best ? best : { epoch: history.length, kernel, bias };
    const finalHeld = held ? tf.tidy(() => accuracyOf(held.x.matMul(chosen.kernel).add(chosen.bias), held.y)) : null;
    return {
      kernel: Float32Array.from(await chosen.kernel.data()),
      bias: Float32Array.from(await chosen.bias.data()),
      history,
      bestEpoch: chosen.epoch,
      trainCount: split.train.length,
      heldOutCount: split.heldOut.length,
      heldOutAccuracy: finalHeld,
    };
  } finally {
    optimizer.dispose();
    tf.dispose(tensors);
  }
}

/** Σ w_i · CE_i / Σ w_i, with CE_i = −Σ_c y_ic log softmax(logits_i)_c. */
function weightedCrossEntropy(logits: tf.Tensor, y: tf.Tensor2D, w: tf.Tensor1D): tf.Scalar {
  const perExample = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1));
  return tf.div(tf.sum(tf.mul(perExample, w)), tf.sum(w)) as tf.Scalar;
}

const oneHot = (labels: number[], K: number) => tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), K).toFloat() as tf.Tensor2D);

function accuracyOf(logits: tf.Tensor, y: tf.Tensor2D): number {
  return logits.argMax(1).equal(y.argMax(1)).toFloat().mean().dataSync()[0];
}
