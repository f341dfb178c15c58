// Follow on a page's <video>, end to end in Chromium: the overlay's Follow button re-explains the
// newest frame while the video plays, the map drawn over the video moves with the picture, the panel
// tells the maps per second; off or paused, nothing is sent; the worker explains at most one frame per
// overlay at a time even when asked faster. The video (demo/video.html) is a canvas stream in which
// the cat walks left and right: no video file. Prints the maps per second and latency measured.
import { expect, test } from 'vitest';
import { ARTIFACTS, clickByName, explain, grab, inContentScript, meanDiff, overlaysOf, useHarness, type Harness } from './harness';
import { explainTheVideo, followReports, openMovingVideo, sleep } from './videoPage';

const h: Harness = useHarness({}, async (h) => {
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('wasm'));
});

/** The top frame's overlays, as its content script reports them (through the worker's seam). */
const overlays = () => followReports(h);
const follow = async () => (await overlays())[0].follow!;
const panel = async () => (await overlays())[0].panel;
const buttonNamed = async (name: string) => (await panel()).buttons.find((b) => b.name === name)!;
/** The map checks' buttons (the faithfulness and sanity checks, the watermark probe). */
const CHECKS = ['Check this map', 'Sanity check', 'Try a watermark'];
const movingVideo = () => openMovingVideo(h);
const explainVideo = () => explainTheVideo(h);

const setPlaying = (playing: boolean) =>
  h.page.evaluate((playing) => {
    const video = document.getElementById('video') as HTMLVideoElement;
    return playing ? video.play() : video.pause();
  }, playing);

test('Follow: maps keep coming and move with the video; the panel tells maps/s; off or paused: nothing is sent', async () => {
  const box = await movingVideo();
  await explainVideo();
  expect((await follow())).toMatchObject({ following: false, requests: 0 });

  // Only the overlay's drawn map is left in the screenshots: the video is there but transparent.
  await clickByName(h, 'Follow');
  await expect.poll(async () => (await follow()).maps, { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
  await h.page.screenshot({ path: `${ARTIFACTS}/follow-video.png` }); // for a person to look at
  await h.page.locator('#video').evaluate((v: HTMLVideoElement) => (v.style.opacity = '0'));
  const map = { x: box.x, y: box.y, width: box.width, height: box.height };
  // Two moments half a cycle apart: the cat at one side, then at the other.
  const shots = [];
  for (let i = 0; i < 2; i++) {
    const before = (await follow()).maps;
    await expect.poll(async () => (await follow()).maps, { timeout: 20_000 }).toBeGreaterThan(before + 2);
    shots.push(await grab(h, map));
    await sleep(2000);
  }
  expect(meanDiff(shots[0], shots[1])).toBeGreaterThan(3);
  await h.page.locator('#video').evaluate((v: HTMLVideoElement) => (v.style.opacity = '1'));

  // Sustained rate, measured here (the page's own window says the same); the panel says it in words.
  const start = await follow();
  const t0 = performance.now();
  await sleep(Number(process.env.FOLLOW_SECONDS ?? 10) * 1000);
  const end = await follow();
  const seconds = (performance.now() - t0) / 1000;
  const sustained = (end.maps - start.maps) / seconds;
  const worker = await h.worker.evaluate(() => (globalThis as any).camLens.lastResult()?.timingsMs);
  console.log(`Follow on a page's video (CAM, WASM): ${sustained.toFixed(1)} maps/s sustained over ${seconds.toFixed(0)} s, window ${end.mapsPerSecond.toFixed(1)} maps/s, latency ${end.latencyMs.toFixed(0)} ms; worker ${JSON.stringify(worker)}`);
  expect(end.requests - end.maps).toBeLessThanOrEqual(1); // one in flight at most, none skipped
  expect((await overlaysOf(h))[0].text).toMatch(/\d+\.\d maps\/s · \d+ ms from frame to map/);

  // Off: the request in flight comes back, then nothing more is sent.
  await clickByName(h, 'Follow');
  await expect.poll(async () => (await follow()).running, { timeout: 10_000 }).toBe(false);
  const off = (await follow()).requests;
  await sleep(1500);
  expect((await follow()).requests).toBe(off);
  expect((await overlaysOf(h))[0].text).not.toMatch(/maps\/s/);

  // Paused: Follow on sends nothing until the video plays again.
  await setPlaying(false);
  await clickByName(h, 'Follow');
  await sleep(1500);
  expect((await follow())).toMatchObject({ following: true, requests: off });
  expect((await overlaysOf(h))[0].text).toContain('Following: waits for the video to play');
  await setPlaying(true);
  await expect.poll(async () => (await follow()).maps, { timeout: 20_000 }).toBeGreaterThan(end.maps);
  // Pausing mid-way stops it again.
  await setPlaying(false);
  await expect.poll(async () => (await follow()).running, { timeout: 10_000 }).toBe(false);
  const paused = (await follow()).requests;
  await sleep(1500);
  expect((await follow()).requests).toBe(paused);

  // Closing the overlay ends Follow for good, even if the video plays on.
  await setPlaying(true);
  await h.page.keyboard.press('Escape');
  await expect.poll(async () => (await overlays()).length).toBe(0);
}, 240_000);

test('a class picked in the panel stays while following', async () => {
  await movingVideo();
  await explainVideo();
  // The second chip's class (the chips list the top classes in order), picked before Follow is on.
  const second = await h.worker.evaluate(() => (globalThis as any).camLens.lastResult().classes[1]);
  const escaped = second.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await clickByName(h, new RegExp(`^Explain class '${escaped}'`));
  await expect.poll(() => h.worker.evaluate(() => (globalThis as any).camLens.lastResult().target.index), { timeout: 30_000 }).toBe(second.index);
  await expect.poll(async () => (await overlays())[0].state, { timeout: 30_000 }).toBe('done');
  await clickByName(h, 'Follow');
  await expect.poll(async () => (await follow()).maps, { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
  const last = await h.worker.evaluate(() => (globalThis as any).camLens.lastResult());
  expect(last.target.index).toBe(second.index);
  expect((await overlaysOf(h))[0].text).toContain(`· ${second.label}`);
  await clickByName(h, 'Follow');
}, 120_000);

test('a class picked while following a paused video is explained at once, on the frame shown', async () => {
  await movingVideo();
  await explainVideo();
  await clickByName(h, 'Follow');
  await expect.poll(async () => (await follow()).maps, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  await setPlaying(false);
  await expect.poll(async () => (await follow()).running, { timeout: 10_000 }).toBe(false);
  const second = await h.worker.evaluate(() => (globalThis as any).camLens.lastResult().classes[1]);
  const escaped = second.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await clickByName(h, new RegExp(`^Explain class '${escaped}'`));
  await expect.poll(() => h.worker.evaluate(() => (globalThis as any).camLens.lastResult().target.index), { timeout: 30_000 }).toBe(second.index);
  await expect.poll(async () => (await overlaysOf(h))[0].text, { timeout: 30_000 }).toContain(`· ${second.label}`);
  expect(await follow()).toMatchObject({ following: true, running: false });
  // Playing again: the frames are explained for that class.
  const before = (await follow()).maps;
  await setPlaying(true);
  await expect.poll(async () => (await follow()).maps, { timeout: 20_000 }).toBeGreaterThan(before + 2);
  expect((await h.worker.evaluate(() => (globalThis as any).camLens.lastResult())).target.index).toBe(second.index);
  await clickByName(h, 'Follow');
}, 120_000);

test('exports name the map drawn: Save while following saves; the worker refuses a map it does not hold for the overlay', async () => {
  await movingVideo();
  await explainVideo();
  await clickByName(h, 'Follow');
  await expect.poll(async () => (await follow()).maps, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  await clickByName(h, 'Save image with heat map');
  await expect.poll(async () => (await overlaysOf(h))[0].text, { timeout: 20_000 }).toMatch(/Saved \S+\.png/);
  await setPlaying(false);
  await expect.poll(async () => (await follow()).running, { timeout: 10_000 }).toBe(false);
  const [{ id }] = await overlays();
  const drawn = await h.worker.evaluate(() => (globalThis as any).camLens.lastResult().explanationId);
  const replies = (await inContentScript(
    h,
    `(async () => {
      const look = { opacity: 0.5, colormap: 'turbo', hideNegative: true };
      const send = (explanationId) => chrome.runtime.sendMessage({ type: 'export', overlayId: ${JSON.stringify(id)}, look, explanationId });
      return [await send(${JSON.stringify(drawn)}), await send('not-drawn')];
    })()`,
  )) as { ok: boolean; error?: string }[];
  expect(replies[0].ok).toBe(true);
  expect(replies[1]).toMatchObject({ ok: false, error: expect.stringContaining('no longer knows this overlay') });
  await clickByName(h, 'Follow');
}, 120_000);

test('the worker explains one Follow frame of an overlay at a time: a frame sent while another is in flight is refused', async () => {
  await movingVideo();
  await explainVideo();
  const [{ id }] = await overlays();
  // What a compromised content script could send: three frames at once for its own overlay.
  const replies = (await inContentScript(
    h,
    `(async () => {
      const video = document.getElementById('video');
      const canvas = document.createElement('canvas');
      canvas.width = 240; canvas.height = 160;
      canvas.getContext('2d').drawImage(video, 0, 0, 240, 160);
      const dataUrl = canvas.toDataURL('image/jpeg', 0.9);
      const send = () => chrome.runtime.sendMessage({ type: 'explain', overlayId: ${JSON.stringify(id)}, source: { kind: 'dataUrl', dataUrl, originalUrl: 'x' }, follow: {} });
      return Promise.all([send(), send(), send()]);
    })()`,
  )) as { ok: boolean; error?: string }[];
  expect(replies.filter((r) => r.ok)).toHaveLength(1);
  expect(replies.filter((r) => !r.ok).map((r) => r.error)).toEqual(['busy', 'busy']);
}, 60_000);

test('the panel of a video: the title fits, Follow has its own row; while following the checks wait, and after off Check checks the map drawn', async () => {
  await movingVideo();
  await explainVideo();
  // The pointer on the panel opens it whole (the checks are in the open panel only).
  await clickByName(h, 'Follow');
  const layout = await panel();
  expect(layout.titleFits).toBe(true);
  const followButton = layout.buttons.find((b) => b.name === 'Follow')!;
  const head = layout.buttons.filter((b) => ['Save image with heat map', 'Close CAM Lens overlay'].includes(b.name));
  expect(head).toHaveLength(2);
  for (const b of [...head, { rect: layout.titleRect! }]) expect(followButton.rect.y).toBeGreaterThanOrEqual(b.rect.y + b.rect.height - 0.5);
  // Nothing else on Follow's row but its own line (not a button).
  const sameRow = layout.buttons.filter((b) => b !== followButton && b.rect.height > 0 && b.rect.y < followButton.rect.y + followButton.rect.height && b.rect.y + b.rect.height > followButton.rect.y);
  expect(sameRow).toEqual([]);

  // Following: the checks need one fixed map, so they are unavailable, and say why.
  await expect.poll(async () => (await follow()).maps, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  for (const name of CHECKS) expect(await buttonNamed(name)).toMatchObject({ disabled: true, title: 'Stop following first: a check needs one fixed map, and each new frame changes it' });
  await clickByName(h, 'Check this map'); // refused while following
  await sleep(2000);
  expect((await overlaysOf(h))[0].text).not.toMatch(/Deletion/);

  // Off after a while (an answer is usually on its way then): the checks come back, and Check checks the map drawn.
  await clickByName(h, 'Follow');
  await expect.poll(async () => (await follow()).running, { timeout: 10_000 }).toBe(false);
  for (const name of CHECKS) expect((await buttonNamed(name)).disabled).toBe(false);
  await clickByName(h, 'Check this map');
  await expect.poll(async () => (await overlaysOf(h))[0].text, { timeout: 90_000 }).toMatch(/Deletion \S+ \(random \S+\) · Insertion/);
  expect((await overlaysOf(h))[0].text).not.toContain('the map changed');
}, 180_000);

test('titles wrap on a picture overlay too: the panel of an image reports a title that fits', async () => {
  await h.page.goto(`${h.pageOrigin}/`);
  const result = await explain(h, '#cat');
  expect(result.ok).toBe(true);
  await expect.poll(async () => (await overlays())[0]?.state, { timeout: 30_000 }).toBe('done');
  expect((await panel()).titleFits).toBe(true);
}, 60_000);
