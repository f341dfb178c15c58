// "Explain all images on this page": a bounded queue in the content script, progress for the popup,
// and cancel.
import { afterEach, describe, expect, test } from 'vitest';
import type { CDPSession } from 'playwright-core';
import { ARTIFACTS, overlayState, useHarness, type Harness, type Rect, waitForOverlayIn } from './harness';

const h = useHarness();

afterEach(async () => {
  await h.worker.evaluate(() => (globalThis as any).camLens.useBackend('auto'));
});

const tabIdOf = (h: Harness) =>
  h.worker.evaluate(async (url) => (await chrome.tabs.query({ url }))[0].id!, h.page.url());

/** Each overlay's panel and map boxes (viewport px, border boxes), read through the DevTools protocol (closed shadow roots). */
async function panelsAndMaps(cdp: CDPSession): Promise<{ panel: Rect; map: Rect }[]> {
  type Node = { nodeName: string; backendNodeId: number; attributes?: string[]; children?: Node[]; shadowRoots?: Node[] };
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: Node };
  const attr = (n: Node, name: string) => {
    const a = n.attributes ?? [];
    for (let i = 0; i < a.length; i += 2) if (a[i] === name) return a[i + 1];
    return undefined;
  };
  const inside = (n: Node): Node[] => [...(n.shadowRoots ?? []), ...(n.children ?? [])];
  const all = (n: Node): Node[] => [n, ...inside(n).flatMap(all)];
  const box = async (n: Node): Promise<Rect> => {
    const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: n.backendNodeId })) as { model: { border: number[] } };
    const xs = [0, 2, 4, 6].map((i) => model.border[i]);
    const ys = [1, 3, 5, 7].map((i) => model.border[i]);
    return { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
  };
  const hasClass = (n: Node, c: string) => (attr(n, 'class') ?? '').split(' ').includes(c);
  const found: { panel: Rect; map: Rect }[] = [];
  for (const host of all(root).filter((n) => attr(n, 'data-cam-lens') !== undefined)) {
    const parts = inside(host).flatMap(all);
    const panel = parts.find((n) => hasClass(n, 'panel'));
    const map = parts.find((n) => n.nodeName === 'CANVAS' && hasClass(n, 'map'));
    // The map as seen: its frame clips it (object-fit: cover draws the picture past the element).
    const frame = parts.find((n) => hasClass(n, 'frame'));
    if (panel && map && frame) found.push({ panel: await box(panel), map: clipTo(await box(map), await box(frame)) });
  }
  return found;
}

function clipTo(r: Rect, to: Rect): Rect {
  const x = Math.max(r.x, to.x);
  const y = Math.max(r.y, to.y);
  return { x, y, width: Math.max(0, Math.min(r.x + r.width, to.x + to.width) - x), height: Math.max(0, Math.min(r.y + r.height, to.y + to.height) - y) };
}

const overlapArea = (a: Rect, b: Rect) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

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

  test("no panel covers another overlay's map until hovered; hover opens one; a dragged panel stays", async () => {
    const tabId = await tabIdOf(h);
    await h.worker.evaluate((id) => (globalThis as any).camLens.explainAll(id), tabId);
    const cdp = await h.context.newCDPSession(h.page);
    await h.page.mouse.move(1, 1); // on no picture and no panel
    const worst = async () => {
      const seen = await panelsAndMaps(cdp);
      let max = 0;
      let panelOverPanel = 0;
      for (const [i, a] of seen.entries()) {
        for (const [j, b] of seen.entries()) {
          const share = i !== j && b.map.width * b.map.height > 0 ? overlapArea(a.panel, b.map) / (b.map.width * b.map.height) : 0;
          max = Math.max(max, share);
          // Two panels in one gap hide each other's words: the share of the smaller one covered.
          const smaller = Math.min(a.panel.width * a.panel.height, b.panel.width * b.panel.height);
          if (i < j && smaller > 0) panelOverPanel = Math.max(panelOverPanel, overlapArea(a.panel, b.panel) / smaller);
        }
      }
      return { count: seen.length, max, panelOverPanel };
    };
    // At every scroll position (panels are placed in the viewport, once scrolling has settled).
    const images = await h.page.locator('main img').count();
    const height = await h.page.evaluate(() => document.documentElement.scrollHeight - innerHeight);
    for (const y of [0, height / 2, height]) {
      await h.page.evaluate((top) => window.scrollTo(0, top), y);
      await h.page.waitForTimeout(400);
      const { count, max, panelOverPanel } = await worst();
      expect(count).toBe(images);
      expect(max, `at scroll ${y}`).toBeLessThanOrEqual(0.05);
      expect(panelOverPanel, `panels over panels at scroll ${y}`).toBeLessThanOrEqual(0.05);
    }
    await h.page.screenshot({ path: `${ARTIFACTS}/explain-all-compact.png` });

    // Pointer on a picture: its panel opens (its class chips appear).
    await h.page.evaluate(() => window.scrollTo(0, 0));
    await h.page.waitForTimeout(400);
    const tree = async () => ((await cdp.send('Accessibility.getFullAXTree')) as { nodes: { name?: { value?: string }; backendDOMNodeId?: number }[] }).nodes;
    const chips = async () => (await tree()).filter((n) => /^Explain class '/.test(n.name?.value ?? '')).length;
    expect(await chips()).toBe(0);
    const cat = (await h.page.locator('#cat').boundingBox())!;
    await h.page.mouse.move(cat.x + cat.width / 2, cat.y + cat.height / 2);
    await expect.poll(chips).toBe(5);
    await h.page.mouse.move(1, 1);
    await expect.poll(chips).toBe(0);

    // Drag the cat's panel by its grip (the grip nearest the cat): it moves with the pointer and stays there.
    const grips = (await tree()).filter((n) => n.name?.value === 'Move panel (drag, or arrow keys)');
    expect(grips.length).toBe(images);
    const centre = async (id: number) => {
      const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: id })) as { model: { content: number[] } };
      return { x: (model.content[0] + model.content[4]) / 2, y: (model.content[1] + model.content[5]) / 2 };
    };
    const centres = await Promise.all(grips.map((g) => centre(g.backendDOMNodeId!)));
    const distance = (p: { x: number; y: number }) => Math.hypot(p.x - (cat.x + cat.width / 2), p.y - (cat.y + cat.height / 2));
    const nearest = centres.indexOf(centres.reduce((a, b) => (distance(a) <= distance(b) ? a : b)));
    // Keyboard focus opens the cat's panel in full: placed again, it still keeps off the other maps.
    await cdp.send('DOM.focus', { backendNodeId: grips[nearest].backendDOMNodeId! });
    await expect.poll(chips).toBe(5);
    await h.page.waitForTimeout(100); // placed again on the next frame
    expect((await worst()).max).toBeLessThanOrEqual(0.05);
    await h.page.screenshot({ path: `${ARTIFACTS}/explain-all-focused.png` });
    const from = await centre(grips[nearest].backendDOMNodeId!);
    await h.page.mouse.move(from.x, from.y);
    await h.page.mouse.down();
    await h.page.mouse.move(from.x + 60, from.y + 40, { steps: 5 });
    await h.page.mouse.up();
    await h.page.mouse.move(1, 1);
    const moved = await centre(grips[nearest].backendDOMNodeId!);
    expect(moved.x).toBeCloseTo(from.x + 60, 0);
    expect(moved.y).toBeCloseTo(from.y + 40, 0);
    // Panels are placed again once scrolling settles: the dragged one keeps its place by its picture.
    await h.page.evaluate(() => window.scrollBy(0, 30));
    await h.page.waitForTimeout(400);
    await h.page.evaluate(() => window.scrollBy(0, -30));
    await h.page.waitForTimeout(400);
    const after = await centre(grips[nearest].backendDOMNodeId!);
    expect(after.x).toBeCloseTo(from.x + 60, 0);
    expect(after.y).toBeCloseTo(from.y + 40, 0);
    // The keyboard moves it too: the grip focused, a real arrow key press is 10 px.
    await cdp.send('DOM.focus', { backendNodeId: grips[nearest].backendDOMNodeId! });
    await h.page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await centre(grips[nearest].backendDOMNodeId!)).x).toBeCloseTo(from.x + 70, 0);
    expect((await centre(grips[nearest].backendDOMNodeId!)).y).toBeCloseTo(from.y + 40, 0);
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
