// One overlay: a canvas in a closed shadow root laid exactly over an image's displayed pixels,
// with a small panel of classes. It follows the image, never changes the page's layout and
// never blocks clicks on the page (only its panel takes pointer events).
import { colormapLut, type ColormapName } from '../core/colormap';
import { intersect, visibleRect, type Box } from '../core/geometry';
import { IDENTITY, cssMatrix, localPolygon, toLocal, viewportBounds, type PlacedBox } from '../core/transform2d';
import { heatmapRgba } from '../core/heatmap';
import { t } from '../core/i18nBrowser';
import type { CaptureRegion, ExplanationResult, ExplanationSuccess } from '../core/messages';
import { METHODS } from '../core/methods';
import { formatProbability } from '../core/scores';
import { prepareDisplayMap, upsampleDisplayMap, type DisplayMap } from '../core/postprocess';
import { OVERLAY_CSS } from './overlay.css';
import { el, markOverlayHost, onTrustedClick, setWords, TEXT_CSS } from './dom';
import { createShortcutOutline, placeShortcutOutline } from './panelShortcut';
import { framePath } from './frameGeometry';
import type { ExplainTarget } from './target';

export type OverlayState = 'loading' | 'done' | 'error';

/** Device pixels per side above which the smooth map gains nothing visible. */
const MAX_CANVAS_SIDE = 1024;
/** A busy overlay gives up after this long (e.g. the service worker was killed mid-way): never a stuck spinner. */
export const ANSWER_TIMEOUT_MS = 60_000;

export interface OverlayCallbacks {
  onClassRequest(overlay: Overlay, classIndex: number): void;
  /** Every class name of a model (may be shorter than its class count). */
  classLabels(modelId: string): Promise<string[]>;
  /** Save the composed PNG as a file, copy it to the clipboard, or save the explanation as JSON. */
  onExport(overlay: Overlay, mode: 'save' | 'copy' | 'json'): void;
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

export class Overlay {
  /** The overlay that entered the top layer last: it is drawn above the others. */
  private static frontmost: Overlay | null = null;
  readonly host: HTMLDivElement;
  private readonly frame: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly boxOutline: HTMLDivElement;
  private readonly shortcutOutline = createShortcutOutline();
  private readonly panel: HTMLDivElement;
  private readonly live: HTMLDivElement;
  private result: ExplanationSuccess | null = null;
  private display: DisplayMap | null = null;
  private lastRect = '';
  private drawnSize = '';
  private pictureRect: Box = { x: 0, y: 0, width: 0, height: 0 };
  /** Where the host's own coordinates land on screen (its top-left corner and the transforms above it). */
  private placed: PlacedBox = { origin: { x: 0, y: 0 }, m: IDENTITY };
  /** What clipping ancestors leave visible (viewport px at the last layout), if any clips. */
  private clip: Box | undefined;
  private size = { width: 0, height: 0 };
  private scrollAtLayout = { x: 0, y: 0 };
  private scrollSettle: ReturnType<typeof setTimeout> | undefined;
  private offset = { x: 0, y: 0 };
  private raf = 0;
  private closed = false;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  /**
   * Busy, drawn or failed: kept inside the closed shadow root (on the frame, for the styles). The
   * page sees the host element and its box — over a picture it shows itself — but not how the
   * explanation went.
   */
  private current: OverlayState = 'loading';
  /** Hidden while the tab is captured, or when clipping boxes leave nothing of the picture visible. */
  private capturing = false;
  private clippedAway = false;

  constructor(
    readonly id: string,
    readonly target: ExplainTarget,
    private settings: OverlayDisplay,
    private readonly callbacks: OverlayCallbacks,
  ) {
    this.host = document.createElement('div');
    // Inline !important beats page rules such as `* { display: none !important }`.
    this.host.style.cssText =
      'all: initial !important; position: absolute !important; display: block !important; z-index: 2147483647 !important;' +
      'pointer-events: none !important; margin: 0 !important; padding: 0 !important; border: 0 !important; visibility: visible !important; opacity: 1 !important;' +
      'overflow: visible !important; background: transparent !important; inset: auto !important;';
    this.host.lang = t('langCode'); // the panel's language, for screen readers
    // A marker without state: tests find overlays by it; it tells the page nothing its DOM does not.
    this.host.setAttribute('data-cam-lens', '');
    markOverlayHost(this.host);
    const root = this.host.attachShadow({ mode: 'closed' });
    this.canvas = el('canvas', { class: 'map' });
    this.boxOutline = el('div', { class: 'box', hidden: true });
    this.frame = el('div', { class: 'frame' }, this.canvas, this.boxOutline, this.shortcutOutline, el('div', { class: 'veil' }, el('div', { class: 'spinner' })));
    this.panel = el('div', { class: 'panel', role: 'group', 'aria-label': 'CAM Lens' });
    this.live = el('div', { class: 'live', role: 'status', 'aria-live': 'polite' });
    const style = document.createElement('style');
    style.textContent = OVERLAY_CSS + TEXT_CSS;
    root.append(style, this.frame, this.panel, this.live);
    document.addEventListener('pointermove', this.onPointerMove, { passive: true, capture: true });
    window.addEventListener('scroll', this.onScroll, { passive: true });
    this.canvas.style.opacity = String(settings.opacity);
    document.documentElement.appendChild(this.host);
    this.enterTopLayer();
    this.identity = target.identity();
    this.setLoading();
    this.track();
  }

  get state(): OverlayState {
    return this.current;
  }

  private setState(state: OverlayState): void {
    this.current = state;
    this.frame.dataset.state = state;
  }

  /** What the panel shows, as words (for the automation seam: the page cannot read them). */
  get words(): string {
    const all = [this.panel, this.live].flatMap((root) => [root, ...root.querySelectorAll('[data-text]')]);
    return all.map((e) => e.getAttribute('data-text') ?? '').filter(Boolean).join(' ');
  }

  setLoading(): void {
    this.setState('loading');
    this.armWatchdog();
    if (!this.result) this.renderPanel(this.head(el('span', { class: 'title busy' }, t('overlayExplaining'))));
  }

  /** How many results (or errors) this overlay has shown: tells a waiting request whether it was answered. */
  shownCount = 0;

  show(result: ExplanationResult): void {
    if (this.closed) return;
    this.shownCount++;
    clearTimeout(this.watchdog);
    if (!result.ok) {
      if (result.error === 'cancelled' && this.result) {
        // Back to the map that was shown before the cancelled request.
        this.renderResultPanel(this.result);
        this.setState('done');
        return;
      }
      this.result = null;
      this.display = null;
      this.clearCanvas();
      this.boxOutline.hidden = true;
      this.setState('error');
      this.renderPanel(
        this.head(el('span', { class: 'title' }, t('overlayCouldNotExplain'))),
        // 'cancelled' is the worker's protocol value for a cancelled computation; every other error is already words.
        el('div', { class: 'message' }, result.error === 'cancelled' ? t('overlayCancelled') : result.error),
      );
      return;
    }
    this.result = result;
    this.display = prepareDisplayMap(result.map, { relu: this.settings.hideNegative });
    this.drawnSize = '';
    this.layout(); // afresh: a picture's natural size (backgrounds, SVG images) may have arrived since
    this.renderResultPanel(result);
    this.setState('done');
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

  /**
   * A one-line panel (title, top score, buttons) that opens to the full one while the pointer is on
   * it or focus is in it: with "explain all", dozens of full panels would cover the page.
   */
  makeCompact(): void {
    this.panel.classList.add('compact');
    // Opened by the keyboard, it is placed again to fit the viewport. Opened by the pointer, it grows
    // down from where it is: moving it away from the pointer would close it again, and so on.
    for (const type of ['focusin', 'focusout']) this.panel.addEventListener(type, () => requestAnimationFrame(() => this.placePanel()));
    // An open panel may reach over a neighbour's map, which a later overlay draws above it: come to the front.
    // (Not on focus: leaving and re-entering the top layer would take the focus away.)
    this.panel.addEventListener('pointerenter', () => Overlay.frontmost === this || this.host.matches(':focus-within') || this.enterTopLayer());
    this.placePanel();
  }

  /** Colours and opacity as currently shown, for exports that look the same. */
  get look(): OverlayDisplay {
    return this.settings;
  }

  /** A one-line panel of "explain all". */
  get compact(): boolean {
    return this.panel.classList.contains('compact');
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
    const { host, picture, transform, clip } = this.target.layout();
    // A screenshot crop is an upright rectangle: it cannot hold a rotated or skewed picture.
    if (transform && (Math.abs(transform.b) > 1e-6 || Math.abs(transform.c) > 1e-6)) return { ok: false, error: t('errRotatedScreenshot') };
    const placed = { origin: { x: host.x, y: host.y }, m: transform ?? IDENTITY };
    const drawn = viewportBounds(placed, picture);
    // Visible = the drawn picture within the host (object-fit: cover clips), then within what scrolling boxes and the viewport leave.
    const viewport = { x: 0, y: 0, width: window.innerWidth, height: window.innerHeight };
    const visible = intersect(intersect(viewportBounds(placed, visibleRect(picture, host)), clip ?? viewport), viewport);
    if (visible.width < 1 || visible.height < 1) return { ok: false, error: t('errNotOnScreen') };
    this.capturing = true;
    this.applyVisibility();
    // Two frames: the hidden overlay must be what the compositor shows when the tab is captured
    // (a hidden page draws none: the worker then finds the tab is not the one shown).
    await new Promise((r) => {
      requestAnimationFrame(() => requestAnimationFrame(r));
      setTimeout(r, 500);
    });
    // Inside an iframe, the worker places the rect in the tab's viewport (asking the frame's ancestors).
    return { ok: true, rect: visible, devicePixelRatio: window.devicePixelRatio || 1, picture: drawn, framePath: framePath() };
  }

  endCapture(): void {
    this.capturing = false;
    this.applyVisibility();
  }

  /** Visibility inside the shadow root: the host's own style stays as the page last saw it. */
  private applyVisibility(): void {
    const hidden = this.capturing || this.clippedAway;
    for (const part of [this.frame, this.panel]) part.style.visibility = hidden ? 'hidden' : '';
  }

  applySettings(settings: OverlayDisplay): void {
    const redraw = settings.hideNegative !== this.settings.hideNegative || settings.colormap !== this.settings.colormap;
    this.settings = settings;
    this.canvas.style.opacity = String(settings.opacity);
    if (redraw && this.result) this.show(this.result);
  }

  get explanation(): ExplanationSuccess | null {
    return this.result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (Overlay.frontmost === this) Overlay.frontmost = null;
    clearTimeout(this.watchdog);
    document.removeEventListener('pointermove', this.onPointerMove, { capture: true });
    window.removeEventListener('scroll', this.onScroll);
    clearTimeout(this.scrollSettle);
    cancelAnimationFrame(this.raf);
    this.host.remove();
    this.callbacks.onClose(this);
  }

  private renderPanel(...content: (Node | null)[]): void {
    this.panel.replaceChildren(...content.filter((n): n is Node => n !== null));
    this.placePanel(); // its size changed
  }

  /** The panel's first row: a title, optional buttons, and the close button. */
  private head(title: HTMLElement, ...buttons: HTMLElement[]): HTMLElement {
    const close = el('button', { class: 'close', type: 'button', 'aria-label': t('overlayCloseLabel'), title: t('overlayCloseTitle') }, '×');
    onTrustedClick(close, () => this.close());
    return el('div', { class: 'head' }, title, ...buttons, close);
  }

  private renderResultPanel(result: ExplanationSuccess): void {
    const button = (name: 'save' | 'copy' | 'json', label: string, tooltip: string, text: string) => {
      const b = el('button', { class: `${name} icon`, type: 'button', 'aria-label': label, title: tooltip }, text);
      onTrustedClick(b, () => this.callbacks.onExport(this, name));
      return b;
    };
    this.renderPanel(
      this.head(
        el('span', { class: 'title' }),
        button('save', t('overlaySaveLabel'), t('overlaySaveTitle'), t('overlaySave')),
        button('copy', t('overlayCopyLabel'), t('overlayCopyTitle'), t('overlayCopy')),
        button('json', t('overlayJsonLabel'), t('overlayJsonTitle'), t('overlayJson')),
      ),
      el('div', { class: 'chips' }),
      result.classCount > result.classes.length ? this.otherClassField(result) : null,
      el('div', { class: 'legend' }, el('span', {}, t('overlayLegendLow')), el('canvas', { width: '128', height: '8', 'aria-hidden': 'true' }), el('span', {}, t('overlayLegendHigh'))),
      el('div', { class: 'legend-note' }),
      el('div', { class: 'hover', 'aria-hidden': 'true' }),
      el('div', { class: 'note', hidden: true }),
      this.callbacks.panelSection?.(this, result) ?? null,
    );
    this.drawLegend(result);
    // Each of "explain all"'s results is not read out: the popup tells the progress, once.
    if (!this.panel.classList.contains('compact')) this.announce(
      t('overlayAnnounce', [
        result.classes[0]?.label ?? result.target.label,
        formatProbability(result.classes[0]?.probability ?? result.target.probability),
        METHODS[result.method].name,
        result.target.label,
      ]),
    );
    setWords(this.panel.querySelector('.title')!, `${METHODS[result.method].name} · ${result.target.label}`);
    this.panel.querySelector('.title')!.append(el('span', { class: 'score' }, ` ${formatProbability(result.target.probability)}`));
    this.panel.querySelector('.title')!.setAttribute('title', t('overlayModelLayer', [result.modelName, result.layer]));
    const chips = this.panel.querySelector('.chips')!;
    for (const c of result.classes) {
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${Math.max(0, Math.min(1, c.probability)) * 100}%`;
      const chip = el(
        'button',
        { class: 'chip', type: 'button', 'data-class-index': String(c.index), 'aria-pressed': String(c.index === result.target.index), 'aria-label': t('overlayChipLabel', [c.label, formatProbability(c.probability)]) },
        el('span', { class: 'label' }, c.label),
        el('span', { class: 'pct' }, formatProbability(c.probability)),
        bar,
      );
      onTrustedClick(chip, () => {
        if (c.index === this.result?.target.index) return;
        this.setLoading();
        this.callbacks.onClassRequest(this, c.index);
      });
      chips.appendChild(chip);
    }
    const note = this.panel.querySelector('.note') as HTMLElement;
    const display = this.display;
    if (display?.noPositiveEvidence) {
      note.hidden = false;
      setWords(note, t('overlayNoPositiveEvidence', result.target.label));
    } else if (display?.flat) {
      note.hidden = false;
      setWords(note, t('overlayFlatMap', result.target.label));
    }
    // Notes from the worker (e.g. only the first frame of an animated GIF was explained), one line each.
    for (const text of result.notes ?? []) {
      note.append(el('div', {}, text));
      note.hidden = false;
    }
  }

  /**
   * A field for any class the chips do not list (a 1000-class ImageNet model lists 5): type or pick
   * its name (or its number, for unlabelled classes). The names are fetched when the field is first used.
   */
  private otherClassField(result: ExplanationSuccess): HTMLElement {
    const listId = `${this.id}-classes`;
    const field = el('input', {
      class: 'pick', type: 'search', list: listId, placeholder: t('overlayOtherClass'), 'aria-label': t('overlayOtherClassLabel'), autocomplete: 'off', spellcheck: 'false',
    });
    const options = el('datalist', { id: listId });
    let labels: Promise<string[]> | null = null;
    const names = () => (labels ??= this.callbacks.classLabels(result.modelId).then((known) => {
      const all = Array.from({ length: result.classCount }, (_, i) => known[i] ?? t('classFallback', String(i)));
      options.replaceChildren(...all.map((label) => el('option', { value: label })));
      return all;
    }));
    field.addEventListener('focus', () => void names());
    field.addEventListener('change', async () => {
      const wanted = field.value.trim();
      if (!wanted) return;
      const all = await names();
      const byName = all.findIndex((label) => label.toLowerCase() === wanted.toLowerCase());
      const index = byName >= 0 ? byName : /^\d+$/.test(wanted) && Number(wanted) < result.classCount ? Number(wanted) : -1;
      if (index < 0) this.notify(t('overlayNoSuchClass', wanted));
      else if (index !== this.result?.target.index) {
        this.setLoading();
        this.callbacks.onClassRequest(this, index);
      }
    });
    // Typing here is not for the page: its keyboard shortcuts must not see these keys.
    for (const type of ['keydown', 'keyup', 'keypress']) field.addEventListener(type, (e) => e.stopPropagation());
    return el('div', { class: 'other-class' }, field, options);
  }

  /** The colour bar under the classes: the colormap from low to high, and what the scale means. */
  private drawLegend(result: ExplanationSuccess): void {
    const canvas = this.panel.querySelector<HTMLCanvasElement>('.legend canvas')!;
    const lut = colormapLut(this.settings.colormap);
    const row = new Uint8ClampedArray(canvas.width * canvas.height * 4);
    for (let x = 0; x < canvas.width; x++) {
      const i = Math.round((x / (canvas.width - 1)) * 255) * 4;
      for (let y = 0; y < canvas.height; y++) row.set(lut.subarray(i, i + 4), (y * canvas.width + x) * 4);
    }
    canvas.getContext('2d')!.putImageData(pageImageData(row, canvas.width, canvas.height), 0, 0);
    const model = result.modelName.split(' (')[0];
    setWords(this.panel.querySelector('.legend-note')!, this.settings.hideNegative ? t('overlayLegendPositive', model) : t('overlayLegendSigned', model));
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
    const hover = this.panel.querySelector<HTMLElement>('.hover');
    if (!hover || !this.result || !this.display) return;
    const shift = this.scrolledSinceLayout();
    const local = toLocal(this.placed, { x: e.clientX + shift.x, y: e.clientY + shift.y });
    const rect = this.mapRect;
    const u = local ? (local.x - rect.x) / rect.width : NaN;
    const v = local ? (local.y - rect.y) / rect.height : NaN;
    if (!(u >= 0 && u < 1 && v >= 0 && v < 1)) {
      setWords(hover, '');
      return;
    }
    const { width, height } = this.result.map;
    const i = Math.min(height - 1, Math.floor(v * height)) * width + Math.min(width - 1, Math.floor(u * width));
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

  /** Follows the image every frame; cheap when nothing moved (one rect read). */
  /**
   * A manual popover lives in the top layer, above modal dialogs, fullscreen elements and any z-index
   * (where the picture may be); the UA's popover styles are overridden by the inline ones.
   */
  private enterTopLayer(): void {
    Overlay.frontmost = this;
    try {
      if (this.host.matches(':popover-open')) this.host.hidePopover(); // showing again puts it on top
      this.host.setAttribute('popover', 'manual');
      this.host.showPopover();
    } catch {
      this.host.removeAttribute('popover'); // no popover support: z-index alone
    }
  }

  /** What the target showed when explained; an SPA that swaps the picture in place makes the map stale. */
  private readonly identity: string;

  private track = (): void => {
    if (this.closed) return;
    if (!this.target.element.isConnected || this.target.identity() !== this.identity) {
      this.close();
      return;
    }
    // In document coordinates: scrolling the page moves the host with the image, with nothing to lay out.
    const r = this.target.element.getBoundingClientRect();
    const at = (v: number) => Math.round(v * 64); // sums of fractions differ in their last bits
    const key = `${at(r.left + window.scrollX)},${at(r.top + window.scrollY)},${r.width},${r.height},${window.innerWidth},${window.innerHeight}`;
    if (key !== this.lastRect) {
      this.lastRect = key;
      this.layout();
    }
    this.raf = requestAnimationFrame(this.track);
  };

  private layout(): void {
    const { host, picture, transform, clip } = this.target.layout();
    this.placed = { origin: { x: host.x, y: host.y }, m: transform ?? IDENTITY };
    this.scrollAtLayout = { x: window.scrollX, y: window.scrollY };
    this.size = { width: host.width, height: host.height };
    this.clip = clip;
    this.place(host);
    // The frame (map, box, busy veil) carries the picture's transforms; the panel stays upright.
    this.frame.style.transformOrigin = '0 0';
    this.frame.style.transform = transform ? cssMatrix(transform) : '';
    this.clipTo();
    this.pictureRect = picture;
    this.placePanel();
    this.placeMap();
  }

  /** The host's area on screen: its bounding box, after transforms. */
  private get screenBounds(): Box {
    return viewportBounds(this.placed, { x: 0, y: 0, ...this.size });
  }

  /** The part of those bounds that clipping ancestors leave visible (at the last layout). */
  private seenOf(bounds: Box): Box {
    return this.clip ? intersect(bounds, this.clip) : bounds;
  }

  /**
   * Below the visible part of the picture when there is room in the viewport, else inside its
   * bottom-left corner; kept inside the viewport horizontally.
   */
  private placePanel(): void {
    const bounds = this.screenBounds;
    const seen = this.seenOf(bounds);
    const anchor = seen.width > 0 && seen.height > 0 ? seen : bounds;
    // Viewport coordinates now: the page may have scrolled since the last layout (all moved together).
    const shift = this.scrolledSinceLayout();
    const bottom = anchor.y + anchor.height - shift.y;
    const below = bottom + 6 + this.panel.offsetHeight <= window.innerHeight;
    const top = below ? bottom + 6 : bottom - 6 - this.panel.offsetHeight;
    const left = Math.max(4, Math.min(anchor.x - shift.x + (below ? 0 : 6), window.innerWidth - this.panel.offsetWidth - 4));
    this.panel.style.left = `${left - (this.placed.origin.x - shift.x)}px`;
    this.panel.style.top = `${top - (this.placed.origin.y - shift.y)}px`;
  }

  /** How far the page scrolled since the last layout (which kept viewport coordinates of that moment). */
  private scrolledSinceLayout(): { x: number; y: number } {
    return { x: window.scrollX - this.scrollAtLayout.x, y: window.scrollY - this.scrollAtLayout.y };
  }

  /** Where the explained image is, relative to the host: the whole picture, or the screenshot's part of it. */
  private get imageRect(): Box {
    const region = this.result?.region;
    const p = this.pictureRect;
    return region ? { x: p.x + region.x, y: p.y + region.y, width: region.width, height: region.height } : p;
  }

  /** The rect the map covers: the explained image, or the part of it the model saw (its crop). */
  private get mapRect(): Box {
    const rect = this.imageRect;
    const crop = this.result?.crop;
    if (!crop || !this.result) return rect;
    const sx = rect.width / this.result.image.width;
    const sy = rect.height / this.result.image.height;
    return { x: rect.x + crop.x * sx, y: rect.y + crop.y * sy, width: crop.width * sx, height: crop.height * sy };
  }

  private placeMap(): void {
    const rect = this.mapRect;
    Object.assign(this.canvas.style, { left: `${rect.x}px`, top: `${rect.y}px`, width: `${rect.width}px`, height: `${rect.height}px` });
    this.draw();
    this.placeBox();
  }

  /** The localization box, from image pixels to the displayed image rectangle. */
  private placeBox(): void {
    placeShortcutOutline(this.shortcutOutline, this.result, this.imageRect);
    const box = this.result?.box;
    this.boxOutline.hidden = !box;
    if (!box || !this.result) return;
    const rect = this.imageRect; // the box is in the image's pixels
    const sx = rect.width / this.result.image.width;
    const sy = rect.height / this.result.image.height;
    Object.assign(this.boxOutline.style, {
      left: `${rect.x + box.x * sx}px`,
      top: `${rect.y + box.y * sy}px`,
      width: `${box.width * sx}px`,
      height: `${box.height * sy}px`,
    });
  }

  /** Positions the host's top-left corner in document coordinates, correcting for a positioned <html>. */
  private place(content: Box): void {
    const apply = () => {
      this.host.style.setProperty('left', `${content.x + window.scrollX + this.offset.x}px`, 'important');
      this.host.style.setProperty('top', `${content.y + window.scrollY + this.offset.y}px`, 'important');
    };
    this.host.style.setProperty('width', `${content.width}px`, 'important');
    this.host.style.setProperty('height', `${content.height}px`, 'important');
    apply();
    const actual = this.host.getBoundingClientRect();
    const dx = content.x - actual.left;
    const dy = content.y - actual.top;
    if (Math.abs(dx) > 0.01 || Math.abs(dy) > 0.01) {
      this.offset = { x: this.offset.x + dx, y: this.offset.y + dy };
      apply();
    }
  }

  /** Clips the map to what scrolling ancestors leave visible; hides the overlay when nothing is. */
  private clipTo(): void {
    const bounds = this.screenBounds;
    const seen = this.seenOf(bounds);
    const clippedAway = !!this.clip && bounds.width > 0 && bounds.height > 0 && (seen.width <= 0 || seen.height <= 0);
    this.clippedAway = clippedAway;
    this.applyVisibility();
    if (!this.clip || (seen.width >= bounds.width - 0.01 && seen.height >= bounds.height - 0.01)) {
      this.frame.style.clipPath = '';
      return;
    }
    // The frame's clip-path is in its own (transformed) coordinates: the clipping rectangle, mapped back.
    const polygon = localPolygon(this.placed, this.clip);
    this.frame.style.clipPath = polygon ? `polygon(${polygon.map((p) => `${p.x}px ${p.y}px`).join(', ')})` : '';
  }

  private draw(): void {
    if (!this.result || !this.display) return;
    const dpr = window.devicePixelRatio || 1;
    const rect = this.mapRect;
    const scale = Math.min(dpr, MAX_CANVAS_SIDE / Math.max(1, rect.width), MAX_CANVAS_SIDE / Math.max(1, rect.height));
    const width = Math.max(1, Math.round(rect.width * scale));
    const height = Math.max(1, Math.round(rect.height * scale));
    const size = `${width}x${height}`;
    if (size === this.drawnSize) return;
    this.drawnSize = size;
    this.canvas.width = width;
    this.canvas.height = height;
    const rgba = heatmapRgba(upsampleDisplayMap(this.display, width, height), colormapLut(this.settings.colormap), 1);
    this.canvas.getContext('2d')!.putImageData(pageImageData(new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.length), width, height), 0, 0);
  }

  private clearCanvas(): void {
    this.canvas.width = 0;
    this.canvas.height = 0;
    this.drawnSize = '';
  }
}

/**
 * ImageData for the page's canvases. Firefox content scripts: putImageData refuses pixels owned by the
 * script's sandbox ("security check failed"); cloneInto, which only Firefox defines, copies them to the page.
 */
function pageImageData(pixels: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): ImageData {
  const cloneInto = (globalThis as { cloneInto?: <T>(value: T, target: object) => T }).cloneInto;
  return new ImageData(cloneInto ? cloneInto(pixels, window) : pixels, width, height);
}

