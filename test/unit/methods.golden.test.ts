// Golden tests of the nine explanation methods (src/background/methods): maps worked out on paper for
// tiny conv nets with fixed weights, textbook-loop recomputations of the on-demand methods, the
// GAP + linear identities on the real default model, gradients against finite differences, batching
// invariance of Score-CAM, tensor-leak checks, error cases, and the second bundled (layers) model.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pixelsToInput } from '../../src/background/preprocess';
import { GraphExplainable, LayersExplainable, type ExplainableModel } from '../../src/background/explainable';
import { computeMap, logitGradients, type RawMap } from '../../src/background/methods/base';
import { CancelledError, MethodError, type MethodOptions } from '../../src/background/methods/types';
import type { ModelEntry } from '../../src/core/catalog';
import { METHOD_IDS, type MethodId } from '../../src/core/methods';
import { extractNsfwjsModel, readCatalog } from '../../models/extract.mjs';
import { concatBytes, loadRealModel, type RealModel } from './helpers/realModel';
import {
  jsAblationCam,
  jsChannelVariance,
  jsHead,
  jsScoreCam,
  jsTrunk,
  loadPngResized,
  loadSyntheticGraph,
  tinyExplainable,
  TRUNK,
  type TinySpec,
} from './helpers/tinyModels';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const OPTIONS: MethodOptions = { scoreCamChannels: 'all', batchSize: 16 };

// ------------------------------------------------------------------------------------------------
// The tiny nets. Trunk (shared): 4×4×1 image → Conv2D 2×2 stride 2, 2 filters, no activation:
//   filter 0 reads the top-left pixel of each 2×2 block:            A0 = tl
//   filter 1 reads top-right + bottom-right, bias −1:               A1 = tr + br − 1
// ------------------------------------------------------------------------------------------------


// The image (row-major 4×4). Blocks (by, bx) → (tl, tr, br); the 9s sit at bl, which no filter reads.
//   (0,0): tl 1, tr 1, br 2 → A0 1, A1 2      (0,1): tl 2, tr 0, br 1 → A0 2, A1 0
//   (1,0): tl 3, tr 1, br 0 → A0 3, A1 0      (1,1): tl 4, tr 2, br 1 → A0 4, A1 2
const IMAGE = [1, 1, 2, 0, 9, 2, 9, 1, 3, 1, 4, 2, 9, 0, 9, 1];
//   A0 = | 1 2 |    A1 = | 2 0 |    Σ A0 = 10, Σ A1 = 4; Z = h·w = 4
//        | 3 4 |         | 0 2 |
/** A in NHWC order: position (0,0), (0,1), (1,0), (1,1), channels 0, 1 at each. */
const A = [1, 2, 2, 0, 3, 0, 4, 2];

/** GAP → Dense(2, softmax): w^0 = (1, 2), w^1 = (−1, 1) (columns of the [K, C] kernel), b = (0.5, −0.5). */
const LINEAR: TinySpec = {
  ...TRUNK,
  pool: 'gap',
  dense: [
    {
      kernel: [
        [1, -1],
        [2, 1],
      ],
      bias: [0.5, -0.5],
      activation: 'softmax',
    },
  ],
};
// Logits: mean A = (2.5, 1) → y0 = 2.5 + 2 + 0.5 = 5, y1 = −2.5 + 1 − 0.5 = −2.
// ∂y_c/∂A_k^ij = w_k^c / Z: class 0 → g = (1/4, 1/2); class 1 → g = (−1/4, 1/4).

/**
 * Flatten → Dense(2, softmax): the logit is Σ_ijk G^c_ijk A_ijk + b_c, so ∂y_c/∂A = G^c, a different
 * gradient at every position. Kernel rows are the flatten order (position, channel):
 *   G^0_0 = | 1  0 |  G^0_1 = | 0  1 |      G^1_0 = | −1 1 |  G^1_1 = |  2 0 |
 *           | −1 2 |          | 1 −1 |              |  0 1 |          | −2 0 |
 */
const FLATTEN: TinySpec = {
  ...TRUNK,
  pool: 'flatten',
  dense: [
    {
      kernel: [
        [1, -1], // (0,0) k0
        [0, 2], //  (0,0) k1
        [0, 1], //  (0,1) k0
        [1, 0], //  (0,1) k1
        [-1, 0], // (1,0) k0
        [1, -2], // (1,0) k1
        [2, 1], //  (1,1) k0
        [-1, 0], // (1,1) k1
      ],
      bias: [0, 0.5],
      activation: 'softmax',
    },
  ],
};
// y0 = Σ G^0_0 A0 + Σ G^0_1 A1 = (1 − 3 + 8) + (−2) = 4;  y1 = (−1 + 2 + 0 + 4) + (4 + 0 + 0 + 0) + 0.5 = 9.5.

/**
 * GAP → Dense(2, relu) → Dense(2, softmax). p = mean A = (2.5, 1).
 *   hidden: W1 = [[1, 1], [−2, 1]] (rows k), b1 = (0, −4) → z = (2.5 − 2, 2.5 + 1 − 4) = (0.5, −0.5): unit 0 on, unit 1 off.
 *   logits: W2 = [[2, −1], [1, 3]] (rows j), b2 = (0.1, 0.2) → y = (2·0.5 + 0.1, −0.5 + 0.2) = (1.1, −0.3).
 *   ∂y_c/∂p_k = W1[k][0] · W2[0][c] (only unit 0 is on): class 0 → (2, −4), class 1 → (−1, 2);
 *   g = that / Z: class 0 → (0.5, −1), class 1 → (−0.25, 0.5).
 */
const MLP: TinySpec = {
  ...TRUNK,
  pool: 'gap',
  dense: [
    {
      kernel: [
        [1, 1],
        [-2, 1],
      ],
      bias: [0, -4],
      activation: 'relu',
    },
    {
      kernel: [
        [2, -1],
        [1, 3],
      ],
      bias: [0.1, 0.2],
      activation: 'softmax',
    },
  ],
};

/** A head with a 1×1 conv + tanh before GAP and a ReLU MLP: non-linear, gradients vary per position (for finite differences). */
const NONLINEAR: TinySpec = {
  ...TRUNK,
  mix: {
    kernel: [
      [0.5, -0.3, 0.8],
      [0.2, 0.6, -0.4],
    ],
    bias: [0.1, -0.2, 0.05],
  },
  pool: 'gap',
  dense: [
    {
      kernel: [
        [1, -0.5, 0.3],
        [0.4, 1, -0.7],
        [-0.6, 0.2, 1],
      ],
      bias: [0.3, -0.4, 0.25],
      activation: 'relu',
    },
    {
      kernel: [
        [1, -1],
        [0.5, 2],
        [-1.5, 0.7],
      ],
      bias: [0, 0.1],
      activation: 'softmax',
    },
  ],
};

/** Five channels, three classes, weights from a formula: for Score-CAM batching and top-N. */
const WIDE: TinySpec = {
  k: 5,
  conv: [0, 1].map((ky) => [0, 1].map((kx) => Array.from({ length: 5 }, (_, k) => (((3 * ky + 2 * kx + k) % 4) - 1.5) * 0.5 + 0.1 * k * ky))),
  convBias: [0, 0.1, 0.2, -0.1, 0.3],
  pool: 'gap',
  dense: [
    {
      kernel: Array.from({ length: 5 }, (_, k) => [0, 1, 2].map((c) => (((k + 2 * c) % 5) - 2) * 0.3 + 0.05 * c)),
      bias: [0, 0.1, -0.1],
      activation: 'softmax',
    },
  ],
};
const WIDE_IMAGE = Array.from({ length: 16 }, (_, i) => ((i * 7) % 11) / 4);

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

const imageTensor = (image: number[]) => tf.tensor4d(image, [1, 4, 4, 1]);
const featureTensor = (a: number[], k = 2) => tf.tensor4d(a, [1, 2, 2, k]);

async function explain(
  model: ExplainableModel,
  method: MethodId,
  classIndex: number,
  opts: { features?: number[]; image?: number[]; options?: Partial<MethodOptions>; signal?: AbortSignal; progress?: (d: number, t: number) => void; contrastIndex?: number } = {},
): Promise<RawMap> {
  const input = imageTensor(opts.image ?? IMAGE);
  const features = opts.features ? featureTensor(opts.features, opts.features.length / 4) : tf.tidy(() => model.forward(input).features);
  try {
    return await computeMap(method, {
      model,
      input,
      features,
      classIndex,
      contrastIndex: opts.contrastIndex,
      options: { ...OPTIONS, ...opts.options },
      signal: opts.signal,
      progress: opts.progress,
    });
  } finally {
    tf.dispose([input, features]);
  }
}

/** Element-wise |actual − expected| ≤ tol · max(1, max |expected|). */
function expectMap(map: RawMap, expected: number[], tol = 1e-5, what = ''): void {
  expect(map.values.length, what).toBe(expected.length);
  const scale = Math.max(1, ...expected.map(Math.abs));
  const diffs = Array.from(map.values, (v, i) => Math.abs(v - expected[i]));
  const worst = Math.max(...diffs);
  if (!(worst <= tol * scale)) {
    throw new Error(`${what}: map [${Array.from(map.values).map((v) => v.toFixed(6))}] differs from [${expected.map((v) => v.toFixed(6))}] by ${worst}`);
  }
}

async function tensorValues(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

// ------------------------------------------------------------------------------------------------
// 1. Maps worked out on paper
// ------------------------------------------------------------------------------------------------

describe('golden maps on tiny nets (worked on paper)', () => {
  const models: Record<'linear' | 'flatten' | 'mlp', LayersExplainable> = {} as never;
  beforeAll(() => {
    models.linear = tinyExplainable(LINEAR);
    models.flatten = tinyExplainable(FLATTEN);
    models.mlp = tinyExplainable(MLP);
  });
  afterAll(() => Object.values(models).forEach((m) => m.dispose()));

  // Contrastive maps, "why 0 and not 1": target y_0 − y_1, kept signed. CAM: w^0 − w^1 = (2, 1) →
  // 2·A0 + A1 = [4, 4, 6, 10]. Gradient methods: g = (1/4 + 1/4, 1/2 − 1/4) = (1/2, 1/4) everywhere →
  // Grad-CAM α = g → 0.5·A0 + 0.25·A1 = [1, 1, 1.5, 2.5]; the other way round the same map negated —
  // no ReLU, so the evidence for class 1 shows as negative values instead of vanishing.
  it('contrastive CAM and Grad-CAM: the maps worked on paper, signed', async () => {
    const m = models.linear;
    expectMap(await explain(m, 'cam', 0, { contrastIndex: 1 }), [4, 4, 6, 10], 1e-5, 'CAM 0 − 1');
    expectMap(await explain(m, 'gradcam', 0, { contrastIndex: 1 }), [1, 1, 1.5, 2.5], 1e-5, 'Grad-CAM 0 − 1');
    expectMap(await explain(m, 'gradcam', 1, { contrastIndex: 0 }), [-1, -1, -1.5, -2.5], 1e-5, 'Grad-CAM 1 − 0');
    expectMap(await explain(m, 'hirescam', 0, { contrastIndex: 1 }), [1, 1, 1.5, 2.5], 1e-5, 'HiResCAM 0 − 1');
  });

  it('contrast is refused where it has no meaning: Eigen-CAM, Score-CAM, the class itself, a class out of range', async () => {
    for (const method of ['eigencam', 'scorecam', 'ablationcam'] as const) {
      await expect(explain(models.linear, method, 0, { contrastIndex: 1 }), method).rejects.toBeInstanceOf(MethodError);
    }
    await expect(explain(models.linear, 'cam', 0, { contrastIndex: 0 })).rejects.toBeInstanceOf(MethodError);
    await expect(explain(models.linear, 'gradcam', 0, { contrastIndex: 2 })).rejects.toBeInstanceOf(MethodError);
  });

  it('the models are read as designed: CAM layer, head kind, logits worked on paper', async () => {
    for (const m of Object.values(models)) expect(m.layer).toBe('feat');
    expect(models.linear.camUnavailable).toBeNull();
    expect(await tensorValues(models.linear.camWeights!.clone())).toEqual([1, -1, 2, 1]);
    expect(models.flatten.camWeights).toBeNull();
    expect(models.mlp.camWeights).toBeNull();
    const x = imageTensor(IMAGE);
    const expected = { linear: [5, -2], flatten: [4, 9.5], mlp: [1.1, -0.3] };
    for (const [name, m] of Object.entries(models)) {
      const { features, logits } = m.forward(x);
      expect(await tensorValues(features), name).toEqual(A);
      const got = await tensorValues(logits);
      expected[name as keyof typeof expected].forEach((v, i) => expect(got[i], name).toBeCloseTo(v, 5));
    }
    x.dispose();
  });

  // Linear head: g_k = w_k^c / 4 everywhere.
  //   class 0: g = (1/4, 1/2).  class 1: g = (−1/4, 1/4).  CAM^0 = A0 + 2·A1, CAM^1 = −A0 + A1.
  const LINEAR_GOLDEN: Record<Exclude<MethodId, 'eigencam'>, [number[], number[]]> = {
    // CAM^0 = [1+4, 2, 3, 4+4];  CAM^1 = [1−2... ] = [−1+2, −2, −3, −4+2]
    cam: [
      [5, 2, 3, 8],
      [1, -2, -3, -2],
    ],
    // ReLU(CAM / 4)
    gradcam: [
      [1.25, 0.5, 0.75, 2],
      [0.25, 0, 0, 0],
    ],
    // Gradients are constant per channel: w_k = g_k · ΣA_k / ΣA_k = g_k → equals Grad-CAM.
    xgradcam: [
      [1.25, 0.5, 0.75, 2],
      [0.25, 0, 0, 0],
    ],
    // CAM / 4, signed.
    hirescam: [
      [1.25, 0.5, 0.75, 2],
      [0.25, -0.5, -0.75, -0.5],
    ],
    // class 0: both g > 0 → Grad-CAM's map. class 1: ReLU(g) = (0, 1/4) → A1 / 4.
    layercam: [
      [1.25, 0.5, 0.75, 2],
      [0.5, 0, 0, 0.5],
    ],
    // α = g² / (2g² + S·g³), w = Σ_ij α·ReLU(g) = 4·α·ReLU(g).
    //   class 0, k0: g = 1/4, S = 10: α = (1/16) / (2/16 + 10/64) = 4/18 = 2/9 → w0 = 4·(2/9)·(1/4) = 2/9
    //            k1: g = 1/2, S = 4:  α = (1/4) / (2/4 + 4/8) = 1/4      → w1 = 4·(1/4)·(1/2) = 1/2
    //     map = 2/9·A0 + 1/2·A1 = [2/9 + 1, 4/9, 6/9, 8/9 + 1]
    //   class 1, k0: g < 0 → w0 = 0; k1: g = 1/4, S = 4: α = (1/16) / (2/16 + 4/64) = 1/3 → w1 = 1/3 → A1 / 3
    gradcampp: [
      [11 / 9, 4 / 9, 2 / 3, 17 / 9],
      [2 / 3, 0, 0, 2 / 3],
    ],
    // w_k = (y_c − y_c^{A_k=0}) / y_c:
    //   class 0: y = 5; A0 = 0 → 0 + 2 + 0.5 = 2.5 → w0 = 1/2; A1 = 0 → 2.5 + 0.5 = 3 → w1 = 2/5
    //     map = ReLU(A0/2 + 2·A1/5) = [0.5 + 0.8, 1, 1.5, 2 + 0.8]
    //   class 1: y = −2; A0 = 0 → 1 − 0.5 = 0.5 → w0 = (−2 − 0.5)/(−2) = 5/4; A1 = 0 → −3 → w1 = (−2 + 3)/(−2) = −1/2
    //     map = ReLU(5/4·A0 − A1/2) = [1.25 − 1, 2.5, 3.75, 5 − 1]
    ablationcam: [
      [1.3, 1, 1.5, 2.8],
      [0.25, 2.5, 3.75, 4],
    ],
    // Class 0 worked in full (the masks are the upsampled maps, half-pixel: rows/cols at source
    // coordinates −0.25, 0.25, 0.75, 1.25, edges clamped):
    //   up(A0) rows [1 1.25 1.75 2] [1.5 1.75 2.25 2.5] [2.5 2.75 3.25 3.5] [3 3.25 3.75 4] → mask (up − 1)/3
    //     masked features: A0' = tl·m = [1·0, 2·1/4, 3·1/2, 4·3/4] = [0, .5, 1.5, 3]           mean 5/4
    //                      A1' = tr·m + br·m − 1 = [1/12 + 1/2 − 1, 0 + 1/2 − 1, 7/12 − 1, 5/3 + 1 − 1] mean 1/12
    //     s0 = 5/4 + 2/12 + 1/2 = 23/12
    //   up(A1) rows [2 1.5 .5 0] [1.5 1.25 .75 .5] [.5 .75 1.25 1.5] [0 .5 1.5 2] → mask up / 2
    //     A0'' = [1, .5, .75, 2.5] mean 1.1875;  A1'' = [.75 + 1.25 − 1, 0 + .25 − 1, .375 − 1, 1.5 + 1 − 1] mean .28125
    //     s1 = 1.1875 + .5625 + .5 = 9/4
    //   softmax(23/12, 9/4): w1/w0 = e^{1/3} → w0 = 1/(1 + e^{1/3}), w1 = e^{1/3}/(1 + e^{1/3});
    //   map = [w0 + 2·w1, 2·w0, 3·w0, 4·w0 + 2·w1].  (Class 1 is checked against the plain-JS loop below.)
    scorecam: [(() => {
      const e = Math.exp(1 / 3);
      const w0 = 1 / (1 + e);
      const w1 = e / (1 + e);
      return [w0 + 2 * w1, 2 * w0, 3 * w0, 4 * w0 + 2 * w1];
    })(), []],
  };

  it('covers every method id (eigencam has its own tests below)', () => {
    expect(new Set([...Object.keys(LINEAR_GOLDEN), 'eigencam'])).toEqual(new Set(METHOD_IDS));
  });

  for (const [method, perClass] of Object.entries(LINEAR_GOLDEN) as [MethodId, number[][]][]) {
    it(`GAP + linear head: ${method} matches the map worked on paper`, async () => {
      for (const c of [0, 1]) {
        if (!perClass[c].length) continue;
        const map = await explain(models.linear, method, c);
        expect([map.width, map.height]).toEqual([2, 2]);
        expectMap(map, perClass[c], 1e-5, `${method} class ${c}`);
      }
    });
  }

  // Flatten head, class 0: g = G^0 (varies per position).
  //   A0 = [1, 2, 3, 4], A1 = [2, 0, 0, 2]; G^0_0 = [1, 0, −1, 2], G^0_1 = [0, 1, 1, −1].
  const FLATTEN_GOLDEN: Partial<Record<MethodId, number[]>> = {
    // Σ_k g_k ⊙ A_k = [1 + 0, 0 + 0, −3 + 0, 8 − 2]
    hirescam: [1, 0, -3, 6],
    // α = mean g = (2/4, 1/4): ReLU(A0/2 + A1/4) = [.5 + .5, 1, 1.5, 2 + .5]
    gradcam: [1, 1, 1.5, 2.5],
    // ReLU(g0) = [1, 0, 0, 2], ReLU(g1) = [0, 1, 1, 0]: [1·1 + 0, 0 + 1·0, 0 + 1·0, 2·4 + 0]
    layercam: [1, 0, 0, 8],
    // w0 = (1 + 0 − 3 + 8)/10 = 0.6, w1 = (0 + 0 + 0 − 2)/4 = −0.5: ReLU(.6·A0 − .5·A1) = [.6 − 1, 1.2, 1.8, 2.4 − 1]
    xgradcam: [0, 1.2, 1.8, 1.4],
    // k0 (S = 10): g = 1 → α = 1/(2 + 10) = 1/12, contributes 1/12; g = 0 → 0; g = −1 → ReLU 0;
    //              g = 2 → α = 4/(8 + 80) = 1/22, contributes 2/22.  w0 = 1/12 + 1/11 = 23/132
    // k1 (S = 4):  g = 1 (twice) → α = 1/(2 + 4) = 1/6, contributes 1/6 each; g = −1 → 0.  w1 = 1/3 = 44/132
    // map = (23·A0 + 44·A1)/132 = [23 + 88, 46, 69, 92 + 88] / 132
    gradcampp: [111 / 132, 46 / 132, 69 / 132, 180 / 132],
    // y0 = 4; A0 = 0 → Σ G^0_1 A1 = −2 → w0 = (4 + 2)/4 = 1.5; A1 = 0 → Σ G^0_0 A0 = 6 → w1 = (4 − 6)/4 = −0.5
    // map = ReLU(1.5·A0 − .5·A1) = [1.5 − 1, 3, 4.5, 6 − 1]
    ablationcam: [0.5, 3, 4.5, 5],
  };
  it('flatten head (gradients vary per position): every gradient method matches the map worked on paper', async () => {
    for (const [method, expected] of Object.entries(FLATTEN_GOLDEN) as [MethodId, number[]][]) {
      expectMap(await explain(models.flatten, method, 0), expected, 1e-5, method);
    }
    // class 1: G^1_0 = [−1, 1, 0, 1], G^1_1 = [2, 0, −2, 0] → HiResCAM [−1 + 4, 2 + 0, 0 + 0, 4 + 0]
    expectMap(await explain(models.flatten, 'hirescam', 1), [3, 2, 0, 4], 1e-5, 'hirescam class 1');
  });

  // ReLU MLP head: class 0 g = (0.5, −1), class 1 g = (−0.25, 0.5), constant over positions.
  const MLP_GOLDEN: Partial<Record<MethodId, [number[], number[]]>> = {
    // class 0: ReLU(.5·A0 − A1) = [.5 − 2, 1, 1.5, 2 − 2];  class 1: ReLU(−.25·A0 + .5·A1) = [−.25 + 1, −.5, −.75, −1 + 1]
    gradcam: [
      [0, 1, 1.5, 0],
      [0.75, 0, 0, 0],
    ],
    xgradcam: [
      [0, 1, 1.5, 0],
      [0.75, 0, 0, 0],
    ],
    hirescam: [
      [-1.5, 1, 1.5, 0],
      [0.75, -0.5, -0.75, 0],
    ],
    // class 0: ReLU(g) = (.5, 0) → A0/2;  class 1: ReLU(g) = (0, .5) → A1/2
    layercam: [
      [0.5, 1, 1.5, 2],
      [1, 0, 0, 1],
    ],
    // class 0: k0 g = .5, S = 10: α = .25 / (.5 + 1.25) = 1/7, w0 = 4·(1/7)·.5 = 2/7; k1 g < 0 → 0 → 2/7·A0
    // class 1: k0 g < 0 → 0; k1 g = .5, S = 4: α = .25 / (.5 + .5) = 1/4, w1 = 4·(1/4)·.5 = 1/2 → A1/2
    gradcampp: [
      [2 / 7, 4 / 7, 6 / 7, 8 / 7],
      [1, 0, 0, 1],
    ],
    // class 0: y = 1.1. A0 = 0 → p = (0, 1): z = (−2, −3) → h = 0, y = 0.1 → w0 = 1/1.1 = 10/11
    //          A1 = 0 → p = (2.5, 0): z = (2.5, −1.5) → h = (2.5, 0), y = 5.1 → w1 = −4/1.1 = −40/11
    //          map = ReLU(10·A0 − 40·A1)/11 = [10 − 80, 20, 30, 40 − 80]/11
    ablationcam: [[0, 20 / 11, 30 / 11, 0], []],
  };
  it('ReLU MLP head: every gradient method and Ablation-CAM match the maps worked on paper', async () => {
    for (const [method, perClass] of Object.entries(MLP_GOLDEN) as [MethodId, number[][]][]) {
      for (const c of [0, 1]) if (perClass[c].length) expectMap(await explain(models.mlp, method, c), perClass[c], 1e-5, `${method} class ${c}`);
    }
  });

  it('Score-CAM equals the plain-JS masking loop on all three heads and both classes', async () => {
    for (const [name, spec] of [
      ['linear', LINEAR],
      ['flatten', FLATTEN],
      ['mlp', MLP],
    ] as const) {
      for (const c of [0, 1]) {
        const expected = jsScoreCam(spec, IMAGE, c, [0, 1]);
        expect(expected.some((v) => v > 0)).toBe(true);
        expectMap(await explain(models[name], 'scorecam', c), expected, 1e-5, `${name} class ${c}`);
      }
    }
  });

  it('Ablation-CAM equals the plain-JS ablation loop on all three heads and both classes', async () => {
    for (const [name, spec] of [
      ['linear', LINEAR],
      ['flatten', FLATTEN],
      ['mlp', MLP],
    ] as const) {
      for (const c of [0, 1]) {
        const expected = jsAblationCam(spec, A, c);
        expectMap(await explain(models[name], 'ablationcam', c), expected, 1e-5, `${name} class ${c}`);
      }
    }
  });

  // Eigen-CAM. With A_k = c_k·p + d_k the centred activations are X = p̃ cᵀ (p̃ = p − mean p), of rank
  // one: s1·u1 = X·v1 = ±|c|·p̃, the sign making the map correlate positively with Σ_k A_k = (Σc)·p + const.
  // p = [1, 2, 3, 4] → p̃ = [−1.5, −0.5, 0.5, 1.5].
  const P = [1, 2, 3, 4];
  const PT = [-1.5, -0.5, 0.5, 1.5];
  const channels = (c: number[], d: number[]) => P.flatMap((p) => c.map((ck, k) => ck * p + d[k]));
  it('Eigen-CAM: channels proportional to one pattern → ±|c|·p̃ with the documented sign rule', async () => {
    // c = (3, 4), |c| = 5, Σc = 7 > 0 → +5·p̃
    expectMap(await explain(models.linear, 'eigencam', 0, { features: channels([3, 4], [1, -2]) }), PT.map((v) => 5 * v), 1e-5, 'c = (3, 4)');
    // c = (−3, −4): Σ_k A_k = −7p + const → the sign flips: −5·p̃
    expectMap(await explain(models.linear, 'eigencam', 0, { features: channels([-3, -4], [10, 20]) }), PT.map((v) => -5 * v), 1e-5, 'c = (−3, −4)');
    // c = (3, −4): |c| = 5, Σc = −1 → −5·p̃ (the sum decides, not any one channel)
    expectMap(await explain(models.linear, 'eigencam', 0, { features: channels([3, -4], [1, 2]) }), PT.map((v) => -5 * v), 1e-5, 'c = (3, −4)');
    // Class-agnostic: same map for class 1.
    expectMap(await explain(models.linear, 'eigencam', 1, { features: channels([3, 4], [1, -2]) }), PT.map((v) => 5 * v), 1e-5, 'class 1');
  });

  it('Eigen-CAM: picks the strongest of two orthogonal components', async () => {
    // X = p̃·(3, 4) + q̃·(0.4, −0.3) with q̃ = [1, −1, −1, 1] ⊥ p̃ and (3, 4) ⊥ (0.4, −0.3): singular values
    // |p̃||c| = √5·5 ≈ 11.2 and |q̃||d| = 2·0.5 = 1, so the map is still +5·p̃.
    //   A0 = 3p̃ + .4q̃ + 2 = [−2.1, .1, 3.1, 6.9];  A1 = 4p̃ − .3q̃ + 5 = [−1.3, 3.3, 7.3, 10.7]
    const features = [-2.1, -1.3, 0.1, 3.3, 3.1, 7.3, 6.9, 10.7];
    expectMap(await explain(models.linear, 'eigencam', 0, { features }), PT.map((v) => 5 * v), 1e-5, 'rank 2');
    // The model's own activations A: X = [[−1.5, 1], [−.5, −1], [.5, −1], [1.5, 1]], XᵀX = [[5, 0], [0, 4]]:
    // v1 = (1, 0) (s1² = 5), X·v1 = p̃, and Σ_k A_k = [3, 2, 3, 6] correlates positively with p̃ → +p̃.
    expectMap(await explain(models.linear, 'eigencam', 0), PT, 1e-5, 'A');
  });
});

// ------------------------------------------------------------------------------------------------
// 2. GAP + linear identities: Grad-CAM = ReLU(CAM)/Z, HiResCAM = CAM/Z (and XGrad-CAM = Grad-CAM,
//    LayerCAM = ReLU(Σ_k ReLU(w_k^c) A_k)/Z) on the real default model and on synthetic ones.
// ------------------------------------------------------------------------------------------------

async function checkLinearIdentities(model: ExplainableModel, input: tf.Tensor4D, classes: number[]): Promise<void> {
  const features = tf.tidy(() => model.forward(input).features);
  const [, h, w, k] = features.shape;
  const z = h * w;
  const a = await features.data();
  const weights = await model.camWeights!.data();
  const numClasses = model.camWeights!.shape[1];
  const args = { model, input, features, options: OPTIONS };
  let bothSigns = 0;
  try {
    for (const c of classes) {
      const cam = await computeMap('cam', { ...args, classIndex: c });
      expect([cam.width, cam.height]).toEqual([w, h]);
      const camZ = Array.from(cam.values, (v) => v / z);
      const scale = Math.max(...camZ.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      // CAM itself against Σ_k w_k^c A_k in Float64 from the model's own weights.
      const ref = Array.from({ length: h * w }, (_, p) => {
        let s = 0;
        for (let j = 0; j < k; j++) s += weights[j * numClasses + c] * a[p * k + j];
        return s;
      });
      const layer = Array.from({ length: h * w }, (_, p) => {
        let s = 0;
        for (let j = 0; j < k; j++) s += Math.max(0, weights[j * numClasses + c]) * a[p * k + j];
        return Math.max(0, s) / z;
      });
      const check = (map: RawMap, expected: number[], what: string, bar = scale, tolerance = 1e-5) => {
        expect(map.values.length).toBe(expected.length);
        const worst = Math.max(...Array.from(map.values, (v, i) => Math.abs(v - expected[i])));
        expect(worst / bar, `${what} class ${c}`).toBeLessThan(tolerance);
      };
      // A Float32 sum of K signed terms errs in proportion to Σ_k |w_k A_k|, not to the (cancelled) result
      // (here 93–143× the peak): against the peak alone the error moved 4e-6 … 1.3e-5 with the last bit of
      // the input's rounding; against this magnitude it is 4e-8 … 9e-8 (a wrong weight would be ≥ 1e-3).
      const magnitude = Math.max(
        ...Array.from({ length: h * w }, (_, p) => {
          let s = 0;
          for (let j = 0; j < k; j++) s += Math.abs(weights[j * numClasses + c] * a[p * k + j]);
          return s;
        }),
      );
      check(cam, ref, 'CAM vs Float64', magnitude, 1e-6);
      check(await computeMap('gradcam', { ...args, classIndex: c }), camZ.map((v) => Math.max(0, v)), 'Grad-CAM = ReLU(CAM)/Z');
      check(await computeMap('hirescam', { ...args, classIndex: c }), camZ, 'HiResCAM = CAM/Z');
      check(await computeMap('xgradcam', { ...args, classIndex: c }), camZ.map((v) => Math.max(0, v)), 'XGrad-CAM = ReLU(CAM)/Z');
      check(await computeMap('layercam', { ...args, classIndex: c }), layer, 'LayerCAM');
      if (camZ.some((v) => v > 0) && camZ.some((v) => v < 0)) bothSigns++;
    }
    // Both signs occur in some map, so the ReLU in the Grad-CAM identity is exercised.
    expect(bothSigns).toBeGreaterThan(0);
  } finally {
    features.dispose();
  }
}

describe('GAP + linear identities', () => {
  it('real default model (chelsea.png): for 2 classes', async () => {
    const real: RealModel = await loadRealModel();
    const model = new GraphExplainable(real.entry, real.graph, real.nodes);
    expect(model.camWeights?.shape).toEqual([1792, 5]);
    const { width, height } = real.entry.inputSize;
    const input = pixelsToInput(loadPngResized('chelsea.png', width, height), width, height, real.entry.pixelScaling);
    try {
      await checkLinearIdentities(model, input, [0, 2]);
    } finally {
      input.dispose();
      model.camWeights?.dispose(); // not model.dispose(): the graph is shared by this file
    }
  });

  it('synthetic graph model (GraphExplainable): all 3 classes', async () => {
    const { graph, nodes, entry } = await loadSyntheticGraph();
    const model = new GraphExplainable(entry, graph, nodes);
    expect(model.layer).toBe('relu');
    expect(model.camWeights?.shape).toEqual([2, 3]);
    const input = tf.tensor4d(Array.from({ length: 48 }, (_, i) => Math.sin(i * 1.3) * 2), [1, 4, 4, 3]);
    try {
      await checkLinearIdentities(model, input, [0, 1, 2]);
    } finally {
      input.dispose();
      model.dispose();
    }
  });

  it('synthetic layers model (5 channels): all 3 classes', async () => {
    const model = tinyExplainable(WIDE);
    const input = imageTensor(Array.from({ length: 16 }, (_, i) => Math.sin(i * 1.7) * 3));
    try {
      await checkLinearIdentities(model, input, [0, 1, 2]);
    } finally {
      input.dispose();
      model.dispose();
    }
  });
});

// ------------------------------------------------------------------------------------------------
// 3. Gradients vs central finite differences
// ------------------------------------------------------------------------------------------------

describe('logitGradients vs central finite differences', () => {
  // A point where every tanh is in its curved range and every hidden ReLU is ≥ 0.05 from its kink.
  const POINT = [0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, 0.7];

  it('the test point is away from ReLU kinks, and the plain-JS head agrees with the model', async () => {
    const pre: number[] = [];
    jsHead(NONLINEAR, POINT, pre);
    expect(pre.length).toBe(3);
    for (const z of pre) expect(Math.abs(z)).toBeGreaterThan(0.05);
    expect(pre.some((z) => z < 0) && pre.some((z) => z > 0)).toBe(true); // both regimes of the ReLU
    const model: ExplainableModel = tinyExplainable(NONLINEAR);
    expect(model.layer).toBe('feat');
    const got = await tensorValues(tf.tidy(() => model.head(featureTensor(POINT), imageTensor(IMAGE))));
    jsHead(NONLINEAR, POINT).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    model.dispose();
  });

  for (const [name, spec, point] of [
    ['1×1 conv + tanh → GAP → Dense relu → Dense', NONLINEAR, POINT],
    ['GAP → Dense relu → Dense', MLP, A],
    ['Flatten → Dense', FLATTEN, A],
  ] as const) {
    it(`${name}: every entry of ∂y_c/∂A, both classes`, async () => {
      const model: ExplainableModel = tinyExplainable(spec);
      const input = imageTensor(IMAGE);
      const features = featureTensor([...point]);
      const h = 1e-2;
      try {
        for (const c of [0, 1]) {
          const grad = await tensorValues(logitGradients(model, features, input, c));
          expect(grad.length).toBe(8);
          expect(grad.some((g) => Math.abs(g) > 0.01)).toBe(true);
          for (let e = 0; e < 8; e++) {
            // Float32 finite difference through the model's own head…
            const [yPlus, yMinus] = await Promise.all(
              [h, -h].map((d) =>
                tensorValues(tf.tidy(() => model.head(features.add(tf.oneHot([e], 8).reshape([1, 2, 2, 2]).mul(d)) as tf.Tensor4D, input).slice([0, c], [1, 1]))),
              ),
            );
            const fd32 = (yPlus[0] - yMinus[0]) / (2 * h);
            expect(Math.abs(grad[e] - fd32), `float32 FD, class ${c}, entry ${e}`).toBeLessThan(2e-3);
            // …and a Float64 one through the plain-JS head.
            const d64 = 1e-6;
            const bump = (d: number) => jsHead(spec, point.map((v, i) => (i === e ? v + d : v)))[c];
            const fd64 = (bump(d64) - bump(-d64)) / (2 * d64);
            expect(Math.abs(grad[e] - fd64), `float64 FD, class ${c}, entry ${e}`).toBeLessThan(1e-4);
          }
        }
      } finally {
        tf.dispose([input, features]);
        model.dispose();
      }
    });
  }
});

// ------------------------------------------------------------------------------------------------
// 4. Score-CAM: batching and channel choice
// ------------------------------------------------------------------------------------------------

describe('on-demand methods: batching and channel choice', () => {
  let model: LayersExplainable;
  beforeAll(() => {
    model = tinyExplainable(WIDE);
  });
  afterAll(() => model.dispose());

  it('the wide model has 5 channels with distinct spatial variances', () => {
    const v = jsChannelVariance(jsTrunk(WIDE, WIDE_IMAGE), 5);
    expect(new Set(v.map((x) => x.toFixed(6))).size).toBe(5);
    expect(Math.min(...v)).toBeGreaterThan(1e-3);
  });

  it('batch size 1, 3 and 16 give identical maps, and equal the plain-JS loop; progress counts channels', async () => {
    for (const c of [0, 1, 2]) {
      const maps: Float32Array[] = [];
      for (const batchSize of [1, 3, 16]) {
        const progress: [number, number][] = [];
        const map = await explain(model, 'scorecam', c, { image: WIDE_IMAGE, options: { batchSize }, progress: (d, t) => progress.push([d, t]) });
        maps.push(map.values);
        const passes = Math.ceil(5 / batchSize);
        expect(progress.length).toBe(passes);
        expect(progress[passes - 1]).toEqual([5, 5]);
        if (batchSize === 3) expect(progress).toEqual([
          [3, 5],
          [5, 5],
        ]);
      }
      expect(Array.from(maps[1])).toEqual(Array.from(maps[0]));
      expect(Array.from(maps[2])).toEqual(Array.from(maps[0]));
      const expected = jsScoreCam(WIDE, WIDE_IMAGE, c, [0, 1, 2, 3, 4]);
      expect(expected.some((v) => v > 0)).toBe(true);
      expectMap({ width: 2, height: 2, values: maps[0] }, expected, 1e-5, `class ${c}`);
    }
  });

  it('Ablation-CAM: batch size 1, 2, 3 and 16 give identical maps equal to the plain-JS loop; progress counts channels', async () => {
    const a = jsTrunk(WIDE, WIDE_IMAGE);
    for (const c of [0, 1, 2]) {
      const expected = jsAblationCam(WIDE, a, c);
      expect(expected.some((v) => v > 0)).toBe(true);
      const first = await explain(model, 'ablationcam', c, { image: WIDE_IMAGE, options: { batchSize: 1 } });
      expectMap(first, expected, 1e-5, `class ${c}`);
      for (const batchSize of [2, 3, 16]) {
        const progress: [number, number][] = [];
        const map = await explain(model, 'ablationcam', c, { image: WIDE_IMAGE, options: { batchSize }, progress: (d, t) => progress.push([d, t]) });
        expect(Array.from(map.values), `batch ${batchSize}`).toEqual(Array.from(first.values));
        if (batchSize === 2) expect(progress).toEqual([[2, 5], [4, 5], [5, 5]]);
        if (batchSize === 16) expect(progress).toEqual([[5, 5]]);
      }
    }
  });

  it("top-N with N = K (or more) is identical to 'all'; N = 2 keeps the two highest-variance channels", async () => {
    const variance = jsChannelVariance(jsTrunk(WIDE, WIDE_IMAGE), 5);
    const top2 = [0, 1, 2, 3, 4].sort((a, b) => variance[b] - variance[a]).slice(0, 2);
    for (const c of [0, 2]) {
      const all = await explain(model, 'scorecam', c, { image: WIDE_IMAGE, options: { scoreCamChannels: 'all', batchSize: 2 } });
      for (const n of [5, 7]) {
        const topN = await explain(model, 'scorecam', c, { image: WIDE_IMAGE, options: { scoreCamChannels: n, batchSize: 2 } });
        expect(Array.from(topN.values), `N = ${n}`).toEqual(Array.from(all.values));
      }
      const two = await explain(model, 'scorecam', c, { image: WIDE_IMAGE, options: { scoreCamChannels: 2, batchSize: 16 } });
      const expected = jsScoreCam(WIDE, WIDE_IMAGE, c, top2);
      expectMap(two, expected, 1e-5, `N = 2, class ${c}`);
      // And it is not the all-channel map.
      expect(Math.max(...Array.from(two.values, (v, i) => Math.abs(v - all.values[i])))).toBeGreaterThan(1e-3);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// 5. No tensor leaks
// ------------------------------------------------------------------------------------------------

describe('no tensor leaks', () => {
  for (const [name, spec] of [
    ['linear', LINEAR],
    ['mlp', MLP],
  ] as const) {
    it(`${name}: 20 explanations with each method leave tf.memory().numTensors unchanged`, async () => {
      const model = tinyExplainable(spec);
      const methods = METHOD_IDS.filter((m) => m !== 'cam' || model.camWeights);
      expect(methods.length).toBe(name === 'linear' ? 9 : 8);
      // Warm-up (first calls may create lasting backend state).
      for (const m of methods) await explain(model, m, 0);
      for (const m of methods) {
        const before = tf.memory().numTensors;
        for (let i = 0; i < 20; i++) {
          // A full explanation: forward for the features, then the method.
          const map = await explain(model, m, i % 2, { options: { batchSize: 1 } });
          expect(map.values.every(Number.isFinite)).toBe(true);
        }
        expect(tf.memory().numTensors, m).toBe(before);
      }
      model.dispose();
    });
  }

  it('a Score-CAM / Ablation-CAM cancelled from its progress callback rejects with CancelledError and leaks nothing', async () => {
    const model = tinyExplainable(WIDE);
    await explain(model, 'scorecam', 0, { image: WIDE_IMAGE });
    for (const method of ['scorecam', 'ablationcam'] as const) {
      const before = tf.memory().numTensors;
      const controller = new AbortController();
      const seen: number[] = [];
      const run = explain(model, method, 1, {
        image: WIDE_IMAGE,
        options: { batchSize: 2 },
        signal: controller.signal,
        progress: (done) => {
          seen.push(done);
          controller.abort();
        },
      });
      await expect(run).rejects.toBeInstanceOf(CancelledError);
      expect(seen, method).toEqual([2]); // one pass of 2, then stopped before the next
      expect(tf.memory().numTensors, method).toBe(before);
      // Already aborted before the start: rejects without any pass.
      const aborted = new AbortController();
      aborted.abort();
      const passes: number[] = [];
      await expect(explain(model, method, 0, { image: WIDE_IMAGE, signal: aborted.signal, progress: (d) => passes.push(d) })).rejects.toBeInstanceOf(CancelledError);
      expect(passes).toEqual([]);
      expect(tf.memory().numTensors, method).toBe(before);
    }
    model.dispose();
  });
});

// ------------------------------------------------------------------------------------------------
// 6. Errors
// ------------------------------------------------------------------------------------------------

describe('errors', () => {
  it('CAM on a model without a linear head rejects with a MethodError that points to Grad-CAM (and leaks nothing)', async () => {
    for (const spec of [MLP, FLATTEN]) {
      const model = tinyExplainable(spec);
      const before = tf.memory().numTensors;
      const run = explain(model, 'cam', 0);
      await expect(run).rejects.toBeInstanceOf(MethodError);
      await expect(run).rejects.toThrow(/Grad-CAM/);
      await expect(run).rejects.toThrow(model.camUnavailable!);
      expect(tf.memory().numTensors).toBe(before);
      // Grad-CAM itself works on that model.
      expect((await explain(model, 'gradcam', 0)).values.length).toBe(4);
      model.dispose();
    }
  });

  it('an out-of-range class rejects with a MethodError for every method', async () => {
    const model = tinyExplainable(LINEAR);
    const before = tf.memory().numTensors;
    for (const m of METHOD_IDS) {
      for (const c of [2, -1, 0.5, Number.NaN]) {
        const run = explain(model, m, c);
        await expect(run, `${m} class ${c}`).rejects.toBeInstanceOf(MethodError);
        await expect(run).rejects.toThrow(/out of range/);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

// ------------------------------------------------------------------------------------------------
// 7. The second bundled model: nsfwjs MobileNetV2 1.0, a layers model with an MLP head
// ------------------------------------------------------------------------------------------------

describe('second bundled model (nsfw mobilenet_v2, layers, MLP head)', () => {
  let layersModel: tf.LayersModel;
  let model: LayersExplainable;
  let input: tf.Tensor4D;
  beforeAll(async () => {
    const entry = (readCatalog() as { models: ModelEntry[] }).models.find((m) => m.id === 'nsfw-mobilenet-v2');
    expect(entry?.format).toBe('layers');
    const { modelJson, shards } = extractNsfwjsModel(entry!.source.folder) as {
      modelJson: { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
      shards: { bytes: Uint8Array }[];
    };
    layersModel = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
        weightData: concatBytes(shards.map((s) => s.bytes)),
      }),
    );
    model = new LayersExplainable(entry!, layersModel);
    const { width, height } = entry!.inputSize;
    input = pixelsToInput(loadPngResized('chelsea.png', width, height), width, height, entry!.pixelScaling);
  });
  afterAll(() => {
    input?.dispose();
    model?.dispose();
  });

  it("finds layer 'out_relu'; exact CAM does not apply (three dense layers)", () => {
    expect(model.layer).toBe('out_relu');
    expect(model.camWeights).toBeNull();
    expect(model.camUnavailable).toMatch(/dense layers/);
    expect(model.outputActivation).toBe('softmax');
  });

  it('softmax of its logits equals layersModel.predict within 1e-5; Grad-CAM is a finite 7×7 map', async () => {
    const { features, logits } = tf.tidy(() => model.forward(input));
    const [fromLogits, predicted] = await Promise.all([
      tensorValues(tf.tidy(() => tf.softmax(logits))),
      tensorValues(layersModel.predict(input) as tf.Tensor),
    ]);
    expect(features.shape).toEqual([1, 7, 7, 1280]);
    expect(fromLogits.length).toBe(5);
    for (let c = 0; c < 5; c++) expect(Math.abs(fromLogits[c] - predicted[c])).toBeLessThan(1e-5);
    // The logits are pre-softmax (not the probabilities themselves).
    expect((await logits.data()).some((v) => v < 0 || v > 1)).toBe(true);
    const top = predicted.indexOf(Math.max(...predicted));
    for (const c of [top, (top + 1) % 5]) {
      const map = await computeMap('gradcam', { model, input, features, classIndex: c, options: OPTIONS });
      expect([map.width, map.height]).toEqual([7, 7]);
      expect(map.values.length).toBe(49);
      expect(map.values.every(Number.isFinite)).toBe(true);
      expect(map.values.some((v) => v > 0)).toBe(true);
    }
    tf.dispose([features, logits]);
  });
});
