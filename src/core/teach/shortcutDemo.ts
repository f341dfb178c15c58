// The shortcut demo's dataset: two classes that differ only slightly in what they are meant to be
// about — "warm light" and "cool light" (the same photos, tinted ±8 % red/blue) — while every
// warm-light picture also carries a stamp in its bottom-right corner. A model trained on them is
// tested on cool-light pictures with and without the stamp: if the stamp, not the light, decides,
// stamping flips the prediction to "warm light" (measured in Chromium on the bundled backbone: 7 of 8
// flip, 0 of 8 without the stamp; see the README). Pure and seeded: the page draws these pictures.
import { randomInt, seededRandom } from '../random';

/** The bundled photos (in the extension's teach-demo/ folder, from test/fixtures; CC0 / public domain). */
export const DEMO_PHOTOS = ['chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.jpg'] as const;
export const DEMO_SIZE = 224;
export const DEMO_PER_CLASS = 12;
export const DEMO_TESTS = 8;
/** Red and blue are scaled by 1 ± this. */
export const DEMO_TINT = 0.08;
/** The stamp's diameter as a share of the picture's side. */
export const DEMO_STAMP_SHARE = 0.25;
export const DEMO_SEED = 20240601;

export type Light = 'warm' | 'cool';

export interface DemoPicture {
  photo: number;
  /** The square taken from the photo, as shares of its width and height: its side is `side` × the photo's shorter side. */
  side: number;
  x: number;
  y: number;
  flip: boolean;
  brightness: number;
  light: Light;
  stamp: boolean;
}

function picture(random: () => number, photo: number, light: Light, stamp: boolean): DemoPicture {
  return { photo, side: 0.6 + 0.4 * random(), x: random(), y: random(), flip: random() < 0.5, brightness: 0.85 + 0.3 * random(), light, stamp };
}

/** The training pictures: warm light, all stamped; cool light, none stamped; photos in turn, so both classes show the same things. */
export function demoTrainingSet(seed = DEMO_SEED): { warm: DemoPicture[]; cool: DemoPicture[] } {
  const random = seededRandom(seed);
  const warm: DemoPicture[] = [];
  const cool: DemoPicture[] = [];
  for (let i = 0; i < DEMO_PER_CLASS; i++) {
    warm.push(picture(random, i % DEMO_PHOTOS.length, 'warm', true));
    cool.push(picture(random, (i + 1) % DEMO_PHOTOS.length, 'cool', false));
  }
  return { warm, cool };
}

/** Test pictures of the cool class never seen in training, each as it is and stamped. */
export function demoTestPairs(seed = DEMO_SEED + 1): { plain: DemoPicture; stamped: DemoPicture }[] {
  const random = seededRandom(seed);
  return Array.from({ length: DEMO_TESTS }, (_, i) => {
    const plain = picture(random, (i + randomInt(random, DEMO_PHOTOS.length)) % DEMO_PHOTOS.length, 'cool', false);
    return { plain, stamped: { ...plain, stamp: true } };
  });
}

/** Red, green, blue multipliers of a light. */
export function lightFactors(light: Light): [number, number, number] {
  return light === 'warm' ? [1 + DEMO_TINT, 1, 1 - DEMO_TINT] : [1 - DEMO_TINT, 1, 1 + DEMO_TINT];
}

/** The stamp's circle in a picture of `size` pixels: bottom-right, a small margin from the corner. */
export function stampCircle(size = DEMO_SIZE): { cx: number; cy: number; r: number } {
  const r = (size * DEMO_STAMP_SHARE) / 2;
  const margin = size * 0.03;
  return { cx: size - margin - r, cy: size - margin - r, r };
}

/** The source square of a picture in a photo of this size (pixels). */
export function sourceSquare(p: DemoPicture, width: number, height: number): { x: number; y: number; side: number } {
  const side = Math.min(width, height) * p.side;
  return { x: (width - side) * p.x, y: (height - side) * p.y, side };
}

/** How the stamp changed the test pictures' predictions (probabilities of the stamped class). */
export function summarizeFlips(pairs: { plain: number; stamped: number }[]): { flipped: number; plainAsWarm: number; stampedAsWarm: number; meanPlain: number; meanStamped: number } {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    flipped: pairs.filter((p) => p.plain < 0.5 && p.stamped >= 0.5).length,
    plainAsWarm: pairs.filter((p) => p.plain >= 0.5).length,
    stampedAsWarm: pairs.filter((p) => p.stamped >= 0.5).length,
    meanPlain: mean(pairs.map((p) => p.plain)),
    meanStamped: mean(pairs.map((p) => p.stamped)),
  };
}
