// Explainer.explain joins an identical request still being computed (a right-click's preparation
// and the menu's request): one download and one forward pass for both; a failure is shared, except a
// cancellation, after which the waiting request computes for itself. The pixels are faked (Node has
// no createImageBitmap); the model is a tiny conv → GAP → dense net with CAM's head.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ModelEntry } from '../../src/core/catalog';
import { LayersExplainable } from '../../src/background/explainable';
import type { HostedModel, ModelHost } from '../../src/background/modelHost';
import type { ExplainRequest } from '../../src/background/explainer';
import type { ModelPixels, Pixels } from '../../src/background/pixels';
import { CancelledError } from '../../src/background/methods/types';
import type { ExplanationResult } from '../../src/core/messages';
import { tinyEntry, tinyRgbCamModel } from './helpers/tinyModels';

/** Each call of the faked loadForModel: resolve or reject it by hand. */
const loads: { resolve(p: ModelPixels): void; reject(e: unknown): void }[] = [];
vi.mock('../../src/background/pixels', async (original) => ({
  ...(await original<typeof import('../../src/background/pixels')>()),
  loadForModel: () => new Promise<ModelPixels>((resolve, reject) => loads.push({ resolve, reject })),
}));
const { Explainer } = await import('../../src/background/explainer');
const { ImageLoadError } = await import('../../src/background/pixels');

const entry: ModelEntry = tinyEntry(2, 'tiny-rgb');
let hosted: HostedModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = new LayersExplainable(entry, tinyRgbCamModel());
  hosted = { model, backend: { backend: 'cpu', note: null, renderer: null }, loadMs: 0, warmupMs: 0, key: 'tiny|0' };
});

afterEach(() => void (loads.length = 0));

function explainer() {
  const host = { get: async () => hosted, keyFor: () => hosted.key, current: hosted } as unknown as ModelHost;
  return new Explainer(host);
}
const source: Pixels = { kind: 'url', url: 'https://example.com/a.png', withCookies: false, shownIn: { frameUrl: 'https://example.com/', pageUrl: 'https://example.com/' } };
const request = (over: Partial<ExplainRequest> = {}): ExplainRequest => ({ entry, method: 'cam', owner: '1:0', shortcut: false, ...over });
const pixels = (): ModelPixels => ({ rgba: new Uint8ClampedArray(4 * 4 * 4).map((_, i) => (i * 37) % 256), image: { width: 4, height: 4 }, notes: [] });
/** Lets pending promise callbacks run (the second request reaches the in-flight map). */
const settle = () => new Promise((r) => setTimeout(r, 0));

/** Two identical requests, the second sent while the first is downloading. */
async function twoIdentical(): Promise<[Promise<ExplanationResult>, Promise<ExplanationResult>]> {
  const e = explainer();
  const first = e.explain(source, request());
  await settle();
  const second = e.explain(source, request());
  await settle();
  return [first, second];
}

describe('Explainer: identical requests in flight', () => {
  test('the second waits for the first: one download, one forward pass, the same map', async () => {
    const [first, second] = await twoIdentical();
    expect(loads).toHaveLength(1);
    loads[0].resolve(pixels());
    const [a, b] = await Promise.all([first, second]);
    if (!a.ok || !b.ok) throw new Error('expected two maps');
    expect(b.explanationId).toBe(a.explanationId);
    expect(b.map).toEqual(a.map);
    expect(a.timingsMs.inference).toBeGreaterThanOrEqual(0);
    expect(Object.keys(b.timingsMs).sort()).toEqual(['joined', 'total']);
  });

  test('another class, or fresh, is not joined', async () => {
    const e = explainer();
    const first = e.explain(source, request());
    await settle();
    const other = e.explain(source, request({ classIndex: 1 }));
    const fresh = e.explain(source, request({ fresh: true }));
    await settle();
    expect(loads).toHaveLength(3);
    for (const l of loads) l.resolve(pixels());
    const results = await Promise.all([first, other, fresh]);
    expect(results.every((r) => r.ok && r.timingsMs.joined === undefined)).toBe(true);
  });

  test('a failure is the waiting request’s too, without a second download', async () => {
    const [first, second] = await twoIdentical();
    loads[0].reject(new ImageLoadError('could not load image: HTTP 404 Not Found'));
    expect(await first).toEqual({ ok: false, error: 'could not load image: HTTP 404 Not Found' });
    expect(await second).toEqual({ ok: false, error: 'could not load image: HTTP 404 Not Found' });
    expect(loads).toHaveLength(1);
  });

  test('after a cancelled one, the waiting request computes for itself', async () => {
    const [first, second] = await twoIdentical();
    loads[0].reject(new CancelledError());
    expect(await first).toEqual({ ok: false, error: 'cancelled' });
    await settle();
    expect(loads).toHaveLength(2);
    loads[1].resolve(pixels());
    const b = await second;
    expect(b.ok && b.timingsMs.inference).toBeGreaterThanOrEqual(0);
  });

  test('once done, the same request is a cache hit', async () => {
    const e = explainer();
    const first = e.explain(source, request());
    await settle();
    loads[0].resolve(pixels());
    expect((await first).ok).toBe(true);
    const again = await e.explain(source, request());
    expect(again.ok && Object.keys(again.timingsMs).sort()).toEqual(['cache', 'total']);
    expect(loads).toHaveLength(1);
  });
});

describe('Explainer: the model for a fresh explanation', () => {
  test('is asked for without a warm-up pass: the explanation’s own forward pass is its first run', async () => {
    const asked: unknown[] = [];
    const host = { get: async (...args: unknown[]) => (asked.push(args[2]), hosted), keyFor: () => hosted.key, current: hosted } as unknown as ModelHost;
    const e = new Explainer(host);
    const result = e.explain(source, request());
    await settle();
    loads[0].resolve(pixels());
    expect((await result).ok).toBe(true);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked).toEqual(asked.map(() => ({ warmUp: false })));
  });
});
