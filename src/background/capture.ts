// Screenshot fallback: when the pixels cannot be read (tainted canvas, auth-only image, blank WebGL
// canvas), the worker captures the visible tab and crops the picture's visible part. Only the tab the
// overlay is in, and only while it is the one shown; where a frame sits is asked of the extension's
// own content scripts in its ancestors, never of the pages.
import browser from 'webextension-polyfill';
import { t } from '../core/i18nBrowser';
import { dataUrlOf } from '../core/bytes';
import { intersect, type Box } from '../core/geometry';
import { pixelCount, readImageSize } from '../core/imageHeader';
import { CaptureRegion, FrameBox, type Message } from '../core/messages';
import type { Owner } from './heldOverlays';
import { decodeBudget } from './pixels';
import { listenInFrame } from './frameScripts';

export interface Captured {
  ok: true;
  /** PNG of the visible part of the picture, at device resolution. */
  dataUrl: string;
  /** That part, in CSS px relative to the picture's drawn rect. */
  region: { x: number; y: number; width: number; height: number };
}

type Failed = { ok: false; error: string };

export async function captureVisiblePart(owner: Owner): Promise<Captured | Failed> {
  // A tab in the background shows nothing to capture (and its page does not draw frames meanwhile).
  if (!(await browser.tabs.get(owner.tabId).catch(() => null))?.active) return { ok: false, error: t('errTabNotVisible') };
  const send = (message: Message) => browser.tabs.sendMessage(owner.tabId, message, { frameId: owner.frameId });
  const prepared = CaptureRegion.safeParse(await send({ type: 'prepare-capture', overlayId: owner.overlayId }).catch(() => null));
  if (!prepared.success) return { ok: false, error: t('errPageNoAnswer') };
  if (!prepared.data.ok) return prepared.data;
  let screenshot: string;
  let where: { rect: Box; picture: Box };
  try {
    const placed = await inTopViewport(owner, prepared.data);
    if (!placed.ok) return placed;
    where = placed;
    screenshot = await captureTab(owner.tabId);
  } catch (e) {
    return { ok: false, error: t('errScreenshotFailed', (e as Error).message) };
  } finally {
    await send({ type: 'end-capture', overlayId: owner.overlayId }).catch(() => undefined);
  }
  const { rect, picture } = where;
  const dpr = prepared.data.devicePixelRatio;
  const blob = await (await fetch(screenshot)).blob();
  // A screenshot is decoded like any image: within the budget (its size from its PNG header).
  const size = readImageSize(new Uint8Array(await blob.slice(0, 64).arrayBuffer()));
  const png = await decodeBudget.run(pixelCount(size), async () => {
    const full = await createImageBitmap(blob);
    try {
      // Device pixels of the visible part (page zoom is part of devicePixelRatio), clamped to the capture.
      const sx = Math.max(0, Math.round(rect.x * dpr));
      const sy = Math.max(0, Math.round(rect.y * dpr));
      const sw = Math.min(full.width - sx, Math.round(rect.width * dpr));
      const sh = Math.min(full.height - sy, Math.round(rect.height * dpr));
      if (sw < 1 || sh < 1) return null;
      const canvas = new OffscreenCanvas(sw, sh);
      canvas.getContext('2d')!.drawImage(full, sx, sy, sw, sh, 0, 0, sw, sh);
      return canvas.convertToBlob({ type: 'image/png' });
    } finally {
      full.close();
    }
  });
  if (!png) return { ok: false, error: t('errNotOnScreen') };
  return {
    ok: true,
    dataUrl: await dataUrlOf(png),
    region: { x: rect.x - picture.x, y: rect.y - picture.y, width: rect.width, height: rect.height },
  };
}

/** The sender's own tab, captured only while it is the active tab of its window (before and after). */
async function captureTab(tabId: number): Promise<string> {
  const tab = await browser.tabs.get(tabId);
  if (!tab.active) throw new Error(t('errTabNotVisible'));
  const screenshot = await browser.tabs.captureVisibleTab(tab.windowId, { format: 'png' });
  // captureVisibleTab takes whatever tab is active in the window: make sure that was still ours.
  if (!(await browser.tabs.get(tabId)).active) throw new Error(t('errTabNotVisible'));
  return screenshot;
}

/**
 * The visible part and the picture, from the frame's viewport to the tab's: each ancestor's content
 * script says where the child frame's viewport is, and the part outside its box or its own viewport
 * is cut away.
 */
async function inTopViewport(owner: Owner, region: Extract<CaptureRegion, { ok: true }>): Promise<{ ok: true; rect: Box; picture: Box } | Failed> {
  let { rect, picture } = region;
  if (owner.frameId === 0) return { ok: true, rect, picture };
  const path = region.framePath;
  if (!path || path.length === 0) return { ok: false, error: t('errFrameScreenshot') };
  // The ancestors' content scripts listen from their first use only: ask them to now.
  await browser.scripting.executeScript({ target: { tabId: owner.tabId, allFrames: true }, func: listenInFrame }).catch(() => undefined);
  for (let level = path.length - 1; level >= 0; level--) {
    const message: Message = { type: 'frame-box', path: path.slice(0, level), index: path[level] };
    // Sent to every frame of the tab: only the frame at that path answers.
    const reply = FrameBox.safeParse(await browser.tabs.sendMessage(owner.tabId, message).catch(() => null));
    if (!reply.success) return { ok: false, error: t('errFrameScreenshot') };
    const { box, viewport } = reply.data;
    const shift = (b: Box): Box => ({ x: b.x + box.x, y: b.y + box.y, width: b.width, height: b.height });
    rect = intersect(intersect(shift(rect), box), { x: 0, y: 0, ...viewport });
    picture = shift(picture);
  }
  if (rect.width < 1 || rect.height < 1) return { ok: false, error: t('errNotOnScreen') };
  return { ok: true, rect, picture };
}
