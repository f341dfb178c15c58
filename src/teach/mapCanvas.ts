// A picture with an explanation's map over it (turbo colours, positive evidence only, half opaque),
// on a canvas, for the shortcut demo's results. The map covers the part of the picture the model saw.
import { colormapLut } from '../core/colormap';
import { heatmapRgba } from '../core/heatmap';
import type { ExplanationSuccess } from '../core/messages';
import { prepareDisplayMap, upsampleDisplayMap } from '../core/postprocess';

export function pictureWithMap(picture: HTMLCanvasElement, result: ExplanationSuccess, label: string): HTMLCanvasElement {
  const canvas = Object.assign(document.createElement('canvas'), { width: picture.width, height: picture.height });
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(picture, 0, 0);
  const area = result.crop ?? { x: 0, y: 0, width: result.image.width, height: result.image.height };
  const sx = picture.width / result.image.width;
  const sy = picture.height / result.image.height;
  const w = Math.max(1, Math.round(area.width * sx));
  const h = Math.max(1, Math.round(area.height * sy));
  const display = prepareDisplayMap(result.map, { relu: true });
  if (display.noPositiveEvidence) return canvas;
  const heat = new ImageData(heatmapRgba(upsampleDisplayMap(display, w, h), colormapLut('turbo'), 0.5), w, h);
  const layer = Object.assign(document.createElement('canvas'), { width: w, height: h });
  layer.getContext('2d')!.putImageData(heat, 0, 0);
  ctx.drawImage(layer, Math.round(area.x * sx), Math.round(area.y * sy));
  return canvas;
}
