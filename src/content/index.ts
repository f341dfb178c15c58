// The on-demand content script (content-ui.js): injected by the worker into one frame when that frame
// is first used (loader.ts asks; the always-on script stays small). Opens overlays when the worker
// asks, and forwards class switches. Each frame handles its own images.
import browser from 'webextension-polyfill';
import { exportFileName } from '../core/exportName';
import { t } from '../core/i18nBrowser';
import { randomId } from '../core/randomId';
import { ClassLabelsReply, ExplanationResult, ExportReply, OpenInLabReply, parseMessage, type ExplanationSuccess, type ImageSource, type Message } from '../core/messages';
import { TaskQueue, type QueueProgress } from '../core/taskQueue';
import { DEFAULT_SETTINGS, loadSettings, onSettingsChanged, type Settings } from '../core/settingsStore';
import type { ContentUi } from './handoff';
import type { UserInput } from './input';
import { epochNow, Overlay, type OverlayDisplay } from './overlay';
import { mapChecksFor, type MapChecksDeps } from './panelFaithfulness';
import { panelSections, shortcutSection, watermarkSection } from './panelShortcut';
import { describePanel } from './resultPanel';
import { explanationJson } from '../core/exportJson';
import { listForTeach, pickForTeach, showTeachToast } from './teach';
import { explainableImages, focusedTarget, resolveTarget, TargetError, type ContextClick, type ExplainTarget, type ShownImage } from './target';

/** "Explain all": images explained at once (the worker queues them; two keep it busy while the next downloads). */
const EXPLAIN_ALL_CONCURRENCY = 2;
/** How often a busy overlay checks that the worker is still computing it (Chrome may stop the worker). */
const HEARTBEAT_MS = 3000;

/** Sends a request the worker answers with an explanation; resends once if the worker was restarted meanwhile. */
async function requestExplanation(message: Message): Promise<ExplanationResult> {
  let raw: unknown;
  try {
    raw = await browser.runtime.sendMessage(message);
  } catch {
    // "message port closed": the service worker was stopped while working; the resend starts it again.
    raw = await browser.runtime.sendMessage(message).catch((e: Error) => ({ ok: false, error: t('errExtensionNoAnswerBecause', e.message) }));
  }
  const result = ExplanationResult.safeParse(raw);
  return result.success ? result.data : { ok: false, error: t('errExtensionNoAnswer') };
}

// Injected once per frame, after the always-on script (which recorded the user's input until now).
if (!window.__camLensUi && window.__camLensInput) window.__camLensUi = start(window.__camLensInput);

function start(input: UserInput): ContentUi {
  let settings: Settings | null = null;
  const overlays = new Map<string, Overlay>();
  let explainAll: TaskQueue<ShownImage> | null = null;
  /** Overlays opened by "explain all", so cancelling it closes only those still computing. */
  const bulkOverlays = new Set<Overlay>();
  /** What each overlay explains: bytes read here go with class switches and exports (the worker may not have kept them). */
  const sources = new Map<string, ImageSource>();
  const loadedAt = epochNow();
  window.__camLensOverlays = () =>
    [...overlays.values()].map((o) => ({ id: o.id, state: o.state, words: o.words, timing: { click: input.lastClick()?.at, uiLoaded: loadedAt, ...o.timing }, follow: o.follow?.stats(), panel: describePanel(o.panel) }));

  void loadSettings(browser.storage.sync).then((s) => (settings = s));
  onSettingsChanged(browser.storage, (s) => {
    settings = s;
    for (const overlay of overlays.values()) overlay.applySettings(display(s));
  });
  const display = (s: Settings | null): OverlayDisplay => ({
    opacity: s?.opacity ?? DEFAULT_SETTINGS.opacity,
    hideNegative: s?.hideNegative ?? DEFAULT_SETTINGS.hideNegative,
    colormap: s?.colormap ?? DEFAULT_SETTINGS.colormap,
  });

  /** The page-read bytes of an overlay, if that is where its pixels are. */
  const pagePixelsOf = (overlay: Overlay) => {
    const source = sources.get(overlay.id);
    return source?.kind === 'dataUrl' ? source.dataUrl : undefined;
  };

  const checkDeps: MapChecksDeps = {
    send: (message) => browser.runtime.sendMessage(message),
    autoCheck: () => settings?.checkAutomatically ?? false,
  };

  const callbacks = {
    // The worker's explain for the overlay's own picture, with a new frame (only this frame's overlays, as every message).
    followFrame: (overlay: Overlay) => async (dataUrl: string, classIndex: number | undefined) => {
      const source: ImageSource = { kind: 'dataUrl', dataUrl, originalUrl: 'video frame' };
      const result = await requestExplanation({ type: 'explain', overlayId: overlay.id, source, follow: { classIndex } });
      // Save, Copy and a class switch afterwards go with the frame whose map is shown.
      if (result.ok) sources.set(overlay.id, source);
      return result;
    },
    panelSection: (overlay: Overlay, result: ExplanationSuccess) => panelSections(shortcutSection(result), mapChecksFor(overlay, checkDeps).render(result), watermarkSection(overlay, result, checkDeps.send)),
    onCancel(overlay: Overlay) {
      const message: Message = { type: 'cancel', overlayId: overlay.id };
      void browser.runtime.sendMessage(message).catch(() => undefined);
    },
    onClose(overlay: Overlay) {
      if (overlay.computing) this.onCancel(overlay);
      mapChecksFor(overlay, checkDeps).cancel();
      bulkOverlays.delete(overlay);
      overlays.delete(overlay.id);
      sources.delete(overlay.id);
      void browser.runtime.sendMessage({ type: 'forget', overlayId: overlay.id } satisfies Message).catch(() => undefined);
    },
    onExport(overlay: Overlay, mode: 'save' | 'copy' | 'json' | 'lab') {
      const result = overlay.explanation;
      const source = sources.get(overlay.id);
      if (!result || !source) return;
      if (mode === 'lab') {
        // The worker reads the picture as Save does and opens the Lab beside this tab.
        const message: Message = { type: 'open-in-lab', overlayId: overlay.id, pixels: pagePixelsOf(overlay), explanationId: result.explanationId };
        void browser.runtime
          .sendMessage(message)
          .then((raw) => {
            const reply = OpenInLabReply.safeParse(raw);
            if (!reply.success) overlay.notify(t('errExtensionNoAnswer'));
            else if (!reply.data.ok) overlay.notify(reply.data.error);
          })
          .catch(() => overlay.notify(t('errExtensionNoAnswer')));
        return;
      }
      if (mode === 'json') {
        // Everything the panel shows and the raw map, built here: no worker needed.
        const name = exportFileName(source.kind === 'url' ? source.url : null, document.title, result.target.label, result.method, 'json');
        const link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob([explanationJson(result, source.kind === 'url' ? source.url : null)], { type: 'application/json' }));
        link.download = name;
        link.click();
        setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
        overlay.notify(t('exportSaved', name));
        return;
      }
      const { opacity, colormap, hideNegative } = overlay.look;
      const message: Message = { type: 'export', overlayId: overlay.id, look: { opacity, colormap, hideNegative }, pixels: pagePixelsOf(overlay), explanationId: result.explanationId };
      void browser.runtime
        .sendMessage(message)
        .then(async (raw) => {
          const reply = ExportReply.safeParse(raw);
          if (!reply.success) throw new Error(t('errExtensionNoAnswer'));
          if (!reply.data.ok) throw new Error(reply.data.error);
          const name = exportFileName(source.kind === 'url' ? source.url : null, document.title, result.target.label, result.method);
          if (mode === 'save') {
            const link = document.createElement('a');
            link.href = reply.data.dataUrl;
            link.download = name;
            link.click();
            overlay.notify(t('exportSaved', name));
          } else {
            const blob = await (await fetch(reply.data.dataUrl)).blob();
            await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
            overlay.notify(t('exportCopied'));
          }
        })
        .catch((e: Error) => overlay.notify(mode === 'save' ? t('exportSaveFailed', e.message) : t('exportCopyFailed', e.message)));
    },
    async classLabels(modelId: string) {
      const message: Message = { type: 'class-labels', modelId };
      const reply = ClassLabelsReply.safeParse(await browser.runtime.sendMessage(message).catch(() => null));
      return reply.success ? reply.data.labels : [];
    },
    onClassRequest(overlay: Overlay, classIndex: number) {
      const explanation = overlay.explanation;
      if (!explanation) return;
      const message: Message = { type: 'explain-class', overlayId: overlay.id, classIndex, method: explanation.method, pixels: pagePixelsOf(overlay) };
      void requestExplanation(message).then((result) => overlay.show(result));
    },
  };

  /** Opens a busy overlay on an image (replacing any it already has) and remembers its pixels' source. */
  function openOverlay(target: ExplainTarget, source: ImageSource | null): Overlay {
    for (const overlay of overlays.values()) if (overlay.target.element === target.element) overlay.close();
    // Unguessable: the worker knows overlays by the tab, the frame and this id.
    const id = randomId();
    const overlay = new Overlay(id, target, display(settings), callbacks);
    overlays.set(id, overlay);
    if (source) sources.set(id, source);
    return overlay;
  }

  /**
   * The worker drives a right-click explanation; if Chrome stops the worker mid-way, the request is
   * gone with it. While the overlay is busy, ask now and then; when the worker no longer knows it,
   * ask for the explanation again ourselves.
   */
  function watchOverRestart(overlay: Overlay, source: ImageSource): void {
    // Answered once anything was shown: a class switch started later is not this request (it must not be re-sent).
    const shownBefore = overlay.shownCount;
    const timer = setInterval(async () => {
      if (overlay.state !== 'loading' || overlay.shownCount !== shownBefore || !overlays.has(overlay.id)) {
        clearInterval(timer);
        return;
      }
      const reply = (await browser.runtime.sendMessage({ type: 'ping', overlayId: overlay.id } satisfies Message).catch(() => null)) as { running?: boolean } | null;
      if (reply?.running !== false || overlay.state !== 'loading' || overlay.shownCount !== shownBefore) return;
      clearInterval(timer);
      overlay.show(await requestExplanation({ type: 'explain', overlayId: overlay.id, source }));
    }, HEARTBEAT_MS);
  }

  async function explainOne(image: ShownImage): Promise<boolean> {
    if (!image.target.element.isConnected) return false;
    const source = image.source ? await image.source() : null;
    const overlay = openOverlay(image.target, source);
    overlay.markBulk();
    bulkOverlays.add(overlay);
    // An image the page could not load is not fetched: the page never showed it.
    const result = source ? await requestExplanation({ type: 'explain', overlayId: overlay.id, source }) : { ok: false as const, error: t('errPageDidNotLoad') };
    overlay.show(result);
    // Counted done once its panel is there (the map is drawn first, the panel a frame later).
    await overlay.panelReady();
    return result.ok;
  }

  function startExplainAll(): { total: number } {
    explainAll?.cancel();
    const report = (progress: QueueProgress, finished: boolean) => {
      // A run replaced by a newer one says nothing more.
      if (explainAll !== queue) return;
      const message: Message = { type: 'explain-all-progress', progress: { ...progress, finished } };
      void browser.runtime.sendMessage(message).catch(() => undefined);
    };
    const queue = new TaskQueue(explainableImages(document), explainOne, EXPLAIN_ALL_CONCURRENCY, (p) => report(p, false));
    explainAll = queue;
    void queue.finished.then((p) => report(p, true));
    queue.start();
    return { total: queue.progress.total };
  }

  function cancelExplainAll(): void {
    explainAll?.cancel();
    // Overlays still computing are closed (which cancels them in the worker); finished ones stay.
    for (const overlay of bulkOverlays) if (overlay.computing) overlay.close();
    bulkOverlays.clear();
  }

  function closeAll(): void {
    explainAll?.cancel();
    for (const overlay of [...overlays.values()]) overlay.close();
  }

  // A frame going away ends its part of "explain all" (the worker waits for every frame), and Follow.
  window.addEventListener('pagehide', () => {
    explainAll?.cancel();
    for (const overlay of overlays.values()) overlay.follow?.turnOff();
  });

  /** The keyboard shortcut's target: the focused element if it is a picture, else what is under the pointer. */
  function shortcutTarget(): ExplainTarget {
    const focused = document.activeElement;
    const fromFocus = focused && focused !== document.body ? focusedTarget(focused) : null;
    if (fromFocus) return fromFocus;
    const pointer = input.pointer();
    if (!pointer) throw new TargetError(t('errShortcutNoTarget'));
    return resolveTarget({ target: null, ...pointer }, undefined);
  }

  async function beginExplain(srcUrl: string | undefined, from: 'click' | 'pointer' = 'click') {
    const received = epochNow();
    try {
      const target = from === 'pointer' ? shortcutTarget() : resolveTarget(input.lastClick(), srcUrl);
      const source = await target.source();
      settings ??= await loadSettings(browser.storage.sync);
      const overlay = openOverlay(target, source);
      overlay.timing.begin = received;
      watchOverRestart(overlay, source);
      return { ok: true as const, overlayId: overlay.id, source };
    } catch (e) {
      const error = e instanceof TargetError ? e.message : t('errUnexpected', (e as Error).message);
      showStandaloneError(input.lastClick(), srcUrl, error);
      return { ok: false as const, error };
    }
  }

  /** An error before an overlay exists (e.g. a broken image) still gets a visible message on the image. */
  function showStandaloneError(click: ContextClick | null, srcUrl: string | undefined, error: string) {
    let target: ExplainTarget;
    try {
      target = resolveTarget(click, srcUrl);
    } catch {
      return;
    }
    openOverlay(target, null).show({ ok: false, error });
  }

  /** A message from the worker, handed on by the always-on script. */
  function handle(raw: unknown): Promise<unknown> | undefined {
    const message = parseMessage(raw);
    if (!message) return undefined;
    switch (message.type) {
      case 'begin-explain':
        return beginExplain(message.srcUrl, message.from);
      case 'show-result': {
        const overlay = overlays.get(message.overlayId);
        overlay?.show(message.result);
        // Answered once its panel is there (a frame after the map): who waits for the worker finds the overlay done.
        return (overlay?.panelReady() ?? Promise.resolve()).then(() => true);
      }
      case 'progress':
        overlays.get(message.overlayId)?.showProgress(message.done, message.total);
        return undefined;
      case 'check-progress': {
        const overlay = overlays.get(message.overlayId);
        if (overlay) mapChecksFor(overlay, checkDeps).progress(message.kind, message.done, message.total);
        return undefined;
      }
      case 'check-result': {
        const overlay = overlays.get(message.overlayId);
        if (overlay) mapChecksFor(overlay, checkDeps).show(message.kind, message.reply);
        return Promise.resolve(true);
      }
      case 'explain-all':
        return Promise.resolve(startExplainAll());
      case 'cancel-all':
        cancelExplainAll();
        return Promise.resolve(true);
      case 'close-all':
        closeAll();
        return undefined;
      case 'prepare-capture': {
        const overlay = overlays.get(message.overlayId);
        return overlay ? overlay.prepareCapture() : Promise.resolve({ ok: false, error: t('errOverlayClosed') });
      }
      case 'page-pixels': {
        const overlay = overlays.get(message.overlayId);
        return overlay ? overlay.target.pagePixels().catch(() => null) : Promise.resolve(null);
      }
      case 'end-capture':
        overlays.get(message.overlayId)?.endCapture();
        return Promise.resolve(true);
      case 'teach-pick':
        return pickForTeach(input.lastClick(), message.srcUrl);
      case 'teach-list':
        return listForTeach();
      case 'teach-toast':
        showTeachToast(message.text, message.tone);
        return Promise.resolve(true);
      default:
        return undefined;
    }
  }

  return { handle, closeAll };
}
