// The views of an example the head is trained on. The first is what the trained model sees when it
// explains (a picture's central square, as Teachable Machine frames it); the others are the optional
// augmentations: the same square mirrored, and slightly smaller squares at its four corners, some
// mirrored. Each view's features are computed once, when the example is added.
import { centerSquare, type Box } from '../geometry';

export interface View {
  /** Part of the picture, in its pixels. */
  crop: Box;
  /** Mirrored left to right. */
  flip: boolean;
}

/** Side of the corner crops, as a share of the square's side. */
export const CROP_SHARE = 0.875;
export const VIEW_COUNT = 6;

export function teachViews(width: number, height: number): View[] {
  const square = centerSquare(width, height);
  const side = Math.max(1, Math.round(square.width * CROP_SHARE));
  const far = square.width - side;
  const corner = (dx: number, dy: number): Box => ({ x: square.x + dx, y: square.y + dy, width: side, height: side });
  return [
    { crop: square, flip: false },
    { crop: square, flip: true },
    { crop: corner(0, 0), flip: false },
    { crop: corner(far, 0), flip: true },
    { crop: corner(0, far), flip: true },
    { crop: corner(far, far), flip: false },
  ];
}

/** RGBA pixels mirrored left to right (a new array). */
export function mirrorRgba(rgba: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(rgba.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 4;
      out.set(rgba.subarray(from, from + 4), (y * width + (width - 1 - x)) * 4);
    }
  }
  return out;
}
