// The part of an overlay over its picture: the heat map, the localization box, the shortcut alarm's
// outline and the busy veil, laid out with the picture's transforms and clipped as its scrolling
// ancestors clip it. Hidden (with its panel) while the tab is captured or when nothing of the picture
// is visible.
import type { ColormapName } from '../core/colormap';
import type { ExplanationSuccess } from '../core/messages';
import type { DisplayMap } from '../core/postprocess';
import { el } from './dom';
import { HeatCanvas } from './heatCanvas';
import { createShortcutOutline, placeShortcutOutline } from './panelShortcut';
import { Placement } from './placement';

/** What the frame shows: the result (none while busy or after an error), its values ready to colour, and the colours. */
export interface ShownMap {
  result: ExplanationSuccess | null;
  display: DisplayMap | null;
  colormap: ColormapName;
}

/**
 * The busy veil's spinner turns only after this long: a prepared or quick map comes before it, with
 * no animation started and stopped for it (the veil itself dims the picture at once).
 */
export const SPINNER_DELAY_MS = 300;

export class MapFrame {
  readonly element: HTMLDivElement;
  private readonly heat = new HeatCanvas();
  private readonly boxOutline = el('div', { class: 'box', hidden: true });
  private readonly shortcutOutline = createShortcutOutline();
  private capturing = false;
  private spinnerDue: ReturnType<typeof setTimeout> | undefined;
  /** Clipping ancestors leave nothing of the picture visible. */
  clippedAway = false;

  constructor(
    private readonly placement: Placement,
    /** Hidden and shown with the frame. */
    private readonly panel: HTMLElement,
  ) {
    this.element = el('div', { class: 'frame' }, this.heat.element, this.boxOutline, this.shortcutOutline, el('div', { class: 'veil' }, el('div', { class: 'spinner' })));
  }

  set opacity(value: number) {
    this.heat.element.style.opacity = String(value);
  }

  /** The state the stylesheet shows ('loading': the busy veil, its spinner after SPINNER_DELAY_MS). */
  set state(state: string) {
    this.element.dataset.state = state;
    this.stop();
    if (state === 'loading') this.spinnerDue = setTimeout(() => (this.element.dataset.slow = ''), SPINNER_DELAY_MS);
  }

  /** No spinner now, nor later (a state came, or the overlay closed). */
  stop(): void {
    clearTimeout(this.spinnerDue);
    delete this.element.dataset.slow;
  }

  /** A map is drawn (while its panel is still to come, the veil stays off). */
  set mapDrawn(drawn: boolean) {
    if (drawn) this.element.dataset.map = 'drawn';
    else delete this.element.dataset.map;
  }

  /** The next draw paints even at the same size (a new map, or new colours). */
  invalidate(): void {
    this.heat.invalidate();
  }

  /** No map any more (an error). */
  clear(): void {
    this.heat.clear();
    this.boxOutline.hidden = true;
  }

  /** Over the picture again (it moved or changed size), with its transforms and clipping, and the map drawn there. */
  layout(shown: ShownMap): void {
    const transform = this.placement.layout();
    this.element.style.transformOrigin = '0 0';
    this.element.style.transform = Placement.frameTransform(transform);
    const { hidden, clipPath } = this.placement.clipping();
    this.clippedAway = hidden;
    this.applyVisibility();
    this.element.style.clipPath = clipPath;
    this.draw(shown);
  }

  /** The map, the tested region and the localization box where the placement puts them. */
  draw({ result, display, colormap }: ShownMap): void {
    this.heat.draw(result ? display : null, colormap, this.placement.mapRect(result));
    placeShortcutOutline(this.shortcutOutline, result, this.placement.imageRect(result));
    const box = this.placement.boxRect(result);
    this.boxOutline.hidden = !box;
    if (box) Object.assign(this.boxOutline.style, { left: `${box.x}px`, top: `${box.y}px`, width: `${box.width}px`, height: `${box.height}px` });
  }

  /** Hidden (or shown again) for a screenshot of the tab: it must not be in the picture. */
  setCapturing(capturing: boolean): void {
    this.capturing = capturing;
    this.applyVisibility();
  }

  /** Visibility inside the shadow root: the host's own style stays as the page last saw it. */
  private applyVisibility(): void {
    const hidden = this.capturing || this.clippedAway;
    for (const part of [this.element, this.panel]) part.style.visibility = hidden ? 'hidden' : '';
  }
}
