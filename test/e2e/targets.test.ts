// Every kind of picture a page shows: each is explained from the right pixels, by the right route,
// with the overlay exactly over it.
import { afterEach, describe, expect, test } from 'vitest';
import type { Frame } from 'playwright-core';
import { PNG } from 'pngjs';
import type { ExplanationSuccess } from '../../src/core/messages';
import { closeOverlays, grab, meanDiff, useHarness, type Rect } from './harness';

const h = useHarness({}, async (h) => {
  await h.page.goto(`${h.pageOrigin}/demo/targets.html?images=${encodeURIComponent(h.imageOrigin)}`);
  await h.page.waitForLoadState('load');
  await h.page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).readyState >= 2);
});

afterEach(async () => {
  // Overlays inside frames too (closeOverlays sees the top document only): a real Esc in any frame closes every frame's.
  const count = async () => (await Promise.all(h.page.frames().map((f) => f.locator('[data-cam-lens]').count().catch(() => 0)))).reduce((a, b) => a + b, 0);
  if ((await count()) === 0) return;
  await h.page.keyboard.press('Escape');
  await expect.poll(count).toBe(0);
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
async function explainIn(frame: Frame, selector: string, menuItemId = 'explain-image', box: 'content' | 'padding' = 'content', clickAt: { x: number; y: number } | null = { x: 30, y: 30 }) {
  const element = frame.locator(selector);
  await element.scrollIntoViewIfNeeded();
  await element.click({ button: 'right', position: clickAt ?? undefined, force: true });
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
  const rect = await frame.locator('[data-cam-lens]').first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  });
  // The state is not on the host (the page must not read it): the seam asks the frame's content script.
  const states = (await h.worker.evaluate(
    async ({ pageUrl, frameId }) => {
      const [tab] = await chrome.tabs.query({ url: pageUrl });
      return ((await (globalThis as any).camLens.overlays(tab.id)) as { frameId: number; state: string }[]).filter((o) => o.frameId === frameId).map((o) => o.state);
    },
    { pageUrl: h.page.url(), frameId },
  )) as string[];
  return { result, expected, overlay: { ...rect, state: states[0] } };
}

function expectOver(overlay: Rect, expected: Rect): void {
  for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(overlay[k] - expected[k]), k).toBeLessThanOrEqual(1);
}

/**
 * Where an element's content box is on screen when the page turns it by `turn` degrees and scales
 * it by `scale` (as written in the demo page, not as the extension computes it): the bounding box's
 * centre is the picture's centre (symmetric borders and padding), and `at(u, v)`, u and v in [-1, 1],
 * is a point of the picture. The element is scrolled to the middle of the viewport first, so the
 * class panel fits below it.
 */
async function turnedPicture(selector: string, turn: number, scale: number) {
  const g = await h.page.locator(selector).evaluate((el) => {
    el.scrollIntoView({ block: 'center' });
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return { bounds: { x: r.left, y: r.top, width: r.width, height: r.height }, width: parseFloat(cs.width), height: parseFloat(cs.height) };
  });
  const rad = (turn * Math.PI) / 180;
  const [cos, sin] = [Math.cos(rad) * scale, Math.sin(rad) * scale];
  const cx = g.bounds.x + g.bounds.width / 2;
  const cy = g.bounds.y + g.bounds.height / 2;
  return {
    bounds: g.bounds,
    at: (u: number, v: number) => {
      const [x, y] = [(u * g.width) / 2, (v * g.height) / 2];
      return { x: cx + cos * x - sin * y, y: cy + sin * x + cos * y };
    },
  };
}

/** How much a 5×5 patch around a viewport point changed between two grabs of `area`. */
function patchDiff(area: Rect, before: PNG, after: PNG) {
  return (p: { x: number; y: number }) => meanDiff(before, after, { x: p.x - area.x - 2, y: p.y - area.y - 2, width: 5, height: 5 });
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
    // The overlay's contents are in a closed shadow root: the page sees only the host, a marker without state.
    await explainIn(h.page.mainFrame(), '#covered');
    const exposed = await h.page.locator('[data-cam-lens]').evaluate((el) => ({ shadow: el.shadowRoot, children: el.children.length, attributes: el.getAttributeNames().sort() }));
    // Only the marker (and the overlay's own language, styles and top-layer popover flag) is visible to the page.
    expect(exposed.shadow).toBeNull();
    expect(exposed.children).toBe(0);
    expect(exposed.attributes.filter((a) => a !== 'lang' && a !== 'popover')).toEqual(['data-cam-lens', 'style']);
  });
});

describe('overlay geometry', () => {
  test.each([
    { name: 'its own transform: rotate(12deg) scale(0.9)', selector: '#rotated', turn: 12, scale: 0.9 },
    { name: "a parent's rotate(-10deg) scale(0.8) and its own rotate: 4deg", selector: '#in-card', turn: -6, scale: 0.8 },
  ])('a turned image, $name: the map covers the turned picture, not its bounding box', async ({ selector, turn, scale }) => {
    const picture = await turnedPicture(selector, turn, scale);
    const area = { x: picture.bounds.x - 4, y: picture.bounds.y - 4, width: picture.bounds.width + 8, height: picture.bounds.height + 8 };
    const before = await grab(h, area);
    const { result } = await explainIn(h.page.mainFrame(), selector);
    expect(result.ok).toBe(true);
    const after = await grab(h, area);
    const painted = patchDiff(area, before, after);
    for (const [u, v] of [[0, 0], [-0.85, -0.85], [0.85, -0.85], [0.85, 0.85], [-0.85, 0.85]]) {
      expect(painted(picture.at(u, v)), `inside the picture at (${u}, ${v})`).toBeGreaterThan(3);
    }
    // The top corners of the bounding box are page background beside the turned picture (the class panel sits at the bottom).
    const { x, y, width } = picture.bounds;
    for (const corner of [{ x: x + 4, y: y + 4 }, { x: x + width - 4, y: y + 4 }]) {
      expect(painted(corner), `bounding-box corner (${corner.x}, ${corner.y})`).toBeLessThan(1);
    }
  });

  test('an SVG <image> in a scaled, turned drawing, letterboxed by preserveAspectRatio: the map covers the picture only', async () => {
    // The browser's own matrix from the image's user units to the viewport is the reference here.
    const toScreen = await h.page.locator('#svg-meet').evaluate((el) => {
      el.scrollIntoView({ block: 'center' });
      const m = (el as SVGImageElement).getScreenCTM()!;
      return [m.a, m.b, m.c, m.d, m.e, m.f];
    });
    const at = (x: number, y: number) => ({ x: toScreen[0] * x + toScreen[2] * y + toScreen[4], y: toScreen[1] * x + toScreen[3] * y + toScreen[5] });
    const bounds = (await h.page.locator('#svg-meet').boundingBox())!;
    const area = { x: bounds.x - 4, y: bounds.y - 4, width: bounds.width + 8, height: bounds.height + 8 };
    const before = await grab(h, area);
    const { result } = await explainIn(h.page.mainFrame(), '#svg-meet', 'explain-image', 'content', null);
    expect(result.ok).toBe(true);
    const painted = patchDiff(area, before, await grab(h, area));
    // The 512×512 picture in the 500×360 box at (50, 20): 360×360 at x = 120…480 (user units).
    for (const [x, y] of [[300, 200], [135, 35], [465, 35], [465, 365], [135, 365]]) expect(painted(at(x, y)), `picture at (${x}, ${y})`).toBeGreaterThan(3);
    for (const [x, y] of [[85, 200], [515, 200]]) expect(painted(at(x, y)), `letterbox bar at (${x}, ${y})`).toBeLessThan(1);
  });

  test('a turned image inside a clipping box: the map is clipped with it', async () => {
    const picture = await turnedPicture('#in-window', 20, 1);
    const window = (await h.page.locator('#window').boundingBox())!;
    const area = { x: picture.bounds.x - 4, y: picture.bounds.y - 4, width: picture.bounds.width + 8, height: picture.bounds.height + 8 };
    const before = await grab(h, area);
    // Right-clicked in its middle: its corners are hidden by the window.
    const { result } = await explainIn(h.page.mainFrame(), '#in-window', 'explain-image', 'content', null);
    expect(result.ok).toBe(true);
    const painted = patchDiff(area, before, await grab(h, area));
    expect(painted(picture.at(0, 0)), 'the centre, inside the window').toBeGreaterThan(3);
    // A point of the picture to the right of the window: hidden by it, so left as the page drew it.
    const hidden = picture.at(0.7, 0);
    expect(hidden.x).toBeGreaterThan(window.x + window.width + 5);
    expect(painted(hidden), 'picture outside the window').toBeLessThan(1);
  });

  test('inside a scrolling box, the overlay is clipped with the image', async () => {
    await h.page.locator('#scroller').scrollIntoViewIfNeeded();
    const scroller = (await h.page.locator('#scroller').boundingBox())!;
    // The part of the image the scroll box hides lies to its right; that area of the page must stay untouched.
    const beside = { x: scroller.x + scroller.width + 2, y: scroller.y, width: 140, height: 280 };
    const visible = { x: scroller.x + 20, y: scroller.y + 20, width: 100, height: 200 };
    const before = await grab(h, beside);
    const visibleBefore = await grab(h, visible);
    const { result, overlay } = await explainIn(h.page.mainFrame(), '#scrolled');
    expect(result.ok).toBe(true);
    expect(overlay.width).toBeCloseTo(300, 0);
    expect(meanDiff(before, await grab(h, beside))).toBeLessThan(1);
    // …while the visible part is coloured.
    expect(meanDiff(visibleBefore, await grab(h, visible))).toBeGreaterThan(8);
  });
});

describe('page zoom and fixed position', () => {
  test("a position: fixed image inside a small overflow: hidden box is not clipped by it, and neither is its map", async () => {
    await h.page.evaluate(() => window.scrollTo(0, 0));
    const box = (await h.page.locator('#fixed-escapes').boundingBox())!;
    expect(box.height).toBe(80); // the page shows all of it
    const before = await grab(h, box);
    const { result } = await explainIn(h.page.mainFrame(), '#fixed-escapes', 'explain-image', 'content', { x: 40, y: 60 });
    expect(result.ok).toBe(true);
    const after = await grab(h, box);
    // The lower half lies far outside the 20 px tall box around it: coloured too.
    expect(meanDiff(before, after, { x: 0, y: 40, width: box.width, height: 40 })).toBeGreaterThan(8);
  });

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
