// "A tab in the background does no work": Follow on the demo's video, then another tab in front.
// Playwright's focus emulation keeps every tab shown, so this browser is launched with real
// visibility (scripts/browser.mjs realVisibility): the video's tab is then really hidden.
import { expect, test } from 'vitest';
import { clickByName, useHarness, type Harness } from './harness';
import { explainTheVideo, followReports, openMovingVideo, sleep } from './videoPage';

const h: Harness = useHarness({ realVisibility: true }, async (h) => {
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
});

const follow = async () => (await followReports(h))[0].follow!;

test('Follow in a tab behind another: no frame is sent while it is hidden; in front again, the maps come again', async () => {
  await openMovingVideo(h);
  await explainTheVideo(h);
  await clickByName(h, 'Follow');
  await expect.poll(async () => (await follow()).maps, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);

  const other = await h.context.newPage();
  await other.bringToFront();
  await expect.poll(() => h.page.evaluate(() => document.visibilityState)).toBe('hidden');
  // The request in flight comes back; then nothing more is sent.
  await expect.poll(async () => (await follow()).running, { timeout: 10_000 }).toBe(false);
  const hidden = await follow();
  await sleep(2500);
  expect(await follow()).toMatchObject({ following: true, requests: hidden.requests, maps: hidden.maps });

  await h.page.bringToFront();
  await expect.poll(() => h.page.evaluate(() => document.visibilityState)).toBe('visible');
  await expect.poll(async () => (await follow()).maps, { timeout: 20_000 }).toBeGreaterThan(hidden.maps + 2);
  console.log(`Follow hidden for 2.5 s: ${hidden.requests} requests before and after; shown again: ${(await follow()).maps - hidden.maps} more maps`);
  await other.close();
  await clickByName(h, 'Follow');
}, 120_000);
