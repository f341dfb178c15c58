// "Explain all images on this page": a bounded queue in the content script, progress for the popup,
// and cancel.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { closeOverlays, overlayState, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('auto'));
  await closeOverlays(h).catch(() => undefined);
});

afterAll(async () => {
  await h?.close();
});

const tabIdOf = (h: Harness) =>
  h.worker.evaluate(async (url) => (await chrome.tabs.query({ url }))[0].id!, h.page.url());

describe('explain all images', () => {
  test('every large image gets an overlay; the missing one says why', async () => {
    const images = await h.page.locator('main img').count();
    const tabId = await tabIdOf(h);
    const progress = await h.worker.evaluate((id) => (globalThis as any).camLens.explainAll(id), tabId);
    expect(progress).toEqual({ done: images - 1, failed: 1, total: images, cancelled: false, finished: true });
    const states = (await overlayState(h)).sort();
    expect(states).toEqual([...Array(images - 1).fill('done'), 'error'].sort());
    // The popup's view of the same run.
    const status = await h.worker.evaluate((id) => (globalThis as any).camLens.status(false, id), tabId);
    expect(status.explainAll).toEqual(progress);
  });

  test('the page context menu item runs it too', async () => {
    const tabId = await tabIdOf(h);
    const progress = await h.worker.evaluate(async (id) => {
      const tab = await chrome.tabs.get(id);
      return (globalThis as any).camLens.onMenuClick({ menuItemId: 'explain-all', frameId: 0, pageUrl: tab.url, editable: false }, tab);
    }, tabId);
    expect(progress).toMatchObject({ finished: true, cancelled: false, failed: 1 });
  });

  test('cancel stops the queue and leaves no spinner behind', async () => {
    const tabId = await tabIdOf(h);
    // The CPU backend (~1 s an image) makes the run long enough to cancel half-way.
    await h.worker.evaluate(async (id) => {
      await (globalThis as any).camLens.useBackend('cpu');
      (globalThis as any).run = (globalThis as any).camLens.explainAll(id);
    }, tabId);
    await h.page.waitForSelector('[data-cam-lens="done"]', { timeout: 60_000 });
    await h.worker.evaluate((id) => chrome.tabs.sendMessage(id, { type: 'cancel-all' }), tabId);
    const progress = await h.worker.evaluate(() => (globalThis as any).run);
    expect(progress.cancelled).toBe(true);
    expect(progress.done + progress.failed).toBeLessThan(progress.total);
    await h.page.waitForTimeout(300);
    expect(await overlayState(h)).not.toContain('loading');
  });
});
