// Where an overlay's panel goes: below, above, right of or left of its picture, whichever covers the
// least of the other overlays' maps, then of the other panels, then of its own map, kept inside the
// viewport. Pure arithmetic on viewport boxes (CSS px); the content script measures them.
import { intersect, type Box, type Size } from './geometry';

export type PanelSide = 'below' | 'above' | 'right' | 'left';
/** In order of preference when they cover the same. */
export const PANEL_SIDES: readonly PanelSide[] = ['below', 'above', 'right', 'left'];

export interface PanelPlacementInput {
  /** The visible part of the picture, where the panel is put beside. */
  anchor: Box;
  /** The overlay's own map. */
  own: Box;
  /** The other overlays' maps in the same frame. */
  others: readonly Box[];
  /** The other overlays' panels where they are now: two panels in one gap would hide each other's words. */
  panels?: readonly Box[];
  panel: Size;
  viewport: Size;
  /** Space between picture and panel, and kept free at the viewport's edges. */
  gap?: number;
  margin?: number;
}

export interface PanelPlacement {
  side: PanelSide;
  x: number;
  y: number;
  /** Area (px²) of the other overlays' maps the panel covers there. */
  covers: number;
}

const area = (b: Box) => Math.max(0, b.width) * Math.max(0, b.height);

/** How much of `boxes` the rectangle covers, in px² (overlaps among the boxes counted once each). */
export function coveredArea(rect: Box, boxes: readonly Box[]): number {
  return boxes.reduce((sum, b) => sum + area(intersect(rect, b)), 0);
}

/** Keeps [start, start + length) inside [margin, limit - margin]; a too long one starts at the margin. */
function clamp(start: number, length: number, limit: number, margin: number): number {
  return Math.max(margin, Math.min(start, limit - length - margin));
}

export function choosePanelPlacement(input: PanelPlacementInput): PanelPlacement {
  const { anchor, own, others, panel, viewport } = input;
  const gap = input.gap ?? 6;
  const margin = input.margin ?? 4;
  const at: Record<PanelSide, { x: number; y: number }> = {
    below: { x: anchor.x, y: anchor.y + anchor.height + gap },
    above: { x: anchor.x, y: anchor.y - gap - panel.height },
    right: { x: anchor.x + anchor.width + gap, y: anchor.y },
    left: { x: anchor.x - gap - panel.width, y: anchor.y },
  };
  // A picture scrolled out of sight keeps its panel with it (below it, out of sight too): held inside
  // the viewport, it would lie over the pictures that are in sight.
  const inSight = anchor.x < viewport.width && anchor.x + anchor.width > 0 && anchor.y < viewport.height && anchor.y + anchor.height > 0;
  if (!inSight) return { side: 'below', ...at.below, covers: coveredArea({ ...at.below, ...panel }, others) };
  let best: { placement: PanelPlacement; cost: number[] } | null = null;
  for (const side of PANEL_SIDES) {
    const x = clamp(at[side].x, panel.width, viewport.width, margin);
    const y = clamp(at[side].y, panel.height, viewport.height, margin);
    const rect = { x, y, ...panel };
    const covers = coveredArea(rect, others);
    // In order of importance; rounded to whole px², so sub-pixel differences do not beat the order of preference.
    const cost = [covers, coveredArea(rect, input.panels ?? []), area(intersect(rect, own))].map(Math.round);
    if (!best || lexicallyLess(cost, best.cost)) best = { placement: { side, x, y, covers }, cost };
  }
  return best!.placement;
}

function lexicallyLess(a: readonly number[], b: readonly number[]): boolean {
  const i = a.findIndex((v, k) => v !== b[k]);
  return i >= 0 && a[i] < b[i];
}
