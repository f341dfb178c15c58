// Content script: remembers what was right-clicked, opens overlays when the worker asks,
// and forwards class switches. Runs in every frame; each frame handles its own images.
import browser from 'webextension-polyfill';
import { ExplanationResult, parseMessage, type ImageSource, type Message } from '../core/messages';
import { DEFAULT_SETTINGS, loadSettings, onSettingsChanged, type Settings } from '../core/settingsStore';
import { Overlay, type OverlayDisplay } from './overlay';
import { imageSource, resolveImage, TargetError, type ContextClick } from './target';

declare global {
  interface Window {
    __camLensContentLoaded?: boolean;
  }
}

// The worker may inject this script into a page that already has it (e.g. after an update).
if (!window.__camLensContentLoaded) {
  window.__camLensContentLoaded = true;
  start();
}

function start(): void {
  let lastClick: ContextClick | null = null;
  let settings: Settings | null = null;
  const overlays = new Map<string, Overlay>();
  /** What each overlay explains, so a class switch can re-run if the worker lost its cache. */
  const sources = new Map<string, ImageSource>();
  let counter = 0;

  void loadSettings(browser.storage.local).then((s) => (settings = s));
  onSettingsChanged(browser.storage, (s) => {
    settings = s;
    for (const overlay of overlays.values()) overlay.applySettings(display(s));
  });
  const display = (s: Settings | null): OverlayDisplay => ({
    opacity: s?.opacity ?? DEFAULT_SETTINGS.opacity,
    hideNegative: s?.hideNegative ?? DEFAULT_SETTINGS.hideNegative,
  });

  // Capture phase: we see the event even when the page stops its propagation.
  window.addEventListener('contextmenu', (e) => (lastClick = { target: e.composedPath()[0] ?? e.target, x: e.clientX, y: e.clientY }), { capture: true });

  window.addEventListener(
    'keydown',
    (e) => {
      if (e.key === 'Escape' && overlays.size > 0) for (const overlay of [...overlays.values()]) overlay.close();
    },
    { capture: true },
  );

  const callbacks = {
    onCancel(overlay: Overlay) {
      const message: Message = { type: 'cancel', overlayId: overlay.id };
      void browser.runtime.sendMessage(message).catch(() => undefined);
    },
    onClose(overlay: Overlay) {
      if (overlay.state === 'loading') this.onCancel(overlay);
      overlays.delete(overlay.id);
      sources.delete(overlay.id);
    },
    onClassRequest(overlay: Overlay, classIndex: number) {
      const explanation = overlay.explanation;
      const source = sources.get(overlay.id);
      if (!explanation || !source) return;
      const message: Message = {
        type: 'explain-class',
        overlayId: overlay.id,
        explanationId: explanation.explanationId,
        source,
        classIndex,
        method: explanation.method,
      };
      browser.runtime
        .sendMessage(message)
        .then((raw: unknown) => {
          const result = ExplanationResult.safeParse(raw);
          overlay.show(result.success ? result.data : { ok: false, error: 'the extension did not answer' });
        })
        .catch((e: Error) => overlay.show({ ok: false, error: `the extension did not answer (${e.message})` }));
    },
  };

  async function beginExplain(srcUrl: string | undefined) {
    try {
      const image = resolveImage(lastClick, srcUrl);
      const source = await imageSource(image);
      // One overlay per image: explaining it again replaces the old one.
      for (const overlay of overlays.values()) if (overlay.image === image) overlay.close();
      const id = `o${++counter}`;
      overlays.set(id, new Overlay(id, image, display(settings ?? (await loadSettings(browser.storage.local))), callbacks));
      sources.set(id, source);
      return { ok: true as const, overlayId: id, source };
    } catch (e) {
      const error = e instanceof TargetError ? e.message : `unexpected error: ${(e as Error).message}`;
      showStandaloneError(lastClick, srcUrl, error);
      return { ok: false as const, error };
    }
  }

  /** An error before an overlay exists (e.g. a broken image) still gets a visible message on the image. */
  function showStandaloneError(click: ContextClick | null, srcUrl: string | undefined, error: string) {
    let image: HTMLImageElement;
    try {
      image = resolveImage(click, srcUrl);
    } catch {
      return;
    }
    const id = `o${++counter}`;
    const overlay = new Overlay(id, image, display(settings), callbacks);
    overlays.set(id, overlay);
    overlay.show({ ok: false, error });
  }

  browser.runtime.onMessage.addListener((raw: unknown) => {
    const message = parseMessage(raw);
    if (!message) return undefined;
    switch (message.type) {
      case 'begin-explain':
        return beginExplain(message.srcUrl);
      case 'show-result':
        overlays.get(message.overlayId)?.show(message.result);
        return Promise.resolve(true);
      case 'progress':
        overlays.get(message.overlayId)?.showProgress(message.done, message.total);
        return undefined;
      default:
        return undefined;
    }
  });
}
