// Tiny models with fixed weights for golden tests of the explanation methods, each built twice: as a
// tfjs layers model (wrapped in LayersExplainable) and as a plain-JS Float64 recomputation that does
// not touch src/ or tfjs, so the on-demand methods can be checked against an independent loop.
//
// Every tiny net reads a 4×4×1 image; its trunk is one 2×2 stride-2 convolution named 'feat' with K
// filters and no activation, so the CAM layer is 2×2×K and its values are known on paper.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import pngjs from 'pngjs';
import { LayersExplainable } from '../../../src/background/explainable';
import type { ModelEntry } from '../../../src/core/catalog';
import type { GraphNode } from '../../../src/core/camHead';
import { concatBytes } from './realModel';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export interface DenseSpec {
  /** [in][out] */
  kernel: number[][];
  bias: number[];
  activation: 'relu' | 'linear' | 'softmax';
}

export interface TinySpec {
  /** Filters of the 2×2 stride-2 'feat' convolution. */
  k: number;
  /** conv[ky][kx][k] */
  conv: number[][][];
  convBias: number[];
  /** Optional 1×1 conv with tanh applied to the CAM layer before pooling (makes gradients vary per position). */
  mix?: { kernel: number[][]; bias: number[] };
  /** 'gap' = GlobalAveragePooling2D, 'flatten' = Flatten (row-major h, w, k). */
  pool: 'gap' | 'flatten';
  /** Dense layers after pooling; the last one is the logits (its activation is applied by the model only). */
  dense: DenseSpec[];
}

export function tinyEntry(classes: number, id = 'tiny'): ModelEntry {
  return {
    id,
    displayName: id,
    description: 'hand-built tiny model',
    source: { kind: 'nsfwjs', package: 'none', folder: 'none' },
    format: 'layers',
    inputSize: { width: 4, height: 4 },
    pixelScaling: 'byte',
    labels: Array.from({ length: classes }, (_, i) => `class${i}`),
  };
}

/** The tfjs layers model of a spec, with its weights set. */
export function buildTinyLayers(spec: TinySpec): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 1], name: 'image' });
  const convLayer = tf.layers.conv2d({ filters: spec.k, kernelSize: 2, strides: 2, padding: 'valid', useBias: true, activation: 'linear', name: 'feat' });
  let x = convLayer.apply(input) as tf.SymbolicTensor;
  const toSet: [tf.layers.Layer, number[][] | number[][][][], number[]][] = [];
  const convKernel = spec.conv.map((row) => row.map((ks) => [ks])); // [2, 2, 1, K]
  toSet.push([convLayer, convKernel, spec.convBias]);
  if (spec.mix) {
    const mix = tf.layers.conv2d({ filters: spec.mix.bias.length, kernelSize: 1, activation: 'tanh', name: 'mix' });
    x = mix.apply(x) as tf.SymbolicTensor;
    toSet.push([mix, [[spec.mix.kernel]], spec.mix.bias]);
  }
  x = (spec.pool === 'gap' ? tf.layers.globalAveragePooling2d({ name: 'pool' }) : tf.layers.flatten({ name: 'pool' })).apply(x) as tf.SymbolicTensor;
  spec.dense.forEach((d, i) => {
    const last = i === spec.dense.length - 1;
    const layer = tf.layers.dense({ units: d.bias.length, activation: d.activation, name: last ? 'logits' : `hidden${i}` });
    x = layer.apply(x) as tf.SymbolicTensor;
    toSet.push([layer, d.kernel, d.bias]);
  });
  const model = tf.model({ inputs: input, outputs: x });
  for (const [layer, kernel, bias] of toSet) layer.setWeights([tf.tensor(kernel), tf.tensor1d(bias)]);
  return model;
}

/** LayersExplainable over the spec's model (CAM layer 'feat'). */
export function tinyExplainable(spec: TinySpec, layerOverride?: string): LayersExplainable {
  const classes = spec.dense[spec.dense.length - 1].bias.length;
  return new LayersExplainable(tinyEntry(classes), buildTinyLayers(spec), layerOverride ?? (spec.mix ? 'feat' : undefined));
}

// ------------------------------------------------------------------------------------------------
// Plain-JS Float64 recomputation (independent of src/ and of tfjs)
// ------------------------------------------------------------------------------------------------

/** CAM-layer activations for a 4×4 image (row-major), as [2][2][K] flattened row-major (NHWC). */
export function jsTrunk(spec: TinySpec, image: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let by = 0; by < 2; by++)
    for (let bx = 0; bx < 2; bx++)
      for (let k = 0; k < spec.k; k++) {
        let s = spec.convBias[k];
        for (let ky = 0; ky < 2; ky++) for (let kx = 0; kx < 2; kx++) s += image[(2 * by + ky) * 4 + 2 * bx + kx] * spec.conv[ky][kx][k];
        out.push(s);
      }
  return out;
}

/** Logits from CAM-layer activations [2·2·K] (NHWC row-major); `preActivations` collects the hidden layers' inputs to ReLU. */
export function jsHead(spec: TinySpec, a: ArrayLike<number>, preActivations?: number[]): number[] {
  const positions = a.length / spec.k;
  let maps: number[] = Array.from(a);
  let channels = spec.k;
  if (spec.mix) {
    const m = spec.mix;
    const next: number[] = [];
    for (let p = 0; p < positions; p++)
      for (let j = 0; j < m.bias.length; j++) {
        let s = m.bias[j];
        for (let k = 0; k < channels; k++) s += maps[p * channels + k] * m.kernel[k][j];
        next.push(Math.tanh(s));
      }
    maps = next;
    channels = m.bias.length;
  }
  let v: number[];
  if (spec.pool === 'gap') {
    v = Array.from({ length: channels }, (_, k) => {
      let s = 0;
      for (let p = 0; p < positions; p++) s += maps[p * channels + k];
      return s / positions;
    });
  } else {
    v = maps;
  }
  spec.dense.forEach((d, i) => {
    const last = i === spec.dense.length - 1;
    v = d.bias.map((b, j) => {
      let s = b;
      for (let q = 0; q < v.length; q++) s += v[q] * d.kernel[q][j];
      if (last || d.activation !== 'relu') return s;
      preActivations?.push(s);
      return Math.max(0, s);
    });
  });
  return v;
}

/** TF half-pixel bilinear resize of one h×w map to H×W (edges clamped). */
export function jsResizeHalfPixel(map: number[], h: number, w: number, outH: number, outW: number): number[] {
  const axis = (o: number, n: number, outN: number) => {
    const f = (o + 0.5) * (n / outN) - 0.5;
    const lo = Math.max(0, Math.floor(f));
    const hi = Math.min(n - 1, Math.ceil(f));
    return { lo, hi, t: Math.max(0, f - lo) };
  };
  const out: number[] = [];
  for (let y = 0; y < outH; y++) {
    const ay = axis(y, h, outH);
    for (let x = 0; x < outW; x++) {
      const ax = axis(x, w, outW);
      const at = (yy: number, xx: number) => map[yy * w + xx];
      const top = at(ay.lo, ax.lo) + (at(ay.lo, ax.hi) - at(ay.lo, ax.lo)) * ax.t;
      const bottom = at(ay.hi, ax.lo) + (at(ay.hi, ax.hi) - at(ay.hi, ax.lo)) * ax.t;
      out.push(top + (bottom - top) * ay.t);
    }
  }
  return out;
}

const relu = (v: number) => Math.max(0, v);

/** Σ_k w_k A_k over a [positions × K] NHWC array, with optional ReLU. */
export function jsWeightedSum(a: ArrayLike<number>, k: number, w: number[], rectify: boolean): number[] {
  const out: number[] = [];
  for (let p = 0; p < a.length / k; p++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += w[c] * a[p * k + c];
    out.push(rectify ? relu(s) : s);
  }
  return out;
}

/** Channel spatial variances of [positions × K] activations. */
export function jsChannelVariance(a: ArrayLike<number>, k: number): number[] {
  const n = a.length / k;
  return Array.from({ length: k }, (_, c) => {
    let mean = 0;
    for (let p = 0; p < n; p++) mean += a[p * k + c] / n;
    let v = 0;
    for (let p = 0; p < n; p++) v += (a[p * k + c] - mean) ** 2 / n;
    return v;
  });
}

/**
 * Score-CAM by the textbook loop: for each chosen channel, upsample A_k to 4×4 (half-pixel bilinear),
 * min–max normalise (ε = 1e-7), mask the image, run the whole net, take logit c; softmax of these
 * scores over the chosen channels (0 elsewhere); ReLU(Σ w_k A_k).
 */
export function jsScoreCam(spec: TinySpec, image: number[], c: number, channels: number[]): number[] {
  const a = jsTrunk(spec, image);
  const scores = channels.map((k) => {
    const map = [0, 1, 2, 3].map((p) => a[p * spec.k + k]);
    const up = jsResizeHalfPixel(map, 2, 2, 4, 4);
    const min = Math.min(...up);
    const max = Math.max(...up);
    const masked = image.map((v, i) => v * ((up[i] - min) / (max - min + 1e-7)));
    return jsHead(spec, jsTrunk(spec, masked))[c];
  });
  const top = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - top));
  const total = e.reduce((x, y) => x + y, 0);
  const w = new Array<number>(spec.k).fill(0);
  channels.forEach((k, i) => (w[k] = e[i] / total));
  return jsWeightedSum(a, spec.k, w, true);
}

/** Ablation-CAM by the loop: zero channel k, re-run the head, w_k = (y_c − y_c^k) / y_c. */
export function jsAblationCam(spec: TinySpec, a: number[], c: number): number[] {
  const base = jsHead(spec, a)[c];
  const w = Array.from({ length: spec.k }, (_, k) => {
    const ablated = a.map((v, i) => (i % spec.k === k ? 0 : v));
    return (base - jsHead(spec, ablated)[c]) / base;
  });
  return jsWeightedSum(a, spec.k, w, true);
}

// ------------------------------------------------------------------------------------------------
// A synthetic converted graph model: input [−1, 4, 4, 3] → 1×1 Conv2D (3 → 2) + BiasAdd + Relu →
// Mean over [1, 2] → MatMul [2, 3] → BiasAdd → Softmax (the same shape as camHead.test.ts's).
// ------------------------------------------------------------------------------------------------

interface Weight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: number[];
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const FLOAT = { type: 'DT_FLOAT' };
const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
const dims = (shape: number[]) => ({ dim: shape.map((s) => ({ size: String(s) })) });

export async function loadSyntheticGraph(): Promise<{ graph: tf.GraphModel; nodes: GraphNode[]; entry: ModelEntry }> {
  const weights: Weight[] = [
    { name: 'conv/w', shape: [1, 1, 3, 2], dtype: 'float32', values: [1, 1, -1, 1, 0.5, -1] },
    { name: 'conv/b', shape: [2], dtype: 'float32', values: [0.25, -0.5] },
    { name: 'pool/axes', shape: [2], dtype: 'int32', values: [1, 2] },
    { name: 'dense/w', shape: [2, 3], dtype: 'float32', values: [1, -1, 2, 0.5, 2, -1] },
    { name: 'dense/b', shape: [3], dtype: 'float32', values: [1, 0, -1] },
  ];
  const constNode = (w: Weight) => {
    const dt = w.dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
    return { name: w.name, op: 'Const', attr: { value: { tensor: { dtype: dt, tensorShape: dims(w.shape) } }, dtype: { type: dt } } };
  };
  const NHWC = { s: b64('NHWC') };
  const nodes = [
    { name: 'input', op: 'Placeholder', attr: { shape: { shape: dims([-1, 4, 4, 3]) }, dtype: FLOAT } },
    ...weights.map(constNode),
    { name: 'conv', op: 'Conv2D', input: ['input', 'conv/w'], attr: { T: FLOAT, strides: ints(1, 1, 1, 1), dilations: ints(1, 1, 1, 1), padding: { s: b64('VALID') }, data_format: NHWC } },
    { name: 'conv/bias', op: 'BiasAdd', input: ['conv', 'conv/b'], attr: { T: FLOAT, data_format: NHWC } },
    { name: 'relu', op: 'Relu', input: ['conv/bias'], attr: { T: FLOAT } },
    { name: 'pool', op: 'Mean', input: ['relu', 'pool/axes'], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } },
    { name: 'dense', op: 'MatMul', input: ['pool', 'dense/w'], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: 'logits', op: 'BiasAdd', input: ['dense', 'dense/b'], attr: { T: FLOAT, data_format: NHWC } },
    { name: 'scores', op: 'Softmax', input: ['logits'], attr: { T: FLOAT } },
  ];
  const weightSpecs = weights.map(({ name, shape, dtype }) => ({ name, shape, dtype }));
  const weightData = concatBytes(weights.map((w) => new Uint8Array((w.dtype === 'float32' ? new Float32Array(w.values) : new Int32Array(w.values)).buffer)));
  const graph = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: { node: nodes, versions: { producer: 1 } }, weightSpecs, weightData }));
  const entry: ModelEntry = { ...tinyEntry(3, 'synthetic-graph'), format: 'graph' };
  return { graph, nodes: nodes as GraphNode[], entry };
}

// ------------------------------------------------------------------------------------------------
// Fixture images
// ------------------------------------------------------------------------------------------------

/** Decodes a PNG fixture to RGBA and resizes it bilinearly (pixel-centre aligned) to w×h. */
export function loadPngResized(file: string, w: number, h: number): Uint8ClampedArray {
  const png = pngjs.PNG.sync.read(readFileSync(path.join(FIXTURES, file)));
  const src = png.data;
  const sw = png.width;
  const sh = png.height;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max((y + 0.5) * (sh / h) - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max((x + 0.5) * (sw / w) - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const tx = fx - x0;
      for (let c = 0; c < 4; c++) {
        const p = (yy: number, xx: number) => src[(yy * sw + xx) * 4 + c];
        const top = p(y0, x0) * (1 - tx) + p(y0, x1) * tx;
        const bottom = p(y1, x0) * (1 - tx) + p(y1, x1) * tx;
        out[(y * w + x) * 4 + c] = Math.round(top * (1 - ty) + bottom * ty);
      }
    }
  }
  return out;
}

/** The trunk the tiny nets share (K = 2 channels); the golden tests work its feature maps out on paper. */
export const TRUNK: Pick<TinySpec, 'k' | 'conv' | 'convBias'> = {
  k: 2,
  // conv[ky][kx][k]
  conv: [
    [
      [1, 0],
      [0, 1],
    ],
    [
      [0, 0],
      [0, 1],
    ],
  ],
  convBias: [0, -1],
};

/** A tiny RGB net with CAM's head (4×4×3 → 2×2×2 conv 'feat' → global average pool → softmax dense over `classes`), weights all ones. */
export function tinyRgbCamModel(classes = 2): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 3] });
  const features = tf.layers.conv2d({ filters: 2, kernelSize: 2, strides: 2, name: 'feat', kernelInitializer: 'ones' }).apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(features) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: 'ones' }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}
