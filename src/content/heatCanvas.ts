// The overlay's heat map: a canvas at the map's displayed size (device pixels, capped), redrawn only
// when that size or the map changes. Also the page-safe ImageData every canvas of the overlay uses.
import { colormapLut, type ColormapName } from '../core/colormap';
import type { Box } from '../core/geometry';
import { heatmapRgbaUpsampled } from '../core/heatmap';
import type { DisplayMap } from '../core/postprocess';
import { el } from './dom';

/** Device pixels per side above which the smooth map gains nothing visible. */
const MAX_CANVAS_SIDE = 1024;

export class HeatCanvas {
  readonly element: HTMLCanvasElement = el('canvas', { class: 'map' });
  private drawnSize = '';

  /** The next draw() paints even at the same size (a new map, or new colours). */
  invalidate(): void {
    this.drawnSize = '';
  }

  /** Places the canvas over `rect` (host px) and paints `display` there, unless it already shows it at that size. */
  draw(display: DisplayMap | null, colormap: ColormapName, rect: Box): void {
    Object.assign(this.element.style, { left: `${rect.x}px`, top: `${rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px` });
    if (!display) return;
    const dpr = window.devicePixelRatio || 1;
    const scale = Math.min(dpr, MAX_CANVAS_SIDE / Math.max(1, rect.width), MAX_CANVAS_SIDE / Math.max(1, rect.height));
    const width = Math.max(1, Math.round(rect.width * scale));
    const height = Math.max(1, Math.round(rect.height * scale));
    const size = `${width}x${height}`;
    if (size === this.drawnSize) return;
    this.drawnSize = size;
    this.element.width = width;
    this.element.height = height;
    const rgba = heatmapRgbaUpsampled(display, width, height, colormapLut(colormap), 1);
    this.element.getContext('2d')!.putImageData(pageImageData(new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.length), width, height), 0, 0);
  }

  clear(): void {
    this.element.width = 0;
    this.element.height = 0;
    this.drawnSize = '';
  }
}

/**
 * ImageData for the page's canvases. Firefox content scripts: putImageData refuses pixels owned by the
 * script's sandbox ("security check failed"); cloneInto, which only Firefox defines, copies them to the page.
 */
export function pageImageData(pixels: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): ImageData {
  const cloneInto = (globalThis as { cloneInto?: <T>(value: T, target: object) => T }).cloneInto;
  return new ImageData(cloneInto ? cloneInto(pixels, window) : pixels, width, height);
}
