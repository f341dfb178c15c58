// End to end in Debian's Chromium with the built extension: right-click → Explain this image →
// a class activation map drawn exactly over the image, class switching, errors, closing.
import { describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExplanationSuccess } from '../../src/core/messages';
import { ARTIFACTS, closeOverlays, contentBoxOf, explain, grab, meanDiff, overlayRect, overlayState, pendingExplanation, startExplanation, useHarness, type Rect, waitForOverlayIn } from './harness';

const h = useHarness();

function expectSameBox(actual: Rect, expected: Rect): void {
  for (const key of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(actual[key] - expected[key]), key).toBeLessThanOrEqual(1);
}

function expectWellFormed(result: ExplanationSuccess): void {
  expect(result.method).toBe('cam');
  expect(result.modelId).toBe('nsfw-mobilenet-v2-mid');
  expect(result.layer).toMatch(/Conv_1\/Relu6$/);
  expect(result.classes).toHaveLength(5);
  const probabilities = result.classes.map((c) => c.probability);
  expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  expect(result.target.index).toBe(result.classes[0].index);
  expect(result.map.width * result.map.height).toBe(result.map.values.length);
  expect(result.map).toMatchObject({ width: 7, height: 7 });
  const values = result.map.values;
  expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0);
  // A recent identical request comes from the cache in well under a millisecond.
  expect(result.timingsMs.total).toBeGreaterThanOrEqual(0);
}

async function explainAndCheckBox(selector: string): Promise<ExplanationSuccess> {
  await h.page.locator(selector).scrollIntoViewIfNeeded();
  const before = await grab(h, await contentBoxOf(h, selector));
  const result = await explain(h, selector);
  if (!result.ok) throw new Error(`explanation failed: ${result.error}`);
  expectWellFormed(result);
  expect(await overlayState(h)).toEqual(['done']);
  const box = await contentBoxOf(h, selector);
  expectSameBox(await overlayRect(h), box);
  // The heat map really is drawn: the displayed pixels changed noticeably.
  const after = await grab(h, box);
  expect(meanDiff(before, after)).toBeGreaterThan(8);
  return result;
}

describe('explain this image', () => {
  test('same-origin photo: exact CAM over the image content box', async () => {
    const result = await explainAndCheckBox('#cat');
    expect(result.image).toEqual({ width: 451, height: 300 });
    expect(['webgl', 'wasm', 'cpu']).toContain(result.backend);
    const box = await contentBoxOf(h, '#cat');
    await h.page.screenshot({ path: path.join(ARTIFACTS, 'e2e-overlay.png') });
    writeFileSync(path.join(ARTIFACTS, 'e2e-cat-result.json'), JSON.stringify(result, null, 2));
    // The overlay never blocks the page: the image itself is still what the pointer hits.
    const hit = await h.page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.id, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    expect(hit).toBe('cat');
  });

  test('switching class recomputes the map, from the panel and from the seam', async () => {
    const first = await explainAndCheckBox('#cat');
    const box = await contentBoxOf(h, '#cat');
    const shownFirst = await grab(h, box);
    // Click a chip in the middle of the panel (it sits below the image; its shadow root is closed).
    await h.page.mouse.click(box.x + 60, box.y + box.height + 6 + 24 + 22 * 2.5);
    await waitForOverlayIn(h, 'done');
    const fromPanel = (await h.worker.evaluate(() => (globalThis as any).camLens.lastResult())) as ExplanationSuccess;
    expect(fromPanel.ok).toBe(true);
    expect(fromPanel.target.index).not.toBe(first.target.index);
    expect(first.classes.map((c) => c.index)).toContain(fromPanel.target.index);
    expect(fromPanel.map.values).not.toEqual(first.map.values);
    expect(meanDiff(shownFirst, await grab(h, box))).toBeGreaterThan(2);

    const last = first.classes[4].index;
    const fromSeam = (await h.worker.evaluate((c) => (globalThis as any).camLens.explainClass(c), last)) as ExplanationSuccess;
    expect(fromSeam.ok).toBe(true);
    expect(fromSeam.target).toMatchObject({ index: last, label: first.classes[4].label });
    expect(fromSeam.map.values).not.toEqual(first.map.values);
    // Same image, same features: the class probabilities do not change with the target class.
    expect(fromSeam.classes).toEqual(first.classes);
  });

  test('second origin without CORS, with border and padding', async () => {
    const result = await explainAndCheckBox('#coffee');
    expect(result.image).toEqual({ width: 600, height: 400 });
  });

  test('object-fit: contain colours only the letterboxed picture', async () => {
    const selector = '#astronaut';
    // At the top of the viewport, so the class panel fits below the image instead of inside it.
    await h.page.locator(selector).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const box = await contentBoxOf(h, selector);
    const before = await grab(h, box);
    await explainAndCheckBox(selector);
    const after = await grab(h, box);
    // 512×512 in 420×260: the picture is 260 wide, centred, with 80 px bars either side.
    const bar = (box.width - box.height) / 2;
    expect(meanDiff(before, after, { x: 2, y: 2, width: bar - 4, height: box.height - 4 })).toBeLessThan(1);
    expect(meanDiff(before, after, { x: bar + 4, y: 2, width: box.height - 8, height: box.height - 4 })).toBeGreaterThan(8);
  });

  test('second-origin JPEG with object-fit: cover', async () => {
    const result = await explainAndCheckBox('#rocket');
    expect(result.image).toEqual({ width: 640, height: 427 });
  });

  test('the right one of two identical images, and the srcset candidate shown', async () => {
    await explainAndCheckBox('#cat2');
    expectSameBox(await overlayRect(h), await contentBoxOf(h, '#cat2'));
    await closeOverlays(h);
    // naturalWidth of a srcset image is density-corrected; decode the shown candidate for its real size.
    const shown = await h.page.locator('#srcset').evaluate(async (img: HTMLImageElement) => {
      const bitmap = await createImageBitmap(await (await fetch(img.currentSrc)).blob());
      return { src: img.currentSrc, width: bitmap.width, height: bitmap.height };
    });
    expect(shown.src).toMatch(/chelsea\.png$/);
    const result = await explainAndCheckBox('#srcset');
    expect(result.image).toEqual({ width: shown.width, height: shown.height });
  });

  test('the overlay follows the image when the page scrolls', async () => {
    await explainAndCheckBox('#logo');
    await h.page.mouse.wheel(0, 120);
    await h.page.waitForFunction(() => window.scrollY > 0);
    await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expectSameBox(await overlayRect(h), await contentBoxOf(h, '#logo'));
  });

  test('the context menu item is registered for images', async () => {
    // update() rejects for an unknown id: this proves the install handler created the item.
    const title = await h.worker.evaluate(async () => {
      await chrome.contextMenus.update('explain-image', { title: 'Explain this image' });
      return 'ok';
    });
    expect(title).toBe('ok');
  });

  test('a busy state is visible while computing, and the page layout never moves', async () => {
    const layout = () =>
      h.page.evaluate(() => Array.from(document.querySelectorAll('body *'), (el) => JSON.stringify(el.getBoundingClientRect())).join('|'));
    await h.page.locator('#coffee').scrollIntoViewIfNeeded();
    const before = await layout();
    // Slow backend on purpose, so the busy state lasts long enough to observe.
    await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('cpu'));
    await startExplanation(h, '#coffee');
    await waitForOverlayIn(h, 'loading', { timeout: 10_000 });
    expect(await layout()).toBe(before);
    const result = (await pendingExplanation(h)) as ExplanationSuccess;
    await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('auto'));
    expect(result.ok).toBe(true);
    expect(result.backend).toBe('cpu');
    expect(await overlayState(h)).toEqual(['done']);
    expect(await layout()).toBe(before);
  });

  test('the overlay follows the image when it is resized', async () => {
    await explainAndCheckBox('#cat');
    await h.page.locator('#cat').evaluate((img: HTMLImageElement) => (img.style.width = '300px'));
    await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const box = await contentBoxOf(h, '#cat');
    expect(box.width).toBeCloseTo(300, 0);
    expectSameBox(await overlayRect(h), box);
    await h.page.locator('#cat').evaluate((img: HTMLImageElement) => (img.style.width = ''));
  });

  test('on a still page an overlay stops following every frame, and still follows a layout shift and a resize at once', async () => {
    await explainAndCheckBox('#cat');
    await h.page.mouse.move(1, 1);
    const cdp = await h.context.newCDPSession(h.page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    await h.page.waitForTimeout(2000); // the second of following every frame after the last change is over
    // Following every frame cost ≈ 16 ms of script a second with one or two overlays, in every second;
    // looking 4 times a second, well under 1. The quietest of three seconds: a steady cost shows in each,
    // a one-off task of the machine or the page (a garbage collection under CI load) in one.
    const perSecond: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = await metrics();
      await h.page.waitForTimeout(1000);
      const after = await metrics();
      perSecond.push((after.ScriptDuration - before.ScriptDuration) * 1000);
    }
    const scriptPerSecond = Math.min(...perSecond);
    console.log(`A still page with one overlay: ${perSecond.map((ms) => ms.toFixed(2)).join(', ')} ms of script in three seconds`);
    expect(scriptPerSecond).toBeLessThan(4);
    // Still asleep: a block inserted above the picture moves it; the overlay is there within two frames.
    await h.page.evaluate(() => {
      const shift = document.createElement('div');
      shift.id = 'shift';
      shift.style.height = '37px';
      document.querySelector('#cat')!.before(shift);
    });
    await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expectSameBox(await overlayRect(h), await contentBoxOf(h, '#cat'));
    await h.page.waitForTimeout(1500);
    await h.page.locator('#cat').evaluate((img: HTMLImageElement) => (img.style.width = '280px'));
    await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expectSameBox(await overlayRect(h), await contentBoxOf(h, '#cat'));
    await h.page.evaluate(() => {
      document.getElementById('shift')!.remove();
      (document.querySelector('#cat') as HTMLImageElement).style.width = '';
    });
    await cdp.detach();
  });

  test('a page that restyles the overlay\'s host finds it back over its picture within a look (≤ 250 ms on a still page)', async () => {
    await explainAndCheckBox('#cat');
    await h.page.mouse.move(1, 1);
    await h.page.waitForTimeout(1500); // still: the overlay looks 4 times a second
    // What a hostile page can write: the host's own style, moving, shrinking and hiding it.
    await h.page.evaluate(() => {
      const host = document.querySelector('[data-cam-lens]') as HTMLElement;
      host.style.cssText = 'left: 0 !important; top: 0 !important; width: 10px !important; height: 10px !important; transform: translate(300px, 0) !important; opacity: 0 !important;';
    });
    await expect.poll(async () => {
      const [rect, box] = [await overlayRect(h), await contentBoxOf(h, '#cat')];
      return (['x', 'y', 'width', 'height'] as const).every((k) => Math.abs(rect[k] - box[k]) <= 1);
    }, { timeout: 1000, interval: 50 }).toBe(true);
    expect(await h.page.evaluate(() => getComputedStyle(document.querySelector('[data-cam-lens]')!).opacity)).toBe('1');
    await closeOverlays(h);
  });

  test('removing the image removes its overlay', async () => {
    await explainAndCheckBox('#cat2');
    const restore = await h.page.locator('#cat2').evaluate((img) => {
      const parent = img.parentElement!;
      img.remove();
      (window as any).__restoreCat2 = () => parent.prepend(img);
      return true;
    });
    expect(restore).toBe(true);
    await h.page.waitForFunction(() => document.querySelectorAll('[data-cam-lens]').length === 0);
    await h.page.evaluate(() => (window as any).__restoreCat2());
  });

  test('a 404 image gives a readable error on the image', async () => {
    const result = await explain(h, '#missing');
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/HTTP 404/) });
    expect(await overlayState(h)).toEqual(['error']);
    expectSameBox(await overlayRect(h), await contentBoxOf(h, '#missing'));
    await closeOverlays(h);
    // The extension keeps working after an error.
    const again = await explain(h, '#cat');
    expect(again.ok).toBe(true);
  });

  test('Esc leaves the page exactly as it was', async () => {
    const before = await h.page.evaluate(() => document.documentElement.outerHTML);
    await explainAndCheckBox('#cat');
    await closeOverlays(h);
    expect(await h.page.evaluate(() => document.documentElement.outerHTML)).toBe(before);
  });

  test('the backend is chosen by measurement, and the options page can force one', async () => {
    const auto = await explain(h, '#coffee');
    if (!auto.ok) throw new Error(auto.error);
    const status = await h.worker.evaluate(() => (globalThis as any).camLens.status());
    expect(status.backendSetting).toBe('auto');
    // Every backend that starts here was measured (a GPU one rendering in software is named, not measured), and the fastest one runs the model.
    expect(status.backendMeasurements).toMatch(/WebAssembly \d+ ms/);
    expect(status.backendMeasurements).toMatch(/WebGL/);
    const times = Object.fromEntries([...status.backendMeasurements.matchAll(/(WebAssembly|WebGL|WebGPU|CPU)[^·]*?(\d+) ms/g)].map((m: string[]) => [m[1], Number(m[2])]));
    const fastest = Object.entries(times).sort((a, b) => (a[1] as number) - (b[1] as number))[0][0];
    expect({ WebAssembly: 'wasm', WebGL: 'webgl', WebGPU: 'webgpu', CPU: 'cpu' }[fastest]).toBe(auto.backend);
    await closeOverlays(h);

    const options = await h.context.newPage();
    await options.goto(`chrome-extension://${h.extensionId}/options.html`);
    await options.locator('#backend-select').selectOption('webgl');
    // The model is loaded again on WebGL: SwiftShader's shader compilation took up to 26 s on a loaded 2-core machine.
    await expect.poll(() => options.locator('#backend').textContent(), { timeout: 60_000 }).toBe('WebGL');
    expect(await options.locator('#renderer').textContent()).toMatch(/SwiftShader|ANGLE|\w+/);
    await options.close();
    const forced = await explain(h, '#coffee');
    expect(forced.ok && forced.backend).toBe('webgl');
    await h.worker.evaluate(async () => {
      const { settings } = await chrome.storage.sync.get('settings');
      await chrome.storage.sync.set({ settings: { ...(settings as object), backend: 'auto' } });
    });
  });

  test('popup shows model, backend, timings; the options page the renderer; opacity applies live', async () => {
    await explainAndCheckBox('#cat');
    const box = await contentBoxOf(h, '#cat');
    const shown = await grab(h, box);
    const popup = await h.context.newPage();
    await popup.goto(`chrome-extension://${h.extensionId}/popup.html`);
    await expect.poll(() => popup.locator('#timings').textContent()).toMatch(/\d+ ms/);
    expect(await popup.locator('#model').textContent()).toContain('MobileNetV2');
    expect(await popup.locator('#backend').textContent()).toMatch(/WebGL|WebAssembly|CPU/);
    await popup.close();
    const options = await h.context.newPage();
    await options.goto(`chrome-extension://${h.extensionId}/options.html`);
    await expect.poll(() => options.locator('#timings').textContent()).toMatch(/\d+ ms/);
    const renderer = await options.locator('#renderer').textContent();
    if ((await options.locator('#backend').textContent()) === 'WebGL') expect(renderer).not.toBe('—');
    await options.locator('#opacity').fill('1');
    // The page writes storage asynchronously (read, merge, write): wait for it before closing the page.
    await expect.poll(() => options.evaluate(async () => ((await chrome.storage.sync.get('settings')).settings as { opacity?: number })?.opacity)).toBe(1);
    await options.close();
    await h.page.bringToFront();
    await expect.poll(async () => meanDiff(shown, await grab(h, box))).toBeGreaterThan(8);
  });
});
