// The worker's side of "Check this map" and "Sanity check": which map an overlay shows (its record,
// bound to the tab, frame and overlay that showed it), the kept input to test it on, one check per
// overlay at a time (a new one or Cancel stops the old), and caches that make a second check of the
// same map instant. The maths is in faithfulness.ts and sanity.ts.
import * as tf from '@tensorflow/tfjs';
import { t } from '../../core/i18nBrowser';
import { LruMap } from '../../core/lru';
import type { CheckReply, ExplanationResult, ExplanationSuccess, WatermarkReply } from '../../core/messages';
import type { CheckKind, Faithfulness, SanityCheck } from '../../core/metrics/results';
import { substituteFor } from '../../core/metrics/substitute';
import type { Explainer } from '../explainer';
import type { HostedModel } from '../modelHost';
import { MethodError } from '../methods/types';
import { checkFaithfulness, hashValues } from './faithfulness';
import { DEFAULT_BATCH } from './probe';
import { sanityCheck } from './sanity';
import { watermarkProbe } from './watermark';

export interface CheckOptions {
  /** Rank positive evidence only (as drawn by default), else the signed map. Default: true. */
  positiveOnly?: boolean;
  steps?: number;
  /** Seed of the random baseline map. */
  seed?: number;
  batchSize?: number;
  /** Skip the caches (benchmarks). */
  fresh?: boolean;
}

/** What the overlay asks about: the map it shows, named so a stale request is recognised. */
export interface CheckTarget {
  explanationId: string;
  classIndex: number;
  method: ExplanationSuccess['method'];
}

interface Shown {
  result: ExplanationSuccess;
  /** The explanation whose kept input the checks use (a re-explanation after eviction gets a new id). */
  keptId: string;
}

export class MapChecker {
  private readonly shown = new LruMap<string, Shown>(64);
  private readonly running = new Map<string, AbortController>();
  /** Scores already computed, per input and class (the baselines are shared by every method's map). */
  private readonly known = new LruMap<string, Map<string, number>>(16);
  private readonly sanity = new LruMap<string, SanityCheck>(32);

  constructor(
    private readonly explainer: Explainer,
    /** Explains the overlay's own image again (same model, method, class) when its input is no longer kept. */
    private readonly reexplain: (owner: string, result: ExplanationSuccess) => Promise<ExplanationResult>,
  ) {}

  /** An overlay now shows this result (called for every result shown). */
  remember(owner: string, result: ExplanationResult): void {
    // A copy: the figures are added to it, not to the result the explainer caches.
    if (result.ok) this.shown.set(owner, { result: { ...result }, keptId: result.explanationId });
  }

  /** The result the overlay shows, with the figures checked so far. */
  result(owner: string): ExplanationSuccess | null {
    return this.shown.get(owner)?.result ?? null;
  }

  cancel(owner: string): void {
    this.running.get(owner)?.abort();
  }

  async run(owner: string, kind: CheckKind, target: CheckTarget | null, options: CheckOptions, progress: (done: number, total: number) => void): Promise<CheckReply> {
    const shown = this.shown.get(owner);
    if (!shown) return { ok: false, error: t('errCheckNothingShown') };
    const { result } = shown;
    if (target && (target.explanationId !== result.explanationId || target.classIndex !== result.target.index || target.method !== result.method)) {
      return { ok: false, error: t('errCheckStale') };
    }
    this.running.get(owner)?.abort();
    const controller = new AbortController();
    this.running.set(owner, controller);
    const started = performance.now();
    try {
      const figures = kind === 'faithfulness' ? await this.faithfulness(owner, shown, options, controller.signal, progress) : await this.sanityOf(owner, shown, options, controller.signal, progress);
      // The record keeps the figures, for exports of what the overlay shows.
      Object.assign(result, kind === 'faithfulness' ? { faithfulness: figures.value } : { sanity: figures.value });
      return {
        ok: true,
        explanationId: result.explanationId,
        classIndex: result.target.index,
        method: result.method,
        ...(kind === 'faithfulness' ? { faithfulness: figures.value as Faithfulness } : { sanity: figures.value as SanityCheck }),
        cached: figures.cached,
        ms: performance.now() - started,
      };
    } catch (e) {
      return { ok: false, error: e instanceof Error && e.message ? e.message : t('errUnknown') };
    } finally {
      if (this.running.get(owner) === controller) this.running.delete(owner);
    }
  }

  /** "Try a watermark" on the shown picture's model input: the top class before and with the watermark. */
  async watermark(owner: string, target: CheckTarget | null): Promise<WatermarkReply> {
    const shown = this.shown.get(owner);
    if (!shown) return { ok: false, error: t('errCheckNothingShown') };
    const { result } = shown;
    if (target && (target.explanationId !== result.explanationId || target.classIndex !== result.target.index || target.method !== result.method)) {
      return { ok: false, error: t('errCheckStale') };
    }
    try {
      const probe = await this.withInput(owner, shown, (input, hosted) =>
        this.explainer.exclusive(async () => {
          usable(hosted, this.explainer)();
          const labels = hosted.model.entry.labels;
          return watermarkProbe(hosted.model, input, result.target.index, (i) => labels[i] ?? t('classFallback', String(i)));
        }),
      );
      return { ok: true, explanationId: result.explanationId, probe };
    } catch (e) {
      return { ok: false, error: e instanceof Error && e.message ? e.message : t('errUnknown') };
    }
  }

  private async faithfulness(owner: string, shown: Shown, options: CheckOptions, signal: AbortSignal, progress: (done: number, total: number) => void): Promise<{ value: Faithfulness; cached: boolean }> {
    return this.withInput(owner, shown, async (input, hosted) => {
      const { entry } = hosted.model;
      const bucket = [hosted.key, shown.keptId, shown.result.target.index, options.steps ?? ''].join('|');
      const known = options.fresh ? new Map<string, number>() : (this.known.get(bucket) ?? new Map<string, number>());
      this.known.set(bucket, known);
      const value = await checkFaithfulness({
        model: hosted.model,
        input,
        classIndex: shown.result.target.index,
        map: shown.result.map,
        positiveOnly: options.positiveOnly ?? true,
        substitute: substituteFor(entry.pixelScaling, entry.normalization),
        steps: options.steps,
        seed: options.seed,
        known,
        probe: { batchSize: options.batchSize ?? DEFAULT_BATCH, signal, progress, exclusive: (work) => this.explainer.exclusive(work), assertUsable: usable(hosted, this.explainer) },
      });
      return { value, cached: value.timingsMs?.forwards === 0 };
    });
  }

  private async sanityOf(owner: string, shown: Shown, options: CheckOptions, signal: AbortSignal, progress: (done: number, total: number) => void): Promise<{ value: SanityCheck; cached: boolean }> {
    return this.withInput(owner, shown, async (input, hosted) => {
      const { result } = shown;
      const key = [hosted.key, shown.keptId, result.method, result.target.index, hashValues(result.map.values)].join('|');
      const hit = options.fresh ? undefined : this.sanity.get(key);
      if (hit) return { value: hit, cached: true };
      const value = await sanityCheck({
        model: hosted.model,
        input,
        method: result.method,
        classIndex: result.target.index,
        map: result.map,
        signal,
        progress,
        exclusive: (work) => this.explainer.exclusive(work),
        assertUsable: usable(hosted, this.explainer),
      });
      this.sanity.set(key, value);
      return { value, cached: false };
    });
  }

  /** Runs `work` on the shown map's model input; explains the image again if the input was evicted. */
  private async withInput<T>(owner: string, shown: Shown, work: (input: tf.Tensor4D, hosted: HostedModel) => Promise<T>): Promise<T> {
    let kept = await this.explainer.keptInput(shown.keptId);
    if (!kept) {
      const again = await this.reexplain(owner, shown.result);
      if (!again.ok) throw new MethodError(again.error);
      // Same image, model, method and class: the same map, unless the picture changed meanwhile.
      if (hashValues(again.map.values) !== hashValues(shown.result.map.values)) throw new MethodError(t('errCheckImageChanged'));
      shown.keptId = again.explanationId;
      kept = await this.explainer.keptInput(shown.keptId);
      if (!kept) throw new MethodError(t('errCheckModelChanged'));
    }
    try {
      return await work(kept.input, kept.hosted);
    } finally {
      kept.input.dispose();
    }
  }
}

/** Between batches: the model must still be the one the input was computed with (not switched or unloaded). */
function usable(hosted: HostedModel, explainer: Explainer): () => void {
  return () => {
    if (!explainer.isCurrent(hosted)) throw new MethodError(t('errCheckModelChanged'));
  };
}
