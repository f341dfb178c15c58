// The user's own models, end to end in Chromium through the popup's real form: a Teachable Machine
// share link, a model in TF Hub's layout (?tfjs-format=file) with a progress bar, picked local files
// with a labels file; each then explains a demo image. Installed models load offline (files deleted
// from the server, worker restarted), the choice persists, and Delete removes them. The fixture
// models come from scripts/make-fixture-models.mjs, served by scripts/servers.mjs under /models/.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureModels, LAYERS_LABELS, TEACHABLE_ID, TEACHABLE_LABELS, TFHUB_PATH } from '../../scripts/make-fixture-models.mjs';
import type { ExplanationSuccess } from '../../src/core/messages';
import { clickByName, closeOverlays, contentBoxOf, explain, grab, meanDiff, nextWorker, overlayState, ROOT, startHarness, stopWorker, type Harness } from './harness';
import { PNG } from 'pngjs';

let h: Harness;
let modelsDir: string;
let popup: Page;

beforeAll(async () => {
  modelsDir = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-fixture-models-'));
  await makeFixtureModels(modelsDir);
  // tfhub.dev resolves nowhere: nothing leaves this machine even if a request escaped the route that answers it with the fixture.
  h = await startHarness({ servers: { modelsDir }, extraArgs: ['--host-resolver-rules=MAP tfhub.dev ~NOTFOUND, MAP *.tfhub.dev ~NOTFOUND'] });
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
});

afterEach(async () => {
  await closeOverlays(h).catch(() => undefined);
  await popup?.close().catch(() => undefined);
});

afterAll(async () => {
  await h?.close();
  rmSync(modelsDir, { recursive: true, force: true });
});

async function openPopup(): Promise<Page> {
  popup = await h.context.newPage();
  await popup.goto(`chrome-extension://${h.extensionId}/popup.html`);
  await popup.waitForFunction(() => (document.getElementById('model-select') as HTMLSelectElement).options.length > 0);
  return popup;
}

/** Fills the install form (opening it) and clicks Install; resolves with the status line once the install ended. */
async function installFromForm(p: Page, fill: (p: Page) => Promise<void>): Promise<string> {
  if (!(await p.locator('#add-model').evaluate((d: HTMLDetailsElement) => d.open))) await p.locator('#add-model summary').click();
  await fill(p);
  await p.locator('#install-model').click();
  await p.waitForFunction(() => {
    const text = document.getElementById('install-status')!.textContent ?? '';
    return /^Installed: |could not|not |missing|too large|nothing to explain|TensorFlow\.js|three positive numbers/.test(text) && (document.getElementById('install-progress') as HTMLProgressElement).hidden;
  }, undefined, { timeout: 60_000 });
  return (await p.locator('#install-status').textContent()) ?? '';
}

/** Ids of the models whose files are in the extension's IndexedDB. */
const storedKeys = (p: Page) =>
  p.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const open = indexedDB.open('cam-lens-models');
        open.onsuccess = () => {
          const keys = open.result.transaction('artifacts').objectStore('artifacts').getAllKeys();
          keys.onsuccess = () => {
            resolve((keys.result as string[]).slice());
            open.result.close();
          };
        };
      }),
  );
const selectedName = (p: Page) => p.locator('#model-select').evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? '');
const installedNames = (p: Page) => p.locator('#installed-models .model-name').allTextContents();

describe('installing through the popup', () => {
  test('a Teachable Machine share link: labels and input size from metadata.json; explains a demo image', async () => {
    const p = await openPopup();
    await expect.poll(() => installedNames(p)).toEqual([]);
    expect(await p.locator('#installed-none').isVisible()).toBe(true);
    const status = await installFromForm(p, (p) => p.locator('#model-url').fill(`${h.imageOrigin}/models/teachable/${TEACHABLE_ID}/`));
    expect(status).toBe('Installed: tm-my-image-model. It is now the active model.');
    await expect.poll(() => installedNames(p)).toEqual(['tm-my-image-model']);
    expect(await selectedName(p)).toBe('tm-my-image-model');
    expect(await p.locator('#installed-models li.active .model-name').textContent()).toBe('tm-my-image-model');
    expect(await p.locator('#installed-models .note').first().textContent()).toContain(`/models/teachable/${TEACHABLE_ID}/`);

    // At the top of the viewport, so that the class panel goes below the photo, not over it.
    await h.page.locator('#coffee').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const box = await contentBoxOf(h, '#coffee');
    const before = await grab(h, box);
    const result = (await explain(h, '#coffee')) as ExplanationSuccess;
    if (!result.ok) throw new Error((result as unknown as { error: string }).error);
    expect(result.modelName).toBe('tm-my-image-model');
    // Teachable Machine's framing: the model saw the central 400×400 of the 600×400 photo, and the map covers just that.
    expect(result.image).toEqual({ width: 600, height: 400 });
    expect(result.crop).toEqual({ x: 100, y: 0, width: 400, height: 400 });
    const after = await grab(h, box);
    const strip = box.width / 6;
    expect(meanDiff(before, after, { x: 2, y: 2, width: strip - 4, height: box.height - 4 })).toBeLessThan(1);
    expect(meanDiff(before, after, { x: box.width - strip + 2, y: 2, width: strip - 4, height: box.height - 4 })).toBeLessThan(1);
    expect(meanDiff(before, after, { x: strip + 4, y: 2, width: box.width - 2 * strip - 8, height: box.height - 4 })).toBeGreaterThan(4);
    // The export too: the photo's side strips are the photo's own pixels, its centre has the map.
    const download = h.page.waitForEvent('download');
    await clickByName(h, 'Save image with heat map');
    const exported = PNG.sync.read(readFileSync(await (await download).path()));
    const photo = PNG.sync.read(readFileSync(path.join(ROOT, 'test/fixtures/coffee.png')));
    expect([exported.width, exported.height - 44]).toEqual([600, 400]);
    const columns = (from: number, to: number) => {
      let sum = 0;
      for (let y = 0; y < 400; y++) for (let x = from; x < to; x++) for (let c = 0; c < 3; c++) sum += Math.abs(exported.data[(y * 600 + x) * 4 + c] - photo.data[(y * 600 + x) * 4 + c]);
      return sum / ((to - from) * 400 * 3);
    };
    expect(columns(0, 98)).toBeLessThan(1);
    expect(columns(502, 600)).toBeLessThan(1);
    expect(columns(110, 490)).toBeGreaterThan(4);
    expect(result.layer).toBe('out_relu');
    // Dense(relu) → Dense(softmax), as Teachable Machine trains: no exact CAM, Grad-CAM automatically.
    expect(result.method).toBe('gradcam');
    expect(result.classes.map((c) => c.label).sort()).toEqual([...TEACHABLE_LABELS].sort());
    expect(result.classes.reduce((s, c) => s + c.probability, 0)).toBeCloseTo(1, 4);
    expect(result.map).toMatchObject({ width: 8, height: 8 });
    expect(result.map.values.every(Number.isFinite)).toBe(true);
    expect(await overlayState(h)).toEqual(['done']);
  });

  test('a model in TF Hub layout (?tfjs-format=file): progress bar while downloading, ImageNet labels, exact CAM', async () => {
    const p = await openPopup();
    if (!(await p.locator('#add-model').evaluate((d: HTMLDetailsElement) => d.open))) await p.locator('#add-model summary').click();
    await p.locator('#model-url').fill(`${h.imageOrigin}/models/slow/${TFHUB_PATH}`);
    await p.locator('#model-kind').selectOption('tfhub');
    await p.locator('#install-model').click();
    // The slow route sends 16 KiB every 50 ms: the bar and the byte counts show meanwhile.
    await p.waitForFunction(() => /^Downloading: .+ of 157 kB$/.test(document.getElementById('install-status')!.textContent ?? ''));
    expect(await p.locator('#install-progress').isVisible()).toBe(true);
    expect(await p.locator('#cancel-install').isVisible()).toBe(true);
    await p.waitForFunction(() => /^Installed: /.test(document.getElementById('install-status')!.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await p.locator('#install-progress').isVisible()).toBe(false);
    const name = 'mobilenet_v2_fixture/classification/3';
    await expect.poll(() => installedNames(p)).toEqual(['tm-my-image-model', name]);
    expect(await selectedName(p)).toBe(name);

    const result = (await explain(h, '#cat', { method: 'auto' })) as ExplanationSuccess;
    if (!result.ok) throw new Error((result as unknown as { error: string }).error);
    expect(result.method).toBe('cam'); // AvgPool → 1×1 conv head, as TF Hub's MobileNet
    expect(result.layer).toBe('module_apply_default/MobilenetV2/Conv_1/Relu6');
    expect(result.map).toMatchObject({ width: 7, height: 7 });
    expect(result.classes).toHaveLength(5);
    // 1001 logits shown as softmax probabilities, named by ImageNet's list with background first.
    for (const c of result.classes) {
      expect(c.probability).toBeGreaterThan(0);
      expect(c.probability).toBeLessThan(1);
      expect(c.label).not.toMatch(/^class \d+$/);
    }
    const background = await h.worker.evaluate(() => (globalThis as any).camLens.explainClass(0));
    expect(background.target.label).toBe('background');
  });

  test('local files through the file input, with a labels file', async () => {
    const p = await openPopup();
    const status = await installFromForm(p, async (p) => {
      await p.locator('#model-files').setInputFiles(['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin'].map((f) => path.join(modelsDir, 'layers', f)));
      await p.locator('#model-labels').setInputFiles(path.join(modelsDir, 'layers', 'labels.txt'));
      await p.locator('#model-name').fill('Colours');
    });
    expect(status).toBe('Installed: Colours. It is now the active model.');
    expect(await selectedName(p)).toBe('Colours');
    const result = (await explain(h, '#rocket')) as ExplanationSuccess;
    if (!result.ok) throw new Error((result as unknown as { error: string }).error);
    expect(result.modelName).toBe('Colours');
    expect(result.method).toBe('cam'); // GAP → one Dense
    expect(result.classes.map((c) => c.label).sort()).toEqual([...LAYERS_LABELS].sort());
    expect(result.map).toMatchObject({ width: 12, height: 12 });
  });

  test('a failed install says why and installs nothing', async () => {
    const p = await openPopup();
    const before = await installedNames(p);
    const url = `${h.imageOrigin}/models/nothing-here/model.json`;
    const status = await installFromForm(p, (p) => p.locator('#model-url').fill(url));
    expect(status).toBe(`could not download the model: ${url} answered HTTP 404 Not Found`);
    expect(await p.locator('#install-status').evaluate((e) => e.classList.contains('error'))).toBe(true);
    await expect.poll(() => installedNames(p)).toEqual(before);
    expect(await storedKeys(p)).toHaveLength(before.length);
  });
});

describe('ImageNet MobileNet from TF Hub, on demand', () => {
  test('the size is shown before downloading; Download installs it with ImageNet labels', async () => {
    // TF Hub is answered by the fixture in TF Hub's layout (the worker's requests go through the context's routes).
    const requests: string[] = [];
    await h.context.route('https://tfhub.dev/**', async (route) => {
      const url = new URL(route.request().url());
      requests.push(url.pathname + url.search);
      const file = url.pathname.split('/').pop()!;
      if (url.search !== '?tfjs-format=file') return route.fulfill({ status: 404, body: 'not found' });
      await route.fulfill({ status: 200, body: readFileSync(path.join(modelsDir, TFHUB_PATH, file)), contentType: file.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
    });
    try {
      const p = await openPopup();
      expect(await p.locator('#imagenet-download').isVisible()).toBe(false);
      await p.getByRole('button', { name: 'Check its size' }).click();
      await p.locator('#imagenet-size').waitFor();
      expect(await p.locator('#imagenet-size').textContent()).toBe('157 kB to download from tfhub.dev.');
      // Only model.json so far: the weights wait for the user's Download.
      expect(requests).toEqual(['/google/tfjs-model/imagenet/mobilenet_v2_100_224/classification/3/default/1/model.json?tfjs-format=file']);
      await p.getByRole('button', { name: 'Download' }).click();
      await p.waitForFunction(() => /^Installed: |could not/.test(document.getElementById('install-status')!.textContent ?? ''), undefined, { timeout: 60_000 });
      expect(await p.locator('#install-status').textContent()).toBe('Installed: ImageNet MobileNet V2 (TF Hub). It is now the active model.');
      expect(requests).toContain('/google/tfjs-model/imagenet/mobilenet_v2_100_224/classification/3/default/1/group1-shard1of1?tfjs-format=file');
      const result = (await explain(h, '#coffee')) as ExplanationSuccess;
      if (!result.ok) throw new Error((result as unknown as { error: string }).error);
      expect(result.modelName).toBe('ImageNet MobileNet V2 (TF Hub)');
      expect(result.method).toBe('cam');
      expect(result.classes.every((c) => !/^class \d+$/.test(c.label))).toBe(true);
      await p.getByRole('button', { name: 'Delete ImageNet MobileNet V2 (TF Hub)' }).click();
      await p.waitForFunction(() => ![...document.querySelectorAll('#installed-models .model-name')].some((e) => e.textContent?.startsWith('ImageNet')));
    } finally {
      await h.context.unrouteAll();
    }
  });
});

describe('installed models', () => {
  test('load offline: the server has forgotten them and the worker restarted', async () => {
    rmSync(path.join(modelsDir, 'teachable'), { recursive: true, force: true });
    // Stop the worker the way Chrome does when idle (as lifecycle.test.ts does): the model must come back from IndexedDB.
    await stopWorker(h);
    let p!: Page;
    await nextWorker(h, async () => (p = await openPopup())); // its messages start the worker again
    await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
    const id = await p.locator('#installed-models li', { hasText: 'tm-my-image-model' }).getAttribute('data-model-id');
    await p.locator('#model-select').selectOption(id!);
    await p.waitForFunction(() => document.querySelector('#installed-models li.active .model-name')?.textContent === 'tm-my-image-model');
    const result = await explain(h, '#cat');
    if (!result.ok) throw new Error(result.error);
    expect(result.modelName).toBe('tm-my-image-model');
    expect(result.classes.map((c) => c.label).sort()).toEqual([...TEACHABLE_LABELS].sort());
  });

  test('the choice persists: the popup opens on it', async () => {
    const p = await openPopup();
    await p.waitForFunction(() => (document.getElementById('model-select') as HTMLSelectElement).selectedOptions[0]?.textContent === 'tm-my-image-model');
  });

  test('Delete removes a model, its files, and falls back to the default when it was active', async () => {
    const p = await openPopup();
    await p.locator('#installed-models li', { hasText: 'tm-my-image-model' }).getByRole('button', { name: 'Delete tm-my-image-model' }).click();
    await p.waitForFunction(() => ![...document.querySelectorAll('#installed-models .model-name')].some((e) => e.textContent === 'tm-my-image-model'));
    await expect.poll(() => installedNames(p)).toEqual(['mobilenet_v2_fixture/classification/3', 'Colours']);
    expect(await p.locator('#model-select option').allTextContents()).not.toContain('tm-my-image-model');
    expect(await selectedName(p)).toMatch(/^Content classifier/);
    expect(await storedKeys(p)).toHaveLength(2);
    const result = (await explain(h, '#cat')) as ExplanationSuccess;
    expect(result.ok && result.modelId).toBe('nsfw-mobilenet-v2-mid');
  });
});

describe('pixel conventions', () => {
  test('per-channel mean/std pixel scaling: stored with the model and applied', async () => {
    const p = await openPopup();
    const files = ['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin'].map((f) => path.join(modelsDir, 'layers', f));
    // A zero std is refused in the form, before anything is installed.
    const before = await installedNames(p);
    const refused = await installFromForm(p, async (p) => {
      await p.locator('#model-files').setInputFiles(files);
      await p.locator('#model-scaling').selectOption('meanStd');
      await p.locator('#model-mean').fill('0.5, 0.5, 0.5');
      await p.locator('#model-std').fill('0.25, 0, 0.25');
    });
    expect(refused).toMatch(/three positive numbers for the standard deviation/);
    await expect.poll(() => installedNames(p)).toEqual(before);
    await p.close();

    const status = await installFromForm(await openPopup(), async (p) => {
      await p.locator('#model-files').setInputFiles(files);
      await p.locator('#model-labels').setInputFiles(path.join(modelsDir, 'layers', 'labels.txt'));
      await p.locator('#model-name').fill('Colours, standardised');
      await p.locator('#model-scaling').selectOption('meanStd');
      await p.locator('#model-mean').fill('0.5, 0.5, 0.5');
      await p.locator('#model-std').fill('0.25, 0.25, 0.25');
    });
    expect(status).toBe('Installed: Colours, standardised. It is now the active model.');
    const p2 = await openPopup();
    const stored = await p2.evaluate(async () => ((await chrome.storage.local.get('userModels')).userModels as any[]).find((m) => m.displayName === 'Colours, standardised'));
    expect(stored).toMatchObject({ pixelScaling: 'meanStd', normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } });
    const standardised = (await explain(h, '#rocket', { fresh: true })) as ExplanationSuccess;
    expect(standardised.ok).toBe(true);
    // The same weights fed [0, 1] pixels (the "Colours" model) score the image differently.
    await p2.locator('#model-select').selectOption({ label: 'Colours' });
    await expect.poll(async () => ((await explain(h, '#rocket', { fresh: true })) as ExplanationSuccess).modelName).toBe('Colours');
    const unit = (await explain(h, '#rocket', { fresh: true })) as ExplanationSuccess;
    expect(unit.classes.map((c) => c.probability)).not.toEqual(standardised.classes.map((c) => c.probability));
  });
});
