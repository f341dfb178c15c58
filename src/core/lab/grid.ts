// The Lab's grid as data: rows are methods, columns are layers, classes or models; which layers to
// show by default; the order cells are computed in (column by column, so each layer or model loads once).
import { METHOD_IDS, METHODS, type MethodId } from '../methods';

export type ColumnAxis = 'layers' | 'classes' | 'models';

/** One column: what differs from the other columns. */
export type Column =
  | { axis: 'layers'; layer: string; label: string }
  | { axis: 'classes'; classIndex: number; label: string }
  | { axis: 'models'; modelId: string; label: string };

export interface Cell {
  row: number;
  column: number;
  method: MethodId;
}

/** The methods shown unless the user asks for more: the live ones (Score-CAM and Ablation-CAM run many passes). */
export const DEFAULT_LAB_METHODS: readonly MethodId[] = METHOD_IDS.filter((id) => METHODS[id].kind === 'live');

export interface LayerOption {
  name: string;
  shape: readonly [number | null, number | null, number | null];
}

/**
 * The layers a depth comparison starts with: the model's own (deepest) layer, then the deepest layer
 * of each finer resolution, up to `count` — a map per resolution says more than three 7×7 neighbours.
 * `layers` are deepest first, as the worker lists them.
 */
export function defaultLayerColumns(layers: readonly LayerOption[], automatic: string, count = 3): string[] {
  const chosen = [automatic];
  const area = (l: LayerOption) => (l.shape[0] ?? 0) * (l.shape[1] ?? 0);
  const seen = new Set<number>();
  const auto = layers.find((l) => l.name === automatic);
  if (auto) seen.add(area(auto));
  for (const layer of layers) {
    if (chosen.length >= count) break;
    const a = area(layer);
    if (layer.name === automatic || a === 0 || seen.has(a)) continue;
    seen.add(a);
    chosen.push(layer.name);
  }
  return chosen;
}

/** Every cell, column by column (a column's layer or model is loaded once), rows in the given order. */
export function planCells(methods: readonly MethodId[], columnCount: number): Cell[] {
  const cells: Cell[] = [];
  for (let column = 0; column < columnCount; column++) methods.forEach((method, row) => cells.push({ row, column, method }));
  return cells;
}

/** Whether a method can draw a contrastive map ("why c and not c′"); the others' cells say so instead of computing. */
export function canContrast(method: MethodId): boolean {
  return METHODS[method].contrastive;
}
