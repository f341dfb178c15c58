// Teach's pure parts: the held-out split and class weights, the augmentation views, the menu items,
// the shortcut demo's dataset, the page's texts (English and German) and the curve's geometry.
import { describe, expect, test } from 'vitest';
import { classWeights, HELD_OUT_MIN_PER_CLASS, splitHeldOut } from '../../src/core/teach/dataset';
import { teachMenuItems, teachMenuTarget } from '../../src/core/teach/menuItems';
import { seededRandom, shuffle } from '../../src/core/random';
import { DEMO_PER_CLASS, DEMO_TESTS, demoTestPairs, demoTrainingSet, lightFactors, stampCircle, summarizeFlips } from '../../src/core/teach/shortcutDemo';
import { mirrorRgba, teachViews, VIEW_COUNT } from '../../src/core/teach/views';
import { IDLE_PROGRESS } from '../../src/core/teachMessages';
import { parseMessage } from '../../src/core/messages';
import { polylinePoints } from '../../src/teach/curve';
import { describeOutcome, describeProgress, exampleCount } from '../../src/teach/format';
import { englishTranslate as t, localeTranslate } from './helpers/englishTranslate';

describe('held-out split and class weights', () => {
  test('20 % of each class (at least one) is held out once every class has 5 examples; seeded', () => {
    const labels = [...Array(10).fill(0), ...Array(5).fill(1), ...Array(23).fill(2)];
    const split = splitHeldOut(labels, 3, seededRandom(1));
    const heldPerClass = [0, 1, 2].map((c) => split.heldOut.filter((i) => labels[i] === c).length);
    expect(heldPerClass).toEqual([2, 1, 5]);
    expect([...split.train, ...split.heldOut].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(splitHeldOut(labels, 3, seededRandom(1))).toEqual(split);
    expect(splitHeldOut(labels, 3, seededRandom(2))).not.toEqual(split);
  });

  test(`nothing is held out when a class has fewer than ${HELD_OUT_MIN_PER_CLASS}`, () => {
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
    expect(splitHeldOut(labels, 2, seededRandom(1))).toEqual({ train: labels.map((_, i) => i), heldOut: [] });
  });

  test('class weights make every class count equally', () => {
    const weights = classWeights([0, 0, 0, 1], 2);
    expect(weights).toEqual([4 / 6, 2]);
    expect(3 * weights[0]).toBeCloseTo(1 * weights[1]);
  });

  test('shuffle is a seeded permutation', () => {
    const a = shuffle([1, 2, 3, 4, 5, 6], seededRandom(9));
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(shuffle([1, 2, 3, 4, 5, 6], seededRandom(9))).toEqual(a);
  });
});

describe('augmentation views', () => {
  test('the central square first (what the model sees), then mirrored and corner crops inside it', () => {
    const views = teachViews(600, 400);
    expect(views).toHaveLength(VIEW_COUNT);
    expect(views[0]).toEqual({ crop: { x: 100, y: 0, width: 400, height: 400 }, flip: false });
    expect(views[1]).toEqual({ crop: views[0].crop, flip: true });
    for (const v of views.slice(2)) {
      expect(v.crop.width).toBe(350);
      expect(v.crop.x).toBeGreaterThanOrEqual(100);
      expect(v.crop.x + v.crop.width).toBeLessThanOrEqual(500);
      expect(v.crop.y + v.crop.height).toBeLessThanOrEqual(400);
    }
    expect(new Set(views.slice(2).map((v) => `${v.crop.x},${v.crop.y}`)).size).toBe(4);
  });

  test('mirroring swaps columns', () => {
    const rgba = Uint8ClampedArray.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(mirrorRgba(rgba, 3, 1))).toEqual([9, 10, 11, 12, 5, 6, 7, 8, 1, 2, 3, 4]);
  });
});

describe('context menu items', () => {
  test('one submenu item per class under each parent; "Open Teach" before there is a class', () => {
    expect(teachMenuItems([], t).map((i) => [i.id, i.parentId ?? '', i.title])).toEqual([
      ['teach-add', '', 'Add to class'],
      ['teach-open:teach-add', 'teach-add', 'Open Teach to make classes…'],
      ['teach-add-all', '', 'Add all images on this page to'],
      ['teach-open:teach-add-all', 'teach-add-all', 'Open Teach to make classes…'],
    ]);
    const items = teachMenuItems([{ id: 'c1', name: 'cats & dogs' }, { id: 'c2', name: 'cups' }], t);
    expect(items.filter((i) => i.parentId === 'teach-add').map((i) => [i.id, i.title, i.contexts])).toEqual([
      ['teach-add:c1', 'cats && dogs', ['image']],
      ['teach-add:c2', 'cups', ['image']],
    ]);
    expect(items.filter((i) => i.parentId === 'teach-add-all').map((i) => i.contexts)).toEqual([['page'], ['page']]);
  });

  test('item ids are read back; anything else is not Teach’s', () => {
    expect(teachMenuTarget('teach-add:c1x')).toEqual({ kind: 'add', classId: 'c1x' });
    expect(teachMenuTarget('teach-add-all:c1x')).toEqual({ kind: 'add-all', classId: 'c1x' });
    expect(teachMenuTarget('teach-open:teach-add')).toEqual({ kind: 'open' });
    for (const id of ['explain-image', 'teach-add', 'teach-add:', 'teach-add:C1', 'teach-add:c1;x']) expect(teachMenuTarget(id)).toBeNull();
  });
});

describe('the shortcut demo dataset', () => {
  test('every warm-light picture is stamped, no cool-light one; both classes show the same photos', () => {
    const { warm, cool } = demoTrainingSet();
    expect(warm).toHaveLength(DEMO_PER_CLASS);
    expect(cool).toHaveLength(DEMO_PER_CLASS);
    expect(warm.every((p) => p.stamp && p.light === 'warm')).toBe(true);
    expect(cool.every((p) => !p.stamp && p.light === 'cool')).toBe(true);
    expect(new Set(warm.map((p) => p.photo))).toEqual(new Set(cool.map((p) => p.photo)));
    expect(demoTrainingSet()).toEqual(demoTrainingSet());
  });

  test('test pairs are cool-light pictures that differ only by the stamp', () => {
    const pairs = demoTestPairs();
    expect(pairs).toHaveLength(DEMO_TESTS);
    for (const { plain, stamped } of pairs) {
      expect(plain.light).toBe('cool');
      expect({ ...stamped, stamp: false }).toEqual(plain);
      expect(stamped.stamp).toBe(true);
    }
  });

  test('lights, the stamp, and the measured summary', () => {
    expect(lightFactors('warm')).toEqual([1.08, 1, 0.92]);
    expect(lightFactors('cool')).toEqual([0.92, 1, 1.08]);
    const { cx, cy, r } = stampCircle(224);
    expect(r).toBe(28);
    expect(cx + r).toBeLessThan(224);
    expect(cy + r).toBeLessThan(224);
    expect(summarizeFlips([{ plain: 0.1, stamped: 0.9 }, { plain: 0.6, stamped: 0.95 }, { plain: 0.2, stamped: 0.3 }])).toEqual({
      flipped: 1,
      plainAsWarm: 1,
      stampedAsWarm: 2,
      meanPlain: (0.1 + 0.6 + 0.2) / 3,
      meanStamped: (0.9 + 0.95 + 0.3) / 3,
    });
  });
});

describe('Teach messages and texts', () => {
  test('messages are validated: a train request needs a known project and a whole seed', () => {
    expect(parseMessage({ type: 'teach-train', project: 'main', name: '', augment: true, seed: 1 })).not.toBeNull();
    expect(parseMessage({ type: 'teach-train', project: 'other', name: '', augment: true, seed: 1 })).toBeNull();
    expect(parseMessage({ type: 'teach-train', project: 'main', name: '', augment: true, seed: 1.5 })).toBeNull();
    expect(parseMessage({ type: 'teach-add-example', project: 'main', classId: 'c1', dataUrl: 'https://x/y.png', origin: 'y' })).toBeNull();
  });

  test('progress and outcome, in English and German', () => {
    const history = [{ epoch: 12, loss: 0.2134, accuracy: 0.96, heldOutLoss: 0.3, heldOutAccuracy: 0.92 }];
    expect(describeProgress({ ...IDLE_PROGRESS, phase: 'training', history }, t)).toBe('Epoch 12: loss 0.213, accuracy 96 %, on held-out examples 92 %');
    const done = { ...IDLE_PROGRESS, phase: 'done' as const, history, modelName: 'Pets', trainCount: 17, heldOutCount: 4, heldOutAccuracy: 0.75, seconds: 1.44 };
    expect(describeOutcome(done, t)).toBe('Accuracy on 4 examples held out from training: 75 % (trained on 17); 1 epochs, 1.4 s.');
    expect(describeOutcome({ ...done, heldOutAccuracy: null, heldOutCount: 0 }, t)).toMatch(/^All 17 examples were used for training/);
    const de = localeTranslate('de');
    expect(describeProgress(done, de)).toMatch(/^Gespeichert als „Pets“ und aktiv/);
    expect(describeProgress({ ...IDLE_PROGRESS, phase: 'cancelled' }, de)).toBe('Training abgebrochen; nichts wurde gespeichert.');
    expect(exampleCount(1, t)).toBe('1 example');
    expect(exampleCount(3, de)).toBe('3 Beispiele');
  });

  test('the curve spans the plot: first epoch at the left, last at the right, 1 at the top', () => {
    expect(polylinePoints([0, 1], 2)).toBe('8.0,132.0 352.0,8.0');
    expect(polylinePoints([0.5], 1)).toBe('8.0,70.0');
  });
});
