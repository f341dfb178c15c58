// Drawing one Lab cell: the picture with a map over the part the model saw. Ordinary maps show the
// positive evidence in turbo (as the overlay does by default); signed maps (contrastive maps and
// differences) show both signs in blue–white–red, scaled to their largest |value|.
import { colormapLut } from '../core/colormap';
import type { Box } from '../core/geometry';
import { heatmapRgba, upsampleBilinear } from '../core/heatmap';
import { maxAbs, signedRgba, type SignedGrid } from '../core/lab/signedMap';
import { prepareDisplayMap, upsampleDisplayMap } from '../core/postprocess';

export interface MapOnPicture {
  map: SignedGrid;
  image: { width: number; height: number };
  crop?: Box;
  signed: boolean;
}

const TURBO = colormapLut('turbo');

/** Draws the picture scaled to `width` CSS px and the map over it; returns the canvas. */
export function drawCell(canvas: HTMLCanvasElement, picture: HTMLImageElement, width: number, shown: MapOnPicture | null): HTMLCanvasElement {
  const scale = width / picture.naturalWidth;
  canvas.width = Math.round(width);
  canvas.height = Math.max(1, Math.round(picture.naturalHeight * scale));
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(picture, 0, 0, canvas.width, canvas.height);
  if (!shown) return canvas;
  const sx = canvas.width / shown.image.width;
  const sy = canvas.height / shown.image.height;
  const area = shown.crop ?? { x: 0, y: 0, width: shown.image.width, height: shown.image.height };
  const w = Math.max(1, Math.round(area.width * sx));
  const h = Math.max(1, Math.round(area.height * sy));
  let rgba: Uint8ClampedArray<ArrayBuffer>;
  if (shown.signed) {
    rgba = signedRgba(upsampleBilinear(shown.map, w, h), maxAbs(shown.map.values));
  } else {
    const display = prepareDisplayMap(shown.map, { relu: true });
    if (display.noPositiveEvidence) return canvas;
    rgba = heatmapRgba(upsampleDisplayMap(display, w, h), TURBO, 0.5);
  }
  const layer = Object.assign(document.createElement('canvas'), { width: w, height: h });
  layer.getContext('2d')!.putImageData(new ImageData(rgba, w, h), 0, 0);
  ctx.drawImage(layer, Math.round(area.x * sx), Math.round(area.y * sy));
  return canvas;
}
