// Colormap lookup tables for the heat map.
//
// Colouring a full-resolution overlay means one colour per displayed pixel; doing colour math (or
// worse, parsing d3's CSS colour strings) per pixel is wasteful. Instead each colormap is sampled
// once into a 256-entry RGBA table and pixels are coloured by a table lookup (see heatmap.ts).

import { interpolateInferno, interpolateTurbo, interpolateViridis } from 'd3-scale-chromatic';

export type ColormapName = 'turbo' | 'jet' | 'viridis' | 'inferno';

export const COLORMAP_NAMES: readonly ColormapName[] = ['turbo', 'jet', 'viridis', 'inferno'];

/** Number of entries in a LUT; the LUT itself has 4× as many bytes (RGBA). */
export const LUT_SIZE = 256;

/**
 * Parses the colour strings d3-scale-chromatic returns: "rgb(r, g, b)" (turbo) or "#rrggbb"
 * (the sampled ramps: viridis, inferno). Throws on anything else rather than silently painting
 * black, so a d3 format change is caught by the tests.
 */
export function parseCssColor(s: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s.trim());
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
  const rgb = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*[\d.]+\s*)?\)$/i.exec(s.trim());
  if (rgb) return [Math.round(Number(rgb[1])), Math.round(Number(rgb[2])), Math.round(Number(rgb[3]))];
  throw new Error(`Unrecognised colour string from d3-scale-chromatic: ${JSON.stringify(s)}`);
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Classic MATLAB jet, the standard colormap of CAM papers (d3 does not ship it). Piecewise
 * linear with breakpoints at 1/8, 3/8, 5/8, 7/8: dark blue (0,0,0.5) → blue → cyan → yellow → red
 * → dark red (0.5,0,0). Each channel is a clipped tent: 1.5 − |4t − c| with c = 3, 2, 1 for R, G, B.
 */
export function jet(t: number): [number, number, number] {
  const r = clamp01(1.5 - Math.abs(4 * t - 3));
  const g = clamp01(1.5 - Math.abs(4 * t - 2));
  const b = clamp01(1.5 - Math.abs(4 * t - 1));
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

function sampler(name: ColormapName): (t: number) => [number, number, number] {
  switch (name) {
    case 'turbo':
      return (t) => parseCssColor(interpolateTurbo(t));
    case 'viridis':
      return (t) => parseCssColor(interpolateViridis(t));
    case 'inferno':
      return (t) => parseCssColor(interpolateInferno(t));
    case 'jet':
      return jet;
    default:
      // Names can arrive from storage/messages at run time; fail loudly on an unknown one.
      throw new Error(`Unknown colormap: ${String(name)}`);
  }
}

const cache = new Map<ColormapName, Uint8ClampedArray<ArrayBuffer>>();

/**
 * The RGBA table for `name`: entry i (bytes 4i..4i+3) is the colour at t = i / 255, alpha 255.
 * Built once per name and memoised, so callers get the same array every time — treat it as
 * read-only.
 */
export function colormapLut(name: ColormapName): Uint8ClampedArray<ArrayBuffer> {
  const cached = cache.get(name);
  if (cached) return cached;
  const sample = sampler(name);
  const lut = new Uint8ClampedArray(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    const [r, g, b] = sample(i / (LUT_SIZE - 1));
    lut[4 * i] = r;
    lut[4 * i + 1] = g;
    lut[4 * i + 2] = b;
    lut[4 * i + 3] = 255;
  }
  cache.set(name, lut);
  return lut;
}
