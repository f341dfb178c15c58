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
