// Turns an image source into an explanation: pixels → forward pass → the chosen method's map for a
// class. Keeps the input, activations and scores of recent images so that switching class or method
// costs only the method itself, not a new forward pass.
import * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../core/catalog';
import type { Box } from '../core/geometry';
import { t } from '../core/i18nBrowser';
import { localizationBox } from '../core/localization';
import { LruMap } from '../core/lru';
import { randomId } from '../core/randomId';
import type { ExplanationResult, ExplanationSuccess } from '../core/messages';
import { METHODS, resolveMethod, type MethodChoice, type MethodId } from '../core/methods';
import { topClasses } from '../core/scores';
import { scoresFromLogits } from './explainable';
import { substituteFor } from '../core/metrics/substitute';
import { shortcutAlarm } from './metrics/shortcut';
import { computeMap, type RawMap } from './methods/base';
import { CancelledError, DEFAULT_METHOD_OPTIONS, MethodError, type MethodOptions } from './methods/types';
import type { HostedModel, ModelHost } from './modelHost';
import { ImageLoadError, loadForModel, type ModelPixels, type Pixels } from './pixels';
import { pixelsToInput } from './preprocess';

export const TOP_K = 5;
const KEPT_EXPLANATIONS = 8;
const CACHED_RESULTS = 32;
/** Re-showing an image within this time reuses its result (an image at a URL may change, so not forever). */
const RESULT_TTL_MS = 10 * 60_000;

export interface ExplainRequest {
  entry: ModelEntry;
  method: MethodChoice;
  /** Default: the top class. */
  classIndex?: number;
  /** A contrastive map: why `classIndex` and not this class (signed; see METHODS[].contrastive). */
  contrastIndex?: number;
  /** Explain this layer instead of the automatically found one. */
  layer?: string;
  /** Compute the localization box. */
  box?: boolean;
  /** Classes to list (default TOP_K). */
  topK?: number;
  methodOptions?: Partial<MethodOptions>;
  /** Compute afresh even when a recent identical result is cached (benchmarks). */
  fresh?: boolean;
  /** Run the shortcut alarm (default true; off only to measure what it costs). */
  shortcut?: boolean;
  /** The pixels are a screenshot of this part of the picture (CSS px, relative to its drawn rect). */
  capturedRegion?: { x: number; y: number; width: number; height: number };
  /**
   * Who asked (tab and frame): activations kept for one frame are reused only for that frame. A
   * result from the cache may name activations another frame's request computed; asking again from
   * here recomputes them from this frame's own source.
   */
  owner: string;
  signal?: AbortSignal;
  progress?(done: number, total: number): void;
}

interface Kept {
  hostKey: string;
  owner: string;
  input: tf.Tensor4D;
  features: tf.Tensor4D;
  probabilities: Float32Array;
  image: { width: number; height: number };
  /** The part of the image the model saw, when the model frames pictures (in image pixels). */
  crop?: Box;
  /** From the pixels' loader (e.g. only the first frame of an animation was read). */
  notes: string[];
}

/** The CAM paper's box, in the image's pixels: the map covers the crop when there is one. */
function boxInImage(map: RawMap, kept: Kept): Box | null {
  const area = kept.crop ?? { x: 0, y: 0, ...kept.image };
  const box = localizationBox(map, area, { relu: true });
  return box && { ...box, x: box.x + area.x, y: box.y + area.y };
}

export class Explainer {
  private readonly kept = new LruMap<string, Kept>(KEPT_EXPLANATIONS, (k) => tf.dispose([k.input, k.features]));
  /** Recent results by (model load, image, method, class, options): re-showing is instant. */
  private readonly results = new LruMap<string, { result: ExplanationSuccess; at: number }>(CACHED_RESULTS);
  /** Requests being computed, by the same key: an identical request waits for one instead of queueing a second. */
  private readonly inFlight = new Map<string, Promise<ExplanationResult>>();
  /** One explanation at a time: bounded memory, and a burst of clicks queues instead of thrashing the GPU. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: ModelHost) {}

  /**
   * Explains an image (for its top class unless `classIndex` is given). A recent identical request's
   * result comes from the cache; one still being computed (e.g. prepared on the right-click) is
   * joined: its timings are then `joined` (the wait) and `total`, as a cache hit's are `cache`.
   */
  async explain(source: Pixels, request: ExplainRequest): Promise<ExplanationResult> {
    const started = performance.now();
    const key = this.resultKey(source, request);
    if (!request.fresh) {
      const hit = this.results.get(key);
      if (hit && Date.now() - hit.at < RESULT_TTL_MS) {
        const elapsed = performance.now() - started;
        return { ...hit.result, timingsMs: { cache: elapsed, total: elapsed } };
      }
      const running = this.inFlight.get(key);
      const joined = running && (await running);
      if (joined?.ok) {
        const elapsed = performance.now() - started;
        return { ...joined, timingsMs: { joined: elapsed, total: elapsed } };
      }
      // Its failure is this request's too (the same bytes under the same policy), unless the other request was cancelled.
      if (joined && joined.error !== 'cancelled') return joined;
    }
    const computing = this.explainFresh(source, request);
    this.inFlight.set(key, computing);
    try {
      const result = await computing;
      if (result.ok) this.results.set(key, { result, at: Date.now() });
      return result;
    } finally {
      if (this.inFlight.get(key) === computing) this.inFlight.delete(key);
    }
  }

  /**
   * Downloads and decodes before joining the queue: one slow or hostile server must not hold up
   * the explanations of other images (only the model work is one at a time).
   */
  private async explainFresh(source: Pixels, request: ExplainRequest): Promise<ExplanationResult> {
    const started = performance.now();
    // Load the model while the image downloads; this explanation's forward pass is then its first run.
    this.host.get(request.entry, request.layer, { warmUp: false }).catch(() => undefined);
    let image: ModelPixels;
    try {
      image = await this.pixelsFor(source, request);
    } catch (e) {
      return failure(e);
    }
    const imageMs = performance.now() - started;
    return this.serialized(() => this.run(image, source, request, imageMs));
  }

  /** Decoded and already at the model's input size: only small RGBA waits for the model. */
  private pixelsFor(source: Pixels, request: ExplainRequest): Promise<ModelPixels> {
    return loadForModel(source, request.entry.inputSize, request.entry.inputCrop);
  }

  private resultKey(source: Pixels, request: ExplainRequest): string {
    // The same URL fetched with and without cookies may be two different pictures.
    const image = source.kind === 'url' ? `${source.withCookies ? 'cookies' : 'anonymous'}:${source.url}` : `data:${source.dataUrl.length}:${fnv1a(source.dataUrl)}`;
    const options = JSON.stringify(request.methodOptions ?? {});
    return [this.host.keyFor(request.entry, request.layer), image, request.method, request.classIndex ?? 'top', request.contrastIndex ?? '', request.box ? 'box' : '', request.topK ?? TOP_K, options, request.shortcut === false ? 'no-alarm' : ''].join('|');
  }

  /** Re-explains a kept image for another class or method; falls back to a full run if it was evicted (or the worker restarted). */
  explainAgain(explanationId: string, source: Pixels, request: ExplainRequest): Promise<ExplanationResult> {
    return this.serialized(async () => {
      const started = performance.now();
      const hosted = await this.host.get(request.entry, request.layer);
      const kept = this.kept.get(explanationId);
      if (!kept || kept.hostKey !== hosted.key || kept.owner !== request.owner) return this.run(await this.pixelsFor(source, request), source, request, 0);
      const result = await this.describe(explanationId, kept, hosted, request, source);
      const { shortcut } = result.timingsMs;
      result.timingsMs = { method: performance.now() - started - shortcut, shortcut, total: performance.now() - started };
      return result;
    });
  }

  /**
   * The model input kept for an explanation and the model it ran on, for the map checks (metrics/):
   * the input is a clone the caller disposes. Null once evicted or when another model load is current.
   */
  keptInput(explanationId: string): Promise<{ input: tf.Tensor4D; hosted: HostedModel } | null> {
    return this.enqueue(async () => {
      const kept = this.kept.get(explanationId);
      const hosted = this.host.current;
      return kept && hosted && kept.hostKey === hosted.key ? { input: tf.clone(kept.input), hosted } : null;
    });
  }

  /** Whether this model load is still the one in use (checks stop when the user switches model or backend). */
  isCurrent(hosted: HostedModel): boolean {
    return this.host.current === hosted;
  }

  /** Other model work (map checks, Teach's feature extraction) in the explanation queue: one computation at a time, explanations interleaved between units. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.enqueue(work);
  }

  /** Forgets kept activations and results (e.g. before a backend change: activations live on the current backend). */
  reset(): Promise<void> {
    return this.enqueue(async () => {
      this.kept.clear();
      this.results.clear();
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Queued work whose failure becomes a readable result instead of a rejection. */
  private serialized(work: () => Promise<ExplanationResult>): Promise<ExplanationResult> {
    return this.enqueue(work).catch(failure);
  }

  /** The model work for an image read at the model's input size. */
  private async run(image: ModelPixels, source: Pixels, request: ExplainRequest, imageMs: number): Promise<ExplanationSuccess> {
    const t1 = performance.now();
    const hosted = await this.host.get(request.entry, request.layer, { warmUp: false });
    const t2 = performance.now();
    const { entry } = hosted.model;
    const { rgba, image: size, crop } = image;
    const input = pixelsToInput(rgba, entry.inputSize.width, entry.inputSize.height, entry.pixelScaling, entry.normalization);
    const t3 = performance.now();
    let kept: Kept;
    try {
      const [features, probabilitiesT] = tf.tidy(() => {
        const out = hosted.model.forward(input);
        return [out.features, scoresFromLogits(hosted.model, out.logits)] as const;
      });
      const probabilities = (await probabilitiesT.data()) as Float32Array;
      probabilitiesT.dispose();
      kept = { hostKey: hosted.key, owner: request.owner, input, features, probabilities, image: size, crop, notes: image.notes };
    } catch (e) {
      input.dispose();
      throw e;
    }
    const t4 = performance.now();
    // Unguessable, and never reused after the worker restarts.
    const explanationId = randomId();
    this.dropStale(hosted.key);
    this.kept.set(explanationId, kept);
    const result = await this.describe(explanationId, kept, hosted, request, source);
    const t5 = performance.now();
    const { shortcut } = result.timingsMs;
    result.timingsMs = { image: imageMs, modelWait: t2 - t1, preprocess: t3 - t2, inference: t4 - t3, method: t5 - t4 - shortcut, shortcut, total: imageMs + t5 - t1 };
    return result;
  }

  /** Kept activations of another model (or backend) can never be reused: free them now. */
  private dropStale(hostKey: string): void {
    if (this.kept.size > 0 && [...this.kept.values()].some((k) => k.hostKey !== hostKey)) this.kept.clear();
  }

  private async describe(explanationId: string, kept: Kept, hosted: HostedModel, request: ExplainRequest, source: Pixels): Promise<ExplanationSuccess> {
    const { model, backend } = hosted;
    const labels = model.entry.labels;
    const method: MethodId = resolveMethod(request.method, model.camWeights !== null);
    if (METHODS[method].needsLinearHead && !model.camWeights) {
      throw new MethodError(t('errMethodNotApplicable', [METHODS[method].name, model.entry.displayName, model.camUnavailable ?? '']));
    }
    const classes = topClasses(kept.probabilities, labels, request.topK ?? TOP_K);
    // A model installed as a classifier on the user's word: say that its "probabilities" are a softmax of raw outputs.
    const notes = [...kept.notes, ...(model.entry.rawScores ? [t('noteRawScores')] : [])];
    const targetIndex = request.classIndex ?? classes[0].index;
    const classScore = (index: number) => ({ index, label: labels[index] ?? t('classFallback', String(index)), probability: kept.probabilities[index] });
    const map = await computeMap(method, {
      model,
      input: kept.input,
      features: kept.features,
      classIndex: targetIndex,
      contrastIndex: request.contrastIndex,
      options: { ...DEFAULT_METHOD_OPTIONS, ...request.methodOptions },
      signal: request.signal,
      progress: request.progress,
    });
    const target = classScore(targetIndex);
    const alarmStarted = performance.now();
    // A contrastive map is evidence for one class over another, not for the class: no alarm from it.
    const alarm = request.shortcut === false || request.contrastIndex !== undefined ? null : await shortcutAlarm({
      model,
      input: kept.input,
      classIndex: targetIndex,
      before: target.probability,
      map,
      substitute: substituteFor(model.entry.pixelScaling, model.entry.normalization),
      area: kept.crop ?? { x: 0, y: 0, ...kept.image },
      labelOf: (i) => labels[i] ?? t('classFallback', String(i)),
    });
    const shortcutMs = performance.now() - alarmStarted;
    return {
      ok: true,
      explanationId,
      modelId: model.entry.id,
      modelName: model.entry.displayName,
      method,
      layer: model.layer,
      backend: backend.backend,
      classes,
      classCount: kept.probabilities.length,
      target,
      ...(request.contrastIndex !== undefined ? { contrast: classScore(request.contrastIndex) } : {}),
      image: kept.image,
      map: { width: map.width, height: map.height, values: Array.from(map.values) },
      ...(kept.crop ? { crop: kept.crop } : {}),
      ...(request.box ? { box: boxInImage(map, kept) } : {}),
      ...(notes.length > 0 ? { notes } : {}),
      source: request.capturedRegion ? 'screenshot' : source.kind === 'url' ? 'fetch' : 'page',
      ...(request.capturedRegion ? { region: request.capturedRegion } : {}),
      ...(alarm ? { shortcut: alarm.shortcut } : {}),
      timingsMs: { shortcut: shortcutMs },
    };
  }
}

/** 32-bit FNV-1a of a string: a cheap identity for page-read image bytes. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16);
}

/**
 * The text of a failure, for the user. A cancelled computation gives 'cancelled', a protocol value the
 * content script recognises (and words for it itself), not a translated message.
 */
/** A readable failure, saying where else the pixels could be read when the worker could not. */
function failure(e: unknown): ExplanationResult {
  return e instanceof ImageLoadError && e.fallback ? { ok: false, error: errorMessage(e), fallback: e.fallback } : { ok: false, error: errorMessage(e) };
}

export function errorMessage(e: unknown): string {
  if (e instanceof CancelledError) return 'cancelled';
  const message = e instanceof Error ? e.message : String(e);
  return message || t('errUnknown');
}
