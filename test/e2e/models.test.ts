// The user's own models, end to end in Chromium through the options page's real form: a Teachable Machine
// share link, a model in TF Hub's layout (?tfjs-format=file) with a progress bar, picked local files
// with a labels file; each then explains a demo image. Installed models load offline (files deleted
// from the server, worker restarted), the choice persists, and Delete removes them. The fixture
// models come from scripts/make-fixture-models.mjs, served by scripts/servers.mjs under /models/.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bucketPath, makeFixtureModels, LAYERS_LABELS, TEACHABLE_ID, TEACHABLE_LABELS, TFHUB_PATH } from '../../scripts/make-fixture-models.mjs';
import { formatBytes } from '../../src/core/modelSource';
import type { ExplanationSuccess } from '../../src/core/messages';
import { clickByName, closeOverlays, inContentScript, contentBoxOf, explain, grab, meanDiff, nextWorker, overlayState, ROOT, setSettings, startHarness, stopWorker, type Harness } from './harness';
import { PNG } from 'pngjs';

let h: Harness;
let modelsDir: string;
let popup: Page; // the options page

beforeAll(async () => {
  modelsDir = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-fixture-models-'));
  await makeFixtureModels(modelsDir);
  // The real model hosts resolve nowhere: nothing leaves this machine even if a request escaped the routes that answer with the fixtures.
  const hosts = ['tfhub.dev', '*.tfhub.dev', 'storage.googleapis.com', '*.storage.googleapis.com', 'kaggle.com', '*.kaggle.com', 'mirror.test'];
  h = await startHarness({ servers: { modelsDir }, extraArgs: [`--host-resolver-rules=${hosts.map((host) => `MAP ${host} ~NOTFOUND`).join(', ')}`] });
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

/** The options page, where the model library is (its model menu is the popup's, on the same settings). */
async function openOptions(): Promise<Page> {
  popup = await h.context.newPage();
  await popup.goto(`chrome-extension://${h.extensionId}/options.html`);
  await popup.waitForFunction(() => !(document.getElementById('model-select') as HTMLSelectElement).disabled); // the worker's models are listed
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

describe('installing through the options page', () => {
  test('a Teachable Machine share link: labels and input size from metadata.json; explains a demo image', async () => {
    const p = await openOptions();
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
    const p = await openOptions();
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
    const p = await openOptions();
    const status = await installFromForm(p, async (p) => {
      await p.locator('#model-files').setInputFiles(['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin'].map((f) => path.join(modelsDir, 'layers', f)));
      await p.locator('#model-labels').setInputFiles(path.join(modelsDir, 'layers', 'labels.txt'));
      await p.locator('#model-name').fill('Colours');
    });
    expect(status).toBe('Installed: Colours. It is now the active model.');
    // The status line comes first, then the page makes the new model the active one.
    await expect.poll(() => selectedName(p)).toBe('Colours');
    const result = (await explain(h, '#rocket')) as ExplanationSuccess;
    if (!result.ok) throw new Error((result as unknown as { error: string }).error);
    expect(result.modelName).toBe('Colours');
    expect(result.method).toBe('cam'); // GAP → one Dense
    expect(result.classes.map((c) => c.label).sort()).toEqual([...LAYERS_LABELS].sort());
    expect(result.map).toMatchObject({ width: 12, height: 12 });
  });

  test('a failed install says why and installs nothing', async () => {
    const p = await openOptions();
    const before = await installedNames(p);
    const url = `${h.imageOrigin}/models/nothing-here/model.json`;
    const status = await installFromForm(p, (p) => p.locator('#model-url').fill(url));
    expect(status).toBe(`could not download the model: ${url} answered HTTP 404 Not Found`);
    expect(await p.locator('#install-status').evaluate((e) => e.classList.contains('error'))).toBe(true);
    await expect.poll(() => installedNames(p)).toEqual(before);
    expect(await storedKeys(p)).toHaveLength(before.length);
  });
});

/** The model hosts of the real world that the fixture server emulates under /hosts/<host>/ (scripts/servers.mjs). */
const HOSTS = ['storage.googleapis.com', 'tfhub.dev', 'www.kaggle.com', 'mirror.test'];
/** Requests the emulated hosts received (as the worker sent them: real addresses). */
const hostRequests: string[] = [];

/**
 * Sends the worker's requests for the real hosts to the fixture server, which answers as they do
 * today; `down` addresses (prefixes) do not answer. Playwright cannot hand a redirect to the browser,
 * so the redirects the fixture answers with (naming the real hosts, as theirs do) are followed here,
 * each hop recorded, and the browser gets the last answer.
 */
async function routeHosts(down: string[] = []): Promise<void> {
  await h.context.route(
    (url) => HOSTS.includes(url.hostname),
    async (route) => {
      let url = new URL(route.request().url());
      for (let hops = 0; ; hops++) {
        hostRequests.push(url.href);
        if (down.some((prefix) => url.href.startsWith(prefix))) return route.abort('connectionrefused');
        if (!HOSTS.includes(url.hostname) || hops > 5) return route.abort('namenotresolved');
        const response = await route.fetch({ url: `${h.imageOrigin}/hosts/${url.hostname}${url.pathname}${url.search}`, maxRedirects: 0 });
        const location = response.headers().location;
        if (response.status() < 300 || response.status() >= 400 || !location) return route.fulfill({ response });
        url = new URL(location, url);
      }
    },
  );
}

describe('ImageNet that downloads today (TF Hub answers 403, the tfjs-models bucket works)', () => {
  afterEach(async () => {
    await h.context.unrouteAll();
    hostRequests.length = 0;
  });

  test('the size is shown before downloading; Download installs MobileNet V1 from the bucket with ImageNet names and exact CAM', async () => {
    await routeHosts();
    const p = await openOptions();
    expect(await p.locator('#imagenet-choice option').allTextContents()).toEqual(['ImageNet MobileNet V1 1.0', 'ImageNet MobileNet V1 0.75', 'ImageNet MobileNet V1 0.50', 'ImageNet MobileNet V1 0.25']);
    expect(await p.locator('#imagenet-download').isVisible()).toBe(false);
    await p.getByRole('button', { name: 'Check its size' }).click();
    await p.locator('#imagenet-size').waitFor();
    const bytes = readdirSync(path.join(modelsDir, bucketPath('1.0'))).filter((f) => f.startsWith('group')).reduce((sum, f) => sum + statSync(path.join(modelsDir, bucketPath('1.0'), f)).size, 0);
    expect(await p.locator('#imagenet-size').textContent()).toBe(`${formatBytes(bytes)} to download from storage.googleapis.com.`);
    // Only model.json so far: the weights wait for the user's Download.
    expect(hostRequests).toEqual(['https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json']);
    await p.getByRole('button', { name: 'Download' }).click();
    await p.waitForFunction(() => /^Installed: |could not/.test(document.getElementById('install-status')!.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await p.locator('#install-status').textContent()).toBe('Installed: ImageNet MobileNet V1 1.0. It is now the active model.');
    expect(hostRequests.filter((u) => /group\d+-shard1of1$/.test(u))).toHaveLength(readdirSync(path.join(modelsDir, bucketPath('1.0'))).filter((f) => f.startsWith('group')).length);
    expect(hostRequests.some((u) => /tfhub|kaggle/.test(u))).toBe(false);

    const result = (await explain(h, '#cat', { method: 'auto' })) as ExplanationSuccess;
    if (!result.ok) throw new Error((result as unknown as { error: string }).error);
    expect(result.modelName).toBe('ImageNet MobileNet V1 1.0');
    expect(result.method).toBe('cam'); // GAP → reshape → dropout → conv_preds (1×1): exact CAM
    expect(result.layer).toBe('conv_pw_5_relu');
    expect(result.map).toMatchObject({ width: 7, height: 7 });
    expect(result.classCount).toBe(1000);
    const imagenet = (JSON.parse(readFileSync(path.join(ROOT, 'models/imagenet-labels.json'), 'utf8')) as { labels: string[] }).labels;
    for (const c of result.classes) expect(c.label).toBe(imagenet[c.index]);
    expect(result.classes.reduce((sum, c) => sum + c.probability, 0)).toBeLessThanOrEqual(1.0001);
    await p.getByRole('button', { name: 'Delete ImageNet MobileNet V1 1.0' }).click();
    await p.waitForFunction(() => ![...document.querySelectorAll('#installed-models .model-name')].some((e) => e.textContent?.startsWith('ImageNet')));
  });

  test('with the bucket down too, the message says what each host answered, and nothing is installed', async () => {
    await routeHosts(['https://storage.googleapis.com/tfjs-models/']);
    const p = await openOptions();
    const before = await installedNames(p);
    await p.getByRole('button', { name: 'Check its size' }).click();
    await p.waitForFunction(() => /^could not/.test(document.getElementById('install-status')!.textContent ?? ''));
    expect(await p.locator('#install-status').textContent()).toBe(
      "could not download ImageNet MobileNet V1 1.0 from any of its sources: Google's tfjs-models bucket could not be reached (no connection, or the server does not let the file be read from here); " +
        "TF Hub's download link was refused (HTTP 403: the signed link did not match); Kaggle's download link was refused (HTTP 403: the signed link did not match)",
    );
    // TF Hub's handle went to Kaggle, then to a signed storage link, which was refused; the Kaggle page form likewise.
    expect(hostRequests.map((u) => new URL(u).host)).toEqual(['storage.googleapis.com', 'tfhub.dev', 'www.kaggle.com', 'storage.googleapis.com', 'www.kaggle.com', 'storage.googleapis.com']);
    expect(hostRequests[3]).toMatch(/^https:\/\/storage\.googleapis\.com\/kagglesdsdata\/.*X-Goog-Signature=/);
    expect(await installedNames(p)).toEqual(before);
  });

  test('a host that sends no CORS header: the extension reads it all the same (its host access), and installs a smaller width', async () => {
    await routeHosts();
    const result = await h.worker.evaluate(() => (globalThis as any).camLens.installModel({ kind: 'auto', url: 'https://mirror.test/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json' }));
    expect(result).toMatchObject({ ok: true, model: { displayName: 'mobilenet_v1_0.25_224', outputs: 1000 } });
    expect(await h.worker.evaluate((id) => (globalThis as any).camLens.deleteModel(id), result.model.id)).toEqual({ ok: true });
  });
});

describe('installed models', () => {
  test('load offline: the server has forgotten them and the worker restarted', async () => {
    rmSync(path.join(modelsDir, 'teachable'), { recursive: true, force: true });
    // Stop the worker the way Chrome does when idle (as lifecycle.test.ts does): the model must come back from IndexedDB.
    await stopWorker(h);
    let p!: Page;
    await nextWorker(h, async () => (p = await openOptions())); // its messages start the worker again
    await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
    const id = await p.locator('#installed-models li', { hasText: 'tm-my-image-model' }).getAttribute('data-model-id');
    await p.locator('#model-select').selectOption(id!);
    await p.waitForFunction(() => document.querySelector('#installed-models li.active .model-name')?.textContent === 'tm-my-image-model');
    const result = await explain(h, '#cat');
    if (!result.ok) throw new Error(result.error);
    expect(result.modelName).toBe('tm-my-image-model');
    expect(result.classes.map((c) => c.label).sort()).toEqual([...TEACHABLE_LABELS].sort());
  });

  test('the choice persists: the page opens on it', async () => {
    const p = await openOptions();
    await p.waitForFunction(() => (document.getElementById('model-select') as HTMLSelectElement).selectedOptions[0]?.textContent === 'tm-my-image-model');
  });

  test('Delete removes a model, its files, and falls back to the default when it was active', async () => {
    const p = await openOptions();
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
    const p = await openOptions();
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

    const status = await installFromForm(await openOptions(), async (p) => {
      await p.locator('#model-files').setInputFiles(files);
      await p.locator('#model-labels').setInputFiles(path.join(modelsDir, 'layers', 'labels.txt'));
      await p.locator('#model-name').fill('Colours, standardised');
      await p.locator('#model-scaling').selectOption('meanStd');
      await p.locator('#model-mean').fill('0.5, 0.5, 0.5');
      await p.locator('#model-std').fill('0.25, 0.25, 0.25');
    });
    expect(status).toBe('Installed: Colours, standardised. It is now the active model.');
    const p2 = await openOptions();
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

/** Pearson correlation of two maps. */
function correlation(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    ab += (x - ma) * (b[i] - mb);
    aa += (x - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

const seamInstall = (url: string, form: Record<string, unknown> = {}) =>
  h.worker.evaluate(({ url, form }) => (globalThis as any).camLens.installModel({ kind: 'auto', url }, form), { url, form });

describe("models nobody here wrote: human's liveness and antispoof, a landmark regressor", () => {
  test('two models of one folder get their own names; installing one again replaces it (one copy)', async () => {
    const antispoof = await seamInstall(`${h.imageOrigin}/models/human/antispoof.json`);
    const liveness = await seamInstall(`${h.imageOrigin}/models/human/liveness.json`);
    expect([antispoof.model?.displayName, liveness.model?.displayName]).toEqual(['antispoof', 'liveness']);
    const p = await openOptions();
    const keys = await storedKeys(p);
    const again = await seamInstall(`${h.imageOrigin}/models/human/liveness.json`);
    expect(again).toMatchObject({ ok: true, model: { displayName: 'liveness' } });
    expect(again.model.id).not.toBe(liveness.model.id);
    await expect.poll(() => storedKeys(p)).toEqual(keys.map((k) => (k === liveness.model.id ? again.model.id : k)).sort());
    const names = await h.worker.evaluate(async () => ((await chrome.storage.local.get('userModels')).userModels as { displayName: string }[]).map((m) => m.displayName));
    expect(names.filter((n) => n === 'liveness')).toHaveLength(1);
    expect(new Set(names).size).toBe(names.length);
  });

  test("Grad-CAM through a local max-pool head at an inner layer: WASM gives the CPU backend's map (r ≥ 0.999)", async () => {
    const id = await h.worker.evaluate(async () => ((await chrome.storage.local.get('userModels')).userModels as { id: string; displayName: string }[]).find((m) => m.displayName === 'liveness')!.id);
    await setSettings(h, { modelId: id });
    const layers = await h.worker.evaluate(() => (globalThis as any).camLens.listLayers());
    expect(layers).toMatchObject({ ok: true, modelId: id, automatic: 'max_pooling2d_2' });
    // batch_normalization_2 feeds max_pooling2d_1: its gradient passes both local max-pools (ties: ReLU zeros, batch-normed alike).
    const options = { method: 'gradcam', layer: 'batch_normalization_2', fresh: true };
    const maps: Record<string, number[][]> = {};
    for (const backend of ['wasm', 'cpu']) {
      await h.worker.evaluate((b) => (globalThis as any).camLens.useBackend(b), backend);
      maps[backend] = [];
      for (const classIndex of [0, 1]) {
        const result = (await explain(h, '#cat', { ...options, classIndex })) as ExplanationSuccess;
        if (!result.ok) throw new Error((result as unknown as { error: string }).error);
        expect(result.backend).toBe(backend);
        expect(result.layer).toBe('batch_normalization_2');
        expect(result.map).toMatchObject({ width: 32, height: 32 });
        maps[backend].push(result.map.values);
      }
      await closeOverlays(h);
    }
    await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
    for (const c of [0, 1]) expect(correlation(maps.wasm[c], maps.cpu[c]), `class ${c}`).toBeGreaterThanOrEqual(0.999);
  });

  test('a landmark regressor is refused in one sentence; ticked "It is a classifier", it installs and the panel says its scores are raw', async () => {
    const p = await openOptions();
    const before = await installedNames(p);
    const refused = await installFromForm(p, (p) => p.locator('#model-url').fill(`${h.imageOrigin}/models/regressor/model.json`));
    expect(refused).toBe('this model does not output class scores (its outputs end in no softmax or sigmoid and are not a pooled linear classifier: a regression or detection model, say), so its "classes" would mean nothing; if it is a classifier, tick "It is a classifier" and install it again');
    expect(await installedNames(p)).toEqual(before);
    const status = await installFromForm(p, async (p) => {
      await p.locator('#model-url').fill(`${h.imageOrigin}/models/regressor/model.json`);
      await p.locator('#model-classifier').check();
    });
    expect(status).toBe('Installed: regressor. It is now the active model.');
    const result = (await explain(h, '#rocket', { fresh: true })) as ExplanationSuccess;
    if (!result.ok) throw new Error((result as unknown as { error: string }).error);
    expect(result.classCount).toBe(228);
    expect(result.notes).toContain("the model's outputs are raw scores, not probabilities (it was installed as a classifier on your word): the percentages are their softmax");
  });

  test('an http:// address is refused unless it is this computer', async () => {
    const p = await openOptions();
    const status = await installFromForm(p, (p) => p.locator('#model-url').fill('http://models.example/human/liveness.json'));
    expect(status).toBe('refused: http://models.example/human/liveness.json is not encrypted (http://), so the model could be swapped on the way; use its https:// address (http:// only for this computer: localhost, 127.0.0.1)');
  });
});

/**
 * Evaluates `expression` in the page's content-script world (the extension's isolated world in the
 * top frame), as a compromised content script would run it.
 */

describe('install messages come from extension pages only', () => {
  test('a compromised content script cannot watch, cancel, start or delete installs', async () => {
    const send = (message: object) => inContentScript(h, `chrome.runtime.sendMessage(${JSON.stringify(message)}).then((r) => ({ reply: r ?? null }), (e) => ({ error: String(e) }))`);
    // The content script's world is reachable and its own messages still work (the panel asks for class names).
    expect(await send({ type: 'class-labels', modelId: 'nsfw-mobilenet-v2-mid' })).toMatchObject({ reply: { labels: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] } });

    const p = await openOptions();
    if (!(await p.locator('#add-model').evaluate((d: HTMLDetailsElement) => d.open))) await p.locator('#add-model summary').click();
    await p.locator('#model-url').fill(`${h.imageOrigin}/models/slow/${bucketPath('1.0')}/model.json?pace=400`);
    await p.locator('#model-name').fill('Slow one');
    await p.locator('#install-model').click();
    await p.waitForFunction(() => /^Downloading: /.test(document.getElementById('install-status')!.textContent ?? ''));
    // The page sees the progress; the content script gets no answer, and its Cancel does nothing.
    expect(await p.evaluate(() => chrome.runtime.sendMessage({ type: 'install-progress' }))).toMatchObject({ phase: 'download' });
    expect(await send({ type: 'install-progress' })).toEqual({ reply: null });
    expect(await send({ type: 'cancel-install' })).toEqual({ reply: null });
    expect(await send({ type: 'describe-download', id: 'imagenet-mobilenet-v1-0.25' })).toEqual({ reply: null });
    expect(await send({ type: 'install-model', source: { kind: 'auto', url: `${h.imageOrigin}/models/layers/model.json` }, form: { displayName: 'Planted' } })).toEqual({ reply: null });
    await p.waitForFunction(() => /^Installed: |could not|cancelled/.test(document.getElementById('install-status')!.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await p.locator('#install-status').textContent()).toBe('Installed: Slow one. It is now the active model.');
    const id = await p.locator('#installed-models li', { hasText: 'Slow one' }).getAttribute('data-model-id');
    expect(await send({ type: 'delete-model', id })).toEqual({ reply: null });
    await expect.poll(() => installedNames(p)).toContain('Slow one');
    expect(await installedNames(p)).not.toContain('Planted');
  });
});
