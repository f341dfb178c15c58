/**
 * Deletion and insertion (Petsiuk et al. 2018, RISE) for the map on screen and two baselines.
 * A curve metric is a perturbation and a pixel order: step k of N moves the round(k·P/N) pixels the
 * order puts first from the perturbation's `from` image to its `to` image, and records the explained
 * class's score; AUC by the trapezoid rule over k/N. Orders: the map as drawn (upsampled to the
 * input), a seeded random map and a centred Gaussian, both at the map's resolution.
 * Cost: 2·(N−1) forwards per order, plus three shared images (input, substitute, blurred) once per
 * image and class; scores already known (baselines, a map checked before) are not computed again.
 */
import * as tf from '@tensorflow/tfjs';
import { trapezoidAuc } from '../../core/metrics/auc';
import { centreMap, randomMap } from '../../core/metrics/baselineMaps';
import { blurSigma } from '../../core/metrics/blur';
import { mapRanks, stepCounts } from '../../core/metrics/ranking';
import { FAITHFULNESS_STEPS, METRICS_SEED, type Curve, type CurvePair, type Faithfulness } from '../../core/metrics/results';
import type { Substitute } from '../../core/metrics/substitute';
import type { RawGrid } from '../../core/postprocess';
import type { ExplainableModel } from '../explainable';
import { DELETION, INSERTION, blend, perturbationImages, rankMasks, type Perturbation, type PerturbationImages } from './perturbation';
import { classScores, type ProbeOptions } from './probe';

/** A pixel order, computed only when a score under it is not known yet. */
interface Order {
  id: string;
  ranks(): Int32Array;
}

/** One image to score: an endpoint (a whole image), or step `count` of a perturbation under an order. */
interface Row {
  key: string;
  perturbation: Perturbation;
  order: Order;
  count: number;
}

/** The perturbation curves for one order: `steps + 1` rows each. */
export class PerturbationCurve {
  constructor(readonly perturbation: Perturbation) {}

  rows(order: Order, counts: number[]): Row[] {
    const all = counts[counts.length - 1];
    return counts.map((count) => ({
      // Nothing or everything moved is the same image whatever the order: scored once.
      key: count === 0 ? this.perturbation.from : count === all ? this.perturbation.to : `${this.perturbation.id}:${order.id}:${count}`,
      perturbation: this.perturbation,
      order,
      count,
    }));
  }
}

const CURVES = [new PerturbationCurve(DELETION), new PerturbationCurve(INSERTION)] as const;

export interface FaithfulnessRequest {
  model: ExplainableModel;
  /** The explained model input, [1, H, W, C]. */
  input: tf.Tensor4D;
  classIndex: number;
  /** The raw map as the result carries it. */
  map: RawGrid;
  /** Rank the map as drawn with positive evidence only (ReLU before normalising), else the signed map. */
  positiveOnly: boolean;
  substitute: Substitute;
  steps?: number;
  seed?: number;
  /** The insertion blur's σ in input pixels (default: 5 px at 224 px, scaled). */
  blurSigma?: { x: number; y: number };
  /** Scores known for this input and class, by row; new ones are added (the caller's cache). */
  known?: Map<string, number>;
  probe: ProbeOptions;
}

export async function checkFaithfulness(request: FaithfulnessRequest): Promise<Faithfulness> {
  const started = performance.now();
  const { input, map, positiveOnly } = request;
  const steps = request.steps ?? FAITHFULNESS_STEPS;
  const seed = request.seed ?? METRICS_SEED;
  const [, height, width] = input.shape;
  const counts = stepCounts(width * height, steps);
  const sigma = request.blurSigma ?? blurSigma(width, height);
  const lazy = (id: string, make: () => Int32Array): Order => {
    let ranks: Int32Array | undefined;
    return { id, ranks: () => (ranks ??= make()) };
  };
  const orders = {
    map: lazy(`map:${positiveOnly ? 'positive' : 'signed'}:${map.width}x${map.height}:${hashValues(map.values)}`, () => mapRanks(map, width, height, positiveOnly)),
    random: lazy(`random:${seed}:${map.width}x${map.height}`, () => mapRanks(randomMap(map.width, map.height, seed), width, height, true)),
    centre: lazy(`centre:${map.width}x${map.height}`, () => mapRanks(centreMap(map.width, map.height), width, height, true)),
  };
  const rows = Object.values(orders).flatMap((order) => CURVES.flatMap((curve) => curve.rows(order, counts)));

  const known = request.known ?? new Map<string, number>();
  const todo = [...new Map(rows.filter((r) => !known.has(r.key)).map((r) => [r.key, r])).values()];
  if (todo.length > 0) {
    const images = await perturbationImages(input, request.substitute, sigma);
    try {
      const scores = await classScores(request.model, request.classIndex, todo.length, (start, end) => buildRows(todo.slice(start, end), images), request.probe);
      todo.forEach((row, i) => known.set(row.key, scores[i]));
    } finally {
      tf.dispose([images.substitute, images.blurred]);
    }
  }

  const curve = (order: Order, curveIndex: number): Curve => {
    const values = CURVES[curveIndex].rows(order, counts).map((r) => known.get(r.key)!);
    return { curve: values, auc: trapezoidAuc(values) };
  };
  const pair = (order: Order): CurvePair => ({ deletion: curve(order, 0), insertion: curve(order, 1) });
  return {
    steps,
    substitute: request.substitute,
    blurSigma: sigma,
    ranking: positiveOnly ? 'positive' : 'signed',
    classIndex: request.classIndex,
    seed,
    ...pair(orders.map),
    baselines: { random: pair(orders.random), centre: pair(orders.centre) },
    timingsMs: { total: performance.now() - started, forwards: todo.length },
  };
}

/** The batch's images: consecutive rows of one perturbation and order share one blend. */
function buildRows(rows: Row[], images: PerturbationImages): tf.Tensor4D {
  const parts: tf.Tensor4D[] = [];
  for (let i = 0; i < rows.length; ) {
    let j = i + 1;
    while (j < rows.length && rows[j].perturbation === rows[i].perturbation && rows[j].order === rows[i].order) j++;
    const { perturbation, order } = rows[i];
    const [, height, width] = images.input.shape;
    const ranks = tf.tensor4d(Float32Array.from(order.ranks()), [1, height, width, 1]);
    parts.push(blend(images[perturbation.from], images[perturbation.to], rankMasks(ranks, rows.slice(i, j).map((r) => r.count))));
    i = j;
  }
  return parts.length === 1 ? parts[0] : tf.concat(parts);
}

/** FNV-1a over the map's float bits: two maps share scores only if they are the same map. */
export function hashValues(values: ArrayLike<number>): string {
  const bits = new Uint32Array(Float32Array.from(values).buffer);
  let hash = 0x811c9dc5;
  for (const word of bits) {
    hash ^= word;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16);
}
