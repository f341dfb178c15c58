// A trained Teach head, exported in Teachable Machine's file layout, goes through the model installer
// unchanged (the same checks as files a user picks) and comes back as an exact-CAM classifier of the
// user's classes that reads −1–1 pixels of a central square, computing the very features the head was
// trained on.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ModelInstaller } from '../../src/background/modelInstaller';
import { artifactsFrom, explainableFrom } from '../../src/background/modelLoad';
import { pixelsToInput } from '../../src/background/preprocess';
import type { ModelJson, PickedFile } from '../../src/core/modelSource';
import { backboneConstants, TeachExportError, teachableFileList, teachableFiles } from '../../src/core/teach/tmExport';
import { entryFor, loadUserModels } from '../../src/core/userModels';
import { englishTranslate as t } from './helpers/englishTranslate';
import { concatBytes, loadRealModel, type RealModel } from './helpers/realModel';
import { extractModel } from '../../models/extract.mjs';

const LABELS = ['cat', 'cup', 'rocket'];
let real: RealModel;
let backbone: { modelJson: ModelJson; weights: ArrayBuffer };

/** A head with recognisable weights: kernel[k][c] = sin(k · (c + 1)) / 50, bias c / 10. */
function head(classes = LABELS.length, features = 1792) {
  const kernel = Float32Array.from({ length: features * classes }, (_, i) => Math.sin(Math.floor(i / classes) * ((i % classes) + 1)) / 50);
  return { kernel, bias: Float32Array.from({ length: classes }, (_, c) => c / 10) };
}

const info = { name: 'My classes', labels: LABELS, packageVersion: '0.1.0', tfjsVersion: tf.version.tfjs, timeStamp: '2025-01-01T00:00:00.000Z', userMetadata: { seed: 1 } };

/** A test picture: smooth colour gradients with a little texture, as RGBA bytes. */
function picture(size = 224): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      rgba.set([(x * 255) / size, (y * 255) / size, 128 + 100 * Math.sin((x + y) / 9), 255], i);
    }
  return rgba;
}

beforeAll(async () => {
  real = await loadRealModel();
  const { modelJson, shards } = extractModel(real.entry) as { modelJson: ModelJson; shards: { bytes: Uint8Array }[] };
  backbone = { modelJson, weights: concatBytes(shards.map((s) => s.bytes)) };
});

describe("a trained head as Teachable Machine's files", () => {
  test('the backbone constants are the dense head and the input scaling x · 2 − 1', () => {
    const names = backboneConstants(real.nodes);
    expect(names.kernel).toMatch(/_262$/);
    expect(names.bias).toMatch(/_263$/);
    expect(names.scaleMul).toMatch(/hub_input\/Mul\/y$/);
    expect(names.scaleSub).toMatch(/hub_input\/Sub\/y$/);
  });

  test('round-trips through the model installer: labels, −1–1 pixels, central square, exact CAM with the trained weights', async () => {
    const trained = head();
    const files = teachableFiles(backbone, trained, info);
    expect(files.modelJson.weightsManifest).toHaveLength(1);
    expect(files.modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(files.metadata).toMatchObject({ modelName: 'My classes', labels: LABELS, imageSize: 224 });

    const picked: PickedFile[] = teachableFileList(files);
    expect(picked.map((f) => f.name)).toEqual(['model.json', 'weights.bin', 'metadata.json']);
    const data: Record<string, unknown> = {};
    const records = { get: async (k: string) => ({ [k]: data[k] }), set: async (items: Record<string, unknown>) => void Object.assign(data, items) };
    const stored = new Map<string, { modelJson: ModelJson; weightData: ArrayBuffer }>();
    const store = {
      put: async (a: { id: string; modelJson: ModelJson; weightData: ArrayBuffer }) => void stored.set(a.id, a),
      delete: async (id: string) => void stored.delete(id),
      takeStaged: async (id: string) => (id === 'teach-1' ? picked : undefined),
    };
    const installer = new ModelInstaller({ fetch: async () => Promise.reject(new Error('no network')), t, records, store, ready: async () => undefined });
    const outcome = await installer.install({ kind: 'files', stagingId: 'teach-1', names: picked.map((f) => f.name) }, { displayName: 'My classes' });
    if (!outcome.ok) throw new Error(outcome.error);
    const [record] = await loadUserModels(records);
    expect(record).toMatchObject({ displayName: 'My classes', format: 'graph', labels: LABELS, outputs: 3, pixelScaling: 'symmetric', inputCrop: 'center', inputSize: { width: 224, height: 224 } });

    const before = tf.memory().numTensors;
    const artifacts = stored.get(record.id)!;
    const model = await explainableFrom(entryFor(record, t), artifactsFrom(artifacts.modelJson, artifacts.weightData, 'graph'));
    try {
      expect(model.layer).toBe(real.explainable.layer);
      expect(model.camUnavailable).toBeNull();
      expect(model.camWeights!.shape).toEqual([1792, 3]);
      expect(Array.from(model.camWeights!.dataSync())).toEqual(Array.from(trained.kernel));

      // Its features on −1–1 pixels are the backbone's on 0–1 pixels (the features the head was trained on),
      // and its logits are the trained dense layer on their average.
      const rgba = picture();
      const [ours, theirs, logits, expected] = tf.tidy(() => {
        const out = model.forward(pixelsToInput(rgba, 224, 224, 'symmetric'));
        const reference = real.explainable.forward(pixelsToInput(rgba, 224, 224, 'unit')).features;
        const byHead = out.features.mean([1, 2]).matMul(tf.tensor2d(trained.kernel, [1792, 3])).add(tf.tensor1d(trained.bias));
        return [out.features, reference, out.logits, byHead];
      });
      const diff = tf.tidy(() => ours.sub(theirs).abs().max().dataSync()[0]);
      expect(diff).toBeLessThan(1e-4);
      const logitDiff = tf.tidy(() => logits.sub(expected).abs().max().dataSync()[0]);
      expect(logitDiff).toBeLessThan(1e-4);
      tf.dispose([ours, theirs, logits, expected]);
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a head of the wrong shape is refused', () => {
    expect(() => teachableFiles(backbone, head(2, 1792), info)).toThrow(TeachExportError);
    expect(() => teachableFiles(backbone, head(3, 1000), info)).toThrow(/reads 1792 features, not 1000/);
    expect(() => teachableFiles(backbone, head(1, 1792), { ...info, labels: ['only'] })).toThrow(/does not fit 1 classes/);
  });
});
