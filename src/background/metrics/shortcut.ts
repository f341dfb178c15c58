// The shortcut alarm's causal test, after each explanation: the map's strongest suspicious region
// (core/metrics/shortcut.ts: border band, corner, or a compact blob of overlaid marks) is covered
// with the model's "nothing" substitute (the faithfulness check's, perturbation.ts), and separately
// kept alone with everything else covered. The alarm fires when the region is necessary (the class
// falls by ≥ 50 %, relative) or sufficient (alone it keeps the class top-1, where the "nothing"
// image alone does not).
// Cost: reading the input once and one pass over the map at input size; only when a region is
// suspicious, one forward pass of a batch of three images (covered, kept alone, nothing).
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
  const scores = tf.tidy(() => {
    const region = tf.tensor4d(mask, [1, height, width, 1]);
    const masks = tf.concat([region, tf.sub(1, region) as tf.Tensor4D, tf.onesLike(region)]);
    // Row 0: the region covered; row 1: only the region kept; row 2: nothing at all.
    const images = blend(tf.concat([input, input, input]), substituteImage(input, request.substitute), masks);
    return scoresFromLogits(request.model, request.model.forward(images).logits);
  });
  let values: Float32Array;
  try {
    values = (await scores.data()) as Float32Array;
  } finally {
    scores.dispose();
  }
  const classes = values.length / 3;
  const after = values[classIndex];
  const kept = values.subarray(classes, 2 * classes);
  const top = argmax(kept);
  const verdict = causalVerdict(before, after, top, classIndex, argmax(values.subarray(2 * classes)));
  if (!verdict.necessary && !verdict.sufficient) return { shortcut: null, forwards: 3 };
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
    forwards: 3,
  };
}

function argmax(values: Float32Array): number {
  let top = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[top]) top = i;
  return top;
}
