// Owns the loaded model: loads it lazily on first use, warms it up, and keeps it while the service
// worker lives. One model at a time (switching frees the previous one); a killed worker simply
// loads again on the next request. Bundled models load from the extension package, installed ones
// from IndexedDB (no network either way).
import * as tf from '@tensorflow/tfjs';
import { modelPath, type ModelEntry } from '../core/catalog';
import { t } from '../core/i18nBrowser';
import { startBackend, type BackendInfo, type BackendName } from './backend';
import { CamHeadError } from '../core/camHead';
import { ModelError, type ExplainableModel } from './explainable';
import { artifactsFrom, explainableFrom } from './modelLoad';
import type { StoredArtifacts } from './modelStore';

export interface HostedModel {
  model: ExplainableModel;
  backend: BackendInfo;
  loadMs: number;
  /** The pass over zeros after loading; null when the load skipped it (see get). */
  warmupMs: number | null;
  /** Identifies this load: model, layer override and backend; kept feature maps are tied to it. */
  key: string;
}

export class ModelHost {
  private loading: { key: string; promise: Promise<HostedModel> } | null = null;
  private loaded: HostedModel | null = null;
  /** Bumped when the backend choice changes, so the next request reloads on the new backend. */
  private generation = 0;

  /**
   * `baseUrl` resolves the extension's model paths (chrome.runtime.getURL); `backendOrder` says which
   * backends to try, best first (measured choice or the user's override); `installed` reads an
   * installed model's stored files.
   */
  constructor(
    private readonly baseUrl: (path: string) => string,
    private readonly backendOrder: () => Promise<BackendName[]>,
    private readonly installed: (id: string) => Promise<StoredArtifacts | undefined> = async () => undefined,
  ) {}

  get current(): HostedModel | null {
    return this.loaded;
  }

  /** What a load of this model would be keyed by now (changes with the backend choice). */
  keyFor(entry: ModelEntry, layerOverride?: string): string {
    return `${entry.id}|${layerOverride ?? ''}|${this.generation}`;
  }

  /**
   * The ready model; concurrent callers share one load. A failed load is retried by the next call.
   * `warmUp: false` from a caller that runs a forward pass as soon as the model is there: that pass is
   * the first run (kernel set-up, shader compilation), so a load it starts skips the pass over zeros
   * that would otherwise come first (one forward pass less before a cold start's map).
   */
  get(entry: ModelEntry, layerOverride?: string, { warmUp = true }: { warmUp?: boolean } = {}): Promise<HostedModel> {
    const key = this.keyFor(entry, layerOverride);
    if (this.loading?.key !== key) {
      const previous = this.loading?.promise;
      const promise = (async () => {
        const old = await previous?.catch(() => null);
        if (old) old.model.dispose();
        this.loaded = null;
        return this.load(entry, layerOverride, key, warmUp);
      })().then(
        (hosted) => (this.loaded = hosted),
        (e) => {
          if (this.loading?.promise === promise) this.loading = null;
          throw e;
        },
      );
      this.loading = { key, promise };
    }
    return this.loading.promise;
  }

  /** The backend choice changed: the model reloads on the new backend at its next use. */
  backendChanged(): void {
    this.generation++;
  }

  /** Frees the model if it is this one (it was deleted); the next request loads anew. */
  async forget(id: string): Promise<void> {
    const current = await this.loading?.promise.catch(() => null);
    if (current?.model.entry.id !== id) return;
    this.generation++;
    this.loading = null;
    this.loaded = null;
    current.model.dispose();
  }

  private async load(entry: ModelEntry, layerOverride: string | undefined, key: string, warmUp: boolean): Promise<HostedModel> {
    const backend = await startBackend(await this.backendOrder());
    const started = performance.now();
    const model: ExplainableModel = await explainableFrom(entry, await this.artifacts(entry), layerOverride).catch((e: unknown) => {
      // A layer chosen for this model earlier may not exist (any more) or not lead to the head: say where to change it.
      if (layerOverride && e instanceof CamHeadError) throw new ModelError(t('errLayerNotUsable', [layerOverride, e.message]));
      throw e;
    });
    const loadMs = performance.now() - started;
    if (!warmUp) return { model, backend, loadMs, warmupMs: null, key };
    const warmStart = performance.now();
    // First execution compiles shaders / kernels; do it now so the user's first map is not the slow one.
    const { width, height } = entry.inputSize;
    const outputs = tf.tidy(() => {
      const { features, logits } = model.forward(tf.zeros([1, height, width, 3]));
      return [features, logits];
    });
    await Promise.all(outputs.map((t) => t.data()));
    tf.dispose(outputs);
    return { model, backend, loadMs, warmupMs: performance.now() - warmStart, key };
  }

  private async artifacts(entry: ModelEntry): Promise<tf.io.ModelArtifacts> {
    if (!entry.installed) return tf.io.http(this.baseUrl(modelPath(entry.id))).load!();
    const stored = await this.installed(entry.id);
    if (!stored) throw new Error(t('modelErrFilesGone', entry.displayName));
    return artifactsFrom(stored.modelJson, stored.weightData, entry.format);
  }
}
