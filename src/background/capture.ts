// Screenshot fallback: when the pixels cannot be read (tainted canvas, auth-only image, blank WebGL
// canvas), the worker captures the visible tab and crops the picture's visible part.
import browser from 'webextension-polyfill';
import { t } from '../core/i18nBrowser';
import { dataUrlOf } from '../core/bytes';
import { CaptureRegion, type Message } from '../core/messages';

export interface Captured {
  ok: true;
  /** PNG of the visible part of the picture, at device resolution. */
  dataUrl: string;
  /** That part, in CSS px relative to the picture's drawn rect. */
  region: { x: number; y: number; width: number; height: number };
}

interface Where {
  tabId: number;
  frameId: number;
  overlayId: string;
}

export async function captureVisiblePart(where: Where): Promise<Captured | { ok: false; error: string }> {
  const send = (message: Message) => browser.tabs.sendMessage(where.tabId, message, { frameId: where.frameId });
  const prepared = CaptureRegion.safeParse(await send({ type: 'prepare-capture', overlayId: where.overlayId }).catch(() => null));
  if (!prepared.success) return { ok: false, error: t('errPageNoAnswer') };
  if (!prepared.data.ok) return prepared.data;
  const { rect, devicePixelRatio: dpr, picture } = prepared.data;
  let screenshot: string;
  try {
    const tab = await browser.tabs.get(where.tabId);
    screenshot = await browser.tabs.captureVisibleTab(tab.windowId, { format: 'png' });
  } catch (e) {
    return { ok: false, error: t('errScreenshotFailed', (e as Error).message) };
  } finally {
    await send({ type: 'end-capture', overlayId: where.overlayId }).catch(() => undefined);
  }
  const full = await createImageBitmap(await (await fetch(screenshot)).blob());
  // Device pixels of the visible part (page zoom is part of devicePixelRatio), clamped to the capture.
  const sx = Math.max(0, Math.round(rect.x * dpr));
  const sy = Math.max(0, Math.round(rect.y * dpr));
  const sw = Math.min(full.width - sx, Math.round(rect.width * dpr));
  const sh = Math.min(full.height - sy, Math.round(rect.height * dpr));
  if (sw < 1 || sh < 1) {
    full.close();
    return { ok: false, error: t('errNotOnScreen') };
  }
  const canvas = new OffscreenCanvas(sw, sh);
  canvas.getContext('2d')!.drawImage(full, sx, sy, sw, sh, 0, 0, sw, sh);
  full.close();
  const png = await canvas.convertToBlob({ type: 'image/png' });
  return {
    ok: true,
    dataUrl: await dataUrlOf(png),
    region: { x: rect.x - picture.x, y: rect.y - picture.y, width: rect.width, height: rect.height },
  };
}
