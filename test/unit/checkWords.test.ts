// The words and data the map checks leave behind: the panel's and the PNG footer's lines (one rule for
// both), the JSON export, and the messages that carry the figures (validated on receipt).
import { describe, expect, it } from 'vitest';
import { explanationJson } from '../../src/core/exportJson';
import { exportFileName } from '../../src/core/exportName';
import { CheckReply, ExplanationSuccess, parseMessage, type ExplanationSuccess as Success } from '../../src/core/messages';
import { trapezoidAuc } from '../../src/core/metrics/auc';
import type { Faithfulness, SanityCheck } from '../../src/core/metrics/results';
import { beatsRandom, centreLine, faithfulnessLine, sanityFooter, sanityLevels, sanityVerdict } from '../../src/core/metrics/summary';
import { englishTranslate as t } from './helpers/englishTranslate';
import { localeTranslate } from './helpers/englishTranslate';

const curve = (values: number[]) => ({ curve: values, auc: trapezoidAuc(values) });
const FAITHFULNESS: Faithfulness = {
  steps: 2,
  substitute: { rule: 'mid grey', input: [0.5, 0.5, 0.5], rgb: [127.5, 127.5, 127.5] },
  blurSigma: { x: 5, y: 5 },
  ranking: 'positive',
  classIndex: 0,
  seed: 14,
  deletion: curve([0.9, 0.1, 0.0]), // 0.275
  insertion: curve([0.0, 0.8, 0.9]), // 0.625
  baselines: {
    random: { deletion: curve([0.9, 0.6, 0.0]), insertion: curve([0.0, 0.3, 0.9]) }, // 0.525, 0.375
    centre: { deletion: curve([0.9, 0.4, 0.0]), insertion: curve([0.0, 0.5, 0.9]) }, // 0.425, 0.475 (0.47499… in binary)
  },
};
const SANITY: SanityCheck = {
  seed: 14,
  levels: [
    { randomised: ['head'], rho: 0.123 },
    { randomised: ['head', 'Conv_1'], rho: 0.61 },
    { randomised: ['head', 'Conv_1', 'expanded_conv_16'], rho: null },
  ],
  insensitive: true,
};

describe('the figures in words', () => {
  it('one line for the map against the random map, one for the centred map', () => {
    expect(faithfulnessLine(FAITHFULNESS, t)).toBe('Deletion 0.28 (random 0.53) · Insertion 0.63 (random 0.38)');
    expect(centreLine(FAITHFULNESS, t)).toBe('Centred map: deletion 0.43 · insertion 0.47. Lower deletion and higher insertion are better.');
    expect(beatsRandom(FAITHFULNESS)).toEqual({ deletion: true, insertion: true });
    expect(localeTranslate('de')('checkSummary', ['0.28', '0.53', '0.63', '0.38'])).toBe('Löschen 0.28 (Zufall 0.53) · Einfügen 0.63 (Zufall 0.38)');
  });

  it('ρ per level, and the flag from the head-and-last-block level', () => {
    expect(sanityLevels(SANITY)).toBe('head 0.12 · +Conv_1 0.61 · +expanded_conv_16 –');
    expect(sanityVerdict(SANITY, t)).toBe('Insensitive to the model (ρ 0.61 ≥ 0.5 with the head and the last block randomised): this map mostly reflects the image, not what the model learned.');
    expect(sanityVerdict({ ...SANITY, insensitive: false, levels: [SANITY.levels[0], { ...SANITY.levels[1], rho: -0.04 }] }, t)).toBe(
      'The map changes when the model is randomised (ρ -0.04 with the head and the last block random): it depends on what the model learned.',
    );
    expect(sanityFooter(SANITY, t)).toBe('Sanity check: ρ 0.61 with the head and the last block randomised — insensitive to the model');
  });
});

const RESULT: Success = {
  ok: true,
  explanationId: 'x1',
  modelId: 'm',
  modelName: 'Model',
  method: 'cam',
  layer: 'Conv_1/Relu6',
  source: 'fetch',
  backend: 'wasm',
  classes: [{ index: 0, label: 'Drawing', probability: 0.9 }],
  classCount: 5,
  target: { index: 0, label: 'Drawing', probability: 0.9 },
  image: { width: 4, height: 2 },
  map: { width: 2, height: 1, values: [1, -1] },
  timingsMs: { total: 3 },
  faithfulness: FAITHFULNESS,
  sanity: SANITY,
};

describe('exports and messages', () => {
  it('the JSON export holds the raw map and every curve; anyone can recompute the AUCs', () => {
    const data = JSON.parse(explanationJson(RESULT, 'https://example.org/cat.png'));
    expect(data).toMatchObject({ format: 'cam-lens-explanation/1', method: 'cam', image: { width: 4, height: 2, url: 'https://example.org/cat.png', source: 'fetch' }, model: { id: 'm', layer: 'Conv_1/Relu6' } });
    expect(data.map).toEqual(RESULT.map);
    expect(trapezoidAuc(data.faithfulness.baselines.centre.insertion.curve)).toBe(data.faithfulness.baselines.centre.insertion.auc);
    expect(data.sanity.levels[2].rho).toBeNull();
    expect(exportFileName('https://example.org/cat.png', 'Page', 'Drawing', 'cam', 'json')).toBe('cat-Drawing-cam.json');
  });

  it('results, replies and check requests are validated on receipt', () => {
    expect(ExplanationSuccess.safeParse(RESULT).success).toBe(true);
    expect(ExplanationSuccess.safeParse({ ...RESULT, faithfulness: { ...FAITHFULNESS, ranking: 'sideways' } }).success).toBe(false);
    expect(CheckReply.safeParse({ ok: true, explanationId: 'x1', classIndex: 0, method: 'cam', faithfulness: FAITHFULNESS, cached: false, ms: 5 }).success).toBe(true);
    expect(CheckReply.safeParse({ ok: true, explanationId: 'x1', classIndex: -1, method: 'cam', cached: false, ms: 5 }).success).toBe(false);
    expect(parseMessage({ type: 'check-map', overlayId: 'o', explanationId: 'x1', classIndex: 0, method: 'cam', positiveOnly: true })).not.toBeNull();
    expect(parseMessage({ type: 'check-map', overlayId: 'o', explanationId: 'x1', classIndex: 0, method: 'cam' })).toBeNull(); // ranking must be said
    expect(parseMessage({ type: 'sanity-check', overlayId: 'o', explanationId: 'x1', classIndex: 0, method: 'nope' })).toBeNull();
    expect(parseMessage({ type: 'check-progress', overlayId: 'o', kind: 'sanity', done: 1, total: 0 })).toBeNull();
  });
});
