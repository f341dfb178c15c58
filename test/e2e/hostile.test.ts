// Hostile image inputs, end to end: every case ends with a short readable message on the image (or a
// real explanation where one is possible), nothing hangs or throws in the worker, and the extension
// keeps working afterwards. The hostile images come from the image origin's /hostile/ routes
// (scripts/servers.mjs) and are added to the demo page as they are needed.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { ExplanationResult } from '../../src/core/messages';
import { createServer } from 'node:net';
import { readImageSize } from '../../src/core/imageHeader';
import { closeOverlays, explain, overlaysOf, overlayState, pendingExplanation, startExplanation, startHarness, type Harness, type Overrides, waitForOverlayIn } from './harness';

/** Mirrors of pixels.ts's limits (the test must not import worker code that touches browser globals at load). */
const FETCH_TIMEOUT_S = 15;

let h: Harness;
let added = 0;
/** Problems reported by the worker itself: uncaught errors, unhandled rejections. */
const workerProblems: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  h.worker.on('console', (message) => {
    if (message.type() === 'error' || /Uncaught|Unhandled/i.test(message.text())) workerProblems.push(`console.${message.type()}: ${message.text()}`);
  });
  await watchWorker();
  // Load the model once, so that per-test timings measure the hostile input, not the first model load.
  const warm = await explain(h, '#cat');
  expect(warm.ok).toBe(true);
  await closeOverlays(h);
});

beforeEach(() => {
  workerProblems.length = 0;
});

afterEach(async () => {
  await closeOverlays(h).catch(() => undefined);
  await h.page.evaluate(() => document.getElementById('hostile-images')?.remove()).catch(() => undefined);
  expect(workerProblems.concat(await workerErrors())).toEqual([]);
});

afterAll(async () => {
  await h?.close();
});

/** Records uncaught errors and unhandled rejections inside the worker (a fresh worker instance needs this again). */
async function watchWorker(): Promise<void> {
  await h.worker.evaluate(() => {
    const g = globalThis as any;
    if (g.__hostileErrors) return;
    g.__hostileErrors = [] as string[];
    self.addEventListener('unhandledrejection', (e) => g.__hostileErrors.push(`unhandled rejection: ${String((e as PromiseRejectionEvent).reason?.stack ?? (e as PromiseRejectionEvent).reason)}`));
    self.addEventListener('error', (e) => g.__hostileErrors.push(`uncaught: ${(e as ErrorEvent).message}`));
  });
}

async function workerErrors(): Promise<string[]> {
  const errors = await h.worker.evaluate(() => ((globalThis as any).__hostileErrors?.splice(0) ?? null) as string[] | null);
  if (errors === null) await watchWorker(); // a new worker instance (Chrome restarted it): watch it too
  return errors ?? [];
}

/** Adds an <img> (200×150 box) at the top of the page and returns its selector. */
async function addImage(src: string): Promise<string> {
  const id = `hostile-${++added}`;
  await h.page.evaluate(
    ({ id, src }) => {
      let holder = document.getElementById('hostile-images');
      if (!holder) {
        holder = document.createElement('div');
        holder.id = 'hostile-images';
        holder.style.cssText = 'display: flex; flex-wrap: wrap; gap: 8px; padding: 8px 8px 60px;';
        document.body.prepend(holder);
      }
      const img = document.createElement('img');
      Object.assign(img, { id, src, width: 200, height: 150, alt: id });
      holder.append(img);
    },
    { id, src },
  );
  return `#${id}`;
}

/** Right-clicks a new image with this source and runs the menu's handler, timing it. */
async function explainSrc(src: string, overrides: Overrides = {}): Promise<{ result: ExplanationResult; ms: number; selector: string }> {
  const selector = await addImage(src);
  const started = Date.now();
  const result = await explain(h, selector, overrides);
  return { result, ms: Date.now() - started, selector };
}

/** A loopback port nothing listens on (just released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const hostile = (route: string) => `${h.imageOrigin}/hostile/${route}`;

/** The overlays' states and words, read through CDP (their shadow roots are closed to page scripts). */
const overlays = () => overlaysOf(h);

/** A readable failure shown on the image: the exact message in the result and in the overlay. */
async function expectErrorShown(result: ExplanationResult, message: string | RegExp): Promise<string> {
  if (result.ok) throw new Error(`expected an error, got an explanation (${result.target.label})`);
  if (typeof message === 'string') expect(result.error).toBe(message);
  else expect(result.error).toMatch(message);
  expect(result.error.length).toBeLessThan(100);
  const shown = await overlays();
  expect(shown.map((o) => o.state)).toEqual(['error']);
  expect(shown[0].text).toContain(result.error);
  return result.error;
}

/** The extension still works: a normal image, computed afresh, is explained and drawn. */
async function expectStillWorks(): Promise<void> {
  await closeOverlays(h);
  const again = await explain(h, '#coffee', { fresh: true });
  if (!again.ok) throw new Error(`a normal explanation failed afterwards: ${again.error}`);
  expect(again.map.values.every(Number.isFinite)).toBe(true);
  expect(await overlayState(h)).toEqual(['done']);
  await closeOverlays(h);
}

/** Counts createImageBitmap calls in the worker (the size check must refuse before decoding). */
async function spyOnDecoder(): Promise<() => Promise<number>> {
  await h.worker.evaluate(() => {
    const g = globalThis as any;
    if (!g.__decodes) {
      g.__decodes = 0;
      const original = g.createImageBitmap.bind(g);
      g.createImageBitmap = (...args: unknown[]) => {
        g.__decodes++;
        return original(...args);
      };
    }
  });
  const start = await h.worker.evaluate(() => (globalThis as any).__decodes as number);
  return async () => (await h.worker.evaluate(() => (globalThis as any).__decodes as number)) - start;
}

describe('hostile image inputs', () => {
  test('self-check: unhandled rejections and console errors in the worker are seen', async () => {
    await h.worker.evaluate(() => {
      void Promise.reject(new Error('hostile-probe'));
      console.error('hostile-probe: logged');
    });
    await expect.poll(async () => (await h.worker.evaluate(() => (globalThis as any).__hostileErrors.join('\n'))) as string).toMatch(/unhandled rejection: Error: hostile-probe/);
    // Playwright reports the worker's console (not its uncaught exceptions: the listener above sees those).
    await expect.poll(() => workerProblems.join('\n')).toMatch(/console.error: hostile-probe: logged/);
    await workerErrors();
    workerProblems.length = 0;
  });

  test('HTTP 404 and 500: the status in words', async () => {
    for (const [status, text] of [[404, 'Not Found'], [500, 'Internal Server Error']] as const) {
      const { result } = await explainSrc(hostile(`status/${status}`));
      await expectErrorShown(result, `could not load image: HTTP ${status} ${text}`);
      await closeOverlays(h);
    }
    await expectStillWorks();
  });

  test('a server that cannot be reached', async () => {
    const port = await closedPort();
    const { result, ms } = await explainSrc(`http://127.0.0.1:${port}/photo.png`);
    await expectErrorShown(result, `could not load image: the server 127.0.0.1:${port} cannot be reached`);
    expect(ms).toBeLessThan(5_000);
    await expectStillWorks();
  });

  test('a redirect loop: "too many redirects"; a normal redirect still works', async () => {
    const { result, ms } = await explainSrc(hostile('redirect-loop'));
    await expectErrorShown(result, 'could not load image: too many redirects (or a broken redirect)');
    expect(ms).toBeLessThan(10_000);
    await closeOverlays(h);
    const { result: redirected } = await explainSrc(hostile('redirect/chelsea.png'));
    expect(redirected.ok && redirected.image).toEqual({ width: 451, height: 300 });
    await expectStillWorks();
  });

  test('an HTML page served as image/jpeg; an empty answer, JSON, an SVG', async () => {
    const { result } = await explainSrc(hostile('html-as-jpeg'));
    await expectErrorShown(result, 'the server sent an HTML page, not an image');
    await closeOverlays(h);
    const { result: empty } = await explainSrc(hostile('empty.png'));
    await expectErrorShown(empty, 'could not load image: the server sent no data');
    await closeOverlays(h);
    const { result: text } = await explainSrc(hostile('text-as-png'));
    await expectErrorShown(text, 'could not decode image: not a decodable image (image/png, 26 bytes)');
    await closeOverlays(h);
    // An SVG whose URL does not say so reaches the worker, which cannot draw SVG: the page draws it instead
    // (cross-origin here, so the page may not read it back either, and the visible pixels are captured).
    const { result: svg } = await explainSrc(hostile('svg-without-extension'));
    if (!svg.ok) throw new Error(svg.error);
    expect(['page', 'screenshot']).toContain(svg.source);
    await closeOverlays(h);
    await expectStillWorks();
  });

  test('an image only the page may load (HTTP 403 for the worker): explained from a screenshot', async () => {
    const { result, selector } = await explainSrc(hostile('page-only/chelsea.png'));
    if (!result.ok) throw new Error(result.error);
    expect(result.source).toBe('screenshot');
    // The whole image is on screen, so the crop is all of its displayed box.
    const box = await h.page.locator(selector).evaluate((img) => ({ width: img.getBoundingClientRect().width, height: img.getBoundingClientRect().height }));
    expect(result.region!.x).toBe(0);
    expect(result.region!.y).toBe(0);
    expect(result.region!.width).toBeCloseTo(box.width, 0);
    expect(result.region!.height).toBeCloseTo(box.height, 0);
    expect(await h.page.locator(selector).evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(451);
    await closeOverlays(h);
  });

  test('truncated and corrupted PNG and JPEG: a partial explanation that says so, or a readable error', async () => {
    const seen: Record<string, string> = {};
    for (const route of ['truncated/chelsea.png', 'truncated/rocket.jpg', 'corrupt/chelsea.png', 'corrupt/rocket.jpg']) {
      const { result } = await explainSrc(hostile(route));
      const format = route.endsWith('.png') ? 'PNG' : 'JPEG';
      if (result.ok) {
        // Chromium decodes what it can; the explanation is real, and an incomplete file is pointed out.
        expect(result.map.values.every(Number.isFinite)).toBe(true);
        if (route.startsWith('truncated/')) {
          expect(result.notes).toEqual([`the ${format} file ends early: part of the image may be missing`]);
          expect((await overlays())[0].text).toContain(result.notes![0]);
        }
        expect(await overlayState(h)).toEqual(['done']);
        seen[route] = `explained${result.notes ? ` (notes: ${result.notes.join('; ')})` : ''}`;
      } else {
        const state = route.startsWith('truncated/') ? 'incomplete' : 'damaged';
        seen[route] = await expectErrorShown(result, new RegExp(`^could not decode image: the ${format} file is ${state} \\(\\d+ bytes\\)$`));
      }
      await closeOverlays(h);
    }
    console.log('[hostile] truncated/corrupted:', JSON.stringify(seen, null, 1));
    await expectStillWorks();
  });

  test('truncated GIFs: a whole first frame is explained; a cut one is said to end early, or refused', async () => {
    const seen: Record<string, string> = {};
    for (const [route, notes] of [
      ['truncated.gif', ['the GIF file ends early: part of the image may be missing']],
      // Cut inside the second frame: the first frame, the one explained, is whole.
      ['truncated-animated.gif', ['animated GIF: the first frame is explained']],
    ] as const) {
      const { result } = await explainSrc(hostile(route), { fresh: true });
      if (result.ok) {
        expect(result.notes).toEqual(notes);
        const [shown] = await overlays();
        expect(shown.state).toBe('done');
        for (const note of notes) expect(shown.text).toContain(note);
        seen[route] = `explained (notes: ${result.notes!.join('; ')})`;
      } else {
        seen[route] = await expectErrorShown(result, /^could not decode image: the GIF file is incomplete \(\d+ bytes\)$/);
      }
      await closeOverlays(h);
    }
    console.log('[hostile] truncated GIFs:', JSON.stringify(seen, null, 1));
    // The animated one still has its whole first frame: it must be explained.
    expect(seen['truncated-animated.gif']).toMatch(/^explained/);
    await expectStillWorks();
  });

  test('a 1×1 image is explained', async () => {
    const { result } = await explainSrc(hostile('1x1.png'));
    if (!result.ok) throw new Error(result.error);
    expect(result.image).toEqual({ width: 1, height: 1 });
    expect(result.classes).toHaveLength(5);
    expect(result.map.values.every(Number.isFinite)).toBe(true);
    expect(result.notes).toBeUndefined();
    expect(await overlayState(h)).toEqual(['done']);
    await expectStillWorks();
  });

  test('a header claiming 30000×30000 is refused by size, before decoding', async () => {
    const decodes = await spyOnDecoder();
    const { result, ms } = await explainSrc(hostile('huge.png'));
    await expectErrorShown(result, 'image is too large to explain (30000×30000 pixels; the limit is 100 MP)');
    expect(await decodes()).toBe(0);
    expect(ms).toBeLessThan(5_000);
    await closeOverlays(h);
    // The spy does count real decodes.
    await expectStillWorks();
    expect(await decodes()).toBe(1);
  });

  test('a body larger than the byte limit, without a content-length: cut off while reading', async () => {
    const { result, ms } = await explainSrc(hostile('oversize.png'));
    await expectErrorShown(result, 'image is too large (more than 50.0 MiB)');
    expect(ms).toBeLessThan(10_000);
    await expectStillWorks();
  });

  test('an animated GIF: the first frame is explained, and the panel says so', async () => {
    const { result } = await explainSrc(hostile('animated.gif'), { fresh: true });
    if (!result.ok) throw new Error(result.error);
    expect(result.image).toEqual({ width: 64, height: 48 });
    expect(result.notes).toEqual(['animated GIF: the first frame is explained']);
    const [shown] = await overlays();
    expect(shown.state).toBe('done');
    expect(shown.text).toContain('animated GIF: the first frame is explained');
    await closeOverlays(h);
    // Exactly the first frame: the same scores and map as the first frame alone, not as the second.
    const { result: first } = await explainSrc(hostile('first-frame.gif'), { fresh: true });
    const { result: second } = await explainSrc(hostile('second-frame.gif'), { fresh: true });
    if (!first.ok || !second.ok) throw new Error('the single frames should be explained');
    expect(first.notes).toBeUndefined();
    expect(result.classes).toEqual(first.classes);
    for (let i = 0; i < result.map.values.length; i++) expect(result.map.values[i]).toBeCloseTo(first.map.values[i], 4);
    expect(second.map.values).not.toEqual(first.map.values);
    await expectStillWorks();
  });

  test(`a server that never answers: "no answer after ${FETCH_TIMEOUT_S} s", well before the worker's limits`, async () => {
    const { result, ms } = await explainSrc(hostile('no-answer'));
    await expectErrorShown(result, `could not load image: no answer after ${FETCH_TIMEOUT_S} s`);
    expect(ms).toBeGreaterThan(FETCH_TIMEOUT_S * 1000 - 500);
    expect(ms).toBeLessThan(FETCH_TIMEOUT_S * 1000 + 4000);
    await expectStillWorks();
  }, 40_000);

  test('headers, then a stalled body: "the download stalled"', async () => {
    const { result, ms } = await explainSrc(hostile('stall-body/chelsea.png'));
    await expectErrorShown(result, 'could not load image: the download stalled');
    expect(ms).toBeGreaterThan(FETCH_TIMEOUT_S * 1000 - 500);
    expect(ms).toBeLessThan(FETCH_TIMEOUT_S * 1000 + 4000);
    await expectStillWorks();
  }, 40_000);

  test('a body that trickles forever: stopped at the overall deadline', async () => {
    const { result, ms } = await explainSrc(hostile('trickle/chelsea.png?ms=500'));
    await expectErrorShown(result, 'could not load image: the download is too slow');
    expect(ms).toBeGreaterThan(24_000);
    expect(ms).toBeLessThan(29_000);
    await expectStillWorks();
  }, 50_000);

  test('twenty explanations in a burst all settle, without unhandled errors or growing memory', async () => {
    const sources = [
      `${h.pageOrigin}/fixtures/chelsea.png`,
      `${h.imageOrigin}/fixtures/coffee.png`,
      `${h.pageOrigin}/fixtures/astronaut.png`,
      `${h.imageOrigin}/fixtures/rocket.jpg`,
      `${h.pageOrigin}/fixtures/logo.png`,
    ];
    // Different images (distinct URLs of the demo photos), and two hostile ones among them.
    const urls = Array.from({ length: 20 }, (_, i) => (i === 7 ? hostile('status/404') : i === 13 ? hostile('html-as-jpeg') : `${sources[i % sources.length]}?burst=${i}`));
    for (const url of urls) await addImage(url);
    // The last right-click was not on an image: each menu click finds its image by srcUrl.
    await h.page.locator('h1').click({ button: 'right' });
    const burst = (fresh: boolean) =>
      h.worker.evaluate(
        async ({ pageUrl, urls, fresh }) => {
          const [tab] = await chrome.tabs.query({ url: pageUrl });
          const seam = (globalThis as any).camLens;
          const started = performance.now();
          const pending = urls.map((srcUrl: string) =>
            seam.onMenuClick({ menuItemId: 'explain-image', srcUrl, frameId: 0, pageUrl, editable: false }, tab, { fresh }),
          );
          const settled = await Promise.allSettled(pending);
          return {
            ms: performance.now() - started,
            outcomes: settled.map((s) => (s.status === 'fulfilled' ? (s.value.ok ? 'ok' : `error: ${s.value.error}`) : `rejected: ${String(s.reason)}`)),
            numTensors: seam.memory().numTensors as number,
          };
        },
        { pageUrl: h.page.url(), urls, fresh },
      );
    const before = await h.worker.evaluate(() => (globalThis as any).camLens.memory().numTensors as number);
    const first = await burst(false);
    const expected = urls.map((_, i) => (i === 7 ? 'error: could not load image: HTTP 404 Not Found' : i === 13 ? 'error: the server sent an HTML page, not an image' : 'ok'));
    expect(first.outcomes).toEqual(expected);
    // Every image has its own overlay, and none is left spinning.
    expect((await overlayState(h)).sort()).toEqual([...Array(18).fill('done'), 'error', 'error']);
    await closeOverlays(h);
    const second = await burst(true);
    expect(second.outcomes).toEqual(expected);
    // The explainer keeps a bounded number of recent activations: memory grows once (the cache fills), not per burst.
    expect(first.numTensors).toBeGreaterThanOrEqual(before);
    expect(second.numTensors).toBe(first.numTensors);
    console.log(`[hostile] burst of 20: ${Math.round(first.ms)} ms, then ${Math.round(second.ms)} ms (fresh); tensors ${before} → ${first.numTensors} → ${second.numTensors}`);
    await closeOverlays(h);
    await expectStillWorks();
  }, 120_000);

  test('the image removed from the page mid-computation', async () => {
    const selector = await addImage(hostile('slow/chelsea.png?ms=2500'));
    await startExplanation(h, selector, { fresh: true });
    await waitForOverlayIn(h, 'loading');
    await h.page.locator(selector).evaluate((img) => img.remove());
    await h.page.waitForFunction(() => document.querySelectorAll('[data-cam-lens]').length === 0);
    const result = await pendingExplanation(h);
    // The worker finished its work; there was simply nowhere left to show it.
    expect(result.ok).toBe(true);
    await expectStillWorks();
  });

  test('the tab navigated away, or closed, mid-computation; the next explanation on a fresh page works', async () => {
    const selector = await addImage(hostile('slow/rocket.jpg?ms=2500'));
    await startExplanation(h, selector, { fresh: true });
    await waitForOverlayIn(h, 'loading');
    await h.page.goto(`${h.pageOrigin}/?fresh-page`);
    await h.page.waitForLoadState('load');
    const result = await pendingExplanation(h);
    expect(result.ok).toBe(true);
    await expectStillWorks();

    // A second tab closed while its image is still downloading.
    const other = await h.context.newPage();
    await other.goto(`${h.pageOrigin}/?to-close`);
    await other.evaluate((src) => {
      const img = Object.assign(document.createElement('img'), { id: 'doomed', src, width: 200, height: 150 });
      document.body.prepend(img);
    }, hostile('slow/coffee.png?ms=2500'));
    await startExplanation(h, '#doomed', {}, other);
    await waitForOverlayIn(h, 'loading', { page: other });
    await other.close();
    expect((await pendingExplanation(h)).ok).toBe(true);
    await h.page.bringToFront();
    await expectStillWorks();
  });
});

// Real encoder output from Chromium itself, read by the header reader (node side): what browsers
// actually write must be understood, not only hand-built headers.
describe('the header reader on bytes Chromium encodes', () => {
  test('PNG, JPEG and WebP (lossy and lossless) from OffscreenCanvas', async () => {
    const encoded = await h.page.evaluate(async () => {
      const canvas = new OffscreenCanvas(321, 123);
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#c33';
      ctx.fillRect(0, 0, 200, 100);
      const out: Record<string, number[]> = {};
      for (const [name, type, quality] of [['png', 'image/png', undefined], ['jpeg', 'image/jpeg', 0.8], ['webp', 'image/webp', 0.8], ['webp-lossless', 'image/webp', 1]] as const) {
        const blob = await canvas.convertToBlob({ type, quality });
        out[name] = Array.from(new Uint8Array(await blob.arrayBuffer()));
      }
      return out;
    });
    for (const [name, data] of Object.entries(encoded)) {
      const header = readImageSize(new Uint8Array(data));
      expect(header, name).toMatchObject({ width: 321, height: 123, format: name.split('-')[0] });
    }
  });
});

