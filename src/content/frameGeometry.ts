// Where a frame sits, for screenshots of pictures inside iframes (the tab is captured as a whole).
// Worked out between the worker and the content scripts of the frame's ancestors, with nothing
// posted to the pages: a page can neither answer for us nor learn its own position from us.
// A frame is named by its path of indexes from the top (top.frames[path[0]].frames[path[1]]…):
// every frame can compute its own path (WindowProxy identity and `frames` work across origins).
import type { FrameBox } from '../core/messages';

/** This frame's path from the top frame; [] at the top, null when an ancestor does not list it (e.g. an iframe in a shadow tree). */
export function framePath(): number[] | null {
  const path: number[] = [];
  try {
    for (let w: Window = window; w !== w.parent; w = w.parent) {
      const parent = w.parent;
      let index = -1;
      for (let i = 0; i < parent.length; i++) {
        if (parent[i] === w) {
          index = i;
          break;
        }
      }
      if (index < 0) return null;
      path.unshift(index);
    }
  } catch {
    return null;
  }
  return path;
}

const samePath = (a: number[] | null, b: number[]) => !!a && a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * If this frame is at `path`: where its child frame `index` shows its viewport (the iframe's content
 * box, inside border and padding), in this frame's viewport; otherwise null (another frame answers).
 */
export function childFrameBox(path: number[], index: number): FrameBox | null {
  if (!samePath(framePath(), path)) return null;
  const child = window[index];
  if (!child) return null;
  const element = Array.from(document.querySelectorAll('iframe, frame, object, embed')).find(
    (e) => (e as HTMLIFrameElement).contentWindow === child,
  ) as HTMLElement | undefined;
  if (!element) return null;
  const r = element.getBoundingClientRect();
  const cs = getComputedStyle(element);
  const px = (v: string) => parseFloat(v) || 0;
  const left = px(cs.borderLeftWidth) + px(cs.paddingLeft);
  const top = px(cs.borderTopWidth) + px(cs.paddingTop);
  const right = px(cs.borderRightWidth) + px(cs.paddingRight);
  const bottom = px(cs.borderBottomWidth) + px(cs.paddingBottom);
  return {
    box: { x: r.left + left, y: r.top + top, width: Math.max(0, r.width - left - right), height: Math.max(0, r.height - top - bottom) },
    viewport: { width: window.innerWidth, height: window.innerHeight },
  };
}
