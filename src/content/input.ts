// What the user did before asking for an explanation: the last right-click and where the pointer is,
// and Esc. Only events the browser made from real input count (isTrusted): a page can dispatch a
// contextmenu, pointermove or keydown of its own, but cannot choose the picture or close overlays
// with it. Capture phase on the window: the page cannot stop us from seeing them.
import type { ContextClick } from './target';

export interface UserInput {
  /** The last trusted right-click, if any. */
  lastClick(): ContextClick | null;
  /** Where the pointer last moved (trusted), for the keyboard shortcut. */
  pointer(): { x: number; y: number } | null;
}

/** `onRightClick`: after each trusted right-click has been recorded, with it. */
export function watchUserInput(onEscape: () => void, onRightClick: (click: ContextClick) => void = () => undefined): UserInput {
  let click: ContextClick | null = null;
  let pointer: { x: number; y: number } | null = null;
  window.addEventListener(
    'pointermove',
    (e) => {
      if (e.isTrusted) pointer = { x: e.clientX, y: e.clientY };
    },
    { capture: true, passive: true },
  );
  window.addEventListener(
    'contextmenu',
    (e) => {
      if (!e.isTrusted) return;
      click = { target: e.composedPath()[0] ?? e.target, x: e.clientX, y: e.clientY, at: performance.timeOrigin + e.timeStamp };
      onRightClick(click);
    },
    { capture: true },
  );
  window.addEventListener(
    'keydown',
    (e) => {
      if (e.isTrusted && e.key === 'Escape') onEscape();
    },
    { capture: true },
  );
  return { lastClick: () => click, pointer: () => pointer };
}
