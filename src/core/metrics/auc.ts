// Area under a perturbation curve by the trapezoid rule over the fraction of pixels changed, with the
// curve's points at k / steps (k = 0…steps): anyone can recompute it from the probabilities alone.

/** ∫₀¹ p dx for p sampled at x = k / (p.length − 1). */
export function trapezoidAuc(curve: ArrayLike<number>): number {
  const steps = curve.length - 1;
  if (steps < 1) throw new RangeError('a curve needs at least two points');
  let sum = 0;
  for (let k = 0; k < steps; k++) sum += (curve[k] + curve[k + 1]) / 2;
  return sum / steps;
}
