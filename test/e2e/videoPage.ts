// The demo's followed video in Chromium e2e tests (videoFollow, followHidden): opening it, explaining
// it as a user does, and reading its overlay's Follow figures and panel through the worker's seam.
import { expect } from 'vitest';
import type { Harness, Rect } from './harness';

export interface PanelButton {
  name: string;
  title: string;
  rect: Rect;
  disabled: boolean;
}

export interface FollowReport {
  id: string;
  state: string;
  words: string;
  follow?: { maps: number; requests: number; mapsPerSecond: number; latencyMs: number; following: boolean; running: boolean };
  panel: { titleFits: boolean; titleRect: Rect | null; buttons: PanelButton[] };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The overlays of the harness page's top frame, as its content script reports them (through the worker's seam). */
export const followReports = (h: Harness): Promise<FollowReport[]> =>
  h.worker.evaluate(async (pageUrl) => {
    const [tab] = await chrome.tabs.query({ url: pageUrl });
    return (globalThis as any).camLens.overlays(tab.id);
  }, h.page.url()) as Promise<FollowReport[]>;

/** demo/video.html: a 480×320 video whose frames move (the cat slides across a grey field, a canvas stream). */
export async function openMovingVideo(h: Harness): Promise<Rect> {
  await h.page.goto(`${h.pageOrigin}/demo/video.html`);
  await h.page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).readyState >= 2);
  return h.page.locator('#video').evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left, y: r.top, width: r.width, height: r.height };
  });
}

/** A real right-click on the video, then the menu's own handler: the overlay's single explanation. */
export async function explainTheVideo(h: Harness): Promise<void> {
  await h.page.locator('#video').click({ button: 'right', position: { x: 60, y: 60 } });
  const result = await h.worker.evaluate(async (pageUrl) => {
    const [tab] = await chrome.tabs.query({ url: pageUrl });
    return (globalThis as any).camLens.onMenuClick({ menuItemId: 'explain-image', frameId: 0, pageUrl, editable: false }, tab);
  }, h.page.url());
  if (!result.ok) throw new Error(result.error);
  await expect.poll(async () => (await followReports(h))[0]?.state, { timeout: 30_000 }).toBe('done');
}
