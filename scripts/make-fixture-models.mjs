// Small models for the "your own models" tests, made with tfjs in Node, in the layouts users bring:
//   teachable/<id>/        Teachable Machine's export: model.json (a Sequential of a Sequential holding a
//                          functional conv trunk + GlobalAveragePooling2D, and a Sequential of two Dense
//                          layers), weights.bin, metadata.json (labels, imageSize 64)
//   layers/                a plain tfjs layers model (conv → GAP → Dense softmax, 3 classes), weights in two
//                          shards, and labels.txt
//   bucket/tfjs-models/tfjs/mobilenet_v1_<width>_224/
//                          Google's tfjs-models bucket: Keras MobileNet V1 (widths 1.0, 0.75, 0.50, 0.25) as
//                          tfjs 0.x wrote it — model.json with {keras_version 2.1.4, model_config} and no
//                          "format", one weights group per layer in name order (group1-shard1of1 …), and
//                          Keras's head exactly: global_average_pooling2d_1 → reshape_1 → dropout →
//                          conv_preds (1×1 Conv2D, 1000 filters) → act_softmax → reshape_2; the trunk is
//                          smaller (conv1 + 5 depthwise-separable blocks, 224 → 7)
//   human/liveness.json    like @vladmandic/human's liveness: 32×32 input, conv → ReLU → batch norm blocks
//                          with two local 2×2 max-pools, flatten → dense → dense → softmax (2 classes)
// and, from fixture-graphs.mjs, converted graphs: TF Hub's layout, human's antispoof, a regressor.
// Weights come from a fixed LCG, so every run writes the same bytes.
// Usage: node scripts/make-fixture-models.mjs [outDir]   (default test-artifacts/fixture-models)
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { antispoof, regressor, tfhub, TFHUB_PATH } from './fixture-graphs.mjs';
import { lcg } from './fixture-lcg.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEACHABLE_ID = 'fixtureTM01';
export const TEACHABLE_LABELS = ['Cat', 'Coffee', 'Rocket'];
export const LAYERS_LABELS = ['red', 'green', 'blue'];
export { TFHUB_PATH };
export const BUCKET_WIDTHS = ['1.0', '0.75', '0.50', '0.25'];
export const bucketPath = (width) => `bucket/tfjs-models/tfjs/mobilenet_v1_${width}_224`;
export const LIVENESS_LABELS = ['real', 'fake'];

/**
 * Sets every weight of the model from the LCG (fan-in scaled, times `gain`), biases small; batch
 * norms near identity (gamma ≈ 1, variance ≈ 1: a variance must be positive).
 */
function setWeights(model, seed, gain = 1) {
  const next = lcg(seed);
  for (const layer of flatLayers(model)) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const batchNorm = layer.getClassName() === 'BatchNormalization';
    layer.setWeights(
      weights.map((w, i) => {
        if (batchNorm) return tf.tensor(next(w.size, 0.1).map((v) => (i === 0 || i === 3 ? 1 + v : v)), w.shape);
        const fanIn = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
        return tf.tensor(next(w.size, w.shape.length > 1 ? gain * Math.sqrt(3 / fanIn) : 0.05), w.shape);
      }),
    );
  }
}

function flatLayers(model) {
  return model.layers.flatMap((l) => (l.layers ? flatLayers(l) : [l]));
}

async function artifactsOf(model) {
  let saved;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved;
}

function write(file, data) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
}

function modelJson(artifacts, paths) {
  return {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
  };
}

/** Teachable Machine's structure (custom-mobilenet.ts / teachable-mobilenet.ts of @teachablemachine/image), small. */
async function teachable(outDir) {
  const size = 64;
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'Conv1' }).apply(input);
  x = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'block_1_project' }).apply(x);
  x = tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'out_relu' }).apply(x);
  const truncated = tf.model({ inputs: input, outputs: x, name: 'model1' });
  const trunk = tf.sequential({ name: 'sequential_1' });
  trunk.add(truncated);
  trunk.add(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_GlobalAveragePooling2D1' }));
  const head = tf.sequential({
    name: 'sequential_3',
    layers: [
      tf.layers.dense({ inputShape: [16], units: 12, activation: 'relu', name: 'dense_Dense1' }),
      tf.layers.dense({ units: TEACHABLE_LABELS.length, activation: 'softmax', name: 'dense_Dense2', useBias: false }),
    ],
  });
  const model = tf.sequential({ name: 'sequential_4' });
  model.add(trunk);
  model.add(head);
  setWeights(model, 7);
  const artifacts = await artifactsOf(model);
  const dir = path.join(outDir, 'teachable', TEACHABLE_ID);
  write(path.join(dir, 'model.json'), JSON.stringify(modelJson(artifacts, ['weights.bin'])));
  write(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData));
  write(
    path.join(dir, 'metadata.json'),
    JSON.stringify({
      tfjsVersion: '1.3.1',
      tmVersion: '2.4.10',
      packageVersion: '0.8.4',
      packageName: '@teachablemachine/image',
      timeStamp: '2024-01-01T00:00:00.000Z',
      userMetadata: {},
      modelName: 'tm-my-image-model',
      labels: TEACHABLE_LABELS,
      imageSize: size,
    }),
  );
  model.dispose();
  return { dir, outputs: TEACHABLE_LABELS.length, map: size / 8 };
}

/** A plain functional model whose head is GAP → one Dense (exact CAM applies); weights in two shards. */
async function layers(outDir) {
  const input = tf.input({ shape: [48, 48, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv_a' }).apply(input);
  x = tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv_b' }).apply(x);
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x);
  x = tf.layers.dense({ units: LAYERS_LABELS.length, activation: 'softmax', name: 'scores' }).apply(x);
  const model = tf.model({ inputs: input, outputs: x, name: 'colours' });
  setWeights(model, 11);
  const artifacts = await artifactsOf(model);
  const bytes = Buffer.from(artifacts.weightData);
  const cut = Math.floor(bytes.length / 2);
  const dir = path.join(outDir, 'layers');
  write(path.join(dir, 'model.json'), JSON.stringify(modelJson(artifacts, ['group1-shard1of2.bin', 'group1-shard2of2.bin'])));
  write(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, cut));
  write(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(cut));
  write(path.join(dir, 'labels.txt'), `${LAYERS_LABELS.join('\n')}\n`);
  model.dispose();
  return { dir, outputs: LAYERS_LABELS.length, map: 12 };
}

/**
 * Keras MobileNet V1 as in the tfjs-models bucket (layer names and types of keras.applications'
 * MobileNet, alpha = width), with a smaller trunk. Exported for unit tests.
 */
export function buildMobilenetV1(width) {
  const alpha = Number(width);
  const channels = [8, 16, 32, 32, 64, 64].map((c) => Math.max(2, Math.round(c * alpha)));
  const input = tf.input({ batchShape: [null, 224, 224, 3], name: 'input_1' });
  let x = tf.layers.conv2d({ filters: channels[0], kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' }).apply(input);
  x = tf.layers.batchNormalization({ epsilon: 0.001, name: 'conv1_bn' }).apply(x);
  x = tf.layers.activation({ activation: 'relu6', name: 'conv1_relu' }).apply(x);
  [1, 2, 2, 2, 2].forEach((stride, i) => {
    const b = i + 1;
    x = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, name: `conv_dw_${b}` }).apply(x);
    x = tf.layers.batchNormalization({ epsilon: 0.001, name: `conv_dw_${b}_bn` }).apply(x);
    x = tf.layers.activation({ activation: 'relu6', name: `conv_dw_${b}_relu` }).apply(x);
    x = tf.layers.conv2d({ filters: channels[b], kernelSize: 1, padding: 'same', useBias: false, name: `conv_pw_${b}` }).apply(x);
    x = tf.layers.batchNormalization({ epsilon: 0.001, name: `conv_pw_${b}_bn` }).apply(x);
    x = tf.layers.activation({ activation: 'relu6', name: `conv_pw_${b}_relu` }).apply(x);
  });
  const k = channels[channels.length - 1];
  x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }).apply(x);
  x = tf.layers.reshape({ targetShape: [1, 1, k], name: 'reshape_1' }).apply(x);
  x = tf.layers.dropout({ rate: 0.001, name: 'dropout' }).apply(x);
  x = tf.layers.conv2d({ filters: 1000, kernelSize: 1, padding: 'same', name: 'conv_preds' }).apply(x);
  x = tf.layers.activation({ activation: 'softmax', name: 'act_softmax' }).apply(x);
  x = tf.layers.reshape({ targetShape: [1000], name: 'reshape_2' }).apply(x);
  const model = tf.model({ inputs: input, outputs: x, name: `mobilenet_${width}_224` });
  setWeights(model, 41 + Math.round(alpha * 100));
  return model;
}

/** The bucket's model.json and weight files for a model: one group per layer with weights, in layer-name order. */
async function bucketFiles(model) {
  const artifacts = await artifactsOf(model);
  const data = Buffer.from(artifacts.weightData);
  const byLayer = new Map();
  let at = 0;
  for (const spec of artifacts.weightSpecs) {
    const bytes = spec.shape.reduce((a, b) => a * b, 1) * 4;
    const layer = spec.name.split('/')[0];
    const group = byLayer.get(layer) ?? { weights: [], parts: [] };
    group.weights.push({ dtype: spec.dtype, shape: spec.shape, name: spec.name });
    group.parts.push(data.subarray(at, at + bytes));
    byLayer.set(layer, group);
    at += bytes;
  }
  const layers = [...byLayer.keys()].sort();
  const files = layers.map((layer, i) => ({ name: `group${i + 1}-shard1of1`, bytes: Buffer.concat(byLayer.get(layer).parts) }));
  const json = {
    modelTopology: { keras_version: '2.1.4', model_config: artifacts.modelTopology, backend: 'tensorflow' },
    weightsManifest: layers.map((layer, i) => ({ paths: [files[i].name], weights: byLayer.get(layer).weights })),
  };
  return { json, files };
}

async function bucket(outDir) {
  const made = {};
  for (const width of BUCKET_WIDTHS) {
    const model = buildMobilenetV1(width);
    const { json, files } = await bucketFiles(model);
    const dir = path.join(outDir, bucketPath(width));
    write(path.join(dir, 'model.json'), JSON.stringify(json));
    for (const f of files) write(path.join(dir, f.name), f.bytes);
    made[width] = { dir, bytes: files.reduce((sum, f) => sum + f.bytes.length, 0) };
    model.dispose();
  }
  return made;
}

/**
 * Like human's liveness model: conv → ReLU → batch norm blocks and two local 2×2 max-pools (32 → 8),
 * flatten → dense → dense → softmax. Strong first-layer weights saturate many ReLUs and leave others
 * at zero, so max-pool windows hold ties, as real activations do. Exported for unit tests.
 */
export function buildLiveness() {
  const input = tf.input({ batchShape: [null, 32, 32, 3], name: 'conv2d_1_input' });
  let x = input;
  const block = (i, filters) => {
    x = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', name: `conv2d_${i}` }).apply(x);
    x = tf.layers.activation({ activation: 'relu', name: `activation_${i}` }).apply(x);
    x = tf.layers.batchNormalization({ name: `batch_normalization_${i}` }).apply(x);
  };
  block(1, 8);
  block(2, 8);
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'max_pooling2d_1' }).apply(x);
  block(3, 16);
  block(4, 16);
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'max_pooling2d_2' }).apply(x);
  x = tf.layers.flatten({ name: 'flatten_1' }).apply(x);
  x = tf.layers.dense({ units: 16, activation: 'relu', name: 'dense_1' }).apply(x);
  x = tf.layers.dense({ units: LIVENESS_LABELS.length, name: 'dense_2' }).apply(x);
  x = tf.layers.activation({ activation: 'softmax', name: 'activation_6' }).apply(x);
  const model = tf.model({ inputs: input, outputs: x, name: 'sequential_1' });
  setWeights(model, 53, 3);
  return model;
}

async function liveness(outDir) {
  const model = buildLiveness();
  const artifacts = await artifactsOf(model);
  const dir = path.join(outDir, 'human');
  write(path.join(dir, 'liveness.json'), JSON.stringify(modelJson(artifacts, ['liveness.bin'])));
  write(path.join(dir, 'liveness.bin'), Buffer.from(artifacts.weightData));
  model.dispose();
  return { dir, outputs: LIVENESS_LABELS.length, automatic: 'max_pooling2d_2', map: 8 };
}

/** Writes all fixture models under outDir. */
export async function makeFixtureModels(outDir = path.join(root, 'test-artifacts', 'fixture-models')) {
  await tf.setBackend('cpu');
  const made = {
    teachable: await teachable(outDir),
    layers: await layers(outDir),
    tfhub: tfhub(outDir),
    bucket: await bucket(outDir),
    liveness: await liveness(outDir),
    antispoof: antispoof(outDir),
    regressor: regressor(outDir),
  };
  return { outDir, ...made };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const made = await makeFixtureModels(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`fixture models written to ${path.relative(root, made.outDir) || '.'}`);
}
