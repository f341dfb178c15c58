// ModelHost: a load started for a request that runs a forward pass at once (warmUp: false) skips the
// pass over zeros (that request's pass is the first run); other loads still warm up; concurrent
// callers share one load. The model is a tiny conv → GAP → dense net, "installed" as stored files.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelEntry } from '../../src/core/catalog';
import { LayersExplainable } from '../../src/background/explainable';
import { ModelHost } from '../../src/background/modelHost';
import type { StoredArtifacts } from '../../src/background/modelStore';
import { tinyEntry, tinyRgbCamModel } from './helpers/tinyModels';

const entry: ModelEntry = { ...tinyEntry(2, 'tiny-installed'), installed: { sizeBytes: 1, installedAt: 0 } };
let stored: StoredArtifacts;

beforeAll(async () => {
  await tf.setBackend('cpu');
  let saved: tf.io.ModelArtifacts | undefined;
  await tinyRgbCamModel().save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const weightData = saved!.weightData as ArrayBuffer;
  stored = {
    id: entry.id,
    modelJson: { modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs! }] } as unknown as StoredArtifacts['modelJson'],
    weightData,
  };
});

afterEach(() => vi.restoreAllMocks());

const host = () => new ModelHost(() => 'unused', async () => ['cpu'], async () => stored);

describe('ModelHost', () => {
  it('warms up with a pass over zeros by default; skips it for a caller that runs its own pass at once', async () => {
    const forward = vi.spyOn(LayersExplainable.prototype, 'forward');
    const warm = await host().get(entry);
    expect(forward).toHaveBeenCalledTimes(1);
    expect(warm.warmupMs).toBeGreaterThanOrEqual(0);
    forward.mockClear();
    const cold = await host().get(entry, undefined, { warmUp: false });
    expect(forward).not.toHaveBeenCalled();
    expect(cold.warmupMs).toBeNull();
    expect(cold.model.entry.id).toBe(entry.id);
  });

  it('concurrent callers share one load, as the first one asked for it', async () => {
    const forward = vi.spyOn(LayersExplainable.prototype, 'forward');
    const models = host();
    const [a, b] = await Promise.all([models.get(entry, undefined, { warmUp: false }), models.get(entry)]);
    expect(a).toBe(b);
    expect(forward).not.toHaveBeenCalled();
    expect(await models.get(entry)).toBe(a); // loaded: nothing more
    expect(forward).not.toHaveBeenCalled();
  });
});
