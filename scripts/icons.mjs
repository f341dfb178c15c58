// Draws the extension icon (a lens whose glass shows a turbo heat spot) at the sizes the manifest needs.
import { PNG } from 'pngjs';
import { interpolateTurbo } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';

export function iconPng(size) {
  const png = new PNG({ width: size, height: size });
  const radius = size * 0.36;
  const ring = Math.max(1, size * 0.08);
  const cx = size * 0.42;
  const cy = size * 0.42;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      // Handle: a thick diagonal bar from the ring to the bottom-right corner.
      const t = ((x + 0.5 - cx) + (y + 0.5 - cy)) / 2;
      const off = Math.abs((x + 0.5 - cx) - (y + 0.5 - cy)) / Math.SQRT2;
      const onHandle = t > radius * 0.7 && t < size * 0.62 && off < ring * 0.9;
      let color = null;
      if (d <= radius - ring) {
        const heat = Math.max(0, 1 - Math.hypot(x + 0.5 - (cx + radius * 0.2), y + 0.5 - (cy - radius * 0.15)) / (radius * 1.1));
        color = rgb(interpolateTurbo(0.15 + 0.8 * heat));
      } else if (d <= radius || onHandle) {
        color = { r: 40, g: 44, b: 56 };
      }
      if (color) {
        png.data[i] = color.r;
        png.data[i + 1] = color.g;
        png.data[i + 2] = color.b;
        png.data[i + 3] = 255;
      } else {
        png.data[i + 3] = 0;
      }
    }
  }
  return PNG.sync.write(png);
}
