// Turns an image source into an explanation: pixels → forward pass → exact CAM for a class.
// Keeps the feature maps of recent images so switching class is one matmul, not a new forward pass.
import * as tf from '@tensorflow/tfjs';
import { LruMap } from '../core/lru';
import type { ExplanationResult, ExplanationSuccess, ImageSource } from '../core/messages';
import { topClasses } from '../core/scores';
import { classActivationMap, forward, pixelsToInput } from './camModel';
import type { ModelHost } from './modelHost';
import { loadImage, resizeToRgba } from './pixels';

export const TOP_K = 5;
const KEPT_EXPLANATIONS = 8;

interface Kept {
  features: tf.Tensor4D;
  probabilities: Float32Array;
  image: { width: number; height: number };
  modelId: string;
}

export class Explainer {
  private readonly kept = new LruMap<string, Kept>(KEPT_EXPLANATIONS, (k) => k.features.dispose());
  /** One explanation at a time: bounded memory, and a burst of clicks queues instead of thrashing the GPU. */
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor(private readonly host: ModelHost) {}

  /** Forgets kept feature maps (they live on the current backend). */
  reset(): Promise<void> {
    return this.enqueue(async () => this.kept.clear());
  }

  /** Explains an image for its top class, or for `classIndex` when given. */
  explain(source: ImageSource, classIndex?: number): Promise<ExplanationResult> {
    return this.serialized(() => this.run(source, classIndex));
  }

  /** Re-explains a kept image for another class; falls back to a full run if it was evicted (or the worker restarted). */
  explainClass(explanationId: string, classIndex: number, source: ImageSource): Promise<ExplanationResult> {
    return this.serialized(async () => {
      const kept = this.kept.get(explanationId);
      if (!kept || kept.modelId !== this.host.entry.id) return this.run(source, classIndex);
      const started = performance.now();
      const hosted = await this.host.get();
      const result = await this.describe(explanationId, kept, classIndex, hosted);
      result.timingsMs = { cam: performance.now() - started, total: performance.now() - started };
      return result;
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Queued work whose failure becomes a readable result instead of a rejection. */
  private serialized(work: () => Promise<ExplanationResult>): Promise<ExplanationResult> {
    return this.enqueue(work).catch((e: unknown): ExplanationResult => ({ ok: false, error: errorMessage(e) }));
  }

  private async run(source: ImageSource, classIndex: number | undefined): Promise<ExplanationSuccess> {
    const t0 = performance.now();
    const hostedPromise = this.host.get(); // load the model while the image downloads
    const image = await loadImage(source);
    const t1 = performance.now();
    const hosted = await hostedPromise;
    const t2 = performance.now();
    const { entry } = hosted.model;
    let rgba: Uint8ClampedArray;
    const size = { width: image.bitmap.width, height: image.bitmap.height };
    try {
      rgba = resizeToRgba(image.bitmap, entry.inputSize.width, entry.inputSize.height);
    } finally {
      image.bitmap.close();
    }
    const input = pixelsToInput(rgba, entry.inputSize.width, entry.inputSize.height, entry.pixelScaling);
    const t3 = performance.now();
    let fwd;
    try {
      fwd = await forward(hosted.model, input);
    } finally {
      input.dispose();
    }
    const t4 = performance.now();
    const explanationId = `x${this.nextId++}`;
    const kept: Kept = { features: fwd.features, probabilities: fwd.probabilities, image: size, modelId: entry.id };
    this.kept.set(explanationId, kept);
    const result = await this.describe(explanationId, kept, classIndex, hosted);
    const t5 = performance.now();
    result.timingsMs = {
      image: t1 - t0,
      modelWait: t2 - t1,
      preprocess: t3 - t2,
      inference: t4 - t3,
      cam: t5 - t4,
      total: t5 - t0,
    };
    return result;
  }

  private async describe(
    explanationId: string,
    kept: Kept,
    classIndex: number | undefined,
    hosted: Awaited<ReturnType<ModelHost['get']>>,
  ): Promise<ExplanationSuccess> {
    const { model, backend } = hosted;
    const labels = model.entry.labels;
    const classes = topClasses(kept.probabilities, labels, TOP_K);
    const targetIndex = classIndex ?? classes[0].index;
    const map = await classActivationMap(model, kept.features, targetIndex);
    return {
      ok: true,
      explanationId,
      modelId: model.entry.id,
      modelName: model.entry.displayName,
      method: 'cam',
      layer: model.head.featureNode,
      backend: backend.backend,
      classes,
      target: { index: targetIndex, label: labels[targetIndex] ?? `class ${targetIndex}`, probability: kept.probabilities[targetIndex] },
      image: kept.image,
      map: { width: map.width, height: map.height, values: Array.from(map.values) },
      timingsMs: {},
    };
  }
}

export function errorMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message || 'unknown error';
}
