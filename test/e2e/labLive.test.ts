// Live maps in the Lab, end to end in Chromium with its synthetic webcam (a moving test pattern, the
// "--use-fake-device-for-media-stream" switch): Follow explains new frames continuously, the map
// changes as the frames change, TensorFlow.js's tensors stay flat, and nothing is explained once
// Follow is off or the video is paused. Prints the maps per second and the latency it measured.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { LiveStats } from '../../src/lab/live';
import { useHarness, type Harness } from './harness';

const h: Harness = useHarness({ extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] }, async (h) => {
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
});

const stats = (p: Page): Promise<LiveStats> => p.evaluate(() => (globalThis as any).labLive());
const mapPixels = (p: Page) => p.evaluate(() => (document.getElementById('live-map') as HTMLCanvasElement).toDataURL());
const tensors = () => h.worker.evaluate(() => (globalThis as any).camLens.memory().numTensors as number);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('Follow on the webcam: maps keep coming and change with the frames, memory flat; off or paused: no work', async () => {
  const p = await h.context.newPage();
  await p.goto(`chrome-extension://${h.extensionId}/lab.html`);
  await expect.poll(() => p.locator('#model option').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await p.locator('#live-webcam').click();
  await p.waitForFunction(() => (document.getElementById('live-video') as HTMLVideoElement).readyState >= 2, null, { timeout: 20_000 });
  await p.locator('#live-follow').check();
  await expect.poll(async () => (await stats(p)).maps, { timeout: 60_000 }).toBeGreaterThanOrEqual(10);
  expect((await stats(p)).lastError).toBeNull();
  const before = await tensors();
  const first = await mapPixels(p);
  const startCount = (await stats(p)).maps;
  const started = performance.now();
  await sleep(10_000);
  const after = await stats(p);
  const seconds = (performance.now() - started) / 1000;
  const sustained = (after.maps - startCount) / seconds;
  console.log(`Lab live (webcam, CAM, WASM): ${sustained.toFixed(1)} maps/s sustained over ${seconds.toFixed(0)} s, window ${after.mapsPerSecond.toFixed(1)} maps/s, latency ${after.latencyMs.toFixed(0)} ms; worker ${JSON.stringify(Object.fromEntries(Object.entries(after.workerMs).map(([k, v]) => [k, Math.round(v * 10) / 10])))}`);
  expect(after.maps).toBeGreaterThan(startCount);
  expect(await p.locator('#live-status').textContent()).toMatch(/maps\/s · \d+ ms from frame to map · /);
  // The synthetic camera's pattern moves: so does the map.
  expect(await mapPixels(p)).not.toBe(first);
  // Kept activations are a fixed number of recent explanations: the tensor count does not grow.
  expect(await tensors()).toBe(before);

  // Follow off: the one in flight finishes, then nothing.
  await p.locator('#live-follow').uncheck();
  await expect.poll(async () => (await stats(p)).following, { timeout: 10_000 }).toBe(false);
  const stopped = (await stats(p)).maps;
  await sleep(1500);
  expect((await stats(p)).maps).toBe(stopped);
  expect(await p.locator('#live-status').textContent()).toBe('Follow is off: no frames are explained.');

  // Paused: no work either, and Follow resumes with play.
  await p.evaluate(() => (document.getElementById('live-video') as HTMLVideoElement).pause());
  await p.locator('#live-follow').check();
  await sleep(1500);
  expect((await stats(p)).maps).toBe(stopped);
  await p.evaluate(() => (document.getElementById('live-video') as HTMLVideoElement).play());
  await expect.poll(async () => (await stats(p)).maps, { timeout: 20_000 }).toBeGreaterThan(stopped);
  await p.locator('#live-follow').uncheck();
}, 180_000);

test('a file that is not a video says so', async () => {
  const p = await h.context.newPage();
  await p.goto(`chrome-extension://${h.extensionId}/lab.html`);
  await p.locator('#live-file').setInputFiles({ name: 'clip.webm', mimeType: 'video/webm', buffer: Buffer.from('not a video at all') });
  await expect.poll(() => p.locator('#live-error').textContent(), { timeout: 10_000 }).toBe('This file is not a video the browser can play.');
}, 60_000);
