// One overlay: a canvas in a closed shadow root laid exactly over an image's displayed pixels,
// with a small panel of classes. It follows the image, never changes the page's layout and
// never blocks clicks on the page (only its panel takes pointer events). This class holds the
// overlay's state and life (busy, shown, failed, closed; screenshots); where it sits is
// placement.ts, what lies over the picture (map, box, veil) mapFrame.ts, the drawn map's panel
// resultPanel.ts and when it comes panelSchedule.ts.
import type { ColormapName } from '../core/colormap';
import { gridCellAt, type Box } from '../core/geometry';
import type { Point } from '../core/transform2d';
import { t } from '../core/i18nBrowser';
import type { CaptureRegion, ExplanationResult, ExplanationSuccess } from '../core/messages';
import { prepareDisplayMap, type DisplayMap } from '../core/postprocess';
import { OVERLAY_CSS } from './overlay.css';
import { el, onTrustedClick, overlayHost, raiseToTopLayer, setWords, TEXT_CSS } from './dom';
import { visibleRegion } from './captureRegion';
import { framePath } from './frameGeometry';
import { MapFrame, type ShownMap } from './mapFrame';
import { panelGrip } from './panelGrip';
import { PanelOpenness } from './panelOpenness';
import { PanelSchedule } from './panelSchedule';
import { PictureTracker } from './motionWatch';
import { PanelGroup } from './panelLayout';
import { Placement } from './placement';
import { renderResultPanel, updateResultPanel, type ResultPanelOwner } from './resultPanel';
import type { ExplainTarget } from './target';
import { VideoFollow, type FollowingOverlay, type SendFrame } from './videoFollow';

export type OverlayState = 'loading' | 'done' | 'error';

/** A busy overlay gives up after this long (e.g. the service worker was killed mid-way): never a stuck spinner. */
export const ANSWER_TIMEOUT_MS = 60_000;

export interface OverlayCallbacks {
  onClassRequest(overlay: Overlay, classIndex: number): void;
  /** Every class name of a model (may be shorter than its class count). */
  classLabels(modelId: string): Promise<string[]>;
  /** Save the composed PNG as a file, copy it to the clipboard, or save the explanation as JSON. */
  onExport(overlay: Overlay, mode: 'save' | 'copy' | 'json' | 'lab'): void;
  /** Follow on a video's overlay: one frame to the worker, for this overlay. */
  followFrame(overlay: Overlay): SendFrame;
  /** A panel feature's section below the classes (the map checks), drawn with each result. */
  panelSection?(overlay: Overlay, result: ExplanationSuccess): Node | null;
  onCancel(overlay: Overlay): void;
  onClose(overlay: Overlay): void;
}

/** Display choices that apply live to open overlays. */
export interface OverlayDisplay {
  opacity: number;
  /** ReLU before normalising: only positive evidence is coloured. */
  hideNegative: boolean;
  colormap: ColormapName;
}

/** Epoch ms with sub-ms precision, comparable across the page, its frames and the worker (benchmarks). */
export const epochNow = () => performance.timeOrigin + performance.now();

/** When this overlay's stages happened (epoch ms), for the outside-in benchmark through the seam. */
export interface OverlayTiming {
  /** The worker's begin-explain arrived. */
  begin?: number;
  opened: number;
  /** The last result arrived; drawn: its map is on the canvas; painted: two animation frames later (the map is on screen). */
  shown?: number;
  drawn?: number;
  painted?: number;
  /** The panel of that result built and placed (the state is 'done' from then), a frame after the map; painted two frames later. */
  panelDrawn?: number;
  panelPainted?: number;
}

export class Overlay implements ResultPanelOwner, FollowingOverlay {
  /** The overlay that entered the top layer last: it is drawn above the others. */
  private static frontmost: Overlay | null = null;
  /** This frame's open overlays. */
  private static readonly all = new Set<Overlay>();
  /** Those laid out over their pictures: a panel is placed where it covers the least of the others' maps and panels. */
  private static readonly panelGroup = new PanelGroup<Overlay>();
  readonly host: HTMLDivElement;
  private readonly frame: MapFrame;
  readonly panel: HTMLDivElement;
  private readonly live: HTMLDivElement;
  readonly placement: Placement;
  private readonly tracker: PictureTracker;
  private result: ExplanationSuccess | null = null;
  private display: DisplayMap | null = null;
  private scrollSettle: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  /**
   * Busy, drawn or failed: kept inside the closed shadow root (on the frame, for the styles). The
   * page sees the host element and its box — over a picture it shows itself — but not how the
   * explanation went.
   */
  private current: OverlayState = 'loading';
  /** One of "explain all"'s overlays: its results are not announced one by one, nor checked automatically. */
  private isBulk = false;
  /** A fresh right-click result shows its full panel until the pointer is away from its picture and panel. */
  private readonly openness: PanelOpenness;
  /** Where the user dragged the panel (host coordinates): it stays there for this overlay's life. */
  draggedTo: Point | null = null;
  /** Live maps on a video's frames (its panel's Follow button); null for other pictures. */
  readonly follow: VideoFollow | null;
  /** The panel of a map drawn comes in the frame after it; a newer result or request drops it. */
  private readonly panels = new PanelSchedule();
  /** Laid out over its picture: the first layout waits for the next frame (see place). */
  private placed = false;

  constructor(
    readonly id: string,
    readonly target: ExplainTarget,
    private settings: OverlayDisplay,
    private readonly callbacks: OverlayCallbacks,
  ) {
    this.host = overlayHost(t('langCode'));
    this.placement = new Placement(this.host, target);
    const root = this.host.attachShadow({ mode: 'closed' });
    // Compact (one line: title, top score, buttons) unless the pointer or focus is on its picture or panel.
    this.panel = el('div', { class: 'panel compact', role: 'group', 'aria-label': 'CAM Lens' });
    this.openness = new PanelOpenness(this.panel);
    // Opened by the keyboard, it is placed again to fit the viewport. Opened by the pointer, it grows
    // down from where it is: moving it away from the pointer would close it again, and so on.
    for (const type of ['focusin', 'focusout']) this.panel.addEventListener(type, () => requestAnimationFrame(() => this.placePanel()));
    // An open panel may reach over a neighbour's map, which a later overlay draws above it: come to the front.
    // (Not on focus: leaving and re-entering the top layer would take the focus away.)
    this.panel.addEventListener('pointerenter', () => Overlay.frontmost === this || this.host.matches(':focus-within') || this.enterTopLayer());
    this.live = el('div', { class: 'live', role: 'status', 'aria-live': 'polite' });
    const style = document.createElement('style');
    style.textContent = OVERLAY_CSS + TEXT_CSS;
    this.frame = new MapFrame(this.placement, this.panel);
    this.frame.opacity = settings.opacity;
    root.append(style, this.frame.element, this.panel, this.live);
    document.addEventListener('pointermove', this.onPointerMove, { passive: true, capture: true });
    window.addEventListener('scroll', this.onScroll, { passive: true });
    document.documentElement.appendChild(this.host);
    this.enterTopLayer();
    this.follow = target.element instanceof HTMLVideoElement ? new VideoFollow(target.element, this, callbacks.followFrame(this)) : null;
    // A new overlay: the others' fresh panels close to one line, and all make room for its map.
    for (const other of Overlay.all) other.openness.pin(false);
    Overlay.all.add(this);
    this.setLoading();
    // Follows the picture; an SPA that swaps the picture in place (or removes it) makes the map stale.
    const identity = target.identity();
    this.tracker = new PictureTracker(target.element, () => {
      if (this.closed) return 'gone';
      if (!target.element.isConnected || target.identity() !== identity) {
        this.close();
        return 'gone';
      }
      if (!this.placement.moved()) return 'still';
      this.layout();
      return 'moved';
    });
    // The first layout in the next frame, not now: nothing is drawn before it anyway, and the worker,
    // answered first, fetches the picture meanwhile (laying out here held its answer back by ~2 ms).
    requestAnimationFrame(() => this.place());
  }

  /** The first layout: the overlay follows its picture from now on, and every panel makes room. */
  private place(): void {
    if (this.placed || this.closed) return;
    this.placed = true;
    Overlay.panelGroup.add(this);
    this.tracker.start();
    Overlay.panelGroup.placeAll();
  }

  get state(): OverlayState {
    return this.current;
  }

  /** Waiting for the worker: 'loading', and not merely for its panel's frame after the map came. */
  get computing(): boolean {
    return this.current === 'loading' && !this.panels.waiting;
  }

  private setState(state: OverlayState): void {
    this.current = state;
    this.frame.state = state;
  }

  /** What the panel shows, as words (for the automation seam: the page cannot read them). */
  get words(): string {
    const all = [this.panel, this.live].flatMap((root) => [root, ...root.querySelectorAll('[data-text]')]);
    return all.map((e) => e.getAttribute('data-text') ?? '').filter(Boolean).join(' ');
  }

  setLoading(): void {
    this.panels.drop();
    this.frame.mapDrawn = false; // the busy veil covers the map shown until the new one comes
    this.setState('loading');
    if (!this.isBulk) this.openness.pin(true); // its progress and cancel button are seen
    this.armWatchdog();
    if (!this.result) this.render(this.head(el('span', { class: 'title busy' }, t('overlayExplaining'))));
  }

  readonly timing: OverlayTiming = { opened: epochNow() };

  /** How many results (or errors) this overlay has shown: tells a waiting request whether it was answered. */
  shownCount = 0;

  show(result: ExplanationResult): void {
    if (this.closed) return;
    this.shownCount++;
    clearTimeout(this.watchdog);
    this.panels.drop();
    this.place(); // an answer before the first frame (a hidden tab draws none)
    if (!result.ok) {
      if (result.error === 'cancelled' && this.result) {
        // Back to the map that was shown before the cancelled request.
        renderResultPanel(this, this.result, this.display);
        this.setState('done');
        return;
      }
      this.result = null;
      this.display = null;
      this.frame.clear();
      this.setState('error');
      this.render(
        this.head(el('span', { class: 'title' }, t('overlayCouldNotExplain'))),
        // 'cancelled' is the worker's protocol value for a cancelled computation; every other error is already words.
        el('div', { class: 'message' }, result.error === 'cancelled' ? t('overlayCancelled') : result.error),
      );
      return;
    }
    this.timing.shown = epochNow();
    this.result = result;
    this.display = prepareDisplayMap(result.map, { relu: this.settings.hideNegative });
    this.frame.invalidate();
    // The map first, its panel in the frame after: the map is what the user waits for, and building the
    // panel (its DOM, then a layout of every panel) held that frame back. The state stays 'loading',
    // without the busy veil, until the panel is there.
    this.frame.layout(this.shown()); // afresh: a picture's natural size (backgrounds, SVG images) may have arrived since
    this.frame.mapDrawn = true;
    this.timing.drawn = epochNow();
    this.panels.schedule(
      () => this.showPanel(),
      () => (this.timing.painted = epochNow()),
    );
  }

  /** Resolves once the panel of the map shown is there (at once if none waits). */
  panelReady(): Promise<void> {
    return this.panels.ready();
  }

  /** The panel of the map shown, once that map is on screen. */
  private showPanel(): void {
    if (!this.result || this.closed) return;
    renderResultPanel(this, this.result, this.display);
    this.setState('done');
    if (!this.isBulk) this.openness.pin(true);
    Overlay.panelGroup.placeAll(); // its map may be smaller than the picture now (a crop, a screenshot's part)
    this.timing.panelDrawn = epochNow();
    requestAnimationFrame(() => requestAnimationFrame(() => (this.timing.panelPainted = epochNow())));
  }

  /** A followed video's new frame: its map drawn, the panel's words set in place (not rebuilt: its controls keep focus and clicks). */
  showFrame(result: ExplanationSuccess): void {
    if (this.closed) return;
    this.result = result;
    this.display = prepareDisplayMap(result.map, { relu: this.settings.hideNegative });
    this.frame.invalidate();
    this.frame.draw(this.shown());
    // The panel of the first map may still wait for its frame: built now, for this one.
    if (this.panels.waiting) {
      this.showPanel();
      this.panels.drop();
    } else updateResultPanel(this, result, this.display);
    this.setState('done');
  }

  /** Following started or stopped: the panel is built for the map shown (its checks are for that one, and unavailable while following). */
  followChanged(): void {
    if (this.closed || !this.result || this.state !== 'done') return;
    renderResultPanel(this, this.result, this.display);
  }

  followControls(): { button: HTMLElement; line: HTMLElement } | null {
    return this.follow;
  }

  /** Gives up waiting when no answer (or progress) comes for ANSWER_TIMEOUT_MS. */
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(
      () => this.show({ ok: false, error: t('overlayNoAnswer', String(ANSWER_TIMEOUT_MS / 1000)) }),
      ANSWER_TIMEOUT_MS,
    );
  }

  /** Progress of an on-demand method (Score-CAM, Ablation-CAM), with a way to cancel it. */
  showProgress(done: number, total: number): void {
    if (this.closed || this.state !== 'loading') return;
    this.armWatchdog(); // still working: long methods are not timed out while they report progress
    let progress = this.panel.querySelector<HTMLElement>('.progress');
    if (!progress) {
      const cancel = el('button', { class: 'cancel', type: 'button' }, t('cancel'));
      onTrustedClick(cancel, () => this.callbacks.onCancel(this));
      progress = el('div', { class: 'progress' }, el('div', { class: 'progress-text' }), el('div', { class: 'progress-track' }, el('div', { class: 'progress-fill' })), cancel);
      this.panel.append(progress);
      this.placePanel();
    }
    setWords(progress.querySelector('.progress-text')!, t('overlayProgress', [String(done), String(total)]));
    (progress.querySelector('.progress-fill') as HTMLElement).style.width = `${(100 * done) / total}%`;
  }

  /** One of "explain all"'s overlays (its panel stays one line until the pointer or focus is on it). */
  markBulk(): void {
    this.isBulk = true;
    this.openness.pin(false);
  }

  get bulk(): boolean {
    return this.isBulk;
  }

  /** Colours and opacity as currently shown, for exports that look the same. */
  get look(): OverlayDisplay {
    return this.settings;
  }

  /** Figures computed for the map shown (checks), kept with it for exports. */
  annotate(figures: Pick<ExplanationSuccess, 'faithfulness' | 'sanity'>): void {
    if (this.result) this.result = { ...this.result, ...figures };
  }

  /** A panel feature changed its size: place the panel again. */
  panelChanged(): void {
    this.placePanel();
  }

  /**
   * Before a screenshot: hides the overlay (it must not be in the picture) and says which part of
   * the picture is visible, in viewport CSS px.
   */
  async prepareCapture(): Promise<CaptureRegion> {
    const region = visibleRegion(this.target.layout(), { x: 0, y: 0, width: window.innerWidth, height: window.innerHeight });
    if (!region.ok) return { ok: false, error: region.reason === 'rotated' ? t('errRotatedScreenshot') : t('errNotOnScreen') };
    this.frame.setCapturing(true);
    // Two frames: the hidden overlay must be what the compositor shows when the tab is captured
    // (a hidden page draws none: the worker then finds the tab is not the one shown).
    await new Promise((r) => {
      requestAnimationFrame(() => requestAnimationFrame(r));
      setTimeout(r, 500);
    });
    // Inside an iframe, the worker places the rect in the tab's viewport (asking the frame's ancestors).
    return { ok: true, rect: region.rect, devicePixelRatio: window.devicePixelRatio || 1, picture: region.picture, framePath: framePath() };
  }

  endCapture(): void {
    this.frame.setCapturing(false);
  }

  /** Clipping ancestors leave nothing of its picture visible (its map covers nothing: for the panels' layout). */
  get clippedAway(): boolean {
    return this.frame.clippedAway;
  }

  applySettings(settings: OverlayDisplay): void {
    const redraw = settings.hideNegative !== this.settings.hideNegative || settings.colormap !== this.settings.colormap;
    this.settings = settings;
    this.frame.opacity = settings.opacity;
    if (redraw && this.result) this.show(this.result);
  }

  get explanation(): ExplanationSuccess | null {
    return this.result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.follow?.stop();
    if (Overlay.frontmost === this) Overlay.frontmost = null;
    Overlay.all.delete(this);
    Overlay.panelGroup.delete(this);
    clearTimeout(this.watchdog);
    this.frame.stop();
    this.panels.drop();
    document.removeEventListener('pointermove', this.onPointerMove, { capture: true });
    window.removeEventListener('scroll', this.onScroll);
    clearTimeout(this.scrollSettle);
    this.tracker.stop();
    this.host.remove();
    this.callbacks.onClose(this);
    Overlay.panelGroup.placeAll(); // room freed
  }

  render(...content: (Node | null)[]): void {
    // A control kept across rebuilds (Follow) keeps the focus.
    const focused = (this.panel.getRootNode() as ShadowRoot).activeElement;
    this.panel.replaceChildren(...content.filter((n): n is Node => n !== null));
    if (focused instanceof HTMLElement && focused !== (this.panel.getRootNode() as ShadowRoot).activeElement && this.panel.contains(focused)) focused.focus();
    this.placePanel(); // its size changed
  }

  /** The panel's first row: a title, optional buttons, and the close button. */
  head(title: HTMLElement, ...buttons: HTMLElement[]): HTMLElement {
    const close = el('button', { class: 'close', type: 'button', 'aria-label': t('overlayCloseLabel'), title: t('overlayCloseTitle') }, '×');
    onTrustedClick(close, () => this.close());
    return el('div', { class: 'head' }, panelGrip(this.panel, (at) => this.moveTo(at)), title, ...buttons, close);
  }

  private moveTo(at: Point): void {
    this.draggedTo = at;
    this.panel.style.left = `${at.x}px`;
    this.panel.style.top = `${at.y}px`;
  }

  // What the result panel asks of its overlay (ResultPanelOwner).
  shownClass(): number | undefined {
    return this.result?.target.index;
  }

  requestClass(index: number): void {
    if (this.follow?.following) {
      // The next frames are explained for it; the frame now shown says so at once.
      this.follow.pick(index);
      for (const chip of this.panel.querySelectorAll('.chip')) chip.setAttribute('aria-pressed', String((chip as HTMLElement).dataset.classIndex === String(index)));
      if (this.follow.working) return; // else (paused, hidden) no frame comes: the frame shown is explained for it
    }
    this.setLoading();
    this.callbacks.onClassRequest(this, index);
  }

  exportAs(mode: 'save' | 'copy' | 'json' | 'lab'): void {
    this.callbacks.onExport(this, mode);
  }

  classLabels(modelId: string): Promise<string[]> {
    return this.callbacks.classLabels(modelId);
  }

  section(result: ExplanationSuccess): Node | null {
    return this.callbacks.panelSection?.(this, result) ?? null;
  }

  /** A short status line in the panel (export done or failed), also announced. */
  notify(text: string): void {
    const hover = this.panel.querySelector<HTMLElement>('.hover');
    if (hover) setWords(hover, text);
    this.announce(text);
  }

  /** Polite screen-reader announcement of the result, in words. */
  announce(text: string): void {
    setWords(this.live, '');
    // Fresh text after clearing makes screen readers announce repeats too.
    requestAnimationFrame(() => setWords(this.live, text));
  }

  /** Shows the map's value under the pointer (the overlay itself never takes pointer events). */
  private onPointerMove = (e: PointerEvent): void => {
    const local = this.placement.hostPoint(e.clientX, e.clientY);
    if (e.isTrusted) this.openness.pointerAt(local, this.placement.pictureRect);
    const hover = this.panel.querySelector<HTMLElement>('.hover');
    if (!hover || !this.result || !this.display) return;
    const { width, height } = this.result.map;
    const i = gridCellAt(this.placement.mapRect(this.result), width, height, local);
    if (i === null) return setWords(hover, '');
    setWords(hover, t('overlayHoverValue', [this.display.values[i].toFixed(2), this.result.map.values[i].toPrecision(3)]));
  };

  /**
   * Once the page has stopped scrolling, the panel may need to flip to stay in the viewport. (Not
   * `scrollend`: every programmatic scroll fires it, which would lay out every overlay each frame.)
   */
  private onScroll = (): void => {
    clearTimeout(this.scrollSettle);
    this.scrollSettle = setTimeout(() => this.closed || this.layout(), 150);
  };

  private enterTopLayer(): void {
    Overlay.frontmost = this;
    raiseToTopLayer(this.host);
  }

  /** The host and the frame over the picture (the frame with the picture's transforms; the panel stays upright), then the panel. */
  private layout(): void {
    this.frame.layout(this.shown());
    this.placePanel();
  }

  private shown(): ShownMap {
    return { result: this.result, display: this.display, colormap: this.settings.colormap };
  }

  private placePanel(): void {
    Overlay.panelGroup.place(this);
  }

  /** The rect its map covers in the host (for the panels' layout). */
  mapRect(): Box {
    return this.placement.mapRect(this.result);
  }
}
