import { describe, expect, test } from 'vitest';
import { choosePanelPlacement, coveredArea } from '../../src/core/panelPlacement';

const viewport = { width: 1000, height: 800 };
const panel = { width: 200, height: 30 };
const pic = { x: 100, y: 100, width: 300, height: 200 };

describe('choosePanelPlacement', () => {
  test('below the picture when nothing is in the way', () => {
    expect(choosePanelPlacement({ anchor: pic, own: pic, others: [], panel, viewport })).toEqual({ side: 'below', x: 100, y: 306, covers: 0 });
  });

  test("above when the next picture's map is right below", () => {
    const next = { x: 100, y: 310, width: 300, height: 200 };
    const p = choosePanelPlacement({ anchor: pic, own: pic, others: [next], panel, viewport });
    expect(p).toMatchObject({ side: 'above', x: 100, y: 64, covers: 0 });
  });

  test('right, then left, when maps are above and below', () => {
    const others = [{ x: 100, y: 0, width: 300, height: 95 }, { x: 100, y: 310, width: 300, height: 200 }];
    expect(choosePanelPlacement({ anchor: pic, own: pic, others, panel, viewport }).side).toBe('right');
    const withRight = [...others, { x: 410, y: 90, width: 300, height: 300 }];
    expect(choosePanelPlacement({ anchor: pic, own: pic, others: withRight, panel, viewport })).toMatchObject({ side: 'left', covers: 0 });
  });

  test('kept inside the viewport; a side that no longer fits is clamped and may lose', () => {
    // The picture fills the bottom of the viewport: below is clamped onto the picture, above is free.
    const low = { x: 900, y: 600, width: 300, height: 200 };
    const p = choosePanelPlacement({ anchor: low, own: low, others: [], panel, viewport });
    expect(p.side).toBe('above');
    expect(p.x).toBe(1000 - 200 - 4);
    expect(p.y).toBe(600 - 6 - 30);
  });

  test('where every side covers something, the least covered one wins', () => {
    const all = [
      { x: 0, y: 306, width: 1000, height: 20 }, // below: 200 × 20
      { x: 0, y: 64, width: 1000, height: 10 }, // above: 200 × 10
      { x: 406, y: 0, width: 600, height: 800 }, // right: all of it
      { x: 0, y: 0, width: 95, height: 800 }, // left (clamped to x = 4): 91 × 30
    ];
    const p = choosePanelPlacement({ anchor: pic, own: pic, others: all, panel, viewport });
    expect(p.side).toBe('above');
    expect(p.covers).toBe(200 * 10);
  });

  test('a picture out of sight keeps its panel below it, out of sight, not held in the viewport over others', () => {
    const gone = { x: 90, y: -360, width: 451, height: 300 };
    const inView = { x: 170, y: -6, width: 260, height: 260 };
    expect(choosePanelPlacement({ anchor: gone, own: gone, others: [inView], panel, viewport })).toEqual({ side: 'below', x: 90, y: -54, covers: 0 });
  });

  test("another panel in the gap below: above instead, when no map is in the way there either", () => {
    const neighbourPanel = { x: 100, y: 310, width: 200, height: 30 };
    expect(choosePanelPlacement({ anchor: pic, own: pic, others: [], panels: [neighbourPanel], panel, viewport })).toMatchObject({ side: 'above', covers: 0 });
  });

  test("covering a map costs more than covering a panel", () => {
    const next = { x: 100, y: 0, width: 300, height: 95 }; // a map right above the picture
    const panels = [{ x: 100, y: 310, width: 200, height: 30 }, { x: 406, y: 100, width: 200, height: 30 }, { x: 0, y: 100, width: 95, height: 30 }];
    const p = choosePanelPlacement({ anchor: pic, own: pic, others: [next], panels, viewport: { width: 500, height: 800 }, panel });
    expect(p.covers).toBe(0);
    expect(p.side).not.toBe('above');
  });

  test('a panel larger than the viewport starts at its margin', () => {
    const p = choosePanelPlacement({ anchor: pic, own: pic, others: [], panel: { width: 2000, height: 30 }, viewport });
    expect(p.x).toBe(4);
  });
});

test('coveredArea sums the overlaps', () => {
  expect(coveredArea({ x: 0, y: 0, width: 10, height: 10 }, [{ x: 5, y: 5, width: 10, height: 10 }, { x: -5, y: 0, width: 6, height: 2 }])).toBe(25 + 2);
});
