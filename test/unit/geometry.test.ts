import { describe, expect, it } from 'vitest';
import {
  backgroundImageRect,
  contentBox,
  imageRectInContentBox,
  parseObjectPosition,
  svgAspectAsObjectFit,
  centerSquare,
  intersect,
  visibleRect,
  gridCellAt,
  type BoxModel,
  type ObjectPosition,
} from '../../src/core/geometry';

// Expected numbers below are worked out by hand from the CSS Images 3 rules, not from the code.

const CENTER: ObjectPosition = { x: { percent: 50, px: 0 }, y: { percent: 50, px: 0 } };
const pct = (x: number, y: number): ObjectPosition => ({ x: { percent: x, px: 0 }, y: { percent: y, px: 0 } });
const px = (x: number, y: number): ObjectPosition => ({ x: { percent: 0, px: x }, y: { percent: 0, px: y } });

const BOX = { width: 400, height: 300 };
const WIDE = { width: 800, height: 400 }; // aspect 2:1 in a 4:3 box

describe('contentBox', () => {
  const zero: BoxModel = {
    borderTop: 0, borderRight: 0, borderBottom: 0, borderLeft: 0,
    paddingTop: 0, paddingRight: 0, paddingBottom: 0, paddingLeft: 0,
  };

  it('is the border box when there are no borders or padding', () => {
    expect(contentBox({ x: 10, y: 20, width: 300, height: 200 }, zero)).toEqual({ x: 10, y: 20, width: 300, height: 200 });
  });

  it('subtracts each side separately', () => {
    const m: BoxModel = {
      borderTop: 1, borderRight: 2, borderBottom: 3, borderLeft: 4,
      paddingTop: 10, paddingRight: 20, paddingBottom: 30, paddingLeft: 40,
    };
    // x: 100 + 4 + 40; width: 500 − (4 + 40) − (2 + 20); y: 50 + 1 + 10; height: 300 − 11 − 33
    expect(contentBox({ x: 100, y: 50, width: 500, height: 300 }, m)).toEqual({ x: 144, y: 61, width: 434, height: 256 });
  });

  it('never goes negative when borders+padding exceed the box', () => {
    const m: BoxModel = { ...zero, borderLeft: 30, paddingRight: 30, borderTop: 15, paddingBottom: 15 };
    expect(contentBox({ x: 0, y: 0, width: 40, height: 20 }, m)).toEqual({ x: 30, y: 15, width: 0, height: 0 });
  });
});

describe('parseObjectPosition', () => {
  it('parses the computed default "50% 50%"', () => {
    expect(parseObjectPosition('50% 50%')).toEqual(CENTER);
  });

  it('parses px and fractional/negative values', () => {
    expect(parseObjectPosition('0px 0px')).toEqual(px(0, 0));
    expect(parseObjectPosition('12.5px -7px')).toEqual(px(12.5, -7));
    expect(parseObjectPosition('25% 100%')).toEqual(pct(25, 100));
    expect(parseObjectPosition('10px 30%')).toEqual({ x: { percent: 0, px: 10 }, y: { percent: 30, px: 0 } });
  });

  it('maps keywords to percentages, in either order', () => {
    expect(parseObjectPosition('left top')).toEqual(pct(0, 0));
    expect(parseObjectPosition('right bottom')).toEqual(pct(100, 100));
    expect(parseObjectPosition('top right')).toEqual(pct(100, 0));
    expect(parseObjectPosition('bottom left')).toEqual(pct(0, 100));
    expect(parseObjectPosition('center left')).toEqual(pct(0, 50));
    expect(parseObjectPosition('top center')).toEqual(pct(50, 0));
    expect(parseObjectPosition('center')).toEqual(CENTER);
    expect(parseObjectPosition('RIGHT Top')).toEqual(pct(100, 0));
  });

  it('single value: the other axis is centred', () => {
    expect(parseObjectPosition('left')).toEqual(pct(0, 50));
    expect(parseObjectPosition('bottom')).toEqual(pct(50, 100));
    expect(parseObjectPosition('20px')).toEqual({ x: { percent: 0, px: 20 }, y: { percent: 50, px: 0 } });
  });

  it('edge offsets: "right 10px top 20%" is x = 100% − 10px, y = 20%', () => {
    expect(parseObjectPosition('right 10px top 20%')).toEqual({ x: { percent: 100, px: -10 }, y: { percent: 20, px: 0 } });
    expect(parseObjectPosition('bottom 5px left')).toEqual({ x: { percent: 0, px: 0 }, y: { percent: 100, px: -5 } });
    expect(parseObjectPosition('left 10% bottom 20%')).toEqual({ x: { percent: 10, px: 0 }, y: { percent: 80, px: 0 } });
  });

  it('reads simple calc() sums and falls back to 50% for anything else', () => {
    expect(parseObjectPosition('calc(100% - 10px) 0px')).toEqual({ x: { percent: 100, px: -10 }, y: { percent: 0, px: 0 } });
    expect(parseObjectPosition('calc(50% + 3px + 10%) 10px')).toEqual({ x: { percent: 60, px: 3 }, y: { percent: 0, px: 10 } });
    expect(parseObjectPosition('calc(10px * 2) 10px')).toEqual({ x: { percent: 50, px: 0 }, y: { percent: 0, px: 10 } });
    expect(parseObjectPosition('10px calc(1em + 2px)')).toEqual({ x: { percent: 0, px: 10 }, y: { percent: 50, px: 0 } });
  });

  it('falls back to centre on empty or garbage input', () => {
    expect(parseObjectPosition('')).toEqual(CENTER);
    expect(parseObjectPosition('bogus')).toEqual(CENTER);
    expect(parseObjectPosition('1em 2em')).toEqual(CENTER);
    expect(parseObjectPosition('1px 2px 3px 4px 5px')).toEqual(CENTER);
  });
});

describe('imageRectInContentBox: 800×400 image in a 400×300 box', () => {
  it('fill stretches to the box', () => {
    expect(imageRectInContentBox(BOX, WIDE, 'fill', CENTER)).toEqual({ x: 0, y: 0, width: 400, height: 300 });
  });

  it('contain: scale 0.5 → 400×200, letterboxed 50px top and bottom', () => {
    expect(imageRectInContentBox(BOX, WIDE, 'contain', CENTER)).toEqual({ x: 0, y: 50, width: 400, height: 200 });
  });

  it('cover: scale 0.75 → 600×300, cropped 100px left and right', () => {
    expect(imageRectInContentBox(BOX, WIDE, 'cover', CENTER)).toEqual({ x: -100, y: 0, width: 600, height: 300 });
  });

  it('none: natural size, centred', () => {
    expect(imageRectInContentBox(BOX, WIDE, 'none', CENTER)).toEqual({ x: -200, y: -50, width: 800, height: 400 });
  });

  it('scale-down is contain when the image is larger than the box', () => {
    expect(imageRectInContentBox(BOX, WIDE, 'scale-down', CENTER)).toEqual({ x: 0, y: 50, width: 400, height: 200 });
  });

  it('scale-down is none when the image is smaller than the box', () => {
    const small = { width: 100, height: 50 };
    expect(imageRectInContentBox(BOX, small, 'scale-down', CENTER)).toEqual({ x: 150, y: 125, width: 100, height: 50 });
    // and contain would have enlarged it instead
    expect(imageRectInContentBox(BOX, small, 'contain', CENTER)).toEqual({ x: 0, y: 50, width: 400, height: 200 });
  });

  it('percent positions align the p% point of the image with the p% point of the box', () => {
    expect(imageRectInContentBox(BOX, WIDE, 'cover', pct(0, 0))).toEqual({ x: 0, y: 0, width: 600, height: 300 });
    expect(imageRectInContentBox(BOX, WIDE, 'cover', pct(100, 100))).toEqual({ x: -200, y: 0, width: 600, height: 300 });
    expect(imageRectInContentBox(BOX, WIDE, 'contain', pct(25, 100))).toEqual({ x: 0, y: 100, width: 400, height: 200 });
    expect(imageRectInContentBox(BOX, WIDE, 'none', pct(25, 0))).toEqual({ x: -100, y: 0, width: 800, height: 400 });
  });

  it('px positions offset the image from the top-left', () => {
    expect(imageRectInContentBox(BOX, WIDE, 'contain', px(10, 20))).toEqual({ x: 10, y: 20, width: 400, height: 200 });
    expect(imageRectInContentBox(BOX, WIDE, 'none', px(-30, 5))).toEqual({ x: -30, y: 5, width: 800, height: 400 });
  });

  it('parsed keyword/offset positions resolve end to end', () => {
    // contain 400×200, "right bottom" → y = 300 − 200
    expect(imageRectInContentBox(BOX, WIDE, 'contain', parseObjectPosition('right bottom'))).toEqual({ x: 0, y: 100, width: 400, height: 200 });
    // none 800×400, "right 10px top 20%" → x = (400 − 800) − 10, y = (300 − 400) · 0.2
    expect(imageRectInContentBox(BOX, WIDE, 'none', parseObjectPosition('right 10px top 20%'))).toEqual({
      x: -410, y: -20, width: 800, height: 400,
    });
  });

  it('fill ignores percentages but not px offsets', () => {
    expect(imageRectInContentBox(BOX, WIDE, 'fill', pct(100, 0))).toEqual({ x: 0, y: 0, width: 400, height: 300 });
    expect(imageRectInContentBox(BOX, WIDE, 'fill', px(5, 6))).toEqual({ x: 5, y: 6, width: 400, height: 300 });
  });

  it('a tall image uses the other axis', () => {
    const tall = { width: 100, height: 600 };
    // contain: min(4, 0.5) = 0.5 → 50×300; cover: max = 4 → 400×2400
    expect(imageRectInContentBox(BOX, tall, 'contain', CENTER)).toEqual({ x: 175, y: 0, width: 50, height: 300 });
    expect(imageRectInContentBox(BOX, tall, 'cover', CENTER)).toEqual({ x: 0, y: -1050, width: 400, height: 2400 });
  });
});

describe('imageRectInContentBox: zero sizes', () => {
  it('returns the content box when the natural size is unknown (0)', () => {
    for (const fit of ['fill', 'contain', 'cover', 'none', 'scale-down'] as const) {
      expect(imageRectInContentBox(BOX, { width: 0, height: 0 }, fit, CENTER)).toEqual({ x: 0, y: 0, width: 400, height: 300 });
      expect(imageRectInContentBox(BOX, { width: 800, height: 0 }, fit, CENTER)).toEqual({ x: 0, y: 0, width: 400, height: 300 });
    }
  });

  it('a zero-size content box gives finite numbers', () => {
    for (const fit of ['fill', 'contain', 'cover', 'none', 'scale-down'] as const) {
      const r = imageRectInContentBox({ width: 0, height: 0 }, WIDE, fit, CENTER);
      for (const v of Object.values(r)) expect(Number.isFinite(v)).toBe(true);
    }
    expect(imageRectInContentBox({ width: 0, height: 0 }, WIDE, 'contain', CENTER)).toEqual({ x: 0, y: 0, width: 0, height: 0 });
  });
});

describe('intersect', () => {
  it('the overlap of two boxes anywhere on the page', () => {
    expect(intersect({ x: 10, y: 20, width: 100, height: 50 }, { x: 60, y: 0, width: 200, height: 40 })).toEqual({ x: 60, y: 20, width: 50, height: 20 });
  });

  it('a box inside the other is itself', () => {
    expect(intersect({ x: 70, y: 5, width: 10, height: 10 }, { x: 60, y: 0, width: 200, height: 40 })).toEqual({ x: 70, y: 5, width: 10, height: 10 });
  });

  it('disjoint boxes give an empty box at the nearest point', () => {
    expect(intersect({ x: 0, y: 0, width: 10, height: 10 }, { x: 60, y: 30, width: 20, height: 20 })).toEqual({ x: 60, y: 30, width: 0, height: 0 });
  });
});

describe('visibleRect', () => {
  it('clips cover and none to the content box', () => {
    expect(visibleRect({ x: -100, y: 0, width: 600, height: 300 }, BOX)).toEqual({ x: 0, y: 0, width: 400, height: 300 });
    expect(visibleRect({ x: -200, y: -50, width: 800, height: 400 }, BOX)).toEqual({ x: 0, y: 0, width: 400, height: 300 });
  });

  it('leaves a letterboxed image unchanged', () => {
    expect(visibleRect({ x: 0, y: 50, width: 400, height: 200 }, BOX)).toEqual({ x: 0, y: 50, width: 400, height: 200 });
  });

  it('clips a partially shifted image', () => {
    expect(visibleRect({ x: 350, y: -20, width: 100, height: 50 }, BOX)).toEqual({ x: 350, y: 0, width: 50, height: 30 });
  });

  it('is empty when the image is entirely outside', () => {
    const r = visibleRect({ x: 500, y: 10, width: 100, height: 50 }, BOX);
    expect(r.width).toBe(0);
    expect(r.height).toBe(50);
    expect(visibleRect({ x: -500, y: -500, width: 100, height: 50 }, BOX)).toEqual({ x: 0, y: 0, width: 0, height: 0 });
  });
});

describe('backgroundImageRect', () => {
  const centre = parseObjectPosition('50% 50%');
  const topLeft = parseObjectPosition('0% 0%');

  it('auto keeps the natural size at the position', () => {
    expect(backgroundImageRect({ width: 400, height: 300 }, { width: 100, height: 50 }, 'auto', topLeft)).toEqual({ x: 0, y: 0, width: 100, height: 50 });
    expect(backgroundImageRect({ width: 400, height: 300 }, { width: 100, height: 50 }, 'auto auto', centre)).toEqual({ x: 150, y: 125, width: 100, height: 50 });
  });

  it('cover and contain scale like object-fit (first layer only)', () => {
    // 800×400 into 400×300: cover scale 0.75 → 600×300, centred → x = (400 − 600) / 2 = −100.
    expect(backgroundImageRect({ width: 400, height: 300 }, { width: 800, height: 400 }, 'cover, auto', centre)).toEqual({ x: -100, y: 0, width: 600, height: 300 });
    // contain scale 0.5 → 400×200, centred → y = 50.
    expect(backgroundImageRect({ width: 400, height: 300 }, { width: 800, height: 400 }, 'contain', centre)).toEqual({ x: 0, y: 50, width: 400, height: 200 });
  });

  it('explicit lengths, percentages and one auto side keeping the aspect', () => {
    expect(backgroundImageRect({ width: 400, height: 300 }, { width: 800, height: 400 }, '200px 100px', topLeft)).toEqual({ x: 0, y: 0, width: 200, height: 100 });
    expect(backgroundImageRect({ width: 400, height: 300 }, { width: 800, height: 400 }, '50% auto', topLeft)).toEqual({ x: 0, y: 0, width: 200, height: 100 });
    expect(backgroundImageRect({ width: 400, height: 300 }, { width: 800, height: 400 }, 'auto 150px', parseObjectPosition('100% 0%'))).toEqual({ x: 100, y: 0, width: 300, height: 150 });
  });

  it('an unknown natural size covers the whole area', () => {
    expect(backgroundImageRect({ width: 400, height: 300 }, { width: 0, height: 0 }, 'cover', centre)).toEqual({ x: 0, y: 0, width: 400, height: 300 });
  });
});

describe('svgAspectAsObjectFit', () => {
  const at = (x: number, y: number) => ({ x: { percent: x, px: 0 }, y: { percent: y, px: 0 } });
  it('none stretches; meet contains; slice covers', () => {
    expect(svgAspectAsObjectFit(1, 1).fit).toBe('fill');
    expect(svgAspectAsObjectFit(6, 1)).toEqual({ fit: 'contain', position: at(50, 50) });
    expect(svgAspectAsObjectFit(6, 2)).toEqual({ fit: 'cover', position: at(50, 50) });
  });

  it('the nine alignments, row by row from xMinYMin (2) to xMaxYMax (10)', () => {
    expect(svgAspectAsObjectFit(2, 1).position).toEqual(at(0, 0));
    expect(svgAspectAsObjectFit(4, 1).position).toEqual(at(100, 0));
    expect(svgAspectAsObjectFit(5, 1).position).toEqual(at(0, 50));
    expect(svgAspectAsObjectFit(9, 1).position).toEqual(at(50, 100));
    expect(svgAspectAsObjectFit(10, 2)).toEqual({ fit: 'cover', position: at(100, 100) });
  });

  it('unknown values are the default, xMidYMid meet', () => {
    expect(svgAspectAsObjectFit(0, 0)).toEqual({ fit: 'contain', position: at(50, 50) });
  });

  it('with imageRectInContentBox: a square picture in a 500×360 box, meet, is a centred 360×360', () => {
    const { fit, position } = svgAspectAsObjectFit(6, 1);
    expect(imageRectInContentBox({ width: 500, height: 360 }, { width: 512, height: 512 }, fit, position)).toEqual({ x: 70, y: 0, width: 360, height: 360 });
  });
});

describe('centerSquare', () => {
  it('the central square of a landscape, a portrait and a square picture', () => {
    expect(centerSquare(451, 300)).toEqual({ x: 75, y: 0, width: 300, height: 300 });
    expect(centerSquare(300, 451)).toEqual({ x: 0, y: 75, width: 300, height: 300 });
    expect(centerSquare(64, 64)).toEqual({ x: 0, y: 0, width: 64, height: 64 });
  });
});

describe('gridCellAt (the map cell under the pointer)', () => {
  const rect = { x: 10, y: 20, width: 70, height: 35 }; // a 7×7 map: cells 10 × 5 px
  it('names the cell row by row, edges belonging to the cell they start', () => {
    expect(gridCellAt(rect, 7, 7, { x: 10, y: 20 })).toBe(0);
    expect(gridCellAt(rect, 7, 7, { x: 19.9, y: 24.9 })).toBe(0);
    expect(gridCellAt(rect, 7, 7, { x: 20, y: 20 })).toBe(1);
    expect(gridCellAt(rect, 7, 7, { x: 10, y: 25 })).toBe(7);
    expect(gridCellAt(rect, 7, 7, { x: 79.99, y: 54.99 })).toBe(48);
  });
  it('is null outside the rect, for no point and for an empty rect', () => {
    expect(gridCellAt(rect, 7, 7, { x: 80, y: 30 })).toBeNull();
    expect(gridCellAt(rect, 7, 7, { x: 9.99, y: 30 })).toBeNull();
    expect(gridCellAt(rect, 7, 7, { x: 30, y: 55 })).toBeNull();
    expect(gridCellAt(rect, 7, 7, null)).toBeNull();
    expect(gridCellAt({ x: 0, y: 0, width: 0, height: 0 }, 7, 7, { x: 0, y: 0 })).toBeNull();
  });
});
