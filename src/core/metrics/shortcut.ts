// The shortcut alarm's suspicion, from the map alone (no model): regions that hold a large share of
// the positive evidence (the map as drawn: ReLU, min–max, upsampled to the model input) while
// covering a small share of the image, where shortcuts live — the border band, a corner, or a
// compact blob of high-contrast strokes (overlaid text, a logo, a stamp). The worker then tests the
// strongest suspicion causally (background/metrics/shortcut.ts); this file only says where to look.
// Cost: one pass over the input's pixels and one over the map at input size; no forward pass.
import * as z from 'zod/mini';

/** A region is suspicious when it holds at least this share of the evidence… */
export const MIN_MASS_SHARE = 0.35;
/** …and at least this many times its share of the area (0.35 / 3 ≈ 12 % of the area at the minimum mass). */
export const MIN_CONCENTRATION = 3;
/** The border band: the outer 8 % of each side (at least one map cell: the map cannot be sharper). */
export const BORDER_BAND = 0.08;
/** A corner: the outer 20 % square (at least two map cells: upsampling spreads a corner cell's evidence over the next). */
export const CORNER = 0.2;
/** Marks larger than this share of the image are not "a compact blob". */
export const MAX_MARK_AREA = 0.12;
/** The causal test: the class's probability falls by at least this share when the region is covered. */
export const NECESSARY_DROP = 0.5;

export const REGION_KINDS = ['border', 'corner', 'marks'] as const;
export type RegionKind = (typeof REGION_KINDS)[number];
export const REGION_PLACES = ['top', 'bottom', 'left', 'right', 'all', 'top-left', 'top-right', 'bottom-left', 'bottom-right', 'marks'] as const;
export type RegionPlace = (typeof REGION_PLACES)[number];

/** A rectangle in model-input pixels (integer, half-open: x ≤ px < x + width). */
export interface InputRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A candidate region: one rectangle, or the whole border band (four strips). */
export interface Candidate {
  kind: RegionKind;
  place: RegionPlace;
  /** The rectangles the region is made of (the outline is their bounding box). */
  rects: InputRect[];
}

export interface Suspicion extends Candidate {
  massShare: number;
  areaShare: number;
}

/** What the seam's result carries when the alarm fires (null when it does not). */
export const Shortcut = z.object({
  /** The region in the image's pixels (as `box`), and what kind of place it is. */
  region: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number(), kind: z.enum(REGION_KINDS) }),
  place: z.enum(REGION_PLACES),
  /** Share of the positive evidence (as drawn) inside the region, and share of the model input it covers. */
  massShare: z.number(),
  areaShare: z.number(),
  /** The explained class's probability before and with the region covered by the "nothing" substitute. */
  drop: z.object({ before: z.number(), after: z.number() }),
  /** With everything but the region covered: the top class and its probability. */
  keptOnly: z.object({ top: z.int().check(z.nonnegative()), label: z.string(), probability: z.number() }),
  /** Which test fired: covering it drops the class by ≥ 50 % (necessary), the region alone keeps it top-1 where the "nothing" image is not (sufficient). */
  necessary: z.boolean(),
  sufficient: z.boolean(),
});
export type Shortcut = z.infer<typeof Shortcut>;

const clampSize = (share: number, cells: number, size: number, cell: number) => Math.min(size, Math.max(Math.round(share * size), Math.round(cells * cell)));

/**
 * The border strips, the whole band and the corners of a width × height input whose map has
 * mapWidth × mapHeight cells.
 */
export function placeCandidates(width: number, height: number, mapWidth: number, mapHeight: number): Candidate[] {
  const cellX = width / mapWidth;
  const cellY = height / mapHeight;
  const bx = clampSize(BORDER_BAND, 1, width, cellX);
  const by = clampSize(BORDER_BAND, 1, height, cellY);
  const top = { x: 0, y: 0, width, height: by };
  const bottom = { x: 0, y: height - by, width, height: by };
  const left = { x: 0, y: by, width: bx, height: height - 2 * by };
  const right = { x: width - bx, y: by, width: bx, height: height - 2 * by };
  const cx = clampSize(CORNER, 2, width, cellX);
  const cy = clampSize(CORNER, 2, height, cellY);
  return [
    { kind: 'border', place: 'top', rects: [top] },
    { kind: 'border', place: 'bottom', rects: [bottom] },
    { kind: 'border', place: 'left', rects: [{ x: 0, y: 0, width: bx, height }] },
    { kind: 'border', place: 'right', rects: [{ x: width - bx, y: 0, width: bx, height }] },
    { kind: 'border', place: 'all', rects: [top, bottom, left, right] },
    { kind: 'corner', place: 'top-left', rects: [{ x: 0, y: 0, width: cx, height: cy }] },
    { kind: 'corner', place: 'top-right', rects: [{ x: width - cx, y: 0, width: cx, height: cy }] },
    { kind: 'corner', place: 'bottom-left', rects: [{ x: 0, y: height - cy, width: cx, height: cy }] },
    { kind: 'corner', place: 'bottom-right', rects: [{ x: width - cx, y: height - cy, width: cx, height: cy }] },
  ];
}

/** 1 inside the candidate's rectangles, 0 elsewhere, row-major width × height. */
export function regionMask(candidate: Candidate, width: number, height: number): Float32Array {
  const mask = new Float32Array(width * height);
  for (const r of candidate.rects) {
    for (let y = Math.max(0, r.y); y < Math.min(height, r.y + r.height); y++) mask.fill(1, y * width + Math.max(0, r.x), y * width + Math.min(width, r.x + r.width));
  }
  return mask;
}

/** The bounding box of a candidate's rectangles. */
export function boundsOf(candidate: Candidate): InputRect {
  const x = Math.min(...candidate.rects.map((r) => r.x));
  const y = Math.min(...candidate.rects.map((r) => r.y));
  const right = Math.max(...candidate.rects.map((r) => r.x + r.width));
  const bottom = Math.max(...candidate.rects.map((r) => r.y + r.height));
  return { x, y, width: right - x, height: bottom - y };
}

/**
 * Compact blobs of high-contrast strokes in a luminance image (values any scale): cells of the
 * image where many pixels sit on a strong edge in both directions (text, logos, stamps, drawn
 * marks), joined into 4-connected blobs; each blob's bounding box, largest first, if it covers at
 * most MAX_MARK_AREA of the image. A cheap detector of "something was drawn on top", not OCR.
 */
export function textLikeMarks(luma: ArrayLike<number>, width: number, height: number): InputRect[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < width * height; i++) {
    const v = luma[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  if (!(range > 0)) return [];
  // A strong edge: a step of at least 35 % of the image's whole luminance range between neighbours.
  const strong = 0.35 * range;
  const cell = Math.max(4, Math.round(Math.min(width, height) / 28));
  const cols = Math.ceil(width / cell);
  const rows = Math.ceil(height / cell);
  const horizontal = new Uint16Array(cols * rows);
  const vertical = new Uint16Array(cols * rows);
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0; x < width - 1; x++) {
      const i = y * width + x;
      const c = Math.floor(y / cell) * cols + Math.floor(x / cell);
      if (Math.abs(luma[i + 1] - luma[i]) >= strong) horizontal[c]++;
      if (Math.abs(luma[i + width] - luma[i]) >= strong) vertical[c]++;
    }
  }
  // Text-like: both directions stroke-dense (a single straight edge, a horizon, is not).
  const minEdges = Math.max(2, Math.round(0.08 * cell * cell));
  const marked = new Uint8Array(cols * rows);
  for (let c = 0; c < cols * rows; c++) marked[c] = horizontal[c] >= minEdges && vertical[c] >= minEdges ? 1 : 0;
  const seen = new Uint8Array(cols * rows);
  const blobs: { rect: InputRect; cells: number }[] = [];
  for (let start = 0; start < cols * rows; start++) {
    if (!marked[start] || seen[start]) continue;
    const stack = [start];
    seen[start] = 1;
    let [x0, y0, x1, y1, cells] = [cols, rows, -1, -1, 0];
    while (stack.length > 0) {
      const c = stack.pop()!;
      const cx = c % cols;
      const cy = Math.floor(c / cols);
      cells++;
      [x0, y0, x1, y1] = [Math.min(x0, cx), Math.min(y0, cy), Math.max(x1, cx), Math.max(y1, cy)];
      for (const [nx, ny] of [[cx - 1, cy], [cx + 1, cy], [cx, cy - 1], [cx, cy + 1]]) {
        const n = ny * cols + nx;
        if (nx >= 0 && ny >= 0 && nx < cols && ny < rows && marked[n] && !seen[n]) {
          seen[n] = 1;
          stack.push(n);
        }
      }
    }
    const rect = { x: x0 * cell, y: y0 * cell, width: Math.min(width, (x1 + 1) * cell) - x0 * cell, height: Math.min(height, (y1 + 1) * cell) - y0 * cell };
    // Compact: the blob fills at least a third of its box, and the box is small.
    if ((rect.width * rect.height) / (width * height) <= MAX_MARK_AREA && cells * cell * cell >= (rect.width * rect.height) / 3) blobs.push({ rect, cells });
  }
  return blobs.sort((a, b) => b.cells - a.cells).slice(0, 4).map((b) => b.rect);
}

/** Luminance of a [H, W, C] model input (row-major, channels last); any pixel scale (only steps matter). */
export function lumaOf(values: ArrayLike<number>, width: number, height: number, channels: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    out[i] = channels >= 3 ? 0.299 * values[i * channels] + 0.587 * values[i * channels + 1] + 0.114 * values[i * channels + 2] : values[i * channels];
  }
  return out;
}

/**
 * The most concentrated suspicious region, or null: over the place candidates and the marks, the
 * one with the highest mass-to-area ratio among those with ≥ MIN_MASS_SHARE of the evidence and a
 * ratio ≥ MIN_CONCENTRATION. A mark that lies (at least half) in a suspicious corner or strip is
 * named by that place: a stamp in the corner is "the corner". `evidence`: the drawn map at
 * width × height (non-negative).
 */
export function findSuspicion(evidence: ArrayLike<number>, width: number, height: number, candidates: Candidate[]): Suspicion | null {
  let total = 0;
  for (let i = 0; i < width * height; i++) total += evidence[i] > 0 ? evidence[i] : 0;
  if (!(total > 0)) return null;
  const passing: Suspicion[] = [];
  for (const candidate of candidates) {
    // The rectangles of a candidate do not overlap (the band's strips are cut so).
    let mass = 0;
    let area = 0;
    for (const r of candidate.rects) {
      for (let y = Math.max(0, r.y); y < Math.min(height, r.y + r.height); y++) {
        for (let x = Math.max(0, r.x); x < Math.min(width, r.x + r.width); x++) {
          const v = evidence[y * width + x];
          area++;
          if (v > 0) mass += v;
        }
      }
    }
    if (area === 0) continue;
    const massShare = mass / total;
    const areaShare = area / (width * height);
    if (massShare >= MIN_MASS_SHARE && massShare >= MIN_CONCENTRATION * areaShare) passing.push({ ...candidate, massShare, areaShare });
  }
  const concentration = (s: Suspicion) => s.massShare / s.areaShare;
  const best = (list: Suspicion[]) => list.reduce<Suspicion | null>((a, b) => (!a || concentration(b) > concentration(a) ? b : a), null);
  const top = best(passing);
  if (top?.kind !== 'marks') return top;
  const mark = top.rects[0];
  const around = passing.filter((s) => s.kind !== 'marks' && 2 * overlap(s.rects, mark) >= mark.width * mark.height);
  return best(around) ?? top;
}

/** Pixels of `rect` inside the (non-overlapping) rectangles. */
function overlap(rects: InputRect[], rect: InputRect): number {
  let sum = 0;
  for (const r of rects) {
    const w = Math.min(r.x + r.width, rect.x + rect.width) - Math.max(r.x, rect.x);
    const h = Math.min(r.y + r.height, rect.y + rect.height) - Math.max(r.y, rect.y);
    if (w > 0 && h > 0) sum += w * h;
  }
  return sum;
}

/** The marks as candidates. */
export function markCandidates(marks: InputRect[]): Candidate[] {
  return marks.map((rect) => ({ kind: 'marks', place: 'marks', rects: [rect] }));
}

/**
 * The causal verdict: necessary (covering it drops the class by ≥ NECESSARY_DROP, relative) or
 * sufficient (alone it keeps the class top-1 — unless the "nothing" image alone is that class too:
 * then the region adds nothing, the class is merely the model's default).
 */
export function causalVerdict(before: number, after: number, keptTop: number, classIndex: number, nothingTop: number): { necessary: boolean; sufficient: boolean } {
  return { necessary: before > 0 && after <= (1 - NECESSARY_DROP) * before, sufficient: keptTop === classIndex && nothingTop !== classIndex };
}

/** A region in model-input pixels → the image's pixels, through the part of the image the model saw. */
export function toImagePixels(rect: InputRect, input: { width: number; height: number }, area: { x: number; y: number; width: number; height: number }): InputRect {
  const sx = area.width / input.width;
  const sy = area.height / input.height;
  return { x: area.x + rect.x * sx, y: area.y + rect.y * sy, width: rect.width * sx, height: rect.height * sy };
}
