// The Lab, end to end in Chromium: a picked file compared across methods × layers, each cell the same
// map the overlay computes for the same settings; the pointed pixel marked in every cell; contrastive
// maps equal to the difference of the two classes' CAMs (exact for CAM); the difference of two cells;
// the JSON export; clear messages for a file that is not a picture and an address that answers 404.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExplanationSuccess } from '../../src/core/messages';
import { clickByName, explain, inContentScript, ROOT, useHarness, type Harness } from './harness';

const h: Harness = useHarness({}, async (h) => {
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
});

const CHELSEA = path.join(ROOT, 'test/fixtures/chelsea.png');
let lab: Page;

async function openLab(): Promise<Page> {
  lab ??= await h.context.newPage();
  await lab.goto(`chrome-extension://${h.extensionId}/lab.html`);
  await expect.poll(() => lab.locator('#model option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  return lab;
}

async function pickChelsea(p: Page): Promise<void> {
  await p.locator('#file').setInputFiles(CHELSEA);
  await p.waitForSelector('#picture:not([hidden])');
  // The first explanation names the top classes: the class menu leads with them.
  await expect.poll(() => p.locator('#class option').count(), { timeout: 60_000 }).toBeGreaterThan(5);
}

async function compare(p: Page, cells: number): Promise<ExplanationSuccess[]> {
  await p.locator('#run').click();
  await expect.poll(() => p.locator('#run-status').textContent(), { timeout: 240_000, interval: 500 }).toMatch(new RegExp(`^${cells} cells in [\\d.]+ s\\.$`));
  console.log(`Lab: ${await p.locator('#run-status').textContent()}`);
  return p.evaluate(() => (globalThis as any).labCells());
}

const maxAbsDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
const peak = (a: number[]) => Math.max(...a.map(Math.abs));

test('methods × layers: every cell is the overlay’s map for the same settings; the pointed pixel is marked in all', async () => {
  const p = await openLab();
  await pickChelsea(p);
  const layers = await p.locator('#columns-pick option:checked').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(layers).toHaveLength(3);
  const cells = await compare(p, 7 * 3);
  // CAM applies only at the pooled layer: the two deeper-inside CAM cells say so; the other 19 are maps.
  expect(cells).toHaveLength(19);
  const failed = await p.locator('figure.cell.failed figcaption').allTextContents();
  expect(failed).toHaveLength(2);
  for (const text of failed) expect(text).toMatch(/CAM/);
  expect(new Set(cells.map((c) => c.layer)).size).toBe(3);
  const sizes = [...new Set(cells.map((c) => `${c.map.width}×${c.map.height}`))];
  expect(sizes).toEqual(['7×7', '14×14', '28×28']);

  // The same picture right-clicked on the demo page: identical maps (CAM at the model's layer, Grad-CAM at the 14×14 one).
  const camCell = cells.find((c) => c.method === 'cam')!;
  const overlayCam = (await explain(h, '#cat', { method: 'cam' })) as ExplanationSuccess;
  expect(overlayCam.ok).toBe(true);
  expect(overlayCam.target.index).toBe(camCell.target.index);
  expect(maxAbsDiff(overlayCam.map.values, camCell.map.values)).toBeLessThanOrEqual(1e-6 * peak(camCell.map.values));
  const gradCell = cells.find((c) => c.method === 'gradcam' && c.map.width === 14)!;
  const overlayGrad = (await explain(h, '#cat', { method: 'gradcam', layer: gradCell.layer })) as ExplanationSuccess;
  expect(overlayGrad.layer).toBe(gradCell.layer);
  expect(maxAbsDiff(overlayGrad.map.values, gradCell.map.values)).toBeLessThanOrEqual(1e-5 * peak(gradCell.map.values));

  // Pointing at one cell marks the same pixel in every computed cell, with its value.
  const first = p.locator('figure.cell:not(.failed) canvas').first();
  await first.scrollIntoViewIfNeeded();
  const box = (await first.boundingBox())!;
  await p.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  await expect.poll(() => p.locator('figure.cell .marker:not([hidden])').count()).toBe(19);
  const values = await p.locator('figure.cell:not(.failed) .value').allTextContents();
  expect(values).toHaveLength(19);
  for (const v of values) expect(v).toMatch(/^at \(\d+, \d+\): -?[\d.e+-]+ \(-?[\d.]+ of the peak\)$/);
  const points = new Set(values.map((v) => v.slice(0, v.indexOf(':'))));
  expect(points.size).toBe(1);

  // The difference of two cells, and the JSON export with every raw map.
  await p.locator('#diff').click();
  await p.waitForSelector('#difference:not([hidden])');
  expect(await p.locator('#difference-caption').textContent()).toMatch(/minus/);
  const [download] = await Promise.all([p.waitForEvent('download'), p.locator('#export-json').click()]);
  const json = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(json.format).toBe('cam-lens-lab/1');
  expect(json.image).toEqual({ origin: 'chelsea.png', width: 451, height: 300 });
  expect(json.cells).toHaveLength(19);
  expect(json.cells[0].map.values).toHaveLength(json.cells[0].map.width * json.cells[0].map.height);
  const [png] = await Promise.all([p.waitForEvent('download'), p.locator('#export-png').click()]);
  expect(readFileSync((await png.path())!).subarray(1, 4).toString()).toBe('PNG');
}, 300_000);

test('contrastive maps: CAM of w^c − w^c′ equals the difference of the two CAMs; Grad-CAM keeps both signs; Eigen-CAM says it has none', async () => {
  const p = await openLab();
  await pickChelsea(p);
  for (const box of await p.locator('#methods input').all()) await box.setChecked(['cam', 'gradcam', 'eigencam'].includes(await box.inputValue()));
  const automatic = await p.locator('#columns-pick option').first().getAttribute('value');
  await p.locator('#columns-pick').selectOption([automatic!]);
  const classes = await p.locator('#class option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  const [top, second] = classes.slice(1, 3).map(Number);
  await p.locator('#contrast').selectOption(String(second));
  const cells = await compare(p, 3);
  expect(cells.map((c) => c.method)).toEqual(['cam', 'gradcam']);
  for (const c of cells) expect(c.contrast?.index).toBe(second);
  expect(await p.locator('figure.cell.failed figcaption').textContent()).toMatch(/Eigen-CAM has no contrastive form/);

  const camOf = async (classIndex: number) => ((await explain(h, '#cat', { method: 'cam', classIndex })) as ExplanationSuccess).map.values;
  const [a, b] = [await camOf(top), await camOf(second)];
  const expected = a.map((v, i) => v - b[i]);
  expect(maxAbsDiff(cells[0].map.values, expected)).toBeLessThanOrEqual(1e-4 * peak(expected));
  const grad = cells[1].map.values;
  expect(Math.min(...grad)).toBeLessThan(0);
  expect(Math.max(...grad)).toBeGreaterThan(0);
}, 300_000);

test('columns of classes (the top three, one class each) and of models (each with its own top class)', async () => {
  const p = await openLab();
  await pickChelsea(p);
  for (const box of await p.locator('#methods input').all()) await box.setChecked((await box.inputValue()) === 'gradcam');
  await p.locator('input[name="columns"][value="classes"]').check();
  expect(await p.locator('#class').isDisabled()).toBe(true);
  const byClass = await compare(p, 3);
  const top = await p.locator('#columns-pick option:checked').evaluateAll((o) => o.map((x) => Number((x as HTMLOptionElement).value)));
  expect(byClass.map((c) => c.target.index)).toEqual(top);
  expect(new Set(byClass.map((c) => c.target.index)).size).toBe(3);

  await p.locator('input[name="columns"][value="models"]').check();
  const models = await p.locator('#columns-pick option:checked').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
  expect(models).toHaveLength(2);
  const byModel = await compare(p, 2);
  expect(byModel.map((c) => c.modelId)).toEqual(models);
  expect(new Set(byModel.map((c) => c.modelName)).size).toBe(2);
}, 300_000);

test('"Lab" in an overlay\'s panel opens the Lab beside the page with that picture, model, class and method, and compares at once', async () => {
  const shown = (await explain(h, '#cat', { method: 'gradcam' })) as ExplanationSuccess;
  expect(shown.ok).toBe(true);
  const [tab] = await Promise.all([h.context.waitForEvent('page'), clickByName(h, 'Open this picture in the Lab')]);
  await expect.poll(() => tab.url(), { timeout: 20_000 }).toMatch(/\/lab\.html$/);
  await expect.poll(() => tab.locator('#run-status').textContent(), { timeout: 240_000, interval: 500 }).toMatch(/^21 cells in [\d.]+ s\.$/);
  expect(await tab.locator('#picture-origin').textContent()).toMatch(/fixtures\/chelsea\.png · 451×300 px From the page's overlay: .+, Drawing, Grad-CAM\.$/);
  expect(await tab.locator('#class').inputValue()).toBe(String(shown.target.index));
  const cells: ExplanationSuccess[] = await tab.evaluate(() => (globalThis as any).labCells());
  const same = cells.find((c) => c.method === 'gradcam' && c.layer === shown.layer)!;
  expect(same.target.index).toBe(shown.target.index);
  expect(maxAbsDiff(same.map.values, shown.map.values)).toBeLessThanOrEqual(1e-6 * peak(shown.map.values));
  // The hand-over is read once: the same address again says so.
  await tab.goto(`${tab.url()}#from=again`);
  await tab.reload();
  await expect.poll(() => tab.locator('#picture-error').textContent(), { timeout: 20_000 }).toMatch(/^The picture handed over is gone/);
  await tab.close();
}, 300_000);

test('a compromised content script gets nothing from the Lab\'s messages, cannot open the Lab for an overlay it does not have, nor five Labs at once', async () => {
  const send = (message: object) => inContentScript(h, `chrome.runtime.sendMessage(${JSON.stringify(message)}).then((r) => ({ reply: r ?? null }), (e) => ({ error: String(e) }))`);
  const png = `data:image/png;base64,${readFileSync(CHELSEA).toString('base64')}`;
  expect(await send({ type: 'lab-explain', image: { kind: 'dataUrl', dataUrl: png }, modelId: 'nsfw-mobilenet-v2-mid', method: 'cam' })).toEqual({ reply: null });
  expect(await send({ type: 'lab-layers', modelId: 'nsfw-mobilenet-v2-mid' })).toEqual({ reply: null });
  expect(await send({ type: 'lab-handoff', id: 'guess' })).toEqual({ reply: null });
  const pages = h.context.pages().length;
  expect(await send({ type: 'open-in-lab', overlayId: 'not-mine' })).toMatchObject({ reply: { ok: false } });
  expect(h.context.pages().length).toBe(pages);
  // For an overlay it has, asked five times at once: one Lab opens, not five.
  expect((await explain(h, '#cat')).ok).toBe(true);
  const before = new Set(h.context.pages());
  const [{ id }] = await h.worker.evaluate(async (url) => (globalThis as any).camLens.overlays((await chrome.tabs.query({ url }))[0].id), h.page.url());
  const replies = (await inContentScript(
    h,
    `Promise.all(Array.from({ length: 5 }, () => chrome.runtime.sendMessage(${JSON.stringify({ type: 'open-in-lab', overlayId: id })})))`,
  )) as { ok: boolean; error?: string }[];
  expect(replies.filter((r) => r.ok).length).toBe(1);
  for (const r of replies.filter((r) => !r.ok)) expect(r.error).toBe('The Lab could not be opened: a Lab was opened from this tab a moment ago');
  await expect.poll(() => h.context.pages().length).toBe(pages + 1);
  await h.page.waitForTimeout(500);
  expect(h.context.pages().length).toBe(pages + 1);
  await Promise.all(h.context.pages().filter((p) => !before.has(p)).map((p) => p.close()));
}, 90_000);

test('bad input: a file that is not a picture, an address that answers 404, comparing before a picture', async () => {
  const p = await openLab();
  await p.locator('#run').click();
  await expect.poll(() => p.locator('#run-error').textContent()).toBe('Choose a picture first.');
  await p.locator('#file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
  await expect.poll(() => p.locator('#picture-error').textContent()).toBe('This is not a picture the browser can show.');
  await p.locator('#url').fill(`${h.imageOrigin}/fixtures/missing.png`);
  await p.locator('#url-form button').click();
  await expect.poll(() => p.locator('#picture-error').textContent()).toMatch(/^The server answered HTTP 404/);
  // A working address: the picture loads and says where it came from.
  await p.locator('#url').fill(`${h.imageOrigin}/fixtures/coffee.png`);
  await p.locator('#url-form button').click();
  await expect.poll(() => p.locator('#picture-origin').textContent()).toMatch(/coffee\.png/);
  expect(await p.locator('#picture-error').isHidden()).toBe(true);
}, 120_000);
