// What happens to each overlay's explanation in the worker: the picture's source is judged once
// (fetch policy) and held for that overlay; explanations, class switches and exports read only the
// held source of the overlay that asks; pixels the worker may not read are drawn by the page, or
// captured from the screen.
import browser from 'webextension-polyfill';
import { dataUrlOf } from '../core/bytes';
import { fetchVerdict, type ShownIn } from '../core/fetchPolicy';
import { t } from '../core/i18nBrowser';
import { LruMap } from '../core/lru';
import { ImageSource as ImageSourceSchema, type ExplanationResult, type ExplanationSuccess, type ExportReply, type ImageSource, type Message } from '../core/messages';
import { METHODS, type MethodChoice } from '../core/methods';
import { loadSettings, type Settings } from '../core/settingsStore';
import { captureVisiblePart, type Captured } from './capture';
import { errorMessage, type ExplainRequest, type Explainer } from './explainer';
import { composeExport, type ExportLook } from './exporter';
import { HeldOverlays, type Held, type HeldSource, type Owner } from './heldOverlays';
import type { Models } from './models';
import { fetchImage, type Pixels } from './pixels';

/** Optional overrides of the user's settings (the seam's third argument). */
export interface ExplainOverrides {
  method?: MethodChoice;
  classIndex?: number;
  layer?: string;
  box?: boolean;
  scoreCamChannels?: number | 'all';
  /** Skip the recent-results cache (benchmarks). */
  fresh?: boolean;
  /** false: no shortcut alarm (to measure what it costs). */
  shortcut?: boolean;
}

/** What else sees an overlay's results: the map checks keep what each overlay shows and add their figures to exports. */
export interface ShownResultHooks {
  shown(owner: Owner, result: ExplanationResult): void;
  /** The overlay's result as exported (with the figures checked for it). */
  forExport(owner: Owner, result: ExplanationSuccess): ExplanationSuccess;
}

/** The answer to a Follow frame sent while the overlay's previous one is still being explained (a protocol value, like 'cancelled'). */
export const FOLLOW_BUSY = 'busy';

const ownerKey = (o: Owner) => `${o.tabId}:${o.frameId}:${o.overlayId}`;
const failure = (error: string): ExplanationResult => ({ ok: false, error });

export class Explanations {
  /** Running explanations, by overlay, so the overlay's Cancel button can stop them. */
  private readonly running = new Map<string, AbortController>();
  private preparing = false;
  /** Preparations started in this worker's life, and when the last one ran (epoch ms) with its timings (seam, benchmarks). */
  preparations = { count: 0, last: null as { received: number; done: number; timingsMs?: Record<string, number> } | null };
  /** Screenshots kept per explanation, so switching class does not capture (and flicker) again. */
  private readonly captures = new LruMap<string, Captured>(8);
  /** Overlays with a Follow frame being explained. */
  private readonly following = new Set<string>();
  /**
   * Each followed overlay's result before its latest Follow frame: the page still draws it while the
   * newer answer is on its way, and exports name the map drawn.
   */
  private readonly earlierFrame = new LruMap<string, ExplanationSuccess>(16);
  /** Bytes a page drew for an overlay when the worker could not read its image, by overlay. */
  private readonly drawnByPage = new LruMap<string, string>(16);
  /** The last overlay shown an explanation, and the last result (seam). */
  lastShown: Owner | null = null;
  lastResult: ExplanationResult | null = null;
  hooks: ShownResultHooks = { shown: () => undefined, forExport: (_, result) => result };

  constructor(
    private readonly explainer: Explainer,
    private readonly models: Models,
    readonly held: HeldOverlays,
  ) {}

  /**
   * A new overlay the worker opened (right-click, shortcut): holds its source as the policy allows,
   * explains it and shows the result.
   */
  async begin(owner: Owner, source: ImageSource, shownIn: ShownIn, overrides: ExplainOverrides = {}): Promise<ExplanationResult> {
    const judged = judge(source, shownIn);
    if (!judged.ok) return this.show(owner, failure(judged.error));
    const [held, request] = await Promise.all([this.held.hold(owner, judged.source), this.requestFor(owner, overrides)]);
    return this.show(owner, await this.explainHeld(held, request, pageBytes(source)));
  }

  /**
   * An overlay asks itself ("explain all", or again after the worker restarted): what the worker
   * holds for it wins; only an overlay it does not know yet brings its source.
   */
  async explainFromPage(owner: Owner, source: ImageSource, shownIn: ShownIn): Promise<ExplanationResult> {
    let held = await this.held.get(owner);
    if (!held) {
      const judged = judge(source, shownIn);
      if (!judged.ok) return failure(judged.error);
      held = await this.held.hold(owner, judged.source);
    }
    const result = await this.explainHeld(held, await this.requestFor(owner, {}), pageBytes(source));
    await this.finished(owner, result);
    return result;
  }

  /**
   * Follow: a new frame of an overlay's video, for the class the user picked (else the top one).
   * One at a time per overlay: a frame sent while another is in flight is not explained ('busy'),
   * so a page's content script that sends faster than the maps come back cannot queue work.
   */
  async followFrame(owner: Owner, source: ImageSource, shownIn: ShownIn, classIndex?: number): Promise<ExplanationResult> {
    const key = ownerKey(owner);
    if (this.following.has(key)) return failure(FOLLOW_BUSY);
    if (source.kind !== 'dataUrl') return failure(t('errFollowUnreadable'));
    this.following.add(key);
    try {
      let held = await this.held.get(owner);
      if (!held) {
        const judged = judge(source, shownIn);
        if (!judged.ok) return failure(judged.error);
        held = await this.held.hold(owner, judged.source);
      }
      if (held.source.kind !== 'page') return failure(t('errFollowUnreadable'));
      // The frame as sent: no fallback to a screenshot (a frame the page could read is always readable).
      // Live maps, as in the Lab: no shortcut alarm (its extra passes would halve the maps per second).
      const request = await this.requestFor(owner, { classIndex, shortcut: false });
      const before = held.result;
      const result = await this.explainer.explain({ kind: 'dataUrl', dataUrl: source.dataUrl, originalUrl: 'page' }, request);
      if (result.ok && before) this.earlierFrame.set(key, before);
      // Kept for a restarted worker while the map is on its way (not awaited: it is not what the user waits for).
      void this.finished(owner, result).catch(() => undefined);
      return result;
    } finally {
      this.following.delete(key);
    }
  }

  /** Another class (or method) for an overlay's own image. */
  async switchClass(owner: Owner, classIndex: number, method: MethodChoice, pixels?: string): Promise<ExplanationResult> {
    const held = await this.held.get(owner);
    if (!held) return failure(t('errOverlayUnknown'));
    const request = await this.requestFor(owner, { classIndex, method });
    const result = await this.explainHeld(held, request, pixels, held.result?.explanationId);
    await this.finished(owner, result);
    return result;
  }

  /** The seam's class switch: the overlay that showed the given explanation, or the last one. */
  async switchClassOf(classIndex: number, explanationId?: string, method?: MethodChoice): Promise<ExplanationResult> {
    const held = explanationId ? await this.held.find((h) => h.result?.explanationId === explanationId) : this.lastShown && (await this.held.get(this.lastShown));
    if (!held) return failure('nothing has been explained yet');
    const request = await this.requestFor(held.owner, { classIndex, method: method ?? held.result?.method });
    return this.show(held.owner, await this.explainHeld(held, request, undefined, held.result?.explanationId));
  }

  /** The same explanation again from the overlay's own image (same model, method and class): a map check whose kept input was evicted. */
  async again(owner: Owner, result: ExplanationSuccess): Promise<ExplanationResult> {
    const held = await this.held.get(owner);
    if (!held) return failure(t('errOverlayUnknown'));
    const request = await this.requestFor(owner, { classIndex: result.target.index, method: result.method });
    try {
      if (request.entry.id !== result.modelId) return failure(t('errCheckModelChanged'));
      return await this.explainHeld(held, request, undefined, result.explanationId);
    } finally {
      this.running.delete(ownerKey(owner));
    }
  }

  /** Save / Copy: the overlay's own explanation over its own image. */
  async export(owner: Owner, look: ExportLook, pixels?: string, explanationId?: string): Promise<ExportReply> {
    const held = await this.held.get(owner);
    const result = held && this.drawn(held, explanationId);
    if (!held || !result) return { ok: false, error: t('errExport', t('errOverlayUnknown')) };
    try {
      const source = await this.sourceOf(held, result, pixels);
      if (!source.ok) return { ok: false, error: t('errExport', source.error) };
      const png = await composeExport(source.pixels, this.hooks.forExport(owner, result), look);
      return { ok: true, dataUrl: await dataUrlOf(png) };
    } catch (e) {
      return { ok: false, error: t('errExport', errorMessage(e)) };
    }
  }

  /** The overlay's picture as bytes, read as Save reads it, with the explanation it shows (for the Lab). */
  async picture(owner: Owner, pixels?: string, explanationId?: string): Promise<{ ok: true; dataUrl: string; origin: string; result: ExplanationSuccess } | { ok: false; error: string }> {
    const held = await this.held.get(owner);
    const result = held && this.drawn(held, explanationId);
    if (!held || !result) return { ok: false, error: t('errOverlayUnknown') };
    try {
      const source = await this.sourceOf(held, result, pixels);
      if (!source.ok) return source;
      const image = await fetchImage(source.pixels);
      const origin = held.source.kind === 'url' ? held.source.url : held.source.kind;
      return { ok: true, dataUrl: await dataUrlOf(new Blob([image.bytes], { type: image.contentType })), origin, result };
    } catch (e) {
      return { ok: false, error: errorMessage(e) };
    }
  }

  /**
   * The result an overlay draws: the one it names (its latest, or while following the frame before,
   * whose answer the page may not have drawn yet), else its latest; null: none it names.
   */
  private drawn(held: Held, explanationId?: string): ExplanationSuccess | null {
    if (!explanationId || held.result?.explanationId === explanationId) return held.result ?? null;
    const earlier = this.earlierFrame.get(ownerKey(held.owner));
    return earlier?.explanationId === explanationId ? earlier : null;
  }

  /** Where the held overlay's pixels are read now: its URL, the bytes its page drew, or its screenshot. */
  private async sourceOf(held: Held, result: ExplanationSuccess, pixels?: string): Promise<{ ok: true; pixels: Pixels } | { ok: false; error: string }> {
    const source = held.source;
    if (source.kind === 'url') return { ok: true, pixels: { kind: 'url', url: source.url, withCookies: source.withCookies, shownIn: source.shownIn } };
    if (source.kind === 'page') {
      const bytes = pixels ?? (await this.pageDrawn(held.owner));
      return bytes ? { ok: true, pixels: { kind: 'dataUrl', dataUrl: bytes, originalUrl: 'page' } } : { ok: false, error: t('errOverlayUnknown') };
    }
    const captured = this.captures.get(result.explanationId);
    return captured ? { ok: true, pixels: { kind: 'dataUrl', dataUrl: captured.dataUrl, originalUrl: 'screenshot' } } : { ok: false, error: t('errScreenshotGone') };
  }

  cancel(owner: Owner): void {
    this.running.get(ownerKey(owner))?.abort();
  }

  isRunning(owner: Owner): boolean {
    return this.running.has(ownerKey(owner));
  }

  /** The screenshot crop an explanation was computed from (seam: tests check where it was taken). */
  capturedPixels(explanationId: string): string | null {
    return this.captures.get(explanationId)?.dataUrl ?? null;
  }

  private async requestFor(owner: Owner, overrides: ExplainOverrides): Promise<ExplainRequest> {
    const key = ownerKey(owner);
    this.running.get(key)?.abort();
    const controller = new AbortController();
    this.running.set(key, controller);
    return {
      ...(await this.requestFromSettings(owner, overrides)),
      signal: controller.signal,
      progress: (done, total) => void send(owner, { type: 'progress', overlayId: owner.overlayId, done, total }),
    };
  }

  /** What the user's settings ask of an explanation in this frame (a prepared one asks the same, so the menu's request finds it). */
  private async requestFromSettings(frame: Pick<Owner, 'tabId' | 'frameId'>, overrides: ExplainOverrides, given?: Settings): Promise<ExplainRequest> {
    const settings = given ?? (await loadSettings(browser.storage.sync));
    const entry = await this.models.active(settings);
    return {
      entry,
      method: overrides.method ?? settings.method,
      classIndex: overrides.classIndex,
      layer: overrides.layer ?? settings.layers[entry.id],
      box: overrides.box ?? settings.showBox,
      topK: settings.topK,
      methodOptions: overrides.scoreCamChannels !== undefined ? { scoreCamChannels: overrides.scoreCamChannels } : undefined,
      fresh: overrides.fresh,
      shortcut: overrides.shortcut ?? settings.shortcutAlarm,
      owner: `${frame.tabId}:${frame.frameId}`,
    };
  }

  /**
   * A trusted right-click on an <img>: its explanation is computed while the menu is open, exactly as
   * the menu's request will ask for it (same settings, same fetch policy, same frame), so that
   * "Explain this image" finds it done or joins it (Explainer's cache and in-flight requests).
   * Nothing is shown. One at a time: a burst of right-clicks does not queue work; methods with many
   * forward passes (Score-CAM, Ablation-CAM) are not prepared. True once it has explained (whatever
   * came of it), false when it declined.
   */
  async prepare(frame: Pick<Owner, 'tabId' | 'frameId'>, url: string, shownIn: ShownIn): Promise<boolean> {
    if (this.preparing) return false;
    const readable = readablePixels({ kind: 'url', url }, shownIn);
    if (!readable.ok) return false;
    this.preparing = true;
    this.preparations.count++;
    const received = performance.timeOrigin + performance.now();
    try {
      const settings = await loadSettings(browser.storage.sync);
      if (!settings.prepareOnRightClick || (settings.method !== 'auto' && METHODS[settings.method].kind !== 'live')) return false;
      const result = await this.explainer.explain(readable.pixels, await this.requestFromSettings(frame, {}, settings));
      this.preparations.last = { received, done: performance.timeOrigin + performance.now(), timingsMs: result.ok ? result.timingsMs : undefined };
      return true;
    } finally {
      this.preparing = false;
    }
  }

  /**
   * Explains (or, with `again`, re-explains) from the held source. An image the worker may not
   * fetch (HTTP 401/403) is drawn by the page; what the page may not read either is captured.
   */
  private async explainHeld(held: Held, request: ExplainRequest, bytes?: string, again?: string): Promise<ExplanationResult> {
    const { owner, source } = held;
    const run = (pixels: Pixels, req = request) => (again ? this.explainer.explainAgain(again, pixels, req) : this.explainer.explain(pixels, req));
    if (source.kind === 'screenshot') return this.fromScreenshot(owner, request, run, again);
    let result: ExplanationResult;
    if (source.kind === 'url') {
      result = await run({ kind: 'url', url: source.url, withCookies: source.withCookies, shownIn: source.shownIn });
      if (result.ok || !result.fallback) return result;
      if (result.fallback === 'page') {
        const drawn = await pagePixels(owner);
        if (drawn?.kind === 'dataUrl') {
          this.drawnByPage.set(ownerKey(owner), drawn.dataUrl);
          await this.held.update(owner, { source: { kind: 'page' } });
          const fromPage = await run({ kind: 'dataUrl', dataUrl: drawn.dataUrl, originalUrl: drawn.originalUrl });
          return fromPage.ok ? fromPage : result;
        }
        if (drawn?.kind !== 'screenshot') return result;
      }
    } else {
      const pixels = bytes ?? (await this.pageDrawn(owner));
      if (!pixels) return failure(t('errOverlayUnknown'));
      result = await run({ kind: 'dataUrl', dataUrl: pixels, originalUrl: 'page' });
      if (result.ok || !result.fallback) return result;
    }
    // Neither the worker nor the page may read these pixels; they are on screen.
    const captured = await this.fromScreenshot(owner, request, run, again);
    if (captured.ok) await this.held.update(owner, { source: { kind: 'screenshot' } });
    return captured.ok ? captured : result;
  }

  private async fromScreenshot(owner: Owner, request: ExplainRequest, run: (p: Pixels, r?: ExplainRequest) => Promise<ExplanationResult>, again?: string): Promise<ExplanationResult> {
    const captured = (again && this.captures.get(again)) || (await captureVisiblePart(owner));
    if (!captured.ok) return captured;
    const result = await run({ kind: 'dataUrl', dataUrl: captured.dataUrl, originalUrl: 'screenshot' }, { ...request, capturedRegion: captured.region });
    if (result.ok) this.captures.set(result.explanationId, captured);
    return result;
  }

  /** Bytes the page drew for this overlay: kept, or asked for again. */
  private async pageDrawn(owner: Owner): Promise<string | undefined> {
    const kept = this.drawnByPage.get(ownerKey(owner));
    if (kept) return kept;
    const drawn = await pagePixels(owner);
    return drawn?.kind === 'dataUrl' ? drawn.dataUrl : undefined;
  }

  private async show(owner: Owner, result: ExplanationResult): Promise<ExplanationResult> {
    // The page is told at once; storing the result for a restarted worker (session storage) runs
    // meanwhile — the in-memory record is updated before any reply from the page can arrive.
    await Promise.all([this.finished(owner, result), send(owner, { type: 'show-result', overlayId: owner.overlayId, result })]);
    return result;
  }

  private async finished(owner: Owner, result: ExplanationResult): Promise<void> {
    this.running.delete(ownerKey(owner));
    this.lastResult = result;
    this.hooks.shown(owner, result);
    if (!result.ok) return;
    this.lastShown = owner;
    await this.held.update(owner, { result });
    void browser.storage.session?.set({ lastTimingsMs: result.timingsMs }).catch(() => undefined);
  }
}

/** The held source for a picture a frame named: page-read bytes, a screenshot, or a URL under the fetch policy. */
function judge(source: ImageSource, shownIn: ShownIn): { ok: true; source: HeldSource } | { ok: false; error: string } {
  if (source.kind === 'dataUrl') return { ok: true, source: { kind: 'page' } };
  if (source.kind === 'screenshot') return { ok: true, source: { kind: 'screenshot' } };
  const readable = readablePixels(source, shownIn);
  if (!readable.ok) return readable;
  return readable.pixels.kind === 'url' ? { ok: true, source: readable.pixels } : { ok: true, source: { kind: 'page' } };
}

/** What the worker may read of a picture a frame named: its page-read bytes, or its URL under the fetch policy (Teach adds pictures the same way). */
export function readablePixels(source: Exclude<ImageSource, { kind: 'screenshot' }>, shownIn: ShownIn): { ok: true; pixels: Pixels } | { ok: false; error: string } {
  if (source.kind === 'dataUrl') return { ok: true, pixels: { kind: 'dataUrl', dataUrl: source.dataUrl, originalUrl: source.originalUrl } };
  const verdict = fetchVerdict(source.url, shownIn);
  if (!verdict.ok) return { ok: false, error: t('errPrivateAddress', verdict.host) };
  return { ok: true, pixels: { kind: 'url', url: source.url, withCookies: verdict.withCookies, shownIn } };
}

const pageBytes = (source: ImageSource) => (source.kind === 'dataUrl' ? source.dataUrl : undefined);

function send(owner: Owner, message: Message): Promise<unknown> {
  // The tab may have navigated away or closed meanwhile; nothing is left to update then.
  return browser.tabs.sendMessage(owner.tabId, message, { frameId: owner.frameId }).catch(() => undefined);
}

/** The overlay's pixels as its page draws them (a data URL, or a screenshot when the page may not read them either). */
async function pagePixels(owner: Owner): Promise<ImageSource | null> {
  const message: Message = { type: 'page-pixels', overlayId: owner.overlayId };
  const reply = ImageSourceSchema.safeParse(await send(owner, message));
  return reply.success ? reply.data : null;
}
