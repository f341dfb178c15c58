// Installing the user's own models: where the files are, downloading with progress and limits, and
// one test per validation error (with the message users read). The fixture models are made by
// scripts/make-fixture-models.mjs; the network is a fake fetch over those files.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  assembleFiles, checkImageInput, checkLabelCount, formatBytes, MAX_MODEL_BYTES, ModelSourceError, parseLabels, parseModelJson, parseTeachableMetadata,
  resolveSource, weightUrls, type ModelFiles, type PickedFile,
} from '../../src/core/modelSource';
import { downloadModel, type FetchLike } from '../../src/core/modelDownload';
import { entryFor, imagenetLabelsFor, loadUserModels, type UserModel } from '../../src/core/userModels';
import { checkModel, ModelInstaller } from '../../src/background/modelInstaller';
import { parseMessage } from '../../src/core/messages';
import { artifactsFrom, explainableFrom } from '../../src/background/modelLoad';
import { makeFixtureModels, TEACHABLE_ID, TEACHABLE_LABELS, LAYERS_LABELS, TFHUB_PATH } from '../../scripts/make-fixture-models.mjs';
import { englishTranslate as t } from './helpers/englishTranslate';

const ORIGIN = 'https://models.test';
/** TF Hub's ImageNet MobileNet V2 handle (the catalog's alternate ImageNet source). */
const TFHUB_IMAGENET_MOBILENET = 'https://tfhub.dev/google/tfjs-model/imagenet/mobilenet_v2_100_224/classification/3/default/1';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-models-'));
  await makeFixtureModels(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Serves the fixture directory at ORIGIN; `overrides` replace paths (a Response, or 'unreachable'). */
function fakeFetch(overrides: Record<string, Response | 'unreachable'> = {}, log: string[] = []): FetchLike {
  return async (url) => {
    log.push(url);
    const u = new URL(url);
    const key = u.pathname + u.search;
    const override = overrides[key] ?? overrides[u.pathname];
    if (override === 'unreachable') throw new TypeError('Failed to fetch');
    if (override) return override.clone();
    if (u.origin !== ORIGIN) throw new TypeError('Failed to fetch');
    // TF Hub serves the files only with ?tfjs-format=file.
    if (u.pathname.startsWith('/tfhub/') && u.search !== '?tfjs-format=file') return new Response('not found', { status: 404, statusText: 'Not Found' });
    try {
      return new Response(readFileSync(path.join(dir, decodeURIComponent(u.pathname))), { status: 200 });
    } catch {
      return new Response('<!doctype html><h1>Not Found</h1>', { status: 404, statusText: 'Not Found', headers: { 'content-type': 'text/html' } });
    }
  };
}

const tm = `${ORIGIN}/teachable/${TEACHABLE_ID}/`;
const layersUrl = `${ORIGIN}/layers/model.json`;
const hubUrl = `${ORIGIN}/${TFHUB_PATH}`;
const read = (rel: string) => readFileSync(path.join(dir, rel));
const picked = (...rels: string[]): PickedFile[] => rels.map((rel) => {
  const bytes = read(rel);
  return { name: path.basename(rel), bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
});

/** Expects a ModelSourceError with exactly this message. */
async function rejects(work: () => unknown, message: string): Promise<void> {
  let error: unknown;
  try {
    await work();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ModelSourceError);
  expect((error as Error).message).toBe(message);
}

describe('where the files are', () => {
  test('a Teachable Machine share link: model.json, weights.bin and metadata.json under it', () => {
    const s = resolveSource('https://teachablemachine.withgoogle.com/models/AbC123xY', 'auto', t);
    expect(s).toEqual({
      kind: 'teachable',
      url: 'https://teachablemachine.withgoogle.com/models/AbC123xY/',
      modelUrl: 'https://teachablemachine.withgoogle.com/models/AbC123xY/model.json',
      metadataUrl: 'https://teachablemachine.withgoogle.com/models/AbC123xY/metadata.json',
    });
    expect(resolveSource('https://teachablemachine.withgoogle.com/models/AbC123xY/model.json', 'teachable', t).url).toBe('https://teachablemachine.withgoogle.com/models/AbC123xY/');
  });

  test('TF Hub: model.json?tfjs-format=file, and the weights get the same query (fromTFHub semantics)', () => {
    const s = resolveSource(`${TFHUB_IMAGENET_MOBILENET}/`, 'auto', t);
    expect(s.kind).toBe('tfhub');
    expect(s.modelUrl).toBe(`${TFHUB_IMAGENET_MOBILENET}/model.json?tfjs-format=file`);
    expect(weightUrls(s.modelUrl, [{ paths: ['group1-shard1of2', 'group1-shard2of2'], weights: [] }])).toEqual([
      `${TFHUB_IMAGENET_MOBILENET}/group1-shard1of2?tfjs-format=file`,
      `${TFHUB_IMAGENET_MOBILENET}/group1-shard2of2?tfjs-format=file`,
    ]);
  });

  test('a model.json address: weights relative to it', () => {
    const s = resolveSource('https://example.org/m/v2/model.json', 'auto', t);
    expect(s).toEqual({ kind: 'url', url: 'https://example.org/m/v2/model.json', modelUrl: 'https://example.org/m/v2/model.json' });
    expect(weightUrls(s.modelUrl, [{ paths: ['a.bin', 'b.bin'], weights: [] }])).toEqual(['https://example.org/m/v2/a.bin', 'https://example.org/m/v2/b.bin']);
  });

  test('error: not a web address', async () => {
    await rejects(() => resolveSource('models/my model', 'auto', t), 'not a web address: models/my model');
    await rejects(() => resolveSource('file:///home/me/model.json', 'auto', t), 'not a web address: file:///home/me/model.json');
  });

  test('labels files: lines, or JSON', () => {
    expect(parseLabels('cat\r\ndog\n\n')).toEqual(['cat', 'dog']);
    expect(parseLabels('["a","b"]')).toEqual(['a', 'b']);
    expect(parseLabels('{"labels":["x"]}')).toEqual(['x']);
    expect(formatBytes(14_000_000)).toBe('14 MB');
    expect(formatBytes(2_345_678)).toBe('2.3 MB');
  });
});

describe('downloading', () => {
  test('a Teachable Machine model: all files, progress up to the manifest total', async () => {
    const progress: [number, number][] = [];
    const log: string[] = [];
    const files = await downloadModel(resolveSource(tm, 'auto', t), { fetch: fakeFetch({}, log), t, onProgress: (r, total) => progress.push([r, total]) });
    expect(log).toEqual([`${tm}model.json`, `${tm}metadata.json`, `${tm}weights.bin`]);
    expect(files.format).toBe('layers');
    expect(files.metadata).toMatchObject({ labels: TEACHABLE_LABELS, imageSize: 64 });
    expect(files.weightData.byteLength).toBe(files.sizeBytes);
    expect(progress[0]).toEqual([0, files.sizeBytes]);
    expect(progress[progress.length - 1]).toEqual([files.sizeBytes, files.sizeBytes]);
    expect(progress.every(([r], i) => i === 0 || r >= progress[i - 1][0])).toBe(true);
  });

  test('error: the server cannot be reached', async () => {
    await rejects(() => downloadModel(resolveSource('https://offline.test/m/model.json', 'auto', t), { fetch: fakeFetch(), t }), 'could not download the model: offline.test could not be reached (no connection, or the server does not let the file be read from here)');
  });

  test('error: model.json answers 404', async () => {
    await rejects(
      () => downloadModel(resolveSource(`${ORIGIN}/nothing/model.json`, 'auto', t), { fetch: fakeFetch(), t }),
      `could not download the model: ${ORIGIN}/nothing/model.json answered HTTP 404 Not Found`,
    );
  });

  test('error: not a tfjs model (an HTML page, JSON without modelTopology)', async () => {
    const html = new Response('<!doctype html><title>Sign in</title>', { status: 200 });
    await rejects(
      () => downloadModel(resolveSource(layersUrl, 'auto', t), { fetch: fakeFetch({ '/layers/model.json': html }), t }),
      `${layersUrl} is not a TensorFlow.js model (a model.json has modelTopology and weightsManifest)`,
    );
    expect(() => parseModelJson('{"weightsManifest": []}', 'x.json', t)).toThrow('x.json is not a TensorFlow.js model');
    expect(() => parseModelJson('{"modelTopology": {"foo": 1}, "weightsManifest": []}', 'x.json', t)).toThrow('x.json is not a TensorFlow.js model');
  });

  test('error: a weights file is missing', async () => {
    await rejects(
      () => downloadModel(resolveSource(layersUrl, 'auto', t), { fetch: fakeFetch({ '/layers/group1-shard2of2.bin': new Response('', { status: 404, statusText: 'Not Found' }) }), t }),
      'the weights file group1-shard2of2.bin is missing (HTTP 404 Not Found)',
    );
  });

  test('error: the weights have the wrong size', async () => {
    const shard = read('layers/group1-shard2of2.bin');
    const expected = read('layers/group1-shard1of2.bin').length + shard.length;
    await rejects(
      () => downloadModel(resolveSource(layersUrl, 'auto', t), { fetch: fakeFetch({ '/layers/group1-shard2of2.bin': new Response(shard.subarray(0, 1000)) }), t }),
      `the weights files hold ${expected - shard.length + 1000} bytes, but model.json describes ${expected} bytes`,
    );
  });

  test('error: a model too large is refused before its weights are downloaded (limit 100 MB)', async () => {
    const json = JSON.parse(read('layers/model.json').toString());
    json.weightsManifest[0].weights.push({ name: 'huge', shape: [30_000_000], dtype: 'float32' });
    const log: string[] = [];
    await rejects(
      () => downloadModel(resolveSource(layersUrl, 'auto', t), { fetch: fakeFetch({ '/layers/model.json': new Response(JSON.stringify(json)) }, log), t }),
      `the model is too large (${formatBytes(120_000_000 + 4556)}; the limit is 100 MB)`,
    );
    expect(MAX_MODEL_BYTES).toBe(100_000_000);
    expect(log).toEqual([layersUrl]);
  });

  test('error: a server sending more than the limit is cut off while reading', async () => {
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    await rejects(
      () => downloadModel(resolveSource(layersUrl, 'auto', t), { fetch: fakeFetch({ '/layers/group1-shard1of2.bin': new Response(endless) }), t, limitBytes: 1_000_000 }),
      `the model is too large (${formatBytes(1_048_576)}; the limit is 1.0 MB)`,
    );
  });

  test('error: Teachable Machine metadata.json missing', async () => {
    await rejects(
      () => downloadModel(resolveSource(tm, 'auto', t), { fetch: fakeFetch({ [`/teachable/${TEACHABLE_ID}/metadata.json`]: new Response('', { status: 404, statusText: 'Not Found' }) }), t }),
      'metadata.json of the Teachable Machine model is missing (HTTP 404 Not Found)',
    );
  });

  test('error: Teachable Machine metadata.json invalid', async () => {
    const message = 'metadata.json is not valid Teachable Machine metadata (it needs a list of labels)';
    await rejects(() => downloadModel(resolveSource(tm, 'auto', t), { fetch: fakeFetch({ [`/teachable/${TEACHABLE_ID}/metadata.json`]: new Response('{"modelName":"x"}') }), t }), message);
    expect(() => parseTeachableMetadata('not json', t)).toThrow(message);
    expect(() => parseTeachableMetadata('{"labels":["a"],"imageSize":-3}', t)).toThrow(message);
  });

  test('error: the input is not an image (rank or channels)', async () => {
    const message = (shape: string) => `the model does not read an RGB image (its input is ${shape}; needed: [batch, height, width, 3])`;
    await rejects(() => checkImageInput([null, 10], t), message('[?, 10]'));
    await rejects(() => checkImageInput([null, 28, 28, 1], t), message('[?, 28, 28, 1]'));
    const json = JSON.parse(read('layers/model.json').toString());
    json.modelTopology.config.layers[0].config.batch_input_shape = [null, 48, 48, 4];
    await rejects(() => downloadModel(resolveSource(layersUrl, 'auto', t), { fetch: fakeFetch({ '/layers/model.json': new Response(JSON.stringify(json)) }), t }), message('[?, 48, 48, 4]'));
  });
});

describe('picked files', () => {
  test('model.json, its weight files and labels.txt, in any order', () => {
    const files = assembleFiles(picked('layers/labels.txt', 'layers/group1-shard2of2.bin', 'layers/model.json', 'layers/group1-shard1of2.bin'), t);
    expect(files.labels).toEqual(LAYERS_LABELS);
    expect(files.weightData.byteLength).toBe(files.sizeBytes);
    // Shards are concatenated in manifest order, not pick order.
    expect(new Uint8Array(files.weightData.slice(0, 16))).toEqual(new Uint8Array(read('layers/group1-shard1of2.bin').subarray(0, 16)));
  });

  test("Teachable Machine's three exported files", () => {
    const files = assembleFiles(picked(`teachable/${TEACHABLE_ID}/metadata.json`, `teachable/${TEACHABLE_ID}/model.json`, `teachable/${TEACHABLE_ID}/weights.bin`), t);
    expect(files.metadata?.labels).toEqual(TEACHABLE_LABELS);
  });

  test('error: a weights file was not picked', async () => {
    await rejects(() => assembleFiles(picked('layers/model.json', 'layers/group1-shard1of2.bin'), t), 'the weights file group1-shard2of2.bin named in model.json was not picked');
  });

  test('error: no model.json among the files', async () => {
    await rejects(() => assembleFiles(picked('layers/labels.txt'), t), 'no model.json among the files picked');
  });
});

describe('checking with tfjs (what the files alone cannot show)', () => {
  const fetchTm = () => downloadModel(resolveSource(tm, 'auto', t), { fetch: fakeFetch(), t });

  test('Teachable Machine: nested model flattened, labels and input size from metadata.json, pixels in [-1, 1]', async () => {
    const record = await checkModel(await fetchTm(), { kind: 'teachable', url: tm }, {}, { t, now: () => 1_700_000_000_000 });
    expect(record).toMatchObject({
      displayName: 'tm-my-image-model',
      format: 'layers',
      inputSize: { width: 64, height: 64 },
      pixelScaling: 'symmetric',
      labels: TEACHABLE_LABELS,
      outputs: 3,
      source: { kind: 'teachable', url: tm },
    });
    expect(record.id).toMatch(/^user-tm-my-image-model-/);
  });

  test('the TF Hub layout: a graph with 1001 logits gets ImageNet labels (background first) and a softmax', async () => {
    const files = await downloadModel(resolveSource(hubUrl, 'tfhub', t), { fetch: fakeFetch(), t });
    const record = await checkModel(files, { kind: 'tfhub', url: hubUrl }, {}, { t });
    expect(record.format).toBe('graph');
    expect(record.outputs).toBe(1001);
    expect(record.labels?.slice(0, 3)).toEqual(['background', 'tench, Tinca tinca', 'goldfish, Carassius auratus']);
    expect(record.inputSize).toEqual({ width: 224, height: 224 });
    expect(record.pixelScaling).toBe('unit');
    const model = await explainableFrom(entryFor(record, t), artifactsFrom(files.modelJson, files.weightData, files.format));
    expect(model.outputActivation).toBe('softmax');
    expect(model.camWeights?.shape).toEqual([32, 1001]);
    const { features, logits } = tf.tidy(() => model.forward(tf.zeros([1, 224, 224, 3])));
    expect(features.shape).toEqual([1, 7, 7, 32]);
    expect(logits.shape).toEqual([1, 1001]);
    tf.dispose([features, logits]);
    model.dispose();
    expect(imagenetLabelsFor(1000)?.length).toBe(1000);
    expect(imagenetLabelsFor(5)).toBeNull();
  });

  test('picked files with a labels file; the form sets name, size and scaling; unnamed outputs are "class N"', async () => {
    const files = assembleFiles(picked('layers/model.json', 'layers/group1-shard1of2.bin', 'layers/group1-shard2of2.bin'), t);
    const record = await checkModel(files, { kind: 'files', names: ['model.json'] }, { displayName: 'Colours', pixelScaling: 'byte', inputSize: { width: 99, height: 99 } }, { t });
    expect(record).toMatchObject({ displayName: 'Colours', pixelScaling: 'byte', inputSize: { width: 48, height: 48 }, labels: null, outputs: 3 });
    expect(entryFor(record, t).labels).toEqual(['class 0', 'class 1', 'class 2']);
  });

  test('error: labels count differs from the outputs', async () => {
    await rejects(async () => checkModel(await fetchTm(), { kind: 'teachable', url: tm }, { labels: ['a', 'b'] }, { t }), 'the labels name 2 classes, but the model has 3 outputs');
    await rejects(() => checkLabelCount(['a'], 2, t), 'the labels name 1 classes, but the model has 2 outputs');
  });

  test('error: no 4-D convolutional activation to explain (a dense-only model on an image)', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(tf.layers.flatten().apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const files = await filesOf(tf.model({ inputs: input, outputs: out }));
    let error: unknown;
    try {
      await checkModel(files, { kind: 'files', names: ['model.json'] }, {}, { t });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelSourceError);
    expect((error as Error).message).toMatch(/^nothing to explain in this model: no 4-D convolutional activation before its head/);
  });

  test('error: tfjs cannot load the model', async () => {
    const files = await fetchTm();
    const broken: ModelFiles = { ...files, modelJson: { ...files.modelJson, modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'NoSuchLayer', config: { name: 'x', batch_input_shape: [null, 8, 8, 3] } }] } } } };
    let error: unknown;
    try {
      await checkModel(broken, { kind: 'files', names: [] }, {}, { t });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(/^TensorFlow.js could not load the model: /);
  });
});

/** A tfjs model as picked files. */
async function filesOf(model: tf.LayersModel): Promise<ModelFiles> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const json = { modelTopology: artifacts!.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['w.bin'], weights: artifacts!.weightSpecs }] };
  const weights = artifacts!.weightData as ArrayBuffer;
  return assembleFiles([{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)).buffer as ArrayBuffer }, { name: 'w.bin', bytes: weights }], t);
}

describe('the installer: all or nothing', () => {
  function memoryArea() {
    const data: Record<string, unknown> = {};
    return { data, get: async (k: string) => ({ [k]: data[k] }), set: async (items: Record<string, unknown>) => void Object.assign(data, items) };
  }
  function memoryStore() {
    const put = new Map<string, unknown>();
    return { put, store: { put: async (a: { id: string }) => void put.set(a.id, a), delete: async (id: string) => void put.delete(id), takeStaged: async () => undefined } };
  }

  test('a good model is stored with its description; progress ends "done"', async () => {
    const records = memoryArea();
    const { put, store } = memoryStore();
    const installer = new ModelInstaller({ fetch: fakeFetch(), t, records, store, ready: async () => undefined });
    const outcome = await installer.install({ kind: 'auto', url: tm }, {});
    expect(outcome.ok).toBe(true);
    const [record] = await loadUserModels(records);
    expect(record.labels).toEqual(TEACHABLE_LABELS);
    // Teachable Machine shows its models the central square of a picture; the entry says so.
    expect(record.inputCrop).toBe('center');
    expect(entryFor(record, t).inputCrop).toBe('center');
    expect(put.has(record.id)).toBe(true);
    expect(installer.progress).toMatchObject({ phase: 'done', modelId: record.id });
  });

  test('framing: Teachable Machine defaults to the central square; the form can say otherwise, for any model', async () => {
    const install = async (form: Record<string, unknown>) => {
      const records = memoryArea();
      const installer = new ModelInstaller({ fetch: fakeFetch(), t, records, store: memoryStore().store, ready: async () => undefined });
      expect((await installer.install({ kind: 'auto', url: tm }, form)).ok).toBe(true);
      return (await loadUserModels(records))[0].inputCrop;
    };
    expect(await install({})).toBe('center');
    expect(await install({ framing: 'whole' })).toBeUndefined();
    expect(await install({ framing: 'center' })).toBe('center');
    expect(parseMessage({ type: 'install-model', source: { kind: 'auto', url: tm }, form: { framing: 'left' } })).toBeNull();
  });

  test('a failing one leaves nothing behind, and says why', async () => {
    const records = memoryArea();
    const { put, store } = memoryStore();
    const installer = new ModelInstaller({ fetch: fakeFetch(), t, records, store, ready: async () => undefined });
    const outcome = await installer.install({ kind: 'auto', url: tm }, { labels: ['only one'] });
    expect(outcome).toEqual({ ok: false, error: 'the labels name 1 classes, but the model has 3 outputs' });
    expect(await loadUserModels(records)).toEqual([]);
    expect(put.size).toBe(0);
    expect(installer.progress).toMatchObject({ phase: 'failed' });
  });

  test('a storage failure removes the stored files again', async () => {
    const records = { get: async () => ({}), set: async () => Promise.reject(new Error('QUOTA_BYTES quota exceeded')) };
    const { put, store } = memoryStore();
    const installer = new ModelInstaller({ fetch: fakeFetch(), t, records, store, ready: async () => undefined });
    const outcome = await installer.install({ kind: 'auto', url: tm }, {});
    expect(outcome).toEqual({ ok: false, error: 'could not store the model in this browser: QUOTA_BYTES quota exceeded' });
    expect(put.size).toBe(0);
  });

  test('Cancel stops a download; nothing is stored', async () => {
    const records = memoryArea();
    const { put, store } = memoryStore();
    const stalled: FetchLike = async (url, init) => {
      if (!url.endsWith('weights.bin')) return fakeFetch()(url, init);
      // Headers, then a body that never ends: only the abort signal finishes it.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(100));
          init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(body);
    };
    const installer = new ModelInstaller({ fetch: stalled, t, records, store, ready: async () => undefined });
    const running = installer.install({ kind: 'auto', url: tm }, {});
    await expect.poll(() => installer.progress?.received).toBe(100);
    installer.cancel();
    expect(await running).toEqual({ ok: false, error: 'installation cancelled' });
    expect(put.size).toBe(0);
    expect(await loadUserModels(records)).toEqual([]);
  });

  test('one install at a time', async () => {
    const installer = new ModelInstaller({ fetch: fakeFetch(), t, records: memoryArea(), store: memoryStore().store, ready: async () => undefined });
    const first = installer.install({ kind: 'auto', url: tm }, {});
    expect(await installer.install({ kind: 'auto', url: layersUrl }, {})).toEqual({ ok: false, error: 'another model is being installed; wait until it is done' });
    expect((await first).ok).toBe(true);
  });

  test('the popup\'s messages parse; malformed ones are ignored', () => {
    expect(parseMessage({ type: 'install-model', source: { kind: 'auto', url: tm }, form: { labels: ['a'], inputSize: { width: 96, height: 96 }, pixelScaling: 'symmetric' } })).not.toBeNull();
    expect(parseMessage({ type: 'install-model', source: { kind: 'files', stagingId: 's1', names: ['model.json'] }, form: {} })).not.toBeNull();
    expect(parseMessage({ type: 'describe-download', id: 'imagenet-mobilenet-v1-0.25' })).not.toBeNull();
    expect(parseMessage({ type: 'delete-model', id: 'user-x-1' })).not.toBeNull();
    expect(parseMessage({ type: 'install-model', source: { kind: 'ftp', url: tm }, form: {} })).toBeNull();
    expect(parseMessage({ type: 'install-model', source: { kind: 'auto', url: '' }, form: {} })).toBeNull();
    expect(parseMessage({ type: 'install-model', source: { kind: 'auto', url: tm }, form: { inputSize: { width: 0, height: 5 } } })).toBeNull();
  });

  test('records that do not parse are skipped', async () => {
    const area = memoryArea();
    const good: UserModel = {
      id: 'user-x-1', displayName: 'x', source: { kind: 'url', url: 'https://a/model.json' }, format: 'layers', inputSize: { width: 8, height: 8 },
      pixelScaling: 'unit', labels: null, outputs: 2, softmaxScores: true, sizeBytes: 10, installedAt: 1,
    };
    await area.set({ userModels: [good, { id: 'bad' }] });
    expect(await loadUserModels(area)).toEqual([good]);
    // A plain tfjs model sees the whole picture; an unknown framing is not accepted.
    expect(entryFor(good, t).inputCrop).toBeUndefined();
    await area.set({ userModels: [{ ...good, inputCrop: 'left' }] });
    expect(await loadUserModels(area)).toEqual([]);
  });
});
