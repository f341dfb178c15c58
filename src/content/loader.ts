// The content script of every frame of every page (content.js): kept to what must exist before the
// user asks for anything, so that pages pay almost nothing for the extension. It
//   - remembers the last trusted right-click, the pointer and Esc (input.ts); a right-click on a
//     picture has the worker load its model while the menu is open,
//   - answers the worker's frame-geometry questions for screenshots of pictures in iframes,
//   - and, on first use in this frame, has the worker inject the rest (content-ui.js: overlays,
//     panel, picture finding, explain-all, Teach) into this frame only, then hands it each message.
// No zod, d3 or i18n tables here: messages are only dispatched by their `type` (the on-demand part
// validates them), and nothing here needs the webextension-polyfill.
//
// Not even the extension API at page load: the first touch of `chrome.runtime` in a frame costs more
// than all of the above (its bindings are built on first use; ~0.7 ms per frame measured, see
// BENCHMARKS.md). So the listener for the worker's messages is added on the first trusted right-click,
// or when the worker asks for it (window.__camLensListen, through scripting.executeScript, before it
// messages a frame the user has not right-clicked: the shortcut, explain all, screenshots in iframes).
import { childFrameBox } from './frameGeometry';
import { UI_BUNDLE, type ContentUi } from './handoff';
import { watchUserInput } from './input';
import type { ContextClick } from './target';

interface Runtime {
  sendMessage(message: unknown): Promise<unknown>;
  onMessage: { addListener(listener: (message: unknown, sender: unknown, sendResponse: (reply?: unknown) => void) => boolean | undefined): void };
}
type Ext = { runtime: Runtime; i18n: { getMessage(key: string, substitutions?: string | string[]): string } };

/** Messages that need the overlays: the on-demand part is loaded for them. */
const NEEDS_UI = new Set(['begin-explain', 'explain-all', 'teach-pick', 'teach-list', 'teach-toast']);
/** What a frame without the on-demand part answers (it has no overlays); a type not listed gets no answer. */
const WITHOUT_UI: Record<string, () => unknown> = {
  'show-result': () => true,
  'check-result': () => true,
  'cancel-all': () => true,
  'end-capture': () => true,
  'page-pixels': () => null,
  'prepare-capture': () => ({ ok: false, error: ext().i18n.getMessage('errOverlayClosed') }),
};

// Firefox has `browser` (promises); Chrome's `chrome` returns promises too (MV3).
const ext = (): Ext => ((globalThis as { browser?: Ext }).browser ?? (globalThis as unknown as { chrome: Ext }).chrome);

// The worker injects this script again into a frame where it finds no listener (it may be there, not listening yet).
if (!window.__camLensContentLoaded) {
  window.__camLensContentLoaded = true;
  start();
} else window.__camLensListen?.();

function start(): void {
  let loading: Promise<ContentUi> | null = null;
  /** The on-demand part, injected by the worker into this frame (once; a failure may be retried). */
  const ui = (): Promise<ContentUi> => {
    if (window.__camLensUi) return Promise.resolve(window.__camLensUi);
    loading ??= ext()
      .runtime.sendMessage({ type: 'load-ui' })
      .then((reply) => {
        if (window.__camLensUi) return window.__camLensUi;
        throw new Error((reply as { error?: string } | undefined)?.error ?? `${UI_BUNDLE} did not start`);
      })
      .catch((e: Error) => {
        loading = null;
        throw e;
      });
    return loading;
  };

  window.__camLensInput = watchUserInput(
    () => {
      window.__camLensUi?.closeAll();
      // Esc closes the overlays of every frame of the tab (the worker tells the others).
      void ext().runtime.sendMessage({ type: 'close-all' }).catch(() => undefined);
    },
    // A trusted right-click is the likely first use: listen, and load the rest while the menu is open;
    // on a picture, the worker loads its model meanwhile too (it may have been stopped since the last use).
    (click) => {
      listen();
      void ui().catch(() => undefined);
      if (mayBePicture(click)) void ext().runtime.sendMessage({ type: 'warm-up', ...preparable(click) }).catch(() => undefined);
    },
  );

  let listening = false;
  const listen = (window.__camLensListen = () => {
    if (listening) return;
    listening = true;
    ext().runtime.onMessage.addListener(onMessage);
  });

  function onMessage(raw: unknown, _sender: unknown, sendResponse: (reply?: unknown) => void): boolean {
    const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    if (typeof type !== 'string') return false;
    if (type === 'frame-box') {
      // Sent to every frame: only the one at that path answers.
      const { path, index } = raw as { path?: unknown; index?: unknown };
      const valid = Array.isArray(path) && path.every(isIndex) && isIndex(index);
      const box = valid ? childFrameBox(path, index) : null;
      if (box) sendResponse(box);
      return false;
    }
    const loaded = window.__camLensUi;
    if (loaded) return answer(loaded.handle(raw), sendResponse);
    if (NEEDS_UI.has(type)) {
      ui().then(
        (u) => answer(u.handle(raw), sendResponse, true),
        (e: Error) => sendResponse(type === 'begin-explain' || type === 'teach-pick' ? { ok: false, error: ext().i18n.getMessage('errCannotRunHere', e.message) } : undefined),
      );
      return true;
    }
    const idle = WITHOUT_UI[type];
    if (idle) sendResponse(idle());
    return false;
  }
}

/** Elements whose pixels can be explained (a background image is found by its style). */
const PICTURE_TAGS = new Set(['img', 'picture', 'video', 'canvas', 'svg', 'image']);

/**
 * A cheap guess (no layout) whether the right-click is on a picture: the element hit or what lies
 * under the point (a picture behind a transparent layer). A miss only means the model loads after
 * the menu is chosen, as it did before.
 */
function mayBePicture(click: ContextClick): boolean {
  const hit = [click.target, ...document.elementsFromPoint(click.x, click.y).slice(0, 6)];
  return hit.some((node) => node instanceof Element && (PICTURE_TAGS.has(node.localName) || getComputedStyle(node).backgroundImage.includes('url(')));
}

/**
 * The address of the <img> right-clicked, which the menu's "Explain this image" will name: the worker
 * computes its explanation while the menu is open. Other pictures are found by the on-demand part.
 */
function preparable(click: ContextClick): { srcUrl?: string } {
  const src = click.target instanceof HTMLImageElement ? click.target.currentSrc : '';
  // 4096: messages.ts MAX_PREPARED_URL (not imported: this script stays free of zod).
  return /^https?:\/\//.test(src) && src.length <= 4096 ? { srcUrl: src } : {};
}

const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Sends a handler's reply; `pending`: the channel was already kept open, so even "no answer" must be sent. */
function answer(reply: Promise<unknown> | undefined, sendResponse: (reply?: unknown) => void, pending = false): boolean {
  if (reply === undefined) {
    if (pending) sendResponse(undefined);
    return false;
  }
  reply.then(sendResponse, () => sendResponse(undefined));
  return true;
}
