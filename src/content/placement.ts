// Where an overlay sits: its host element over the picture's box (in document coordinates, so that
// scrolling the page needs no layout), the transforms and clipping of the picture's ancestors, the
// panel kept in the viewport, and the map's rectangle inside the host. Reads the page's layout; draws
// nothing. One instance per overlay.
import { intersect, type Box } from '../core/geometry';
import { IDENTITY, cssMatrix, localPolygon, toLocal, viewportBounds, type Linear2D, type Point, type PlacedBox } from '../core/transform2d';
import type { ExplanationSuccess } from '../core/messages';
import { choosePanelPlacement } from '../core/panelPlacement';
import { OVERLAY_HOST_CSS } from './dom';
import type { ExplainTarget } from './target';

export class Placement {
  /** Where the host's own coordinates land on screen (its top-left corner and the transforms above it). */
  private placed: PlacedBox = { origin: { x: 0, y: 0 }, m: IDENTITY };
  /** What clipping ancestors leave visible (viewport px at the last layout), if any clips. */
  private clip: Box | undefined;
  private size = { width: 0, height: 0 };
  private scrollAtLayout = { x: 0, y: 0 };
  /** Correction for a positioned <html> (the host's containing block is not the document). */
  private offset = { x: 0, y: 0 };
  private lastRect = '';
  /** The host's style as the last layout set it: a page that restyles the host gets it laid out again. */
  private hostStyle = '';
  /** The picture's rectangle inside the host. */
  pictureRect: Box = { x: 0, y: 0, width: 0, height: 0 };

  constructor(
    private readonly host: HTMLElement,
    private readonly target: ExplainTarget,
  ) {}

  /**
   * True when the picture moved or resized since the last call (one rect read: cheap every frame), or
   * when the page changed the host's style (the next layout writes it whole again).
   */
  moved(): boolean {
    if (this.host.style.cssText !== this.hostStyle) {
      this.lastRect = '';
      this.hostStyle = this.host.style.cssText;
    }
    // In document coordinates: scrolling the page moves the host with the image, with nothing to lay out.
    const r = this.target.element.getBoundingClientRect();
    const at = (v: number) => Math.round(v * 64); // sums of fractions differ in their last bits
    const key = `${at(r.left + window.scrollX)},${at(r.top + window.scrollY)},${r.width},${r.height},${window.innerWidth},${window.innerHeight}`;
    if (key === this.lastRect) return false;
    this.lastRect = key;
    return true;
  }

  /** Reads the picture's layout and places the host over it; returns the transform the frame must carry. */
  layout(): Linear2D | undefined {
    const { host, picture, transform, clip } = this.target.layout();
    this.placed = { origin: { x: host.x, y: host.y }, m: transform ?? IDENTITY };
    this.scrollAtLayout = { x: window.scrollX, y: window.scrollY };
    this.size = { width: host.width, height: host.height };
    this.clip = clip;
    this.place(host);
    this.pictureRect = picture;
    return transform;
  }

  /** The frame's CSS transform (the map, box and veil carry the picture's transforms; the panel stays upright). */
  static frameTransform(transform: Linear2D | undefined): string {
    return transform ? cssMatrix(transform) : '';
  }

  /** The host's area on screen: its bounding box, after transforms. */
  private get screenBounds(): Box {
    return viewportBounds(this.placed, { x: 0, y: 0, ...this.size });
  }

  /** The part of those bounds that clipping ancestors leave visible (at the last layout). */
  private seenOf(bounds: Box): Box {
    return this.clip ? intersect(bounds, this.clip) : bounds;
  }

  /** How far the page scrolled since the last layout (which kept viewport coordinates of that moment). */
  private scrolledSinceLayout(): Point {
    return { x: window.scrollX - this.scrollAtLayout.x, y: window.scrollY - this.scrollAtLayout.y };
  }

  /**
   * The panel's left/top in the host's coordinates: beside the visible part of the picture (below,
   * above, right or left), where it covers the least of the other overlays' maps, then of their
   * panels (viewport px now), kept inside the viewport; also where that puts it on screen.
   */
  panelPosition(panelWidth: number, panelHeight: number, others: { maps: readonly Box[]; panels: readonly Box[] }, own: Box): { at: Point; box: Box } {
    const bounds = this.screenBounds;
    const seen = this.seenOf(bounds);
    const anchor = seen.width > 0 && seen.height > 0 ? seen : bounds;
    // Viewport coordinates now: the page may have scrolled since the last layout (all moved together).
    const shift = this.scrolledSinceLayout();
    const { x, y } = choosePanelPlacement({
      anchor: { ...anchor, x: anchor.x - shift.x, y: anchor.y - shift.y },
      own,
      others: others.maps,
      panels: others.panels,
      panel: { width: panelWidth, height: panelHeight },
      viewport: { width: window.innerWidth, height: window.innerHeight },
    });
    return { at: { x: x - (this.placed.origin.x - shift.x), y: y - (this.placed.origin.y - shift.y) }, box: { x, y, width: panelWidth, height: panelHeight } };
  }

  /**
   * Where a rectangle of the host (e.g. the map) is seen on screen now, in viewport px (its bounding box):
   * cut to the host, which clips it (object-fit: cover draws past the element), and to clipping ancestors.
   */
  screenBox(rect: Box): Box {
    const shift = this.scrolledSinceLayout();
    const b = this.seenOf(viewportBounds(this.placed, intersect(rect, { x: 0, y: 0, ...this.size })));
    return { ...b, x: b.x - shift.x, y: b.y - shift.y };
  }

  /**
   * What clipping ancestors do to the frame: `hidden` when they leave nothing of the picture visible;
   * `clipPath` (in the frame's own, transformed coordinates) when they cut part of it, else ''.
   */
  clipping(): { hidden: boolean; clipPath: string } {
    const bounds = this.screenBounds;
    const seen = this.seenOf(bounds);
    const hidden = !!this.clip && bounds.width > 0 && bounds.height > 0 && (seen.width <= 0 || seen.height <= 0);
    if (!this.clip || (seen.width >= bounds.width - 0.01 && seen.height >= bounds.height - 0.01)) return { hidden, clipPath: '' };
    const polygon = localPolygon(this.placed, this.clip);
    return { hidden, clipPath: polygon ? `polygon(${polygon.map((p) => `${p.x}px ${p.y}px`).join(', ')})` : '' };
  }

  /** A viewport point (e.g. the pointer) in the host's own coordinates, or null where transforms fold the plane. */
  hostPoint(clientX: number, clientY: number): Point | null {
    const shift = this.scrolledSinceLayout();
    return toLocal(this.placed, { x: clientX + shift.x, y: clientY + shift.y });
  }

  /** Where the explained image is, relative to the host: the whole picture, or the screenshot's part of it. */
  imageRect(result: ExplanationSuccess | null): Box {
    const region = result?.region;
    const p = this.pictureRect;
    return region ? { x: p.x + region.x, y: p.y + region.y, width: region.width, height: region.height } : p;
  }

  /** The rect the map covers: the explained image, or the part of it the model saw (its crop). */
  mapRect(result: ExplanationSuccess | null): Box {
    const rect = this.imageRect(result);
    const crop = result?.crop;
    if (!crop || !result) return rect;
    const sx = rect.width / result.image.width;
    const sy = rect.height / result.image.height;
    return { x: rect.x + crop.x * sx, y: rect.y + crop.y * sy, width: crop.width * sx, height: crop.height * sy };
  }

  /** The localization box, from image pixels to the displayed image rectangle; null without one. */
  boxRect(result: ExplanationSuccess | null): Box | null {
    const box = result?.box;
    if (!box || !result) return null;
    const rect = this.imageRect(result); // the box is in the image's pixels
    const sx = rect.width / result.image.width;
    const sy = rect.height / result.image.height;
    return { x: rect.x + box.x * sx, y: rect.y + box.y * sy, width: box.width * sx, height: box.height * sy };
  }

  /** Positions the host's top-left corner in document coordinates, correcting for a positioned <html>. */
  private place(content: Box): void {
    const apply = () => {
      this.host.style.setProperty('left', `${content.x + window.scrollX + this.offset.x}px`, 'important');
      this.host.style.setProperty('top', `${content.y + window.scrollY + this.offset.y}px`, 'important');
    };
    // Whole, so that whatever a page wrote into the host's style is gone.
    this.host.style.cssText = OVERLAY_HOST_CSS;
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
    this.hostStyle = this.host.style.cssText;
  }
}
