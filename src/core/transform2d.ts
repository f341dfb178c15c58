// The linear part of CSS 2-D transforms, and the arithmetic that puts an overlay on a rotated,
// skewed or scaled picture (its own transform and its ancestors').
//
// getBoundingClientRect of a transformed element is only the axis-aligned bounding box of its
// transformed shape. What the overlay needs is the element's layout box and one matrix that maps
// it onto the screen. Translations never change the shape, so only the 2×2 linear parts are
// composed; the bounding box then pins where the shape sits. Perspective and 3-D rotations are
// outside this model (their 2-D part is used).
import type { Box } from './geometry';

/** x' = a·x + c·y, y' = b·x + d·y: the order of CSS `matrix(a, b, c, d, e, f)`. */
export interface Linear2D {
  a: number;
  b: number;
  c: number;
  d: number;
}

export interface Point {
  x: number;
  y: number;
}

export const IDENTITY: Linear2D = { a: 1, b: 0, c: 0, d: 1 };

/** `outer ∘ inner`: first inner, then outer (a child's transform is inner to its parent's). */
export function compose(outer: Linear2D, inner: Linear2D): Linear2D {
  return {
    a: outer.a * inner.a + outer.c * inner.b,
    b: outer.b * inner.a + outer.d * inner.b,
    c: outer.a * inner.c + outer.c * inner.d,
    d: outer.b * inner.c + outer.d * inner.d,
  };
}

export function apply(m: Linear2D, p: Point): Point {
  return { x: m.a * p.x + m.c * p.y, y: m.b * p.x + m.d * p.y };
}

/** Null when the matrix squashes the plane to a line or a point (nothing to draw on). */
export function invert(m: Linear2D): Linear2D | null {
  const det = m.a * m.d - m.b * m.c;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null;
  return { a: m.d / det, b: -m.b / det, c: -m.c / det, d: m.a / det };
}

const NEAR = 1e-9;

export function isIdentity(m: Linear2D): boolean {
  return Math.abs(m.a - 1) < NEAR && Math.abs(m.b) < NEAR && Math.abs(m.c) < NEAR && Math.abs(m.d - 1) < NEAR;
}

/** The CSS value for the overlay; the translation is carried by the overlay's position instead. */
export function cssMatrix(m: Linear2D): string {
  return `matrix(${m.a}, ${m.b}, ${m.c}, ${m.d}, 0, 0)`;
}

/** Corners in drawing order (clockwise on screen), so they also make a polygon. */
function rectCorners({ x, y, width, height }: Box): Point[] {
  return [
    { x, y },
    { x: x + width, y },
    { x: x + width, y: y + height },
    { x, y: y + height },
  ];
}

/**
 * Where the untransformed layout box (`size`) must sit so that `m`, applied about its top-left
 * corner, gives the bounding box `bounds` the browser reports.
 */
export function untransformedOrigin(bounds: Box, width: number, height: number, m: Linear2D): Point {
  const pts = rectCorners({ x: 0, y: 0, width, height }).map((p) => apply(m, p));
  return { x: bounds.x - Math.min(...pts.map((p) => p.x)), y: bounds.y - Math.min(...pts.map((p) => p.y)) };
}

/** A box placed at `origin` (viewport px) and transformed by `m` about that point. */
export interface PlacedBox {
  origin: Point;
  m: Linear2D;
}

/** Viewport point → coordinates in the box before its transform. */
export function toLocal(placed: PlacedBox, p: Point): Point | null {
  const inverse = invert(placed.m);
  return inverse && apply(inverse, { x: p.x - placed.origin.x, y: p.y - placed.origin.y });
}

/** Local point → viewport. */
export function toViewport(placed: PlacedBox, p: Point): Point {
  const q = apply(placed.m, p);
  return { x: placed.origin.x + q.x, y: placed.origin.y + q.y };
}

/** The axis-aligned viewport bounding box of a local rectangle. */
export function viewportBounds(placed: PlacedBox, local: Box): Box {
  const pts = rectCorners(local).map((p) => toViewport(placed, p));
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

/**
 * A viewport rectangle (what scrolling ancestors leave visible) as a polygon in local coordinates,
 * for a CSS `clip-path` on the transformed box. Null when the matrix cannot be inverted.
 */
export function localPolygon(placed: PlacedBox, viewportRect: Box): Point[] | null {
  const pts = rectCorners(viewportRect).map((p) => toLocal(placed, p));
  return pts.every((p): p is Point => p !== null) ? pts : null;
}
