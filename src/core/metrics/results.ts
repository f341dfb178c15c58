// What the map checks return (the seam's `faithfulness` and `sanity` fields, carried by messages and
// exports), and the protocol's fixed choices. Curves are the raw probabilities, so every AUC can be
// recomputed from the result alone (auc.ts).
import * as z from 'zod/mini';

/** Steps of a deletion or insertion curve (points: steps + 1). */
export const FAITHFULNESS_STEPS = 32;
/** Seed of the random baseline map and of the sanity check's weights. */
export const METRICS_SEED = 14;
/** A map whose Spearman ρ with the map after randomising the head and the last block stays at or above this is flagged. */
export const INSENSITIVE_RHO = 0.5;

const Rgb = z.tuple([z.number(), z.number(), z.number()]);

export const Curve = z.object({
  /** The explained class's score at k / steps of the pixels changed, k = 0…steps. */
  curve: z.array(z.number()),
  auc: z.number(),
});
export type Curve = z.infer<typeof Curve>;

export const CurvePair = z.object({ deletion: Curve, insertion: Curve });
export type CurvePair = z.infer<typeof CurvePair>;

export const Faithfulness = z.object({
  steps: z.int().check(z.positive()),
  /** What deleted pixels become, in model-input space and as a colour. */
  substitute: z.object({ rule: z.enum(['dataset mean', 'mid grey']), input: Rgb, rgb: Rgb }),
  /** σ of the insertion curve's blur, in model-input pixels. */
  blurSigma: z.object({ x: z.number(), y: z.number() }),
  /** The map's order: positive evidence only (ReLU before normalising, as drawn by default), or the signed map. */
  ranking: z.enum(['positive', 'signed']),
  classIndex: z.int().check(z.nonnegative()),
  seed: z.int(),
  deletion: Curve,
  insertion: Curve,
  baselines: z.object({ random: CurvePair, centre: CurvePair }),
  timingsMs: z.optional(z.record(z.string(), z.number())),
});
export type Faithfulness = z.infer<typeof Faithfulness>;

export const SanityLevel = z.object({
  /** What is randomised at this level, cumulatively: 'head', then block names deepest first. */
  randomised: z.array(z.string()),
  /** Spearman ρ between the original map and this level's; null when either map is flat. */
  rho: z.nullable(z.number()),
});

export const SanityCheck = z.object({
  seed: z.int(),
  levels: z.array(SanityLevel),
  /** ρ ≥ INSENSITIVE_RHO once the head and the last block are randomised: the map barely depends on what the model learned. */
  insensitive: z.boolean(),
  timingsMs: z.optional(z.record(z.string(), z.number())),
});
export type SanityCheck = z.infer<typeof SanityCheck>;

export type CheckKind = 'faithfulness' | 'sanity';
