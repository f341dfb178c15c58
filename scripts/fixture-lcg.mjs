// Deterministic weights for the fixture models: every run writes the same bytes.

/** A generator of numbers in [-scale, scale) from a 32-bit LCG seeded with `seed`. */
export function lcg(seed) {
  let x = seed >>> 0;
  return (n, scale) =>
    Array.from({ length: n }, () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return ((x / 2 ** 32) * 2 - 1) * scale;
    });
}
