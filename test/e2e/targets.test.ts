// Every kind of picture a page shows: each is explained from the right pixels, by the right route,
// with the overlay exactly over it.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Frame } from 'playwright-core';
import { PNG } from 'pngjs';
import type { ExplanationSuccess } from '../../src/core/messages';
import { closeOverlays, grab, meanDiff, startHarness, type Harness, type Rect } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.page.goto(`${h.pageOrigin}/demo/targets.html?images=${encodeURIComponent(h.imageOrigin)}`);
  await h.page.waitForLoadState('load');
  await h.page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).readyState >= 2);
});

afterEach(async () => {
  for (const frame of h.page.frames()) await frame.evaluate(() => window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))).catch(() => undefined);
  await closeOverlays(h).catch(() => undefined);
});

afterAll(async () => {
  await h?.close();
});

/** The frame id the extension APIs use for a Playwright frame. */
async function frameIdOf(frame: Frame): Promise<number> {
  if (frame === h.page.mainFrame()) return 0;
  const url = frame.url();
  return h.worker.evaluate(async ({ pageUrl, url }) => {
    const [tab] = await chrome.tabs.query({ url: pageUrl });
    const results = await chrome.scripting.executeScript({ target: { tabId: tab.id!, allFrames: true }, func: () => location.href });
    return results.find((r) => r.result === url)!.frameId;
  }, { pageUrl: h.page.url(), url });
}

/** Right-click the element (real event), run the menu handler for that frame, return result + overlay vs expected box. */
async function explainIn(frame: Frame, selector: string, menuItemId = 'explain-image', box: 'content' | 'padding' = 'content') {
  const element = frame.locator(selector);
  await element.scrollIntoViewIfNeeded();
  await element.click({ button: 'right', position: { x: 30, y: 30 }, force: true });
  const frameId = await frameIdOf(frame);
  const result = (await h.worker.evaluate(
    async ({ pageUrl, frameId, menuItemId }) => {
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      return (globalThis as any).camLens.onMenuClick({ menuItemId, frameId, pageUrl, editable: false }, tab, { fresh: true });
    },
    { pageUrl: h.page.url(), frameId, menuItemId },
  )) as ExplanationSuccess;
  const expected: Rect = await element.evaluate((el, box) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    const n = (v: string) => parseFloat(v) || 0;
    const pad = box === 'content';
    const l = n(cs.borderLeftWidth) + (pad ? n(cs.paddingLeft) : 0);
    const t = n(cs.borderTopWidth) + (pad ? n(cs.paddingTop) : 0);
    const rr = n(cs.borderRightWidth) + (pad ? n(cs.paddingRight) : 0);
    const b = n(cs.borderBottomWidth) + (pad ? n(cs.paddingBottom) : 0);
    return { x: r.left + l, y: r.top + t, width: r.width - l - rr, height: r.height - t - b };
  }, box);
  const overlay = await frame.locator('[data-cam-lens]').first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height, state: el.getAttribute('data-cam-lens') };
  });
  return { result, expected, overlay };
}

function expectOver(overlay: Rect, expected: Rect): void {
  for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(overlay[k] - expected[k]), k).toBeLessThanOrEqual(1);
}

describe('every kind of picture', () => {
  test.each([
    { name: 'CSS background (cover), padding box', selector: '#bg', menu: 'explain-here', source: 'fetch', image: { width: 600, height: 400 }, box: 'padding' as const },
    { name: 'image under a transparent link', selector: '#covered', menu: 'explain-image', source: 'fetch', image: { width: 640, height: 427 } },
    { name: '2D canvas', selector: '#canvas2d', menu: 'explain-here', source: 'page', image: { width: 451, height: 300 } },
    { name: 'canvas tainted by a cross-origin image', selector: '#tainted', menu: 'explain-here', source: 'screenshot' },
    { name: 'WebGL canvas that reads back blank', selector: '#webgl', menu: 'explain-here', source: 'screenshot' },
    { name: 'video frame', selector: '#video', menu: 'explain-image', source: 'page', image: { width: 451, height: 300 } },
    { name: '<img> of an SVG', selector: '#svg', menu: 'explain-image', source: 'page', image: { width: 240, height: 160 } },
    { name: 'SVG <image>', selector: '#svg-image', menu: 'explain-image', source: 'fetch', image: { width: 512, height: 512 } },
    { name: 'lazy image with data-src', selector: '#lazy', menu: 'explain-image', source: 'fetch', image: { width: 500, height: 500 } },
  ])('$name', async ({ selector, menu, source, image, box }) => {
    const { result, expected, overlay } = await explainIn(h.page.mainFrame(), selector, menu, box);
    if (!result.ok) throw new Error((result as any).error);
    expect(result.source).toBe(source);
    if (image) expect(result.image).toEqual(image);
    expect(overlay.state).toBe('done');
    expectOver(overlay, expected);
  });

  test('an image inside an open shadow root', async () => {
    await h.page.locator('#shadow-host').scrollIntoViewIfNeeded();
    const host = await h.page.locator('#shadow-host').boundingBox();
    await h.page.mouse.click(host!.x + 40, host!.y + 40, { button: 'right' });
    const result = (await h.worker.evaluate(async (pageUrl) => {
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      return (globalThis as any).camLens.onMenuClick({ menuItemId: 'explain-image', frameId: 0, pageUrl, editable: false }, tab, { fresh: true });
    }, h.page.url())) as ExplanationSuccess;
    expect(result.ok && result.image).toEqual({ width: 451, height: 300 });
  });

  test('images in same-origin and cross-origin iframes, answered in their own frame', async () => {
    for (const id of ['#same-frame', '#cross-frame']) {
      const frame = (await (await h.page.$(id))!.contentFrame())!;
      const { result, expected, overlay } = await explainIn(frame, '#framed');
      if (!result.ok) throw new Error((result as any).error);
      expect(result.image).toEqual({ width: 451, height: 300 });
      expect(overlay.state).toBe('done');
      expectOver(overlay, expected);
      expect(await h.page.locator('[data-cam-lens]').count()).toBe(0);
    }
  });

  test('a screenshot inside a cross-origin iframe is cropped at the right place', async () => {
    const frame = (await (await h.page.$('#cross-frame'))!.contentFrame())!;
    const { result, expected, overlay } = await explainIn(frame, '#framed-webgl', 'explain-here');
    if (!result.ok) throw new Error((result as any).error);
    expect(result.source).toBe('screenshot');
    expect(overlay.state).toBe('done');
    expectOver(overlay, expected);
    // The WebGL canvas is cleared to rgb(51, 128, 217): a crop at the wrong place would show the cat or the page.
    expect(result.region).toMatchObject({ width: 300, height: 60 });
    expect(result.image).toEqual({ width: 300, height: 60 });
    const dataUrl = await h.worker.evaluate((id) => (globalThis as any).camLens.capturedPixels(id), result.explanationId);
    const crop = PNG.sync.read(Buffer.from(dataUrl.split(',')[1], 'base64'));
    for (const [x, y] of [[5, 5], [150, 30], [294, 54]]) {
      const i = (y * crop.width + x) * 4;
      expect([crop.data[i], crop.data[i + 1], crop.data[i + 2]], `${x},${y}`).toEqual([51, 128, 217]);
    }
  });
});

describe('hostile pages', () => {
  test('page CSS aimed at the overlay neither hides nor distorts it', async () => {
    await h.page.addStyleTag({
      content: `[data-cam-lens], html > div { display: none !important; opacity: 0 !important; transform: scale(0.2) !important; filter: blur(9px) !important; z-index: -1 !important; }
        canvas { opacity: 0 !important; } * { pointer-events: auto !important; }`,
    });
    const { result, expected, overlay } = await explainIn(h.page.mainFrame(), '#covered');
    expect(result.ok).toBe(true);
    expect(overlay.state).toBe('done');
    expectOver(overlay, expected);
    const style = await h.page.locator('[data-cam-lens]').evaluate((el) => {
      const cs = getComputedStyle(el);
      return { display: cs.display, opacity: cs.opacity, transform: cs.transform, filter: cs.filter, pointerEvents: cs.pointerEvents };
    });
    expect(style).toEqual({ display: 'block', opacity: '1', transform: 'none', filter: 'none', pointerEvents: 'none' });
  });

  test('page scripts have no way to reach the extension', async () => {
    // No externally_connectable: the page's main world gets no chrome.runtime messaging.
    const reachable = await h.page.evaluate(() => typeof (globalThis as any).chrome?.runtime?.sendMessage);
    expect(reachable).toBe('undefined');
    // The overlay's contents are in a closed shadow root: the page sees only the host and its state.
    await explainIn(h.page.mainFrame(), '#covered');
    const exposed = await h.page.locator('[data-cam-lens]').evaluate((el) => ({ shadow: el.shadowRoot, children: el.children.length, attributes: el.getAttributeNames().sort() }));
    // Only the state (and the overlay's own language, styles and top-layer popover flag) is visible to the page.
    expect(exposed.shadow).toBeNull();
    expect(exposed.children).toBe(0);
    expect(exposed.attributes.filter((a) => a !== 'lang' && a !== 'popover')).toEqual(['data-cam-lens', 'style']);
  });
});

describe('overlay geometry', () => {
  test('a rotated, scaled image: the overlay is transformed the same way', async () => {
    const { result, overlay } = await explainIn(h.page.mainFrame(), '#rotated');
    expect(result.ok).toBe(true);
    // Both bounding boxes are of the transformed shapes: equal when the overlay carries the same transform around the same origin.
    const imgBox = await h.page.locator('#rotated').evaluate((el) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      const inset = (parseFloat(cs.borderLeftWidth) + parseFloat(cs.paddingLeft)) * 0.9;
      return { x: r.left, y: r.top, width: r.width, height: r.height, inset };
    });
    // The host is the content box: its transformed bounding box sits inside the image's by the scaled border + padding (rotation widens it).
    expect(overlay.width).toBeLessThan(imgBox.width);
    expect(overlay.x).toBeGreaterThan(imgBox.x);
    const centre = { x: overlay.x + overlay.width / 2, y: overlay.y + overlay.height / 2 };
    expect(Math.abs(centre.x - (imgBox.x + imgBox.width / 2))).toBeLessThanOrEqual(1);
    expect(Math.abs(centre.y - (imgBox.y + imgBox.height / 2))).toBeLessThanOrEqual(1);
    const transform = await h.page.locator('[data-cam-lens]').evaluate((el) => getComputedStyle(el).transform);
    const imgTransform = await h.page.locator('#rotated').evaluate((el) => getComputedStyle(el).transform);
    expect(transform).toBe(imgTransform);
  });

  test('inside a scrolling box, the overlay is clipped with the image', async () => {
    await h.page.locator('#scroller').scrollIntoViewIfNeeded();
    const scroller = (await h.page.locator('#scroller').boundingBox())!;
    // The part of the image the scroll box hides lies below it; that area of the page must stay untouched.
    const below = { x: scroller.x, y: scroller.y + scroller.height + 2, width: 300, height: 100 };
    const visible = { x: scroller.x + 20, y: scroller.y + 20, width: 200, height: 100 };
    const before = await grab(h, below);
    const visibleBefore = await grab(h, visible);
    const { result, overlay } = await explainIn(h.page.mainFrame(), '#scrolled');
    expect(result.ok).toBe(true);
    expect(overlay.height).toBeCloseTo(300, 0);
    const after = await grab(h, below);
    // The panel is drawn below the image box; keep to the right of it.
    expect(meanDiff(before, after, { x: 200, y: 0, width: 100, height: 100 })).toBeLessThan(1);
    // …while the visible part is coloured.
    expect(meanDiff(visibleBefore, await grab(h, visible))).toBeGreaterThan(8);
  });
});

describe('page zoom and fixed position', () => {
  test('a position: fixed image keeps its overlay while the page scrolls', async () => {
    await h.page.evaluate(() => window.scrollTo(0, 0));
    const { result, expected, overlay } = await explainIn(h.page.mainFrame(), '#fixed');
    expect(result.ok).toBe(true);
    expectOver(overlay, expected);
    await h.page.mouse.wheel(0, 400);
    await h.page.waitForFunction(() => window.scrollY > 0);
    await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const moved = await h.page.locator('[data-cam-lens]').first().evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left, y: r.top, width: r.width, height: r.height };
    });
    expectOver(moved, expected);
  });

  test('at 150 % page zoom: overlay geometry and the screenshot crop still match', async () => {
    const tabId = await h.worker.evaluate(async (url) => (await chrome.tabs.query({ url }))[0].id!, h.page.url());
    await h.worker.evaluate((id) => chrome.tabs.setZoom(id, 1.5), tabId);
    try {
      await h.page.waitForFunction(() => window.devicePixelRatio > 1.4);
      const fetched = await explainIn(h.page.mainFrame(), '#covered');
      expect(fetched.result.ok).toBe(true);
      expectOver(fetched.overlay, fetched.expected);
      await closeOverlays(h);
      const shot = await explainIn(h.page.mainFrame(), '#tainted', 'explain-here');
      expect(shot.result.ok && shot.result.source).toBe('screenshot');
      // The crop is the canvas's visible part at device resolution: CSS size × devicePixelRatio.
      const region = shot.result.region!;
      expect(Math.abs(shot.result.image.width - region.width * 1.5)).toBeLessThanOrEqual(2);
      expect(Math.abs(shot.result.image.height - region.height * 1.5)).toBeLessThanOrEqual(2);
    } finally {
      await h.worker.evaluate((id) => chrome.tabs.setZoom(id, 1), tabId);
    }
  });
});

describe('top layer and single-page apps', () => {
  test('an image inside a modal dialog (top layer) still gets a visible overlay', async () => {
    await h.page.evaluate(() => {
      const dialog = document.createElement('dialog');
      dialog.id = 'modal';
      dialog.innerHTML = '<img id="in-dialog" src="/fixtures/coffee.png" width="300" alt="Coffee in a dialog">';
      document.body.append(dialog);
      dialog.showModal();
    });
    await h.page.waitForFunction(() => (document.getElementById('in-dialog') as HTMLImageElement).complete);
    const box = await h.page.locator('#in-dialog').boundingBox();
    const before = await grab(h, box!);
    const { result, expected, overlay } = await explainIn(h.page.mainFrame(), '#in-dialog');
    expect(result.ok).toBe(true);
    expectOver(overlay, expected);
    // Drawn above the modal dialog: the pixels over the image changed.
    expect(meanDiff(before, await grab(h, box!))).toBeGreaterThan(8);
    await h.page.evaluate(() => {
      (document.getElementById('modal') as HTMLDialogElement).close();
      document.getElementById('modal')!.remove();
    });
  });

  test('when the page swaps the picture in place, the stale overlay goes', async () => {
    const { result } = await explainIn(h.page.mainFrame(), '#covered');
    expect(result.ok).toBe(true);
    await h.page.locator('#covered').evaluate((img: HTMLImageElement) => (img.src = '/fixtures/astronaut.png'));
    await h.page.waitForFunction(() => document.querySelectorAll('[data-cam-lens]').length === 0);
    await h.page.locator('#covered').evaluate((img: HTMLImageElement) => (img.src = '/fixtures/rocket.jpg'));
  });

  test('an image that has not loaded yet is fetched by the worker and explained', async () => {
    await h.page.evaluate((origin) => {
      const img = document.createElement('img');
      img.id = 'not-loaded';
      img.width = 200;
      img.height = 150;
      img.style.cssText = 'display:block; width:200px; height:150px; background:#ccd';
      img.src = `${origin}/hostile/slow/chelsea.png?ms=4000`;
      document.querySelector('main')!.prepend(img);
    }, h.imageOrigin);
    expect(await h.page.locator('#not-loaded').evaluate((img: HTMLImageElement) => img.complete)).toBe(false);
    const { result, overlay } = await explainIn(h.page.mainFrame(), '#not-loaded');
    if (!result.ok) throw new Error((result as any).error);
    expect(result.image).toEqual({ width: 451, height: 300 });
    expect(overlay.state).toBe('done');
  });
});
