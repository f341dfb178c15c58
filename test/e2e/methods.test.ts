// Every method, end to end in Chromium, on both bundled models: the graph model with a linear head
// (CAM applies) and the layers model with an MLP head (CAM does not; gradient methods do).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ExplanationSuccess } from '../../src/core/messages';
import { METHOD_IDS, type MethodId } from '../../src/core/methods';
import { contentBoxOf, explain, overlayRect, overlayState, pendingExplanation, setSettings, startExplanation, useHarness, waitForOverlayIn } from './harness';

const h = useHarness({}, async (h) => {
  // WASM keeps the many-pass methods quick on this GPU-less machine; WebGL is covered by explain.test.ts and below.
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
});

function expectMap(result: ExplanationSuccess, method: MethodId): void {
  expect(result.method).toBe(method);
  expect(result.map).toMatchObject({ width: 7, height: 7 });
  expect(result.map.values.every(Number.isFinite)).toBe(true);
}

const FAST = { scoreCamChannels: 16 };

describe.each([
  { modelId: 'nsfw-mobilenet-v2-mid', layer: /Conv_1\/Relu6$/, camApplies: true },
  { modelId: 'nsfw-mobilenet-v2', layer: /^out_relu$/, camApplies: false },
])('$modelId', ({ modelId, layer, camApplies }) => {
  beforeAll(async () => {
    await setSettings(h, { modelId });
  });

  test.each(METHOD_IDS.filter((m) => camApplies || m !== 'cam'))('%s draws a map over the image', async (method) => {
    const result = await explain(h, '#coffee', { method, ...FAST });
    if (!result.ok) throw new Error(result.error);
    expect(result.modelId).toBe(modelId);
    expect(result.layer).toMatch(layer);
    expect(result.backend).toBe('wasm');
    expectMap(result, method);
    expect(await overlayState(h)).toEqual(['done']);
    const box = await contentBoxOf(h, '#coffee');
    const overlay = await overlayRect(h);
    expect(Math.abs(overlay.width - box.width)).toBeLessThanOrEqual(1);
  });

  test('automatic method picks CAM exactly when the head allows it', async () => {
    const result = await explain(h, '#cat', { method: 'auto' });
    if (!result.ok) throw new Error(result.error);
    expect(result.method).toBe(camApplies ? 'cam' : 'gradcam');
  });

  if (!camApplies) {
    test('CAM on an MLP head is refused with a message that points to Grad-CAM', async () => {
      const result = await explain(h, '#cat', { method: 'cam' });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/does not apply.*Grad-CAM/);
      expect(await overlayState(h)).toEqual(['error']);
    });
  }
});

describe('options', () => {
  beforeAll(async () => {
    await setSettings(h, { modelId: 'nsfw-mobilenet-v2-mid', method: 'auto' });
  });

  test('the localization box is in image pixels, inside the image', async () => {
    const result = await explain(h, '#rocket', { box: true });
    if (!result.ok) throw new Error(result.error);
    expect(result.box).toBeTruthy();
    const box = result.box!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(result.image.width);
    expect(box.y + box.height).toBeLessThanOrEqual(result.image.height);
    expect(box.width * box.height).toBeGreaterThan(0);
  });

  test('class switching keeps the method', async () => {
    const first = await explain(h, '#cat', { method: 'layercam' });
    if (!first.ok) throw new Error(first.error);
    const other = first.classes[1].index;
    const again = (await h.worker.evaluate((c) => (globalThis as any).camLens.explainClass(c), other)) as ExplanationSuccess;
    expect(again.ok).toBe(true);
    expect(again.method).toBe('layercam');
    expect(again.target.index).toBe(other);
  });

  test('closing the overlay cancels an on-demand method', async () => {
    // All 1792 channels: far longer than this test waits.
    await startExplanation(h, '#cat', { method: 'scorecam', scoreCamChannels: 'all' });
    await waitForOverlayIn(h, 'loading');
    await h.page.waitForTimeout(500);
    await h.page.keyboard.press('Escape');
    const started = Date.now();
    const result = await pendingExplanation(h);
    expect(result).toEqual({ ok: false, error: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(10_000);
    // The worker is free again.
    const next = await explain(h, '#cat');
    expect(next.ok).toBe(true);
  });
});

describe('the layer explained', () => {
  beforeAll(async () => {
    await setSettings(h, { modelId: 'nsfw-mobilenet-v2-mid', method: 'auto', layers: {} });
  });

  afterAll(async () => {
    await setSettings(h, { layers: {} });
  });

  test('chosen in the options page: an earlier 14×14 layer gives a finer map by Grad-CAM; Automatic goes back to exact CAM', async () => {
    const popup = await h.context.newPage(); // the options page
    await popup.goto(`chrome-extension://${h.extensionId}/options.html`);
    const select = popup.locator('#layer-select');
    await expect.poll(() => select.locator('option').count(), { timeout: 20_000 }).toBeGreaterThan(20);
    expect(await select.locator('option').first().textContent()).toBe('Automatic: Conv_1/Relu6 · 7×7×1792');
    const earlier = (await select.locator('option', { hasText: 'expanded_conv_12/expand/Relu6 · 14×14×816' }).getAttribute('value'))!;
    await select.selectOption(earlier);
    // The page reloads the model at that layer: its status line names it, and the popup no longer offers CAM.
    await expect.poll(() => popup.locator('#layer').getAttribute('title'), { timeout: 20_000 }).toBe(earlier);
    expect(await popup.locator('#layer').textContent()).toBe('MobilenetV2/expanded_conv_12/expand/Relu6');
    const methods = await h.context.newPage();
    await methods.goto(`chrome-extension://${h.extensionId}/popup.html`);
    await expect.poll(() => methods.locator('#method-select option[value="cam"]').count(), { timeout: 20_000 }).toBe(1);
    expect(await methods.locator('#method-select option[value="cam"]').isDisabled()).toBe(true);
    expect(await methods.locator('#method-note').textContent()).toMatch(/^CAM does not apply to this model/);
    await methods.close();

    const fine = await explain(h, '#cat');
    if (!fine.ok) throw new Error(fine.error);
    expect(fine.layer).toBe(earlier);
    expect(fine.method).toBe('gradcam');
    expect(fine.map).toMatchObject({ width: 14, height: 14 });

    // The choice is remembered per model.
    await popup.reload();
    await expect.poll(() => select.inputValue(), { timeout: 20_000 }).toBe(earlier);
    await select.selectOption('');
    await expect.poll(() => popup.locator('#layer').textContent(), { timeout: 20_000 }).toBe('MobilenetV2/Conv_1/Relu6');
    await expect.poll(() => popup.evaluate(async () => ((await chrome.storage.sync.get('settings')).settings as { layers: object }).layers)).toEqual({});
    await popup.close();
    const coarse = await explain(h, '#cat');
    if (!coarse.ok) throw new Error(coarse.error);
    expect(coarse.method).toBe('cam');
    expect(coarse.map).toMatchObject({ width: 7, height: 7 });
  });

  test('a layers model lists its single-input path back from the output, and explains an inner layer of it', async () => {
    await setSettings(h, { modelId: 'nsfw-mobilenet-v2' });
    try {
      const choices = await h.worker.evaluate(() => (globalThis as any).camLens.listLayers());
      expect(choices.automatic).toBe('out_relu');
      expect(choices.layers[0]).toEqual({ name: 'out_relu', shape: [7, 7, 1280] });
      // MobileNetV2's last residual addition ends the path.
      expect(choices.layers[choices.layers.length - 1].name).toBe('block_15_add');
      const inner = choices.layers.find((l: { name: string }) => l.name === 'block_16_expand_relu');
      expect(inner).toEqual({ name: 'block_16_expand_relu', shape: [7, 7, 960] });
      const result = await explain(h, '#cat', { method: 'gradcam', layer: inner.name });
      if (!result.ok) throw new Error(result.error);
      expect(result.layer).toBe('block_16_expand_relu');
      expect(result.map).toMatchObject({ width: 7, height: 7 });
      expect(result.map.values.some((v) => v > 0)).toBe(true);
    } finally {
      await setSettings(h, { modelId: 'nsfw-mobilenet-v2-mid' });
    }
  });

  test('a stored layer the model does not have: the overlay says where to change it', async () => {
    await setSettings(h, { layers: { 'nsfw-mobilenet-v2-mid': 'no/such/node' } });
    try {
      const result = await explain(h, '#cat');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBe('the layer chosen in the popup, no/such/node, cannot be explained (no node named "no/such/node" in the model): choose another under “Layer explained”');
      expect(await overlayState(h)).toEqual(['error']);
    } finally {
      await setSettings(h, { layers: {} });
    }
    expect((await explain(h, '#cat')).ok).toBe(true);
  });

  test("Grad-CAM at an inner layer on WASM (borrowed convolution gradients) equals the CPU backend's", async () => {
    const { layers } = await h.worker.evaluate(() => (globalThis as any).camLens.listLayers());
    const inner = layers.find((l: { shape: number[] }) => l.shape[0] === 28).name;
    const wasm = await explain(h, '#cat', { method: 'gradcam', layer: inner });
    await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('cpu'));
    try {
      const cpu = await explain(h, '#cat', { method: 'gradcam', layer: inner });
      if (!wasm.ok || !cpu.ok) throw new Error(`${!wasm.ok && wasm.error} ${!cpu.ok && cpu.error}`);
      expect([wasm.backend, cpu.backend]).toEqual(['wasm', 'cpu']);
      expect(wasm.map).toMatchObject({ width: 28, height: 28 });
      const peak = Math.max(...cpu.map.values.map(Math.abs));
      expect(peak).toBeGreaterThan(0);
      const worst = Math.max(...wasm.map.values.map((v, i) => Math.abs(v - cpu.map.values[i])));
      expect(worst / peak).toBeLessThan(1e-3);
    } finally {
      await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
    }
  });
});
