// The Lab's pure core: which layers a depth comparison shows, the order cells are computed in,
// signed maps (difference, diverging colours), the value under a pointed pixel, and the JSON export.
import { describe, expect, it } from 'vitest';
import { defaultLayerColumns, DEFAULT_LAB_METHODS, planCells, canContrast } from '../../src/core/lab/grid';
import { difference, diverging, maxAbs, scaledToPeak, signedRgba } from '../../src/core/lab/signedMap';
import { valueAt } from '../../src/core/lab/sample';
import { labJson } from '../../src/core/lab/export';
import { upsampleBilinear } from '../../src/core/heatmap';
import type { ExplanationSuccess } from '../../src/core/messages';

const layer = (name: string, side: number, channels = 8) => ({ name, shape: [side, side, channels] as const });

describe('layer columns', () => {
  const layers = [layer('head', 7, 1792), layer('block16', 7, 320), layer('block15', 7), layer('block12', 14), layer('block11', 14), layer('block5', 28), layer('block2', 56)];

  it('the model’s own layer first, then the deepest layer of each finer resolution', () => {
    expect(defaultLayerColumns(layers, 'head')).toEqual(['head', 'block12', 'block5']);
    expect(defaultLayerColumns(layers, 'head', 4)).toEqual(['head', 'block12', 'block5', 'block2']);
  });

  it('an automatic layer in the middle, unknown shapes and too few layers', () => {
    expect(defaultLayerColumns(layers, 'block12')).toEqual(['block12', 'head', 'block5']);
    expect(defaultLayerColumns([{ name: 'x', shape: [null, null, 8] }, layer('y', 7)], 'y')).toEqual(['y']);
    expect(defaultLayerColumns([], 'only')).toEqual(['only']);
  });
});

describe('cells', () => {
  it('column by column, so that a layer or model loads once', () => {
    expect(planCells(['cam', 'gradcam'], 3).map((c) => `${c.column}${c.method}`)).toEqual(['0cam', '0gradcam', '1cam', '1gradcam', '2cam', '2gradcam']);
    expect(planCells(['cam'], 0)).toEqual([]);
  });

  it('the default rows are the live methods; the contrastive ones are known', () => {
    expect(DEFAULT_LAB_METHODS).toEqual(['cam', 'gradcam', 'gradcampp', 'xgradcam', 'hirescam', 'layercam', 'eigencam']);
    expect(['cam', 'gradcam', 'eigencam', 'scorecam'].map((m) => canContrast(m as never))).toEqual([true, true, false, false]);
  });
});

describe('signed maps', () => {
  it('difference at one resolution, and with the second map resampled to the first', () => {
    const a = { width: 2, height: 2, values: Float32Array.of(1, 2, 3, 4) };
    expect(Array.from(difference(a, { width: 2, height: 2, values: Float32Array.of(4, 3, 2, 1) }).values)).toEqual([-3, -1, 1, 3]);
    const coarse = { width: 1, height: 1, values: Float32Array.of(1) };
    expect(Array.from(difference(a, coarse).values)).toEqual([0, 1, 2, 3]);
    const fine = { width: 4, height: 4, values: Float32Array.from({ length: 16 }, (_, i) => i) };
    const resampled = upsampleBilinear(fine, 2, 2);
    expect(Array.from(difference(a, fine).values)).toEqual(Array.from(a.values, (v, i) => v - resampled[i]));
  });

  it('diverging colours: white at 0, red for positive, blue for negative; alpha grows with |t|', () => {
    expect(diverging(0)).toEqual([255, 255, 255]);
    expect(diverging(1)).toEqual([178, 24, 43]);
    expect(diverging(-1)).toEqual([33, 102, 172]);
    expect(diverging(5)).toEqual(diverging(1));
    const rgba = signedRgba(Float32Array.of(-2, 0, 1, 2), 2, 1);
    expect(Array.from(rgba.slice(0, 4))).toEqual([33, 102, 172, 255]);
    expect(rgba[7]).toBe(0);
    expect(rgba[11]).toBe(128);
    expect(maxAbs([-3, 2])).toBe(3);
    expect(Array.from(scaledToPeak({ width: 2, height: 1, values: [-4, 2] }).values)).toEqual([-1, 0.5]);
    expect(Array.from(scaledToPeak({ width: 1, height: 1, values: [0] }).values)).toEqual([0]);
    expect(maxAbs([])).toBe(0);
  });
});

describe('the value under a pixel', () => {
  const map = { width: 2, height: 2, values: [0, 10, 20, 30], image: { width: 100, height: 100 } };

  it('cell centres give the cell values; between them, bilinear; the edges clamp', () => {
    expect(valueAt(map, 25, 25)).toBe(0);
    expect(valueAt(map, 75, 75)).toBe(30);
    expect(valueAt(map, 50, 25)).toBe(5);
    expect(valueAt(map, 50, 50)).toBe(15);
    expect(valueAt(map, 0, 0)).toBe(0);
    expect(valueAt(map, 100, 100)).toBe(30);
  });

  it('a map over a crop: null outside it, placed inside it', () => {
    const cropped = { ...map, crop: { x: 50, y: 0, width: 50, height: 100 } };
    expect(valueAt(cropped, 10, 50)).toBeNull();
    expect(valueAt(cropped, 62.5, 25)).toBe(0);
    expect(valueAt(cropped, 87.5, 75)).toBe(30);
    expect(valueAt(map, 101, 50)).toBeNull();
  });
});

describe('JSON export', () => {
  it('every cell with its raw map, class, contrast, layer, model and timings', () => {
    const result = {
      ok: true,
      explanationId: 'x',
      modelId: 'm',
      modelName: 'Model',
      method: 'cam',
      layer: 'L',
      backend: 'wasm',
      classes: [],
      classCount: 2,
      target: { index: 0, label: 'a', probability: 0.7 },
      contrast: { index: 1, label: 'b', probability: 0.3 },
      image: { width: 10, height: 20 },
      map: { width: 1, height: 2, values: [1, -1] },
      source: 'page',
      timingsMs: { total: 3 },
    } satisfies ExplanationSuccess;
    const json = JSON.parse(labJson({ origin: 'cat.png', exportedAt: '2026-12-02T00:00:00Z', cells: [{ row: 0, column: 1, columnLabel: 'L · 7×7', result }] }));
    expect(json.image).toEqual({ origin: 'cat.png', width: 10, height: 20 });
    expect(json.cells[0]).toMatchObject({ row: 0, column: 1, columnLabel: 'L · 7×7', model: { id: 'm', name: 'Model' }, layer: 'L', method: 'cam', class: { label: 'a' }, contrastClass: { label: 'b' }, map: { width: 1, height: 2, values: [1, -1] }, timingsMs: { total: 3 } });
  });
});

describe('maps per second', () => {
  it('events in the window over the time they span; old ones drop out', async () => {
    const { FrameRate } = await import('../../src/core/lab/frameRate');
    const rate = new FrameRate(1000);
    expect(rate.perSecond(0)).toBe(0);
    for (const at of [0, 100, 200, 300, 400]) rate.tick(at);
    expect(rate.perSecond(400)).toBe(10);
    // A stall lowers it: at 1250 only 300 and 400 are in the window, one interval in 950 ms.
    expect(rate.perSecond(1250)).toBeCloseTo(1000 / 950, 6);
    expect(rate.perSecond(2000)).toBe(0);
  });
});
