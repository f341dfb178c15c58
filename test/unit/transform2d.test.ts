import { describe, expect, it } from 'vitest';
import {
  IDENTITY, apply, compose, cssMatrix, invert, isIdentity, localPolygon, toLocal, toViewport, untransformedOrigin, viewportBounds,
  type Linear2D,
} from '../../src/core/transform2d';

const rotate = (deg: number): Linear2D => {
  const r = (deg * Math.PI) / 180;
  return { a: Math.cos(r), b: Math.sin(r), c: -Math.sin(r), d: Math.cos(r) };
};
const scale = (sx: number, sy = sx): Linear2D => ({ a: sx, b: 0, c: 0, d: sy });
const close = (m: Linear2D, n: Linear2D) => {
  for (const k of ['a', 'b', 'c', 'd'] as const) expect(m[k]).toBeCloseTo(n[k], 12);
};

describe('compose', () => {
  it('applies the inner matrix first', () => {
    // scale x by 2, then rotate 90°: (1, 0) → (2, 0) → (0, 2)
    const p = apply(compose(rotate(90), scale(2, 1)), { x: 1, y: 0 });
    expect(p.x).toBeCloseTo(0, 12);
    expect(p.y).toBeCloseTo(2, 12);
    // the other order: rotate first, (1, 0) → (0, 1), then scale x: still (0, 1)
    const q = apply(compose(scale(2, 1), rotate(90)), { x: 1, y: 0 });
    expect(q.x).toBeCloseTo(0, 12);
    expect(q.y).toBeCloseTo(1, 12);
  });

  it('two rotations add up, and the identity changes nothing', () => {
    close(compose(rotate(30), rotate(15)), rotate(45));
    close(compose(IDENTITY, rotate(12)), rotate(12));
    expect(isIdentity(compose(rotate(40), rotate(-40)))).toBe(true);
    expect(isIdentity(scale(1.0001))).toBe(false);
  });
});

describe('invert', () => {
  it('undoes a rotation and scale', () => {
    const m = compose(rotate(12), scale(0.9));
    close(compose(m, invert(m)!), IDENTITY);
  });

  it('refuses a matrix that squashes the plane', () => {
    expect(invert(scale(0, 1))).toBeNull();
    expect(invert({ a: 1, b: 2, c: 2, d: 4 })).toBeNull();
  });
});

describe('untransformedOrigin', () => {
  it('is the bounding box itself without a transform', () => {
    expect(untransformedOrigin({ x: 10, y: 20, width: 100, height: 50 }, 100, 50, IDENTITY)).toEqual({ x: 10, y: 20 });
  });

  it('for a 90° rotation about the top-left, the box hangs to the left of the bounding box', () => {
    // A 100×50 box rotated 90° about (0, 0) covers x ∈ [-50, 0], y ∈ [0, 100].
    const o = untransformedOrigin({ x: 200, y: 300, width: 50, height: 100 }, 100, 50, rotate(90));
    expect(o.x).toBeCloseTo(250, 9);
    expect(o.y).toBeCloseTo(300, 9);
  });

  it('round-trips: the transformed layout box has the reported bounds', () => {
    const m = compose(rotate(12), scale(0.9));
    const placed = { origin: { x: 0, y: 0 }, m };
    const bounds = viewportBounds(placed, { x: 0, y: 0, width: 306, height: 214 });
    const shifted = { ...bounds, x: bounds.x + 40, y: bounds.y + 70 };
    const origin = untransformedOrigin(shifted, 306, 214, m);
    expect(origin.x).toBeCloseTo(40, 9);
    expect(origin.y).toBeCloseTo(70, 9);
  });
});

describe('toLocal / toViewport', () => {
  const placed = { origin: { x: 100, y: 50 }, m: compose(rotate(30), scale(2)) };

  it('are inverses', () => {
    const local = { x: 17, y: -4 };
    const back = toLocal(placed, toViewport(placed, local))!;
    expect(back.x).toBeCloseTo(17, 9);
    expect(back.y).toBeCloseTo(-4, 9);
  });

  it('a pure scale: local (10, 5) at origin (100, 50) scaled 2 is (120, 60)', () => {
    expect(toViewport({ origin: { x: 100, y: 50 }, m: scale(2) }, { x: 10, y: 5 })).toEqual({ x: 120, y: 60 });
  });

  it('a degenerate matrix has no local coordinates', () => {
    expect(toLocal({ origin: { x: 0, y: 0 }, m: scale(0) }, { x: 1, y: 1 })).toBeNull();
  });
});

describe('viewportBounds', () => {
  it('a 100×50 box rotated 90° about its top-left', () => {
    const b = viewportBounds({ origin: { x: 0, y: 0 }, m: rotate(90) }, { x: 0, y: 0, width: 100, height: 50 });
    expect(b.x).toBeCloseTo(-50, 9);
    expect(b.y).toBeCloseTo(0, 9);
    expect(b.width).toBeCloseTo(50, 9);
    expect(b.height).toBeCloseTo(100, 9);
  });

  it('a box offset inside a scaled parent', () => {
    // Local (10, 20)–(40, 30) under scale 2 at origin (5, 5): (25, 45)–(85, 65).
    expect(viewportBounds({ origin: { x: 5, y: 5 }, m: scale(2) }, { x: 10, y: 20, width: 30, height: 10 })).toEqual({ x: 25, y: 45, width: 60, height: 20 });
  });
});

describe('localPolygon', () => {
  it('without a transform: the rectangle moved into local coordinates', () => {
    expect(localPolygon({ origin: { x: 10, y: 10 }, m: IDENTITY }, { x: 0, y: 30, width: 100, height: 40 })).toEqual([
      { x: -10, y: 20 }, { x: 90, y: 20 }, { x: 90, y: 60 }, { x: -10, y: 60 },
    ]);
  });

  it('under a 2× scale, lengths halve', () => {
    expect(localPolygon({ origin: { x: 0, y: 0 }, m: scale(2) }, { x: 20, y: 20, width: 100, height: 40 })).toEqual([
      { x: 10, y: 10 }, { x: 60, y: 10 }, { x: 60, y: 30 }, { x: 10, y: 30 },
    ]);
  });

  it('under a rotation, each corner maps back onto the viewport rectangle', () => {
    const placed = { origin: { x: 50, y: 40 }, m: rotate(12) };
    const rect = { x: 0, y: 60, width: 300, height: 80 };
    const poly = localPolygon(placed, rect)!;
    const corners = poly.map((p) => toViewport(placed, p));
    expect(corners[0].x).toBeCloseTo(0, 9);
    expect(corners[0].y).toBeCloseTo(60, 9);
    expect(corners[2].x).toBeCloseTo(300, 9);
    expect(corners[2].y).toBeCloseTo(140, 9);
  });

  it('null for a degenerate matrix', () => {
    expect(localPolygon({ origin: { x: 0, y: 0 }, m: scale(1, 0) }, { x: 0, y: 0, width: 1, height: 1 })).toBeNull();
  });
});

describe('cssMatrix', () => {
  it('writes the CSS matrix() order with no translation', () => {
    expect(cssMatrix({ a: 0.5, b: 0.25, c: -0.25, d: 0.5 })).toBe('matrix(0.5, 0.25, -0.25, 0.5, 0, 0)');
  });
});
