import { describe, expect, it } from 'vitest';
import { interpolateInferno, interpolateTurbo, interpolateViridis } from 'd3-scale-chromatic';
import { colormapLut, parseCssColor, COLORMAP_NAMES, type ColormapName } from '../../src/core/colormap';

const rgbaAt = (lut: Uint8ClampedArray, i: number) => Array.from(lut.subarray(4 * i, 4 * i + 4));

/** The test's own parser for d3's two output formats, independent of the module's. */
function d3Rgb(s: string): number[] {
  if (s.startsWith('#')) return [1, 3, 5].map((k) => parseInt(s.slice(k, k + 2), 16));
  return s.replace(/[^\d,]/g, '').split(',').map(Number);
}

describe('colormapLut', () => {
  it('has 256 RGBA entries with opaque alpha, for every colormap', () => {
    for (const name of COLORMAP_NAMES) {
      const lut = colormapLut(name);
      expect(lut).toBeInstanceOf(Uint8ClampedArray);
      expect(lut.length).toBe(1024);
      for (let i = 0; i < 256; i++) expect(lut[4 * i + 3]).toBe(255);
    }
  });

  it('is memoised: the same array per name, different arrays across names', () => {
    expect(colormapLut('turbo')).toBe(colormapLut('turbo'));
    expect(colormapLut('jet')).toBe(colormapLut('jet'));
    expect(colormapLut('turbo')).not.toBe(colormapLut('jet'));
  });

  it('turbo endpoints match the published d3 values', () => {
    const lut = colormapLut('turbo');
    expect(interpolateTurbo(0)).toBe('rgb(35, 23, 27)'); // guards the literal below
    expect(rgbaAt(lut, 0)).toEqual([35, 23, 27, 255]);
    expect(rgbaAt(lut, 255)).toEqual([144, 12, 0, 255]);
  });

  it('turbo, viridis, inferno sample d3 at t = i / 255', () => {
    const d3: Record<Exclude<ColormapName, 'jet'>, (t: number) => string> = {
      turbo: interpolateTurbo,
      viridis: interpolateViridis,
      inferno: interpolateInferno,
    };
    for (const [name, f] of Object.entries(d3) as [ColormapName, (t: number) => string][]) {
      const lut = colormapLut(name);
      for (const i of [0, 1, 64, 127, 128, 200, 254, 255]) {
        expect(rgbaAt(lut, i).slice(0, 3), `${name}[${i}]`).toEqual(d3Rgb(f(i / 255)));
      }
    }
  });

  it('viridis and inferno endpoints are the well-known colours', () => {
    expect(rgbaAt(colormapLut('viridis'), 0)).toEqual([0x44, 0x01, 0x54, 255]);
    expect(rgbaAt(colormapLut('viridis'), 255)).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(rgbaAt(colormapLut('inferno'), 0)).toEqual([0x00, 0x00, 0x04, 255]);
    expect(rgbaAt(colormapLut('inferno'), 255)).toEqual([0xfc, 0xff, 0xa4, 255]);
  });

  it('jet: dark blue → blue → cyan → yellow → red → dark red', () => {
    const lut = colormapLut('jet');
    const near = (i: number, rgb: number[], tol = 4) => {
      const got = rgbaAt(lut, i);
      rgb.forEach((c, k) => expect(Math.abs(got[k] - c), `jet[${i}] channel ${k}: ${got}`).toBeLessThanOrEqual(tol));
    };
    near(0, [0, 0, 128], 1); // MATLAB jet starts at (0, 0, 0.5)
    near(255, [128, 0, 0], 1); // and ends at (0.5, 0, 0)
    near(32, [0, 0, 255]); // t ≈ 1/8: pure blue
    near(96, [0, 255, 255]); // t ≈ 3/8: cyan
    near(159, [255, 255, 0]); // t ≈ 5/8: yellow
    near(223, [255, 0, 0]); // t ≈ 7/8: pure red
    // the middle is green-dominated, with equal-ish red and blue
    const [r, g, b] = rgbaAt(lut, 128);
    expect(g).toBe(255);
    expect(r).toBeGreaterThan(110);
    expect(r).toBeLessThan(145);
    expect(b).toBeGreaterThan(110);
    expect(b).toBeLessThan(145);
  });

  it('jet is piecewise linear: blue ramps 0.5 → 1 over the first eighth', () => {
    const lut = colormapLut('jet');
    // At t = i/255 with 4t < 0.5, blue = 0.5 + 4t, red = green = 0.
    for (const i of [0, 8, 16, 24, 31]) {
      const t = i / 255;
      expect(rgbaAt(lut, i)).toEqual([0, 0, Math.round((0.5 + 4 * t) * 255), 255]);
    }
  });

  it('rejects an unknown name at run time', () => {
    expect(() => colormapLut('rainbow' as ColormapName)).toThrow(/Unknown colormap/);
  });
});

describe('parseCssColor', () => {
  it('reads both d3 formats', () => {
    expect(parseCssColor('rgb(35, 23, 27)')).toEqual([35, 23, 27]);
    expect(parseCssColor('#21918c')).toEqual([0x21, 0x91, 0x8c]);
    expect(parseCssColor('#FDE725')).toEqual([253, 231, 37]);
  });

  it('throws on anything else', () => {
    expect(() => parseCssColor('red')).toThrow();
    expect(() => parseCssColor('#fff')).toThrow();
  });
});
