// "Try a watermark" (ImageNet-W style): a semi-transparent white text watermark across the middle
// of the model input and a small opaque logo in its bottom-right corner, as an alpha mask (0…1 per
// pixel) the worker blends white in with. Drawn from a 5×7 bitmap font, so it is the same pixels in
// every browser and in Node (no canvas, no fonts).
import * as z from 'zod/mini';

/** Opacity of the text and of the logo. */
export const TEXT_ALPHA = 0.45;
export const LOGO_ALPHA = 0.9;
export const WATERMARK_TEXT = 'SAMPLE';

const GLYPHS: Record<string, string[]> = {
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  M: ['#...#', '##.##', '#.#.#', '#.#.#', '#...#', '#...#', '#...#'],
  P: ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
};

/** The watermark's alpha per pixel, row-major width × height. */
export function watermarkMask(width: number, height: number): Float32Array {
  const mask = new Float32Array(width * height);
  const set = (x: number, y: number, alpha: number) => {
    if (x >= 0 && y >= 0 && x < width && y < height) mask[y * width + x] = Math.max(mask[y * width + x], alpha);
  };
  // The text: 6 letters of 5 columns and 1 space each, across 80 % of the width, at 40 % and 60 % of the height.
  const letters = [...WATERMARK_TEXT];
  const scale = Math.max(1, Math.floor((0.8 * width) / (letters.length * 6)));
  const textWidth = letters.length * 6 * scale;
  for (const row of [0.4, 0.6]) {
    const top = Math.round(row * height - 3.5 * scale);
    const left = Math.round((width - textWidth) / 2);
    letters.forEach((letter, i) => {
      GLYPHS[letter].forEach((line, gy) =>
        [...line].forEach((ch, gx) => {
          if (ch !== '#') return;
          for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) set(left + (i * 6 + gx) * scale + dx, top + gy * scale + dy, TEXT_ALPHA);
        }),
      );
    });
  }
  // The logo: a ring with a bar, 12 % of the smaller side, 3 % from the bottom-right corner.
  const side = Math.min(width, height);
  const r = 0.06 * side;
  const cx = width - 0.03 * side - r;
  const cy = height - 0.03 * side - r;
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      if ((d <= r && d >= 0.6 * r) || (Math.abs(x + 0.5 - cx) <= 0.15 * r && d <= r)) set(x, y, LOGO_ALPHA);
    }
  }
  return mask;
}

/** The probe's answer: the top class before and with the watermark, and the explained class's probability both times. */
const Top = z.object({ index: z.int().check(z.nonnegative()), label: z.string(), probability: z.number() });
export const WatermarkProbe = z.object({
  classIndex: z.int().check(z.nonnegative()),
  before: z.object({ top: Top, probability: z.number() }),
  after: z.object({ top: Top, probability: z.number() }),
  /** The top class changed. */
  flipped: z.boolean(),
});
export type WatermarkProbe = z.infer<typeof WatermarkProbe>;
