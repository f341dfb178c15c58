// Keras's MobileNet head — global_average_pooling2d_1 → reshape_1 → dropout → conv_preds (1×1 Conv2D)
// → act_softmax → reshape_2, as in Google's tfjs-models bucket — is exactly CAM's architecture (a 1×1
// convolution after global pooling is one linear layer): CAM must be found and exact on it, as a
// layers model and as a converted graph. "Exact" is checked against the logits' spatial
// decomposition: logit_c = mean_ij(Σ_k w_kc A_ijk) + b_c, so the CAM map's mean plus the bias is the logit.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphExplainable, LayersExplainable } from '../../src/background/explainable';
import { computeMap } from '../../src/background/methods/base';
import { DEFAULT_METHOD_OPTIONS } from '../../src/background/methods/types';
import type { GraphNode } from '../../src/core/camHead';
import { findLayersExplainHead, type LayerInfo } from '../../src/core/explainHead';
import { buildMobilenetV1 } from '../../scripts/make-fixture-models.mjs';
import { tinyEntry } from './helpers/tinyModels';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const entry = (classes: number, size: number) => ({ ...tinyEntry(classes), inputSize: { width: size, height: size } });
const photo = (size: number) => tf.tidy(() => tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 7) as tf.Tensor4D);

/** For every class: mean(CAM map) + bias − logit (zero when CAM is the logits' spatial decomposition). */
async function decompositionError(model: LayersExplainable | GraphExplainable, bias: Float32Array, input: tf.Tensor4D, classes: number[]): Promise<number> {
  const { features, logits } = tf.tidy(() => model.forward(input));
  const logitValues = await logits.data();
  let worst = 0;
  for (const c of classes) {
    const map = await computeMap('cam', { model, input, features, classIndex: c, options: DEFAULT_METHOD_OPTIONS });
    const mean = map.values.reduce((a, b) => a + b, 0) / map.values.length;
    worst = Math.max(worst, Math.abs(mean + bias[c] - logitValues[c]));
  }
  tf.dispose([features, logits]);
  return worst;
}

describe('the tfjs-models bucket MobileNet V1 head, as a layers model', () => {
  const model = buildMobilenetV1('0.25');
  const explained = new LayersExplainable(entry(1000, 224), model);

  it('is found: CAM layer conv_pw_5_relu, softmax output, w_c from conv_preds ([1, 1, K, 1000] read as [K, 1000])', () => {
    expect(explained.layer).toBe('conv_pw_5_relu');
    expect(explained.outputActivation).toBe('softmax');
    expect(explained.camUnavailable).toBeNull();
    const kernel = model.getLayer('conv_preds').getWeights()[0];
    expect(kernel.shape).toEqual([1, 1, 16, 1000]);
    expect(explained.camWeights!.shape).toEqual([16, 1000]);
    expect(Array.from(explained.camWeights!.dataSync())).toEqual(Array.from(kernel.dataSync()));
  });

  it("gives the logits (conv_preds's output, before act_softmax): their softmax is the model's output", async () => {
    const input = photo(224);
    const { features, logits } = tf.tidy(() => explained.forward(input));
    expect(logits.shape).toEqual([1, 1000]);
    const predicted = model.predict(input) as tf.Tensor;
    const diff = tf.tidy(() => tf.softmax(logits).sub(predicted).abs().max().dataSync()[0]);
    expect(diff).toBeLessThan(1e-6);
    tf.dispose([input, features, logits, predicted]);
  });

  it('CAM is exact: for every class tried, mean(map) + bias = logit', async () => {
    const input = photo(224);
    const bias = model.getLayer('conv_preds').getWeights()[1].dataSync() as Float32Array;
    expect(await decompositionError(explained, bias, input, [0, 1, 281, 999])).toBeLessThan(1e-4);
    input.dispose();
  });
});

describe('findLayersExplainHead on the exact layer list', () => {
  const layer = (name: string, className: string, outputShape: (number | null)[], inbound: string[], extra: Partial<LayerInfo> = {}): LayerInfo => ({ name, className, outputShape, inbound, ...extra });
  const head = (conv: Partial<LayerInfo>): LayerInfo[] => [
    layer('conv_pw_13_relu', 'Activation', [null, 7, 7, 1024], [], { activation: 'relu6' }),
    layer('global_average_pooling2d_1', 'GlobalAveragePooling2D', [null, 1024], ['conv_pw_13_relu']),
    layer('reshape_1', 'Reshape', [null, 1, 1, 1024], ['global_average_pooling2d_1']),
    layer('dropout', 'Dropout', [null, 1, 1, 1024], ['reshape_1']),
    layer('conv_preds', 'Conv2D', [null, 1, 1, 1000], ['dropout'], { activation: 'linear', kernelSize: [1, 1], strides: [1, 1], ...conv }),
    layer('act_softmax', 'Activation', [null, 1, 1, 1000], ['conv_preds'], { activation: 'softmax' }),
    layer('reshape_2', 'Reshape', [null, 1000], ['act_softmax']),
  ];

  it('GAP → reshape → dropout → 1×1 conv → softmax → reshape: exact CAM, logits before the softmax', () => {
    expect(findLayersExplainHead(head({}), 'reshape_2')).toMatchObject({
      featureLayer: 'conv_pw_13_relu',
      logitsLayer: 'conv_preds',
      linearLayer: 'conv_preds',
      outputActivation: 'softmax',
      camUnavailable: null,
    });
  });

  it('a 3×3 convolution there is not one linear layer; an activation inside the head is not linear', () => {
    expect(findLayersExplainHead(head({ kernelSize: [3, 3] }), 'reshape_2').camUnavailable).toMatch(/3×3 convolution, not a 1×1 one/);
    expect(findLayersExplainHead(head({ activation: 'relu' }), 'reshape_2')).toMatchObject({ linearLayer: null, logitsLayer: null, camUnavailable: 'the dense layer applies relu' });
  });
});

describe('the same head in a converted graph (Mean → Reshape → Identity → 1×1 _FusedConv2D → Softmax → Reshape)', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const FLOAT = { type: 'DT_FLOAT' };
  const dims = (shape: number[]) => ({ dim: shape.map((s) => ({ size: String(s) })) });
  const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
  const K = 6;
  const C = 10;
  const random = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 97.1 + i * 12.9898));
  const weights = [
    { name: 'conv/kernel', shape: [3, 3, 3, K], dtype: 'float32', values: random(3 * 3 * 3 * K, 1) },
    { name: 'conv/bias', shape: [K], dtype: 'float32', values: random(K, 2) },
    { name: 'gap/axes', shape: [2], dtype: 'int32', values: [1, 2] },
    { name: 'reshape_1/shape', shape: [4], dtype: 'int32', values: [-1, 1, 1, K] },
    { name: 'conv_preds/kernel', shape: [1, 1, K, C], dtype: 'float32', values: random(K * C, 3) },
    { name: 'conv_preds/bias', shape: [C], dtype: 'float32', values: random(C, 4) },
    { name: 'reshape_2/shape', shape: [2], dtype: 'int32', values: [-1, C] },
  ];
  const constant = (w: (typeof weights)[number]) => {
    const type = w.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    return { name: w.name, op: 'Const', attr: { value: { tensor: { dtype: type, tensorShape: dims(w.shape) } }, dtype: { type } } };
  };
  const fused = (ops: string[]) => ({ list: { s: ops.map(b64) } });
  const conv = (name: string, input: string, kernel: string, bias: string, ops: string[], stride: number) => ({
    name, op: '_FusedConv2D', input: [input, kernel, bias],
    attr: { T: FLOAT, strides: ints(1, stride, stride, 1), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, dilations: ints(1, 1, 1, 1), fused_ops: fused(ops), num_args: { i: '1' }, epsilon: { f: 0 } },
  });
  const nodes = [
    { name: 'input_1', op: 'Placeholder', attr: { shape: { shape: dims([-1, 16, 16, 3]) }, dtype: FLOAT } },
    ...weights.map(constant),
    conv('model/conv_pw_13_relu/Relu6', 'input_1', 'conv/kernel', 'conv/bias', ['BiasAdd', 'Relu6'], 2),
    { name: 'model/global_average_pooling2d_1/Mean', op: 'Mean', input: ['model/conv_pw_13_relu/Relu6', 'gap/axes'], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } },
    { name: 'model/reshape_1/Reshape', op: 'Reshape', input: ['model/global_average_pooling2d_1/Mean', 'reshape_1/shape'], attr: { T: FLOAT } },
    { name: 'model/dropout/Identity', op: 'Identity', input: ['model/reshape_1/Reshape'], attr: { T: FLOAT } },
    conv('model/conv_preds/BiasAdd', 'model/dropout/Identity', 'conv_preds/kernel', 'conv_preds/bias', ['BiasAdd'], 1),
    { name: 'model/act_softmax/Softmax', op: 'Softmax', input: ['model/conv_preds/BiasAdd'], attr: { T: FLOAT } },
    { name: 'model/reshape_2/Reshape', op: 'Reshape', input: ['model/act_softmax/Softmax', 'reshape_2/shape'], attr: { T: FLOAT } },
    { name: 'Identity', op: 'Identity', input: ['model/reshape_2/Reshape'], attr: { T: FLOAT } },
  ];

  it('is found and exact: w_c from conv_preds, logits before the softmax behind the final reshape', async () => {
    const data = new Uint8Array(weights.flatMap((w) => [...new Uint8Array((w.dtype === 'int32' ? new Int32Array(w.values) : new Float32Array(w.values)).buffer)]));
    const graph = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: { node: nodes, library: {}, versions: {} }, weightSpecs: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype: dtype as 'float32' })), weightData: data.buffer }));
    const explained = new GraphExplainable(entry(C, 16), graph, nodes as GraphNode[]);
    expect(explained.layer).toBe('model/conv_pw_13_relu/Relu6');
    expect(explained.outputActivation).toBe('softmax');
    expect(explained.camUnavailable).toBeNull();
    expect(Array.from(explained.camWeights!.dataSync())).toEqual(Array.from(new Float32Array(weights[4].values)));
    const input = photo(16);
    const { logits } = tf.tidy(() => explained.forward(input));
    const output = graph.predict(input) as tf.Tensor;
    expect(tf.tidy(() => tf.softmax(logits).sub(output).abs().max().dataSync()[0])).toBeLessThan(1e-6);
    expect(await decompositionError(explained, new Float32Array(weights[5].values), input, [0, 3, 9])).toBeLessThan(1e-5);
    tf.dispose([input, logits, output]);
    explained.dispose();
  });
});
