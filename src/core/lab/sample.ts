// The value of a map under one picture pixel (the Lab marks the same pixel in every cell).
import type { Box } from '../geometry';

export interface PlacedMap {
  width: number;
  height: number;
  values: ArrayLike<number>;
  /** The picture's size in pixels. */
  image: { width: number; height: number };
  /** The part of the picture the map covers (the whole picture when absent). */
  crop?: Box;
}

/**
 * Bilinear value at picture pixel (x, y), with the map's cells centred as the display upsampling
 * centres them; null outside the part of the picture the map covers.
 */
export function valueAt(map: PlacedMap, x: number, y: number): number | null {
  const area = map.crop ?? { x: 0, y: 0, width: map.image.width, height: map.image.height };
  const u = (x - area.x) / area.width;
  const v = (y - area.y) / area.height;
  if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) return null;
  const fx = Math.min(map.width - 1, Math.max(0, u * map.width - 0.5));
  const fy = Math.min(map.height - 1, Math.max(0, v * map.height - 0.5));
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(map.width - 1, x0 + 1);
  const y1 = Math.min(map.height - 1, y0 + 1);
  const at = (cx: number, cy: number) => map.values[cy * map.width + cx];
  const top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * (fx - x0);
  const bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * (fx - x0);
  return top + (bottom - top) * (fy - y0);
}
