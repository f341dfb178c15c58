// Ranking a model's class scores.
export interface ClassScore {
  index: number;
  label: string;
  probability: number;
}

/** The k highest-scoring classes, best first; unlabelled classes are called "class N". */
export function topClasses(probabilities: ArrayLike<number>, labels: readonly string[], k: number): ClassScore[] {
  return Array.from(probabilities, (probability, index) => ({ index, label: labels[index] ?? `class ${index}`, probability }))
    .sort((a, b) => rank(b.probability) - rank(a.probability))
    .slice(0, Math.max(0, Math.floor(k)));
}

/** NaN scores sort last instead of scrambling the order. */
function rank(p: number): number {
  return Number.isNaN(p) ? -Infinity : p;
}

/**
 * A probability as the panel, announcements and exports show it: one decimal ("75.3 %"), none at
 * the extremes where a decimal would claim precision the softmax does not have ("100 %", "0 %").
 */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return '– %';
  return `${(p * 100).toFixed(p >= 0.9995 || p < 0.0005 ? 0 : 1)} %`;
}
