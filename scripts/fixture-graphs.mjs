// Converted-TF-graph fixtures, written by hand in tfjs-converter's model.json node format (no TF
// needed), shaped like models users bring:
//   tfhub/…/mobilenet_v2_fixture/…   TF Hub's MobileNet layout: AvgPool → 1×1 conv head, 1001 logits
//   human/antispoof.json             @vladmandic/human's antispoof: (conv → local max-pool → ReLU) × 3
//                                    → flatten → dense ReLU → dense → sigmoid; input 64×64
//   regressor/model.json             a landmark regressor like human's iris: convolutions down to 1×1,
//                                    two 1×1 convolutions concatenated (228 numbers, no softmax)
// Weights come from a fixed LCG (fixture-lcg.mjs), so every run writes the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lcg } from './fixture-lcg.mjs';

export const TFHUB_PATH = 'tfhub/imagenet/mobilenet_v2_fixture/classification/3/default/1';

const b64 = (s) => Buffer.from(s).toString('base64');
const FLOAT = { type: 'DT_FLOAT' };
const ints = (...v) => ({ list: { i: v.map(String) } });
const dims = (shape) => ({ dim: shape.map((s) => ({ size: String(s) })) });
const SAME = { s: b64('SAME') };
const VALID = { s: b64('VALID') };
const NHWC = { s: b64('NHWC') };
const fusedOps = (...ops) => ({ list: { s: ops.map(b64) } });

/** A graph under construction: nodes, and constants with their values (float32 or int32). */
function graphBuilder(seed) {
  const next = lcg(seed);
  const nodes = [];
  const weights = [];
  const addConstant = (name, shape, dtype, values) => {
    weights.push({ name, shape, dtype, values });
    const type = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    nodes.push({ name, op: 'Const', attr: { value: { tensor: { dtype: type, tensorShape: dims(shape) } }, dtype: { type } } });
    return name;
  };
  /** Float weights in [-scale, scale). */
  const constant = (name, shape, scale) => addConstant(name, shape, 'float32', next(shape.reduce((a, b) => a * b, 1), scale));
  const intConstant = (name, shape, values) => addConstant(name, shape, 'int32', values);
  const input = (name, shape) => {
    nodes.push({ name, op: 'Placeholder', attr: { shape: { shape: dims(shape) }, dtype: FLOAT } });
    return name;
  };
  /** _FusedConv2D as the converter writes a Keras Conv2D (+ its activation): kernel k, stride s. */
  const fusedConv = (name, from, inChannels, { k, s = 1, out, padding = SAME, activation }) => {
    const w = constant(`${name}/kernel`, [k, k, inChannels, out], Math.sqrt(3 / (k * k * inChannels)));
    const b = constant(`${name}/bias`, [out], 0.05);
    const ops = activation ? ['BiasAdd', activation] : ['BiasAdd'];
    nodes.push({
      name, op: '_FusedConv2D', input: [from, w, b],
      attr: { T: FLOAT, strides: ints(1, s, s, 1), padding, data_format: NHWC, dilations: ints(1, 1, 1, 1), fused_ops: fusedOps(...ops), num_args: { i: '1' }, epsilon: { f: 0 } },
    });
    return name;
  };
  const maxPool = (name, from, k = 2) => {
    nodes.push({ name, op: 'MaxPool', input: [from], attr: { T: FLOAT, ksize: ints(1, k, k, 1), strides: ints(1, k, k, 1), padding: VALID, data_format: NHWC } });
    return name;
  };
  const op = (name, opName, ...inputs) => {
    nodes.push({ name, op: opName, input: inputs, attr: { T: FLOAT } });
    return name;
  };
  const fusedMatMul = (name, from, inUnits, out, activation) => {
    const w = constant(`${name}/kernel`, [inUnits, out], Math.sqrt(3 / inUnits));
    const b = constant(`${name}/bias`, [out], 0.05);
    nodes.push({
      name, op: '_FusedMatMul', input: [from, w, b],
      attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false }, fused_ops: fusedOps(...(activation ? ['BiasAdd', activation] : ['BiasAdd'])), num_args: { i: '1' }, epsilon: { f: 0 } },
    });
    return name;
  };
  return { nodes, weights, constant, intConstant, input, fusedConv, maxPool, op, fusedMatMul };
}

/** Writes model.json (named `jsonName`) and one weights file (`binName`) into dir. */
function writeGraph(dir, { nodes, weights }, jsonName = 'model.json', binName = 'group1-shard1of1', extra = {}) {
  const json = {
    format: 'graph-model',
    generatedBy: '2.10.0',
    convertedBy: 'TensorFlow.js Converter v3.21.0 (CAM Lens fixture)',
    ...extra,
    modelTopology: { node: nodes, library: {}, versions: {} },
    weightsManifest: [{ paths: [binName], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  const bytes = Buffer.concat(weights.map((w) => Buffer.from((w.dtype === 'int32' ? new Int32Array(w.values) : new Float32Array(w.values)).buffer)));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, jsonName), JSON.stringify(json));
  writeFileSync(path.join(dir, binName), bytes);
  return bytes.length;
}

/** TF Hub's MobileNet V2 classification layout: Relu6 convs, AvgPool 7×7 → 1×1 conv → Squeeze; input [0, 1], 1001 logits. */
export function tfhub(outDir) {
  const g = graphBuilder(23);
  const scope = 'module_apply_default/MobilenetV2';
  let previous = g.input('module_apply_default/hub_input/Mul', [-1, 224, 224, 3]);
  let channels = 3;
  for (const c of [{ name: 'Conv', k: 4, stride: 4, out: 8 }, { name: 'expanded_conv', k: 3, stride: 4, out: 16 }, { name: 'Conv_1', k: 3, stride: 2, out: 32 }]) {
    const s = `${scope}/${c.name}`;
    g.constant(`${s}/weights`, [c.k, c.k, channels, c.out], Math.sqrt(3 / (c.k * c.k * channels)));
    g.constant(`${s}/biases`, [c.out], 0.05);
    g.nodes.push(
      { name: `${s}/Conv2D`, op: 'Conv2D', input: [previous, `${s}/weights`], attr: { T: FLOAT, strides: ints(1, c.stride, c.stride, 1), dilations: ints(1, 1, 1, 1), padding: SAME, data_format: NHWC } },
      { name: `${s}/BiasAdd`, op: 'BiasAdd', input: [`${s}/Conv2D`, `${s}/biases`], attr: { T: FLOAT, data_format: NHWC } },
      { name: `${s}/Relu6`, op: 'Relu6', input: [`${s}/BiasAdd`], attr: { T: FLOAT } },
    );
    previous = `${s}/Relu6`;
    channels = c.out;
  }
  const logits = `${scope}/Logits`;
  g.constant(`${logits}/Conv2d_1c_1x1/weights`, [1, 1, channels, 1001], Math.sqrt(3 / channels));
  g.constant(`${logits}/Conv2d_1c_1x1/biases`, [1001], 0.05);
  g.nodes.push(
    { name: `${logits}/AvgPool`, op: 'AvgPool', input: [previous], attr: { T: FLOAT, ksize: ints(1, 7, 7, 1), strides: ints(1, 2, 2, 1), padding: VALID, data_format: NHWC } },
    { name: `${logits}/Conv2d_1c_1x1/Conv2D`, op: 'Conv2D', input: [`${logits}/AvgPool`, `${logits}/Conv2d_1c_1x1/weights`], attr: { T: FLOAT, strides: ints(1, 1, 1, 1), dilations: ints(1, 1, 1, 1), padding: SAME, data_format: NHWC } },
    { name: `${logits}/Conv2d_1c_1x1/BiasAdd`, op: 'BiasAdd', input: [`${logits}/Conv2d_1c_1x1/Conv2D`, `${logits}/Conv2d_1c_1x1/biases`], attr: { T: FLOAT, data_format: NHWC } },
    { name: `${logits}/SpatialSqueeze`, op: 'Squeeze', input: [`${logits}/Conv2d_1c_1x1/BiasAdd`], attr: { T: FLOAT, squeeze_dims: ints(1, 2) } },
  );
  const dir = path.join(outDir, TFHUB_PATH);
  const bytes = writeGraph(dir, g);
  return { dir, outputs: 1001, map: 7, bytes };
}

/**
 * human's antispoof.json layout (VALID 3×3 convs, each followed by a local 2×2 max-pool and a ReLU,
 * then flatten → dense): the deepest spatial map is activation_2/Relu (6×6), after the last local
 * max-pool; the max-pool's input (conv2d_2, 12×12) is not it.
 */
export function antispoof(outDir) {
  const g = graphBuilder(31);
  const s = 'StatefulPartitionedCall/sequential';
  let x = g.input('conv2d_input', [-1, 64, 64, 3]);
  let channels = 3;
  const widths = [8, 12, 16];
  widths.forEach((out, i) => {
    const n = i === 0 ? '' : `_${i}`;
    x = g.fusedConv(`${s}/conv2d${n}/BiasAdd`, x, channels, { k: 3, out, padding: VALID });
    x = g.maxPool(`${s}/max_pooling2d${n}/MaxPool`, x);
    x = g.op(`${s}/activation${n}/Relu`, 'Relu', x);
    channels = out;
  });
  const flat = 6 * 6 * channels;
  const shape = g.intConstant(`${s}/flatten/Const`, [2], [-1, flat]);
  x = g.op(`${s}/flatten/Reshape`, 'Reshape', x, shape);
  x = g.fusedMatMul(`${s}/activation_3/Relu`, x, flat, 16, 'Relu');
  x = g.fusedMatMul(`${s}/dense_1/BiasAdd`, x, 16, 1);
  x = g.op(`${s}/activation_4/Sigmoid`, 'Sigmoid', x);
  g.op('Identity', 'Identity', x);
  const dir = path.join(outDir, 'human');
  const bytes = writeGraph(dir, g, 'antispoof.json', 'antispoof.bin');
  return { dir, outputs: 1, deepest: `${s}/activation_2/Relu`, map: 6, bytes };
}

/** A landmark regressor like human's iris.json: no softmax, the output a concatenation of two 1×1 convolutions, [1, 1, 1, 228]. */
export function regressor(outDir) {
  const g = graphBuilder(37);
  let x = g.input('input_1', [-1, 32, 32, 3]);
  let channels = 3;
  for (const [i, out] of [8, 12, 16, 16].entries()) {
    x = g.fusedConv(`conv_${i}`, x, channels, { k: 3, s: 2, out, activation: 'Relu' });
    channels = out;
  }
  x = g.maxPool('pool', x);
  const eye = g.fusedConv('output_eye/BiasAdd', x, channels, { k: 1, out: 213 });
  const iris = g.fusedConv('output_iris/BiasAdd', x, channels, { k: 1, out: 15 });
  const axis = g.intConstant('concat/axis', [], [3]);
  g.nodes.push({ name: 'concat', op: 'ConcatV2', input: [eye, iris, axis], attr: { T: FLOAT, N: { i: '2' }, Tidx: { type: 'DT_INT32' } } });
  g.op('Identity', 'Identity', 'concat');
  const dir = path.join(outDir, 'regressor');
  const bytes = writeGraph(dir, g);
  return { dir, outputs: 228, bytes };
}
