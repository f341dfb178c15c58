// "Explain all images on this page": a bounded queue in the content script, progress for the popup,
// and cancel.
import { afterEach, describe, expect, test } from 'vitest';
import { ARTIFACTS, overlayState, useHarness, type Harness, waitForOverlayIn } from './harness';

const h = useHarness();

afterEach(async () => {
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('auto'));
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

  test('its panels are one line each, and open while the pointer is on one', async () => {
    const tabId = await tabIdOf(h);
    await h.worker.evaluate((id) => (globalThis as any).camLens.explainAll(id), tabId);
    const cdp = await h.context.newCDPSession(h.page);
    const tree = async () => ((await cdp.send('Accessibility.getFullAXTree')) as { nodes: { name?: { value?: string }; backendDOMNodeId?: number }[] }).nodes;
    const chips = async () => (await tree()).filter((n) => /^Explain class '/.test(n.name?.value ?? '')).length;
    // Collapsed: titles with the top score and the buttons, no class chips.
    expect(await chips()).toBe(0);
    const saves = (await tree()).filter((n) => n.name?.value === 'Save image with heat map');
    expect(saves.length).toBe((await overlayState(h)).filter((s) => s === 'done').length);
    // Pointer on the cat's panel (the one just below the picture): its five chips appear, and only its.
    await h.page.evaluate(() => window.scrollTo(0, 0));
    await h.page.waitForTimeout(400); // panels are placed again once scrolling has settled
    const cat = (await h.page.locator('#cat').boundingBox())!;
    let opened = false;
    for (const save of saves) {
      const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: save.backendDOMNodeId! })) as { model: { content: number[] } };
      const [x, y] = [model.content[0] - 20, (model.content[1] + model.content[5]) / 2];
      if (y < cat.y + cat.height || y > cat.y + cat.height + 40 || x > cat.x + cat.width) continue;
      await h.page.mouse.move(x, y);
      await expect.poll(chips).toBe(5);
      await h.page.screenshot({ path: `${ARTIFACTS}/explain-all-panel-open.png` });
      opened = true;
      break;
    }
    expect(opened).toBe(true);
    await h.page.mouse.move(1, 1);
    await expect.poll(chips).toBe(0);
    await cdp.detach();
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
    await waitForOverlayIn(h, 'done', { timeout: 60_000 });
    await h.worker.evaluate((id) => chrome.tabs.sendMessage(id, { type: 'cancel-all' }), tabId);
    const progress = await h.worker.evaluate(() => (globalThis as any).run);
    expect(progress.cancelled).toBe(true);
    expect(progress.done + progress.failed).toBeLessThan(progress.total);
    await h.page.waitForTimeout(300);
    expect(await overlayState(h)).not.toContain('loading');
  });
});
