// @vitest-environment happy-dom
// The always-on content script (src/content/loader.ts): nothing of the extension API at page load, a
// script-made right-click changes nothing, and once listening it answers what it can itself, loads the
// on-demand part for what needs overlays, and says so when that fails.
import { beforeAll, describe, expect, test, vi } from 'vitest';

type Listener = (message: unknown, sender: unknown, sendResponse: (reply?: unknown) => void) => boolean | undefined;
const listeners: Listener[] = [];
let apiTouched = 0;
let loadReply: unknown = { ok: true };
const sent: unknown[] = [];
const handled: unknown[] = [];
const fakeChrome = {
  runtime: {
    onMessage: { addListener: (l: Listener) => listeners.push(l) },
    sendMessage: vi.fn(async (message: { type: string }) => {
      sent.push(message);
      if (message.type === 'load-ui' && (loadReply as { ok: boolean }).ok) {
        window.__camLensUi = { handle: (raw) => (handled.push(raw), Promise.resolve({ ok: true, overlayId: 'o1' })), closeAll: () => undefined };
      }
      return loadReply;
    }),
  },
  i18n: { getMessage: (key: string, sub?: string) => `${key}:${sub ?? ''}` },
};

beforeAll(async () => {
  Object.defineProperty(globalThis, 'chrome', { configurable: true, get: () => (apiTouched++, fakeChrome) });
  await import('../../src/content/loader');
});

/** Sends a message to the loader's listener; resolves to its answer, or 'no answer'. */
function deliver(message: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const keptOpen = listeners[0](message, {}, resolve);
    if (!keptOpen) setTimeout(() => resolve('no answer'), 20);
  });
}

describe('always-on content script', () => {
  test('touches no extension API at load, nor for a script-made right-click', () => {
    expect(window.__camLensContentLoaded).toBe(true);
    expect(window.__camLensInput).toBeDefined();
    document.body.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, clientX: 5, clientY: 5 }));
    expect(window.__camLensInput!.lastClick()).toBeNull();
    expect(apiTouched).toBe(0);
    expect(listeners).toHaveLength(0);
  });

  test('listens once when asked', () => {
    window.__camLensListen!();
    window.__camLensListen!();
    expect(listeners).toHaveLength(1);
  });

  test('answers without the on-demand part what a frame without overlays answers', async () => {
    expect(await deliver({ type: 'show-result', overlayId: 'x' })).toBe(true);
    expect(await deliver({ type: 'page-pixels', overlayId: 'x' })).toBeNull();
    expect(await deliver({ type: 'prepare-capture', overlayId: 'x' })).toEqual({ ok: false, error: 'errOverlayClosed:' });
    expect(await deliver({ type: 'progress', overlayId: 'x', done: 1, total: 2 })).toBe('no answer');
    expect(await deliver('not a message')).toBe('no answer');
    // A frame-box with a malformed path is not answered (and this top frame has no child 0 anyway).
    expect(await deliver({ type: 'frame-box', path: ['0'], index: 0 })).toBe('no answer');
    expect(await deliver({ type: 'frame-box', path: [], index: 0 })).toBe('no answer');
    expect(sent).toEqual([]);
  });

  test('a failed load says so to begin-explain, and is tried again next time', async () => {
    loadReply = { ok: false, error: 'refused' };
    expect(await deliver({ type: 'begin-explain' })).toEqual({ ok: false, error: 'errCannotRunHere:refused' });
    expect(await deliver({ type: 'explain-all' })).toBeUndefined();
    expect(sent).toEqual([{ type: 'load-ui' }, { type: 'load-ui' }]);
  });

  test('loads the on-demand part once, then hands it every message', async () => {
    loadReply = { ok: true };
    sent.length = 0;
    expect(await deliver({ type: 'begin-explain', srcUrl: 'https://x/a.png' })).toEqual({ ok: true, overlayId: 'o1' });
    expect(await deliver({ type: 'show-result', overlayId: 'o1' })).toEqual({ ok: true, overlayId: 'o1' });
    expect(sent).toEqual([{ type: 'load-ui' }]);
    expect(handled).toEqual([{ type: 'begin-explain', srcUrl: 'https://x/a.png' }, { type: 'show-result', overlayId: 'o1' }]);
  });
});
