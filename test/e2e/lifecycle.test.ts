// The service worker's life: MV3 stops it when idle, taking the model and all state with it.
// The next explanation, and class switches on overlays drawn before the stop, must still work.
import { describe, expect, test } from 'vitest';
import type { ExplanationSuccess } from '../../src/core/messages';
import { formatProbability } from '../../src/core/scores';
import { clickByName, closeOverlays, explain, nextWorker, overlayState, setSettings, startExplanation, stopWorker, useHarness, waitForOverlayIn } from './harness';

const h = useHarness();

describe('service worker lifecycle and caching', () => {
  test('re-showing a recent explanation is instant and identical', async () => {
    const first = (await explain(h, '#cat')) as ExplanationSuccess;
    expect(first.ok).toBe(true);
    await closeOverlays(h);
    const again = (await explain(h, '#cat')) as ExplanationSuccess;
    expect(again.ok).toBe(true);
    expect(again.timingsMs.cache).toBeDefined();
    expect(again.map).toEqual(first.map);
    expect(again.classes).toEqual(first.classes);
    expect(await overlayState(h)).toEqual(['done']);
  });

  test('after the worker is stopped, the next explanation succeeds', async () => {
    const before = (await explain(h, '#coffee')) as ExplanationSuccess;
    expect(before.ok).toBe(true);
    await closeOverlays(h);
    await stopWorker(h);
    const popup = await h.context.newPage();
    await nextWorker(h, () => popup.goto(`chrome-extension://${h.extensionId}/popup.html`));
    await popup.close();
    const after = (await explain(h, '#coffee')) as ExplanationSuccess;
    expect(after.ok).toBe(true);
    // A fresh worker: nothing kept from before the stop (its right-click may have prepared this one anew), the same numbers.
    expect(after.explanationId).not.toBe(before.explanationId);
    expect(after.classes.map((c) => c.index)).toEqual(before.classes.map((c) => c.index));
    for (let i = 0; i < before.map.values.length; i++) expect(after.map.values[i]).toBeCloseTo(before.map.values[i], 3);
  });

  test('a right-click on a picture wakes a stopped worker and loads the model before the menu is chosen; on text it does not', async () => {
    expect((await explain(h, '#cat')).ok).toBe(true); // this frame's on-demand part is loaded: no load-ui message any more
    await closeOverlays(h);
    await stopWorker(h);
    // Whether the extension's worker runs, from the DevTools protocol (a stopped worker's handle never answers).
    const cdp = await h.context.newCDPSession(h.page);
    let status = 'stopped';
    cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
      for (const v of e.versions) if (v.scriptURL.startsWith(`chrome-extension://${h.extensionId}/`)) status = v.runningStatus;
    });
    await cdp.send('ServiceWorker.enable');
    await h.page.locator('h1').click({ button: 'right' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(status).toBe('stopped');
    await cdp.detach();

    const worker = await nextWorker(h, () => h.page.locator('#cat').click({ button: 'right' }));
    // No menu chosen, no popup: the model is loaded all the same, and the next explanation need not wait for it.
    await expect.poll(() => worker.evaluate(() => (globalThis as any).camLens.status().then((s: { modelLoaded: boolean }) => s.modelLoaded)), { timeout: 30_000 }).toBe(true);
    const after = (await explain(h, '#cat')) as ExplanationSuccess;
    expect(after.ok).toBe(true);
    // The right-click prepared the map itself (below): the menu's request found it computed.
    expect(after.timingsMs.cache).toBeDefined();
    await closeOverlays(h);
  });

  test('a trusted right-click on an <img> prepares its map while the menu is open; a page-made one does not', async () => {
    /** A picture at an address no earlier test explained (the worker caches results by address). */
    const freshPicture = (tag: string) =>
      h.page.evaluate(async ([origin, tag]) => {
        document.getElementById('prepared')?.remove();
        const img = Object.assign(document.createElement('img'), { id: 'prepared', src: `${origin}/fixtures/chelsea.png?prepared=${tag}-${Date.now()}`, width: 240, height: 160 });
        document.querySelector('main')!.prepend(img);
        await img.decode();
      }, [h.imageOrigin, tag] as const);
    const seamMenuClick = async () =>
      h.worker.evaluate(async ({ pageUrl, srcUrl }) => {
        const [tab] = await chrome.tabs.query({ url: pageUrl });
        return (globalThis as any).camLens.onMenuClick({ menuItemId: 'explain-image', srcUrl, frameId: 0, pageUrl, editable: false }, tab);
      }, { pageUrl: h.page.url(), srcUrl: await h.page.locator('#prepared').evaluate((img: HTMLImageElement) => img.currentSrc) });

    await freshPicture('trusted');
    await h.page.locator('#prepared').click({ button: 'right' });
    await new Promise((r) => setTimeout(r, 2000)); // a person reading the menu
    const prepared = (await seamMenuClick()) as ExplanationSuccess;
    expect(prepared.ok).toBe(true);
    expect(prepared.timingsMs.cache).toBeDefined(); // computed before the menu was chosen
    // Prepared for this frame: the overlay's class switch reuses its activations.
    const other = prepared.classes.find((c) => c.index !== prepared.target.index)!;
    const switched = await h.worker.evaluate(([index, id]) => (globalThis as any).camLens.explainClass(index, id), [other.index, prepared.explanationId] as const);
    expect(switched.ok).toBe(true);
    expect(switched.timingsMs.inference).toBeUndefined(); // no new forward pass
    await closeOverlays(h);

    await freshPicture('page-made');
    const preparations = () => h.worker.evaluate(() => (globalThis as any).camLens.preparations().count as number);
    const before = await preparations();
    await h.page.locator('#prepared').evaluate((img) => img.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, button: 2 })));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await preparations()).toBe(before);
    await h.page.locator('#prepared').click({ button: 'right' });
    await expect.poll(preparations).toBe(before + 1);
    await h.page.keyboard.press('Escape');

    // Switched off in Settings: a trusted right-click prepares nothing either.
    await setSettings(h, { prepareOnRightClick: false });
    try {
      await freshPicture('switched-off');
      await h.page.locator('#prepared').click({ button: 'right' });
      await new Promise((r) => setTimeout(r, 1500));
      const off = (await seamMenuClick()) as ExplanationSuccess;
      expect(off.ok).toBe(true);
      expect(off.timingsMs.cache ?? off.timingsMs.joined).toBeUndefined();
      expect(off.timingsMs.inference).toBeGreaterThan(0);
    } finally {
      await setSettings(h, { prepareOnRightClick: true });
    }
    await closeOverlays(h);
  });

  test('a worker stopped mid-explanation: the overlay asks again and still gets its map', async () => {
    // The CPU backend (a reload plus ~1 s an image) leaves time to stop the worker mid-way.
    await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('cpu'));
    await startExplanation(h, '#astronaut', { fresh: true });
    await waitForOverlayIn(h, 'loading');
    await stopWorker(h);
    // The content script's heartbeat finds the worker gone and sends the request again.
    await waitForOverlayIn(h, 'done', { timeout: 30_000 });
    expect(await overlayState(h)).toEqual(['done']);
    h.worker = h.context.serviceWorkers()[0];
  });

  test('an overlay drawn before the stop still switches class afterwards', async () => {
    const first = (await explain(h, '#cat')) as ExplanationSuccess;
    expect(first.ok).toBe(true);
    await stopWorker(h);
    // The panel's chip click sends a message, which restarts the worker; the image is explained afresh.
    const second = first.classes[1];
    await nextWorker(h, () => clickByName(h, `Explain class '${second.label}', ${formatProbability(second.probability)}`));
    // The overlay still says "done" from before until the switch starts: wait for the new result itself.
    const lastTarget = () => h.worker.evaluate(() => {
      const last = (globalThis as any).camLens.lastResult();
      return last?.ok ? (last.target.index as number) : null;
    });
    await expect.poll(async () => [null, first.target.index].includes(await lastTarget()), { timeout: 30_000 }).toBe(false);
    await waitForOverlayIn(h, 'done', { timeout: 30_000 });
  });
});
