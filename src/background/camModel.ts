// A loaded classifier plus its CAM head, and the tensor math of exact CAM (Zhou et al. 2016).
// Uses tfjs only (no browser API), so the same code runs in the service worker and in Node tests.
import * as tf from '@tensorflow/tfjs';
import { findCamHead, type CamHead, type GraphNode } from '../core/camHead';
import type { ModelEntry, PixelScaling } from '../core/catalog';

export interface CamModel {
  entry: ModelEntry;
  graph: tf.GraphModel;
  head: CamHead;
  /** Class weights as [K, C]: column c holds w^c. */
  classWeights: tf.Tensor2D;
}

export class CamModelError extends Error {}

/** Builds a CamModel from a loaded graph model and its topology nodes. */
export function prepareCamModel(entry: ModelEntry, graph: tf.GraphModel, nodes: GraphNode[]): CamModel {
  const head = findCamHead(nodes);
  if (head.poolAxesNode) {
    const axes = graph.weights[head.poolAxesNode]?.[0];
    const values = axes ? Array.from(axes.dataSync()).sort() : [];
    if (values.join() !== '1,2') throw new CamModelError(`pooling ${head.poolNode} averages over axes [${values.join(', ')}], not the spatial axes [1, 2]`);
  }
  const raw = graph.weights[head.weightNode]?.[0];
  if (!raw) throw new CamModelError(`weights ${head.weightNode} not loaded`);
  const classWeights = tf.tidy(() => {
    switch (head.weightLayout) {
      case 'KC':
        return raw.clone() as tf.Tensor2D;
      case 'CK':
        return (raw as tf.Tensor2D).transpose() as tf.Tensor2D;
      case 'conv1x1':
        return raw.reshape([raw.shape[2]!, raw.shape[3]!]) as tf.Tensor2D;
    }
  });
  if (classWeights.shape[1] !== entry.labels.length) {
    classWeights.dispose();
    throw new CamModelError(`model has ${classWeights.shape[1]} classes, catalog lists ${entry.labels.length} labels`);
  }
  return { entry, graph, head, classWeights };
}

const SCALE: Record<PixelScaling, { mul: number; add: number }> = {
  unit: { mul: 1 / 255, add: 0 },
  symmetric: { mul: 2 / 255, add: -1 },
  byte: { mul: 1, add: 0 },
};

/** RGBA bytes already at the model's input size → [1, H, W, 3] float input. */
export function pixelsToInput(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, scaling: PixelScaling): tf.Tensor4D {
  if (rgba.length !== width * height * 4) throw new CamModelError(`expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
  const { mul, add } = SCALE[scaling];
  return tf.tidy(() => {
    const rgb = tf.tensor3d(Int32Array.from(rgba), [height, width, 4], 'int32').slice([0, 0, 0], [height, width, 3]);
    return rgb.toFloat().mul(mul).add(add).expandDims(0) as tf.Tensor4D;
  });
}

export interface Forward {
  /** Feature maps A, [1, H, W, K]; owned by the caller (dispose when done). */
  features: tf.Tensor4D;
  logits: Float32Array;
  probabilities: Float32Array;
}

/** One forward pass returning the CAM layer's activations and the logits. */
export async function forward(model: CamModel, input: tf.Tensor4D): Promise<Forward> {
  const { head } = model;
  const [features, logitsRaw] = model.graph.execute(input, [head.featureNode, head.logitsNode]) as tf.Tensor[];
  try {
    checkFeatures(model, features);
    const logits2d = logitsRaw.reshape([1, -1]);
    const scores =
      head.outputActivation === 'softmax' ? tf.softmax(logits2d) : head.outputActivation === 'sigmoid' ? tf.sigmoid(logits2d) : logits2d.clone();
    const [logits, probabilities] = await Promise.all([logits2d.data() as Promise<Float32Array>, scores.data() as Promise<Float32Array>]);
    tf.dispose([logits2d, scores, logitsRaw]);
    return { features: features as tf.Tensor4D, logits, probabilities };
  } catch (e) {
    tf.dispose([features, logitsRaw]);
    throw e;
  }
}

function checkFeatures(model: CamModel, features: tf.Tensor): void {
  const { head, classWeights } = model;
  if (features.rank !== 4) throw new CamModelError(`CAM layer ${head.featureNode} is ${features.rank}-D, expected 4-D`);
  const [, h, w, k] = features.shape;
  if (head.poolKernel && (head.poolKernel[0] !== h || head.poolKernel[1] !== w)) {
    throw new CamModelError(`pooling window ${head.poolKernel.join('×')} does not cover the ${h}×${w} feature map: not global pooling`);
  }
  if (k !== classWeights.shape[0]) throw new CamModelError(`feature maps have ${k} channels, class weights expect ${classWeights.shape[0]}`);
}

export interface RawMap {
  width: number;
  height: number;
  /** Signed, unnormalised M_c, row-major. */
  values: Float32Array;
}

/** Exact CAM for class c: M_c(x, y) = Σ_k w_k^c · A_k(x, y), one matmul on the backend. */
export async function classActivationMap(model: CamModel, features: tf.Tensor4D, classIndex: number): Promise<RawMap> {
  const [, height, width, channels] = features.shape;
  const classes = model.classWeights.shape[1];
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) {
    throw new CamModelError(`class ${classIndex} is out of range (model has ${classes} classes)`);
  }
  const map = tf.tidy(() => {
    const wc = model.classWeights.slice([0, classIndex], [channels, 1]);
    return features.reshape([height * width, channels]).matMul(wc).reshape([height, width]);
  });
  const values = (await map.data()) as Float32Array;
  map.dispose();
  return { width, height, values };
}
