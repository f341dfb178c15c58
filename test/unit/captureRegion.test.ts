// visibleRegion: the part of a picture a screenshot can explain (viewport CSS px). Numbers by hand.
import { describe, expect, it } from 'vitest';
import { visibleRegion } from '../../src/content/captureRegion';

const viewport = { x: 0, y: 0, width: 800, height: 600 };

describe('visibleRegion', () => {
  it('is the drawn picture when all of it is on screen', () => {
    const region = visibleRegion({ host: { x: 100, y: 50, width: 300, height: 200 }, picture: { x: 0, y: 0, width: 300, height: 200 } }, viewport);
    expect(region).toEqual({ ok: true, rect: { x: 100, y: 50, width: 300, height: 200 }, picture: { x: 100, y: 50, width: 300, height: 200 } });
  });

  it('cuts what object-fit: cover draws outside the box, what a clipping ancestor hides and what is below the viewport', () => {
    // A 400-wide picture covering a 300-wide box: 50 px drawn outside it on each side.
    const cover = visibleRegion({ host: { x: 100, y: 500, width: 300, height: 200 }, picture: { x: -50, y: 0, width: 400, height: 200 }, clip: { x: 0, y: 0, width: 350, height: 1000 } }, viewport);
    expect(cover).toEqual({ ok: true, rect: { x: 100, y: 500, width: 250, height: 100 }, picture: { x: 50, y: 500, width: 400, height: 200 } });
  });

  it('scales with a transform, refuses rotation and skew, and a picture off screen', () => {
    const scaled = visibleRegion({ host: { x: 10, y: 10, width: 100, height: 50 }, picture: { x: 0, y: 0, width: 100, height: 50 }, transform: { a: 2, b: 0, c: 0, d: 2 } }, viewport);
    expect(scaled).toEqual({ ok: true, rect: { x: 10, y: 10, width: 200, height: 100 }, picture: { x: 10, y: 10, width: 200, height: 100 } });
    const box = { host: { x: 10, y: 10, width: 100, height: 50 }, picture: { x: 0, y: 0, width: 100, height: 50 } };
    expect(visibleRegion({ ...box, transform: { a: 0, b: 1, c: -1, d: 0 } }, viewport)).toEqual({ ok: false, reason: 'rotated' });
    expect(visibleRegion({ ...box, transform: { a: 1, b: 0, c: 0.5, d: 1 } }, viewport)).toEqual({ ok: false, reason: 'rotated' });
    expect(visibleRegion({ ...box, host: { x: 10, y: 900, width: 100, height: 50 } }, viewport)).toEqual({ ok: false, reason: 'offscreen' });
    expect(visibleRegion({ ...box, clip: { x: 500, y: 0, width: 100, height: 100 } }, viewport)).toEqual({ ok: false, reason: 'offscreen' });
  });
});
