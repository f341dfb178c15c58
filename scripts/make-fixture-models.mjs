// Small models for the "your own models" tests, made with tfjs in Node, in the layouts users bring:
//   teachable/<id>/        Teachable Machine's export: model.json (a Sequential of a Sequential holding a
//                          functional conv trunk + GlobalAveragePooling2D, and a Sequential of two Dense
//                          layers), weights.bin, metadata.json (labels, imageSize 64)
//   layers/                a plain tfjs layers model (conv → GAP → Dense softmax, 3 classes), weights in two
//                          shards, and labels.txt
//   tfhub/imagenet/mobilenet_v2_fixture/classification/3/default/1/
//                          a converted-graph model as TF Hub serves it: model.json and group1-shard1of1,
//                          both only with ?tfjs-format=file (the server checks); input [-1, 224, 224, 3] in
//                          [0, 1], 1001 logits (no softmax), AvgPool → 1×1 conv head like TF Hub's MobileNet
// Weights come from a fixed LCG, so every run writes the same bytes.
// Usage: node scripts/make-fixture-models.mjs [outDir]   (default test-artifacts/fixture-models)
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEACHABLE_ID = 'fixtureTM01';
export const TEACHABLE_LABELS = ['Cat', 'Coffee', 'Rocket'];
export const LAYERS_LABELS = ['red', 'green', 'blue'];
export const TFHUB_PATH = 'tfhub/imagenet/mobilenet_v2_fixture/classification/3/default/1';

/** Deterministic numbers in [-scale, scale). */
function lcg(seed) {
  let x = seed >>> 0;
  return (n, scale) =>
    Array.from({ length: n }, () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return ((x / 2 ** 32) * 2 - 1) * scale;
    });
}

/** Sets every weight of the model from the LCG (fan-in scaled), biases small. */
function setWeights(model, seed) {
  const next = lcg(seed);
  for (const layer of flatLayers(model)) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    layer.setWeights(
      weights.map((w) => {
        const fanIn = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
        return tf.tensor(next(w.size, w.shape.length > 1 ? Math.sqrt(3 / fanIn) : 0.05), w.shape);
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

// ---- A converted TF graph, written by hand (the node format of tfjs-converter's model.json) ----

const b64 = (s) => Buffer.from(s).toString('base64');
const FLOAT = { type: 'DT_FLOAT' };
const ints = (...v) => ({ list: { i: v.map(String) } });
const dims = (shape) => ({ dim: shape.map((s) => ({ size: String(s) })) });
const SAME = { s: b64('SAME') };
const VALID = { s: b64('VALID') };
const NHWC = { s: b64('NHWC') };

function graph() {
  const next = lcg(23);
  const nodes = [{ name: 'module_apply_default/hub_input/Mul', op: 'Placeholder', attr: { shape: { shape: dims([-1, 224, 224, 3]) }, dtype: FLOAT } }];
  const weights = [];
  const constant = (name, shape, scale) => {
    const size = shape.reduce((a, b) => a * b, 1);
    weights.push({ name, shape, dtype: 'float32', values: next(size, scale) });
    nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(shape) } }, dtype: FLOAT } });
  };
  let previous = nodes[0].name;
  let channels = 3;
  const convs = [
    { name: 'Conv', k: 4, stride: 4, out: 8 },
    { name: 'expanded_conv', k: 3, stride: 4, out: 16 },
    { name: 'Conv_1', k: 3, stride: 2, out: 32 },
  ];
  for (const c of convs) {
    const scope = `module_apply_default/MobilenetV2/${c.name}`;
    constant(`${scope}/weights`, [c.k, c.k, channels, c.out], Math.sqrt(3 / (c.k * c.k * channels)));
    constant(`${scope}/biases`, [c.out], 0.05);
    nodes.push(
      { name: `${scope}/Conv2D`, op: 'Conv2D', input: [previous, `${scope}/weights`], attr: { T: FLOAT, strides: ints(1, c.stride, c.stride, 1), dilations: ints(1, 1, 1, 1), padding: SAME, data_format: NHWC } },
      { name: `${scope}/BiasAdd`, op: 'BiasAdd', input: [`${scope}/Conv2D`, `${scope}/biases`], attr: { T: FLOAT, data_format: NHWC } },
      { name: `${scope}/Relu6`, op: 'Relu6', input: [`${scope}/BiasAdd`], attr: { T: FLOAT } },
    );
    previous = `${scope}/Relu6`;
    channels = c.out;
  }
  const logits = 'module_apply_default/MobilenetV2/Logits';
  constant(`${logits}/Conv2d_1c_1x1/weights`, [1, 1, channels, 1001], Math.sqrt(3 / channels));
  constant(`${logits}/Conv2d_1c_1x1/biases`, [1001], 0.05);
  nodes.push(
    { name: `${logits}/AvgPool`, op: 'AvgPool', input: [previous], attr: { T: FLOAT, ksize: ints(1, 7, 7, 1), strides: ints(1, 2, 2, 1), padding: VALID, data_format: NHWC } },
    { name: `${logits}/Conv2d_1c_1x1/Conv2D`, op: 'Conv2D', input: [`${logits}/AvgPool`, `${logits}/Conv2d_1c_1x1/weights`], attr: { T: FLOAT, strides: ints(1, 1, 1, 1), dilations: ints(1, 1, 1, 1), padding: SAME, data_format: NHWC } },
    { name: `${logits}/Conv2d_1c_1x1/BiasAdd`, op: 'BiasAdd', input: [`${logits}/Conv2d_1c_1x1/Conv2D`, `${logits}/Conv2d_1c_1x1/biases`], attr: { T: FLOAT, data_format: NHWC } },
    { name: `${logits}/SpatialSqueeze`, op: 'Squeeze', input: [`${logits}/Conv2d_1c_1x1/BiasAdd`], attr: { T: FLOAT, squeeze_dims: ints(1, 2) } },
  );
  return { nodes, weights };
}

function tfhub(outDir) {
  const { nodes, weights } = graph();
  const json = {
    format: 'graph-model',
    generatedBy: '1.15.0',
    convertedBy: 'TensorFlow.js Converter v1.3.1 (CAM Lens fixture)',
    modelTopology: { node: nodes, library: {}, versions: {} },
    weightsManifest: [{ paths: ['group1-shard1of1'], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  const bytes = Buffer.concat(weights.map((w) => Buffer.from(new Float32Array(w.values).buffer)));
  const dir = path.join(outDir, TFHUB_PATH);
  write(path.join(dir, 'model.json'), JSON.stringify(json));
  write(path.join(dir, 'group1-shard1of1'), bytes);
  return { dir, outputs: 1001, map: 7 };
}

/** Writes all fixture models under outDir. */
export async function makeFixtureModels(outDir = path.join(root, 'test-artifacts', 'fixture-models')) {
  await tf.setBackend('cpu');
  const made = { teachable: await teachable(outDir), layers: await layers(outDir), tfhub: tfhub(outDir) };
  return { outDir, ...made };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const made = await makeFixtureModels(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`fixture models written to ${path.relative(root, made.outDir) || '.'}`);
}
