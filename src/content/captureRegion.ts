// Which part of a picture a screenshot can explain: the drawn picture within its box (object-fit:
// cover clips it), then within what clipping ancestors and the viewport leave visible. Viewport CSS px.
import { intersect, visibleRect, type Box } from '../core/geometry';
import { IDENTITY, viewportBounds } from '../core/transform2d';
import type { PictureLayout } from './target';

export type VisibleRegion =
  | { ok: true; rect: Box; picture: Box }
  /** rotated: a screenshot crop is an upright rectangle and cannot hold a rotated or skewed picture. */
  | { ok: false; reason: 'rotated' | 'offscreen' };

export function visibleRegion({ host, picture, transform, clip }: PictureLayout, viewport: Box): VisibleRegion {
  if (transform && (Math.abs(transform.b) > 1e-6 || Math.abs(transform.c) > 1e-6)) return { ok: false, reason: 'rotated' };
  const placed = { origin: { x: host.x, y: host.y }, m: transform ?? IDENTITY };
  const visible = intersect(intersect(viewportBounds(placed, visibleRect(picture, host)), clip ?? viewport), viewport);
  if (visible.width < 1 || visible.height < 1) return { ok: false, reason: 'offscreen' };
  return { ok: true, rect: visible, picture: viewportBounds(placed, picture) };
}
