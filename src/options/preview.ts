// The display section's previews: the colour scale as a strip, and a made-up map over a sample photo
// drawn as the overlays draw theirs (the same display pipeline, colour table and CSS opacity), so the
// colours, opacity and "positive only" choices are seen before any image is explained.
import { colormapLut, type ColormapName } from '../core/colormap';
import { heatmapRgba } from '../core/heatmap';
import { prepareDisplayMap, upsampleDisplayMap, type RawGrid } from '../core/postprocess';
import type { Settings } from '../core/settingsStore';

/** The colour scale as a CSS gradient, left (0) to right (1), sampled at `stops` points of the overlays' colour table. */
export function colormapGradient(name: ColormapName, stops = 9): string {
  const lut = colormapLut(name);
  const colours = Array.from({ length: stops }, (_, i) => {
    const k = Math.round((i / (stops - 1)) * 255) * 4;
    return `rgb(${lut[k]}, ${lut[k + 1]}, ${lut[k + 2]}) ${Math.round((i / (stops - 1)) * 100)}%`;
  });
  return `linear-gradient(to right, ${colours.join(', ')})`;
}

/** The sample map (12×8, the photo's 3:2): evidence for the cat's head, negative evidence at the lower right. */
export function sampleMap(): RawGrid {
  const width = 12;
  const height = 8;
  const values = new Float32Array(width * height);
  const bump = (x: number, y: number, cx: number, cy: number, s: number) => Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5) / width;
      const v = (y + 0.5) / height;
      values[y * width + x] = bump(u, v, 0.42, 0.42, 0.16) - 0.6 * bump(u, v, 0.85, 0.8, 0.14);
    }
  }
  return { width, height, values };
}

/** The preview's pixels (width × height RGBA, opaque: opacity is the canvas's CSS opacity, as on the overlays). */
export function previewPixels(settings: Pick<Settings, 'colormap' | 'hideNegative'>, width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  const map = prepareDisplayMap(sampleMap(), { relu: settings.hideNegative });
  return heatmapRgba(upsampleDisplayMap(map, width, height), colormapLut(settings.colormap), 1);
}

/** Draws both previews for the settings (a page without them, or without a 2-D canvas, is left as it is). */
export function drawPreviews(settings: Settings): void {
  const strip = document.getElementById('colormap-strip');
  if (strip) strip.style.background = colormapGradient(settings.colormap);
  const canvas = document.getElementById('preview-map') as HTMLCanvasElement | null;
  if (!canvas) return;
  canvas.style.opacity = String(settings.opacity);
  canvas.dataset.look = `${settings.colormap} ${settings.hideNegative ? 'positive' : 'signed'}`;
  const context = canvas.getContext?.('2d');
  if (!context) return;
  const { width, height } = canvas;
  context.putImageData(new ImageData(previewPixels(settings, width, height), width, height), 0, 0);
}
