// The two maps every explanation is compared with: one that knows nothing (seeded noise) and one that
// only knows photographers centre their subject (a Gaussian around the middle). Both are made at the
// explained map's own resolution and then go through the same display steps, so they differ from the
// method's map only in what they claim, not in how smooth they are.
import { seededRandom } from '../random';

/** Uniform [0, 1) values, row-major, from `seed`. */
export function randomMap(width: number, height: number, seed: number): { width: number; height: number; values: Float32Array } {
  const next = seededRandom(seed);
  return { width, height, values: Float32Array.from({ length: width * height }, next) };
}

/**
 * exp(−(dx² / 2σx² + dy² / 2σy²)) at cell centres, measured from the grid's centre, σ a quarter of
 * each side: highest in the middle, falling to e^−2 ≈ 0.14 at the middle of each edge.
 */
export function centreMap(width: number, height: number): { width: number; height: number; values: Float32Array } {
  const values = new Float32Array(width * height);
  const sx = width / 4;
  const sy = height / 4;
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - height / 2;
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - width / 2;
      values[y * width + x] = Math.exp(-(dx * dx) / (2 * sx * sx) - (dy * dy) / (2 * sy * sy));
    }
  }
  return { width, height, values };
}
