// Owns the one loaded model: loads it lazily on first use, warms it up, and keeps it while the
// service worker lives. A killed worker simply loads again on the next request.
import * as tf from '@tensorflow/tfjs';
import type { GraphNode } from '../core/camHead';
import type { ModelEntry } from '../core/catalog';
import { BACKEND_PREFERENCE, startBackend, type BackendInfo, type BackendName } from './backend';
import { prepareCamModel, type CamModel } from './camModel';

export interface HostedModel {
  model: CamModel;
  backend: BackendInfo;
  loadMs: number;
  warmupMs: number;
}

export class ModelHost {
  private loading: Promise<HostedModel> | null = null;
  private loaded: HostedModel | null = null;
  private preference: BackendName[] = BACKEND_PREFERENCE;

  constructor(
    readonly entry: ModelEntry,
    private readonly modelUrl: string,
  ) {}

  get current(): HostedModel | null {
    return this.loaded;
  }

  /** The ready model; concurrent callers share one load. A failed load is retried by the next call. */
  get(): Promise<HostedModel> {
    if (!this.loading) {
      this.loading = this.load().then(
        (hosted) => (this.loaded = hosted),
        (e) => {
          this.loading = null;
          throw e;
        },
      );
    }
    return this.loading;
  }

  /** Changes the backend order (e.g. for benchmarks); the model reloads on next use. */
  async setPreference(preference: BackendName[]): Promise<void> {
    const pending = this.loading;
    this.loading = null;
    this.loaded = null;
    const hosted = await pending?.catch(() => null);
    if (hosted) {
      hosted.model.graph.dispose();
      hosted.model.classWeights.dispose();
    }
    this.preference = preference;
  }

  private async load(): Promise<HostedModel> {
    const backend = await startBackend(this.preference);
    const started = performance.now();
    const artifacts = await tf.io.http(this.modelUrl).load!();
    const graph = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
    const nodes = (artifacts.modelTopology as { node: GraphNode[] }).node;
    const model = prepareCamModel(this.entry, graph, nodes);
    const loadMs = performance.now() - started;
    const warmStart = performance.now();
    // First execution compiles shaders / kernels; do it now so the user's first map is not the slow one.
    const { width, height } = this.entry.inputSize;
    const warm = tf.zeros([1, height, width, 3]);
    const outputs = graph.execute(warm, [model.head.featureNode, model.head.logitsNode]) as tf.Tensor[];
    await Promise.all(outputs.map((t) => t.data()));
    tf.dispose([warm, ...outputs]);
    return { model, backend, loadMs, warmupMs: performance.now() - warmStart };
  }
}
