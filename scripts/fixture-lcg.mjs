// Deterministic numbers for the test fixtures (model weights, pictures): every run writes the same bytes.

/** A generator of numbers in [-scale, scale) from a 32-bit LCG seeded with `seed`. */
export function lcg(seed) {
  let x = seed >>> 0;
  return (n, scale) =>
    Array.from({ length: n }, () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return ((x / 2 ** 32) * 2 - 1) * scale;
    });
}

/**
 * Numbers in [0, 1) from a 32-bit seed: mulberry32, as src/core/random.ts (these scripts run in plain
 * Node, which cannot import the TypeScript; the same seed gives the same numbers in both).
 */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
