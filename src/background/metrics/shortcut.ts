// The shortcut alarm's causal test, after each explanation: the map's strongest suspicious region
// (core/metrics/shortcut.ts: border band, corner, or a compact blob of overlaid marks) is covered
// with the model's "nothing" substitute (the faithfulness check's, perturbation.ts), and separately
// kept alone with everything else covered. The alarm fires when the region is necessary (the class
// falls by ≥ 50 %, relative) or sufficient (alone it keeps the class top-1, where the "nothing"
// image alone does not).
// Cost: reading the input once and one pass over the map at input size; only when a region is
// suspicious, one forward pass of a batch of two images (covered, kept alone), and of the "nothing"
// image the first time a model is tested at that input size (it is the same grey for every picture).
import * as tf from '@tensorflow/tfjs';
import { causalVerdict, findSuspicion, lumaOf, markCandidates, placeCandidates, regionMask, boundsOf, textLikeMarks, toImagePixels, type Shortcut } from '../../core/metrics/shortcut';
import type { Substitute } from '../../core/metrics/substitute';
import { prepareDisplayMap, upsampleDisplayMap, type RawGrid } from '../../core/postprocess';
import { scoresFromLogits, type ExplainableModel } from '../explainable';
import { blend, substituteImage } from './perturbation';

export interface ShortcutRequest {
  model: ExplainableModel;
  /** The explained model input, [1, H, W, C]. */
  input: tf.Tensor4D;
  classIndex: number;
  /** The class's probability on the whole input. */
  before: number;
  map: RawGrid;
  substitute: Substitute;
  /** The part of the image the model saw, in image pixels (the region is reported there). */
  area: { x: number; y: number; width: number; height: number };
  labelOf(index: number): string;
}

export interface ShortcutOutcome {
  shortcut: Shortcut | null;
  /** Images run through the model (0 when nothing was suspicious). */
  forwards: number;
}

export async function shortcutAlarm(request: ShortcutRequest): Promise<ShortcutOutcome> {
  const { input, map, classIndex, before } = request;
  const [, height, width, channels] = input.shape;
  const display = prepareDisplayMap(map, { relu: true });
  if (display.noPositiveEvidence || display.flat) return { shortcut: null, forwards: 0 };
  const evidence = upsampleDisplayMap(display, width, height);
  const marks = textLikeMarks(lumaOf((await input.data()) as Float32Array, width, height, channels), width, height);
  const suspicion = findSuspicion(evidence, width, height, [...placeCandidates(width, height, map.width, map.height), ...markCandidates(marks)]);
  if (!suspicion) return { shortcut: null, forwards: 0 };

  const mask = regionMask(suspicion, width, height);
  const values = await scoresOf(request.model, () => {
    const region = tf.tensor4d(mask, [1, height, width, 1]);
    const masks = tf.concat([region, tf.sub(1, region) as tf.Tensor4D]);
    // Row 0: the region covered; row 1: only the region kept.
    return blend(tf.concat([input, input]), substituteImage(input, request.substitute), masks);
  });
  const nothing = await nothingScores(request.model, input, request.substitute);
  const forwards = 2 + nothing.forwards;
  const classes = values.length / 2;
  const after = values[classIndex];
  const kept = values.subarray(classes, 2 * classes);
  const top = argmax(kept);
  const verdict = causalVerdict(before, after, top, classIndex, argmax(nothing.scores));
  if (!verdict.necessary && !verdict.sufficient) return { shortcut: null, forwards };
  return {
    shortcut: {
      region: { ...toImagePixels(boundsOf(suspicion), { width, height }, request.area), kind: suspicion.kind },
      place: suspicion.place,
      massShare: suspicion.massShare,
      areaShare: suspicion.areaShare,
      drop: { before, after },
      keptOnly: { top, label: request.labelOf(top), probability: kept[top] },
      ...verdict,
    },
    forwards,
  };
}

/** The "nothing" image's scores by model and input size (a model load is one object: switching model or backend starts afresh). */
const nothingCache = new WeakMap<ExplainableModel, Map<string, Float32Array>>();

/** Scores of the substitute alone (no picture at all): the same image for every picture a model sees at this size. */
async function nothingScores(model: ExplainableModel, input: tf.Tensor4D, substitute: Substitute): Promise<{ scores: Float32Array; forwards: number }> {
  const key = `${input.shape.slice(1).join('x')}|${substitute.input.join(',')}`;
  let byKey = nothingCache.get(model);
  const known = byKey?.get(key);
  if (known) return { scores: known, forwards: 0 };
  const values = await scoresOf(model, () => substituteImage(input, substitute));
  if (!byKey) nothingCache.set(model, (byKey = new Map()));
  byKey.set(key, values);
  return { scores: values, forwards: 1 };
}

/** The model's class scores for a batch of images made inside its tidy scope, read back, tensors freed. */
async function scoresOf(model: ExplainableModel, images: () => tf.Tensor4D): Promise<Float32Array> {
  const scores = tf.tidy(() => scoresFromLogits(model, model.forward(images()).logits));
  try {
    return (await scores.data()) as Float32Array;
  } finally {
    scores.dispose();
  }
}

function argmax(values: Float32Array): number {
  let top = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[top]) top = i;
  return top;
}
