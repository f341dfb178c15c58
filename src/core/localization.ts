// Weakly-supervised localisation from a class activation map, as in the CAM paper
// (Zhou et al., "Learning Deep Features for Discriminative Localization", CVPR 2016, §3):
// threshold the map at 20 % of its maximum and take the bounding box of the largest connected
// component of the foreground.
//
// Why this module is pure (no DOM, no tfjs, no browser API): it runs wherever the map is (service
// worker, offscreen document, content script) and in Node under vitest, where the boxes can be
// checked to the pixel on synthetic maps.
//
// Resampling and normalisation are not re-implemented here: localizationBox goes through the
// display pipeline (postprocess.ts → heatmap.ts), so the box is computed on exactly the map that
// is drawn, just at a bounded resolution.

import { prepareDisplayMap, upsampleDisplayMap, type RawGrid } from './postprocess';

/**
 * An axis-aligned box of whole pixels: columns x … x + width − 1, rows y … y + height − 1.
 * Same shape as geometry.ts's Box, so it can be handed to the geometry helpers as is.
 */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LocalizationOptions {
  /** Foreground is value ≥ thresholdFraction · max; default 0.2 as in the CAM paper. */
  thresholdFraction?: number;
  /**
   * Longer side, in grid pixels, of the map that is thresholded; default 512. The map is never
   * upsampled beyond the image itself, and a 30000 × 20000 image costs the same as a 512-wide one:
   * a coarser grid only moves the box edges by at most one grid pixel, which is then rounded
   * outwards in image pixels.
   */
  maxSide?: number;
  /** ReLU before normalising (see prepareDisplayMap); default true. */
  relu?: boolean;
}

/**
 * Bounding box of the largest 8-connected component of { i : values[i] ≥ thresholdFraction · max },
 * in grid pixels (x, y = min column, row; width, height = max − min + 1).
 *
 * - `max` is the largest finite value. When it is not > 0 (all zero, all negative, all NaN,
 *   empty grid) there is nothing to localise and the result is null.
 * - The comparison is ≥, so a pixel exactly at the threshold is foreground.
 * - NaN and ±Infinity are background and do not count towards `max`.
 * - Ties in component size (pixel count) go to the component found first in a row-major scan,
 *   i.e. the one whose first pixel in row-major order (topmost row, then leftmost column) comes
 *   first. This makes the result deterministic and independent of box areas or peak values.
 *
 * Iterative flood fill with an explicit Int32Array stack and one Uint8Array of states: no
 * recursion (a 1024 × 1024 map that is all foreground would overflow the call stack), no per-pixel
 * allocation, and each pixel is pushed at most once, so time and memory are O(width · height).
 * Throws RangeError for a malformed size or a thresholdFraction outside [0, 1].
 */
export function largestComponentBox(
  values: ArrayLike<number>,
  width: number,
  height: number,
  thresholdFraction = 0.2,
): Box | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`Grid size must be non-negative integers, got ${width}×${height}`);
  }
  const n = width * height;
  if (values.length < n) throw new RangeError(`Grid ${width}×${height} needs ${n} values, got ${values.length}`);
  if (!(thresholdFraction >= 0 && thresholdFraction <= 1)) {
    throw new RangeError(`thresholdFraction must be in [0, 1], got ${thresholdFraction}`);
  }

  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v > max && v !== Infinity) max = v; // NaN fails the comparison
  }
  if (!(max > 0)) return null;
  const threshold = thresholdFraction * max;

  // 1 = foreground not yet assigned to a component; 0 = background or already assigned.
  const state = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v >= threshold && v !== Infinity) state[i] = 1;
  }

  const stack = new Int32Array(n);
  let bestSize = 0;
  let best: Box | null = null;
  for (let start = 0; start < n; start++) {
    if (state[start] !== 1) continue;
    state[start] = 0;
    stack[0] = start;
    let sp = 1;
    let size = 0;
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    while (sp > 0) {
      const p = stack[--sp];
      const y = (p / width) | 0;
      const x = p - y * width;
      size++;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      const y0 = y > 0 ? y - 1 : 0;
      const y1 = y < height - 1 ? y + 1 : y;
      const x0 = x > 0 ? x - 1 : 0;
      const x1 = x < width - 1 ? x + 1 : x;
      for (let ny = y0; ny <= y1; ny++) {
        const row = ny * width;
        for (let nx = x0; nx <= x1; nx++) {
          const q = row + nx;
          if (state[q] === 1) {
            state[q] = 0;
            stack[sp++] = q;
          }
        }
      }
    }
    // Strictly greater: on a tie the earlier component (in scan order) is kept.
    if (size > bestSize) {
      bestSize = size;
      best = { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
    }
  }
  return best;
}

/**
 * CAM localisation box for an image, in image pixels.
 *
 * 1. prepareDisplayMap(raw, { relu }) — the same ReLU + min–max normalisation as the overlay.
 *    Returns null when the map has no positive evidence (max ≤ 0 after the optional ReLU) or is
 *    flat (nothing is drawn, so nothing is localised).
 * 2. Upsample (half-pixel bilinear) to the image's aspect ratio, longer side
 *    min(maxSide, image's longer side) and shorter side round(longer · short / long), at least 1.
 * 3. largestComponentBox at thresholdFraction (default 0.2) of the upsampled map's max.
 * 4. Scale to the image, rounding outwards so the box never shrinks: x = floor(gx · W / gw),
 *    right = ceil((gx + gwidth) · W / gw), likewise for y; clamped to [0, W] × [0, H].
 *
 * About "20 % of the max": the authors' released code thresholds the min–max-scaled heat map, and
 * so does this. With relu (the default) and a map that has any value ≤ 0, the normalised map is
 * v / max, so this is exactly 20 % of the raw positive maximum; for a strictly positive map the
 * threshold is min + 20 % · (max − min). Without relu it is min + 20 % · (max − min) throughout.
 *
 * Returns null for an image with zero width or height; throws RangeError for a non-finite or
 * negative image size or a maxSide that is not a number ≥ 1.
 */
export function localizationBox(
  raw: RawGrid,
  image: { width: number; height: number },
  opts: LocalizationOptions = {},
): Box | null {
  const { width: imgW, height: imgH } = image;
  if (!(Number.isFinite(imgW) && Number.isFinite(imgH) && imgW >= 0 && imgH >= 0)) {
    throw new RangeError(`Image size must be finite and non-negative, got ${imgW}×${imgH}`);
  }
  const maxSide = opts.maxSide ?? 512;
  if (!(maxSide >= 1 && maxSide !== Infinity)) throw new RangeError(`maxSide must be a number ≥ 1, got ${maxSide}`);
  const thresholdFraction = opts.thresholdFraction ?? 0.2;

  const map = prepareDisplayMap(raw, { relu: opts.relu ?? true });
  if (imgW === 0 || imgH === 0) return null;
  if (map.noPositiveEvidence) return null; // would otherwise box the least negative region
  // A flat map normalises to all zeros, so largestComponentBox returns null for it below.

  const landscape = imgW >= imgH;
  const long = landscape ? imgW : imgH;
  const short = landscape ? imgH : imgW;
  const gridLong = Math.max(1, Math.min(Math.floor(maxSide), Math.round(long)));
  const gridShort = Math.max(1, Math.round((gridLong * short) / long));
  const gw = landscape ? gridLong : gridShort;
  const gh = landscape ? gridShort : gridLong;

  const box = largestComponentBox(upsampleDisplayMap(map, gw, gh), gw, gh, thresholdFraction);
  if (!box) return null;

  // Multiply before dividing: integer products are exact, so a quotient that should be a whole
  // number is one, and floor/ceil do not widen the box by a spurious pixel.
  const left = Math.max(0, Math.floor((box.x * imgW) / gw));
  const top = Math.max(0, Math.floor((box.y * imgH) / gh));
  const right = Math.min(imgW, Math.ceil(((box.x + box.width) * imgW) / gw));
  const bottom = Math.min(imgH, Math.ceil(((box.y + box.height) * imgH) / gh));
  return { x: left, y: top, width: right - left, height: bottom - top };
}
