// The shortcut alarm's suspicion (src/core/metrics/shortcut.ts): where evidence concentrates, the
// text-like mark detector, the causal verdict and the mapping back to image pixels.
import { describe, expect, it } from 'vitest';
import {
  boundsOf,
  causalVerdict,
  findSuspicion,
  lumaOf,
  markCandidates,
  placeCandidates,
  regionMask,
  Shortcut,
  textLikeMarks,
  toImagePixels,
} from '../../src/core/metrics/shortcut';
import { pageShortcutLine, shortcutLine } from '../../src/core/metrics/shortcutWords';
import { LOGO_ALPHA, TEXT_ALPHA, watermarkMask } from '../../src/core/metrics/watermark';
import { englishTranslate as t, localeTranslate } from './helpers/englishTranslate';

const W = 100;
const H = 100;

/** A map at input size: `inside` in the rectangle, `outside` elsewhere. */
function evidence(rect: { x: number; y: number; width: number; height: number }, inside: number, outside: number): Float32Array {
  const v = new Float32Array(W * H).fill(outside);
  for (let y = rect.y; y < rect.y + rect.height; y++) for (let x = rect.x; x < rect.x + rect.width; x++) v[y * W + x] = inside;
  return v;
}

describe('place candidates', () => {
  it('are the outer 8 % strips, the whole band and the 20 % corners at a fine map', () => {
    const c = placeCandidates(W, H, 50, 50);
    const byPlace = Object.fromEntries(c.map((x) => [x.place, x]));
    expect(byPlace.bottom.rects).toEqual([{ x: 0, y: 92, width: 100, height: 8 }]);
    expect(byPlace.left.rects).toEqual([{ x: 0, y: 0, width: 8, height: 100 }]);
    expect(byPlace['bottom-right'].rects).toEqual([{ x: 80, y: 80, width: 20, height: 20 }]);
    // The band: four strips that do not overlap, 1 − 0.84² of the area.
    const band = regionMask(byPlace.all, W, H);
    expect(band.reduce((a, b) => a + b, 0)).toBe(W * H - 84 * 84);
    expect(boundsOf(byPlace.all)).toEqual({ x: 0, y: 0, width: 100, height: 100 });
  });

  it('are at least one map cell wide (strips) and two (corners): a 7×7 map cannot say more', () => {
    const c = placeCandidates(224, 224, 7, 7);
    expect(c.find((x) => x.place === 'top')!.rects[0].height).toBe(32);
    expect(c.find((x) => x.place === 'top-left')!.rects[0]).toEqual({ x: 0, y: 0, width: 64, height: 64 });
    // A finer map: the 20 % square.
    expect(placeCandidates(224, 224, 28, 28).find((x) => x.place === 'top-left')!.rects[0]).toEqual({ x: 0, y: 0, width: 45, height: 45 });
  });
});

describe('suspicion from the map', () => {
  const places = placeCandidates(W, H, 50, 50);

  it('names a corner that holds most of the evidence in 4 % of the image', () => {
    const s = findSuspicion(evidence({ x: 80, y: 80, width: 20, height: 20 }, 1, 0.02), W, H, places)!;
    expect(s).toMatchObject({ kind: 'corner', place: 'bottom-right' });
    expect(s.areaShare).toBeCloseTo(0.04, 6);
    // 400 of 400 + 0.02 · 9600 = 592
    expect(s.massShare).toBeCloseTo(400 / 592, 6);
  });

  it('names the bottom strip, and the whole band when evidence rings the picture', () => {
    expect(findSuspicion(evidence({ x: 0, y: 92, width: 100, height: 8 }, 1, 0.01), W, H, places)).toMatchObject({ kind: 'border', place: 'bottom' });
    const ring = new Float32Array(W * H);
    const band = regionMask(places.find((p) => p.place === 'all')!, W, H);
    band.forEach((b, i) => (ring[i] = b ? 1 : 0));
    expect(findSuspicion(ring, W, H, places)).toMatchObject({ kind: 'border', place: 'all', massShare: 1 });
  });

  it('stays quiet for a centred object, spread evidence, a flat or empty map', () => {
    expect(findSuspicion(evidence({ x: 30, y: 30, width: 40, height: 40 }, 1, 0.05), W, H, places)).toBeNull();
    expect(findSuspicion(new Float32Array(W * H).fill(0.5), W, H, places)).toBeNull();
    expect(findSuspicion(new Float32Array(W * H), W, H, places)).toBeNull();
  });

  it('needs both the mass share (≥ 35 %) and the concentration (≥ 3× the area share)', () => {
    // A corner with 30 % of the evidence: concentrated, but not enough of it.
    const corner = evidence({ x: 0, y: 0, width: 20, height: 20 }, 1, 0);
    const weak = corner.map((v) => (v ? v : 400 * (0.7 / 0.3) / 9600));
    expect(findSuspicion(weak, W, H, places)).toBeNull();
    // Evidence on the left half: 50 % of it in the left strip… no: the strip holds 8/50 of it.
    expect(findSuspicion(evidence({ x: 0, y: 0, width: 50, height: 100 }, 1, 0), W, H, places)).toBeNull();
  });

  it('prefers the more concentrated of two suspicious regions (a corner inside a strip)', () => {
    const s = findSuspicion(evidence({ x: 0, y: 0, width: 8, height: 8 }, 1, 0), W, H, places)!;
    expect(s.kind).toBe('corner');
  });

  it('names a mark in a suspicious corner by the corner (a stamp in the corner is "the corner")', () => {
    const mark = { x: 84, y: 84, width: 12, height: 12 };
    const s = findSuspicion(evidence(mark, 1, 0.001), W, H, [...places, ...markCandidates([mark])])!;
    expect(s).toMatchObject({ kind: 'corner', place: 'bottom-right' });
    // Alone, the mark would have been the most concentrated.
    expect(findSuspicion(evidence(mark, 1, 0.001), W, H, markCandidates([mark]))).toMatchObject({ kind: 'marks' });
  });

  it('names a mark in the middle of the picture when the detector found it', () => {
    const s = findSuspicion(evidence({ x: 40, y: 45, width: 20, height: 10 }, 1, 0.01), W, H, [...places, ...markCandidates([{ x: 40, y: 45, width: 20, height: 10 }])])!;
    expect(s).toMatchObject({ kind: 'marks', place: 'marks', areaShare: 0.02 });
  });
});

describe('text-like marks', () => {
  /** A smooth gradient scene with optional black-on-white "letters" (alternating strokes) at (mx, my). */
  function scene(mark?: { x: number; y: number; width: number; height: number }): Float32Array {
    const v = new Float32Array(112 * 112);
    for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) v[y * 112 + x] = 0.3 + 0.3 * (x / 112) + 0.1 * Math.sin(y / 9);
    if (mark) {
      for (let y = mark.y; y < mark.y + mark.height; y++)
        for (let x = mark.x; x < mark.x + mark.width; x++) v[y * 112 + x] = (Math.floor(x / 2) + Math.floor(y / 3)) % 2 ? 1 : 0;
    }
    return v;
  }

  it('finds a compact block of strokes and bounds it', () => {
    const marks = textLikeMarks(scene({ x: 60, y: 84, width: 36, height: 16 }), 112, 112);
    expect(marks.length).toBe(1);
    const m = marks[0];
    expect(m.x).toBeLessThanOrEqual(60);
    expect(m.y).toBeLessThanOrEqual(84);
    expect(m.x + m.width).toBeGreaterThanOrEqual(96);
    expect(m.y + m.height).toBeGreaterThanOrEqual(100);
    expect(m.width * m.height).toBeLessThan(0.12 * 112 * 112);
  });

  it('finds nothing in a smooth scene, a single hard edge, or a flat image', () => {
    expect(textLikeMarks(scene(), 112, 112)).toEqual([]);
    const edge = new Float32Array(112 * 112).map((_, i) => (i % 112 < 56 ? 0 : 1));
    expect(textLikeMarks(edge, 112, 112)).toEqual([]);
    expect(textLikeMarks(new Float32Array(112 * 112), 112, 112)).toEqual([]);
  });

  it('does not call a large textured area a compact mark', () => {
    expect(textLikeMarks(scene({ x: 0, y: 0, width: 112, height: 60 }), 112, 112)).toEqual([]);
  });

  it('reads luminance from RGB channels-last input', () => {
    expect(Array.from(lumaOf([1, 0, 0, 0, 1, 0], 2, 1, 3)).map((v) => +v.toFixed(3))).toEqual([0.299, 0.587]);
  });
});

describe('causal verdict and result', () => {
  it('fires on a ≥ 50 % relative drop or when the region alone keeps the class top-1', () => {
    expect(causalVerdict(0.8, 0.4, 2, 1, 0)).toEqual({ necessary: true, sufficient: false });
    expect(causalVerdict(0.8, 0.41, 2, 1, 0)).toEqual({ necessary: false, sufficient: false });
    expect(causalVerdict(0.8, 0.79, 1, 1, 0)).toEqual({ necessary: false, sufficient: true });
    // The "nothing" image is that class too: keeping the region proves nothing.
    expect(causalVerdict(0.8, 0.79, 1, 1, 1)).toEqual({ necessary: false, sufficient: false });
  });

  it('maps a region to image pixels through the crop the model saw', () => {
    expect(toImagePixels({ x: 56, y: 0, width: 56, height: 112 }, { width: 224, height: 224 }, { x: 100, y: 0, width: 400, height: 400 })).toEqual({ x: 200, y: 0, width: 100, height: 200 });
  });

  it('is a schema the messages validate', () => {
    const ok = { region: { x: 1, y: 2, width: 3, height: 4, kind: 'corner' }, place: 'top-left', massShare: 0.5, areaShare: 0.04, drop: { before: 0.9, after: 0.1 }, keptOnly: { top: 1, label: 'x', probability: 0.7 }, necessary: true, sufficient: true };
    expect(Shortcut.safeParse(ok).success).toBe(true);
    expect(Shortcut.safeParse({ ...ok, region: { ...ok.region, kind: 'watermark' } }).success).toBe(false);
  });
});

describe('alarm words', () => {
  const s: Shortcut = {
    region: { x: 0, y: 0, width: 10, height: 10, kind: 'corner' },
    place: 'bottom-right',
    massShare: 0.48,
    areaShare: 0.06,
    drop: { before: 0.72, after: 0.09 },
    keptOnly: { top: 0, label: 'Drawing', probability: 0.64 },
    necessary: true,
    sufficient: false,
  };

  it('says where, how much, and what covering it did (the issue\'s own sentence)', () => {
    expect(shortcutLine(s, 'Drawing', t)).toBe('Shortcut? 48 % of the evidence for Drawing lies in the bottom-right corner (6 % of the image). Covering it drops Drawing from 72.0 % to 9.0 %.');
  });

  it('says when the region alone keeps the class, and does not call a small change a drop', () => {
    expect(shortcutLine({ ...s, place: 'marks', drop: { before: 0.72, after: 0.5 }, necessary: false, sufficient: true }, 'Drawing', t)).toBe(
      'Shortcut? 48 % of the evidence for Drawing lies in overlaid marks or text (6 % of the image). Covering it changes Drawing from 72.0 % to 50.0 %. With only that region left, the model still says Drawing (64.0 %).',
    );
  });

  it('in German too', () => {
    expect(shortcutLine({ ...s, place: 'all' }, 'Zeichnung', localeTranslate('de'))).toBe('Abkürzung? 48 % der Belege für Zeichnung liegen im Randstreifen ringsum (6 % des Bildes). Abgedeckt fällt Zeichnung von 72.0 % auf 9.0 %.');
  });
});

describe('watermark probe mask', () => {
  it('puts semi-transparent text across the middle and a logo in the bottom-right corner', () => {
    const m = watermarkMask(224, 224);
    const at = (x: number, y: number) => m[y * 224 + x];
    const share = (x0: number, y0: number, x1: number, y1: number, alpha: number) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (at(x, y) === Math.fround(alpha)) n++;
      return n / ((x1 - x0) * (y1 - y0));
    };
    // Text strokes in the two middle rows (about a third of the letters' box is ink), nothing at the top.
    expect(share(22, 77, 202, 103, TEXT_ALPHA)).toBeGreaterThan(0.25);
    expect(share(22, 122, 202, 148, TEXT_ALPHA)).toBeGreaterThan(0.25);
    expect(share(0, 0, 224, 60, TEXT_ALPHA) + share(0, 0, 224, 60, LOGO_ALPHA)).toBe(0);
    // The logo: inside its 12 % square at the corner, opaque strokes; the rest of the corner clear.
    expect(share(190, 190, 218, 218, LOGO_ALPHA)).toBeGreaterThan(0.3);
    expect(at(220, 220)).toBe(0);
    expect(Math.max(...m)).toBe(Math.fround(LOGO_ALPHA));
  });

  it('scales to small inputs without leaving the picture', () => {
    const m = watermarkMask(32, 32);
    expect(m.length).toBe(32 * 32);
    expect(m.some((v) => v === Math.fround(TEXT_ALPHA))).toBe(true);
  });
});

describe('page-level line', () => {
  it('names the place that fired on two or more of the run\'s images', () => {
    expect(pageShortcutLine(['bottom', null, 'bottom', 'top-left', null, 'bottom', null], t)).toBe('Shortcut? On 3 of 7 images the model relies on the bottom strip.');
    expect(pageShortcutLine(['marks', 'marks'], localeTranslate('de'))).toBe('Abkürzung? Auf 2 von 2 Bildern stützt sich das Modell auf das, was in aufgebrachten Zeichen oder Schrift liegt.');
  });

  it('says nothing for one alarm, or none', () => {
    expect(pageShortcutLine(['bottom', 'top', null], t)).toBeNull();
    expect(pageShortcutLine([], t)).toBeNull();
  });
});
