// What the user right-clicked, and where its pixels are: <img> (srcset, lazy), <picture>, <video>
// frames, <canvas>, SVG <image>, CSS background images; inside open shadow roots too. Each kind
// says where its picture is drawn (for the overlay) and how the worker can read it.
import {
  backgroundImageRect, contentBox, imageRectInContentBox, parseObjectPosition, type Box, type BoxModel, type ObjectFit, type Size,
} from '../core/geometry';
import type { ImageSource } from '../core/messages';

export interface ContextClick {
  target: EventTarget | null;
  x: number;
  y: number;
}

export class TargetError extends Error {}

export interface PictureLayout {
  /** The box the overlay covers (viewport CSS px, before the element's own transform): content box, or padding box for backgrounds. */
  host: Box;
  /** Where the whole picture is drawn, relative to `host` (may overflow it: cover, none). */
  picture: Box;
  /** The element's own CSS transform, to apply to the overlay too, with its origin relative to `host`. */
  transform?: { matrix: string; origin: { x: number; y: number } };
  /** The part of the viewport not clipped by scrolling ancestors (overflow other than visible). */
  clip: Box;
}

export interface ExplainTarget {
  readonly kind: 'img' | 'video' | 'canvas' | 'svg-image' | 'background';
  readonly element: Element;
  /** Current layout of the picture on screen. */
  layout(): PictureLayout;
  /** How the worker gets the pixels shown: a URL to fetch, bytes read here, or a screenshot. */
  source(): Promise<ImageSource>;
  /** The pixels as this page draws them, for when the worker cannot decode what it fetched. */
  pagePixels(): Promise<ImageSource>;
  /** Changes when the element starts showing another picture (an SPA reusing it). */
  identity(): string;
}

const OBJECT_FITS = new Set<ObjectFit>(['fill', 'contain', 'cover', 'none', 'scale-down']);
/** Attributes lazy-loading libraries keep the real source in until the image scrolls into view. */
const LAZY_SOURCES = ['data-src', 'data-lazy-src', 'data-original', 'data-srcset'];

/** "Explain all" skips images displayed smaller than this (icons, avatars, spacers), in CSS px. */
export const MIN_EXPLAIN_ALL_SIZE = 64;

function boxModel(cs: CSSStyleDeclaration, withPadding: boolean): BoxModel {
  const px = (v: string) => parseFloat(v) || 0;
  return {
    borderTop: px(cs.borderTopWidth), borderRight: px(cs.borderRightWidth), borderBottom: px(cs.borderBottomWidth), borderLeft: px(cs.borderLeftWidth),
    paddingTop: withPadding ? px(cs.paddingTop) : 0, paddingRight: withPadding ? px(cs.paddingRight) : 0,
    paddingBottom: withPadding ? px(cs.paddingBottom) : 0, paddingLeft: withPadding ? px(cs.paddingLeft) : 0,
  };
}

function borderBox(el: Element): Box {
  const r = el.getBoundingClientRect();
  return { x: r.left, y: r.top, width: r.width, height: r.height };
}

/**
 * The border box before the element's own transform, and that transform. getBoundingClientRect of a
 * rotated or scaled element is the bounding box of the transformed shape; the untransformed origin
 * follows from it, the layout size and the transform matrix. (Ancestors' transforms are not modelled.)
 */
function layoutBox(el: Element, cs: CSSStyleDeclaration): { box: Box; matrix: string | null; origin: { x: number; y: number } } {
  const rect = borderBox(el);
  if (cs.transform === 'none' || !(el instanceof HTMLElement)) return { box: rect, matrix: null, origin: { x: 0, y: 0 } };
  const width = el.offsetWidth;
  const height = el.offsetHeight;
  const [ox = width / 2, oy = height / 2] = cs.transformOrigin.split(' ').map(parseFloat);
  const m = new DOMMatrixReadOnly(cs.transform);
  let minX = Infinity;
  let minY = Infinity;
  for (const [x, y] of [[0, 0], [width, 0], [0, height], [width, height]]) {
    const p = m.transformPoint(new DOMPoint(x - ox, y - oy));
    minX = Math.min(minX, p.x + ox);
    minY = Math.min(minY, p.y + oy);
  }
  return { box: { x: rect.x - minX, y: rect.y - minY, width, height }, matrix: cs.transform, origin: { x: ox, y: oy } };
}

/** The viewport area left visible by ancestors that clip (overflow hidden, auto, scroll, clip). */
function visibleArea(el: Element): Box {
  let left = 0;
  let top = 0;
  let right = window.innerWidth;
  let bottom = window.innerHeight;
  for (let node: Element | null = parentOf(el); node && node !== document.documentElement; node = parentOf(node)) {
    const cs = getComputedStyle(node);
    if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
    const r = node.getBoundingClientRect();
    // The padding box: inside the borders, without the scrollbars.
    const x = r.left + node.clientLeft;
    const y = r.top + node.clientTop;
    if (cs.overflowX !== 'visible') {
      left = Math.max(left, x);
      right = Math.min(right, x + node.clientWidth);
    }
    if (cs.overflowY !== 'visible') {
      top = Math.max(top, y);
      bottom = Math.min(bottom, y + node.clientHeight);
    }
    if (cs.position === 'fixed') break;
  }
  return { x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

function parentOf(el: Element): Element | null {
  return el.parentElement ?? ((el.getRootNode() as ShadowRoot).host || null);
}

/** Places a picture inside a box (inset from the border box) that may carry the element's transform. */
function withTransform(el: Element, cs: CSSStyleDeclaration, inset: BoxModel, picture: (host: Box) => Box): PictureLayout {
  const { box, matrix, origin } = layoutBox(el, cs);
  const host = contentBox(box, inset);
  const layout: PictureLayout = { host, picture: picture(host), clip: visibleArea(el) };
  if (matrix) layout.transform = { matrix, origin: { x: box.x + origin.x - host.x, y: box.y + origin.y - host.y } };
  return layout;
}

/** Replaced elements (img, video, canvas): content box, object-fit and object-position. */
function replacedLayout(el: Element, natural: Size): PictureLayout {
  const cs = getComputedStyle(el);
  const fit = OBJECT_FITS.has(cs.objectFit as ObjectFit) ? (cs.objectFit as ObjectFit) : 'fill';
  return withTransform(el, cs, boxModel(cs, true), (host) => imageRectInContentBox(host, natural, fit, parseObjectPosition(cs.objectPosition)));
}

function absoluteUrl(url: string, base: string = document.baseURI): string {
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

function looksLikeSvg(url: string): boolean {
  return /^data:image\/svg\+xml/i.test(url) || /\.svgz?(?:[?#]|$)/i.test(url);
}

/** Pixels drawn here into a PNG data URL; null when the browser forbids reading them (tainted). */
function rasterize(draw: (ctx: CanvasRenderingContext2D) => void, width: number, height: number): string | null {
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width));
  canvas.height = Math.max(1, Math.round(height));
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  try {
    draw(ctx);
    return canvas.toDataURL('image/png');
  } catch {
    return null; // SecurityError: cross-origin pixels without CORS
  }
}

/**
 * Draws an image URL here at its natural (or displayed) size: for SVG, which the worker cannot decode
 * (createImageBitmap has no SVG), and for anything else the page can show but the worker cannot decode.
 */
async function rasterizeUrl(url: string, fallbackSize: Size): Promise<ImageSource> {
  const img = new Image();
  img.decoding = 'async';
  img.src = url;
  try {
    await img.decode();
  } catch {
    throw new TargetError('the page could not load the image either');
  }
  const width = img.naturalWidth || fallbackSize.width || 300;
  const height = img.naturalHeight || fallbackSize.height || 150;
  const dataUrl = rasterize((ctx) => ctx.drawImage(img, 0, 0, width, height), width, height);
  return dataUrl ? { kind: 'dataUrl', dataUrl, originalUrl: url } : { kind: 'screenshot' };
}

/** A blob: URL belongs to the page; only this frame can read it. */
async function blobSource(url: string): Promise<ImageSource> {
  const blob = await fetch(url)
    .then((r) => r.blob())
    .catch(() => {
      throw new TargetError('could not read the page-owned blob: image');
    });
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new TargetError('could not read the blob: image'));
    reader.readAsDataURL(blob);
  });
  return { kind: 'dataUrl', dataUrl, originalUrl: url };
}

async function urlSource(url: string, displayed: Size): Promise<ImageSource> {
  if (url.startsWith('blob:')) return blobSource(url);
  if (looksLikeSvg(url)) return rasterizeUrl(url, displayed);
  return { kind: 'url', url };
}

function imgTarget(img: HTMLImageElement): ExplainTarget {
  return {
    kind: 'img',
    element: img,
    identity: () => img.currentSrc || img.src,
    pagePixels: async () => {
      if (!img.complete || !img.naturalWidth) throw new TargetError('the image has not loaded, so the page cannot draw it either');
      const dataUrl = rasterize((ctx) => ctx.drawImage(img, 0, 0, img.naturalWidth, img.naturalHeight), img.naturalWidth, img.naturalHeight);
      return dataUrl ? { kind: 'dataUrl', dataUrl, originalUrl: img.currentSrc || img.src } : { kind: 'screenshot' };
    },
    layout: () => replacedLayout(img, { width: img.naturalWidth, height: img.naturalHeight }),
    source: async () => {
      // currentSrc honours srcset/<picture>; a lazy image may not have loaded its real source yet.
      const lazy = LAZY_SOURCES.map((a) => img.getAttribute(a)).find((v) => v && !v.includes(' '));
      // A placeholder (nothing loaded, or a 1×1 spacer) stands in until the lazy source loads.
      const placeholder = !img.currentSrc || (img.complete && img.naturalWidth <= 1 && img.naturalHeight <= 1);
      const url = lazy && placeholder ? lazy : img.currentSrc || img.getAttribute('src') || lazy;
      if (!url) throw new TargetError('the image has no source');
      return urlSource(absoluteUrl(url), borderBox(img));
    },
  };
}

function videoTarget(video: HTMLVideoElement): ExplainTarget {
  return {
    kind: 'video',
    element: video,
    identity: () => video.currentSrc,
    pagePixels: () => videoTarget(video).source(),
    layout: () => replacedLayout(video, { width: video.videoWidth, height: video.videoHeight }),
    source: async () => {
      if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !video.videoWidth) throw new TargetError('the video has no frame to explain yet');
      const dataUrl = rasterize((ctx) => ctx.drawImage(video, 0, 0), video.videoWidth, video.videoHeight);
      return dataUrl ? { kind: 'dataUrl', dataUrl, originalUrl: video.currentSrc || 'video frame' } : { kind: 'screenshot' };
    },
  };
}

function canvasTarget(canvas: HTMLCanvasElement): ExplainTarget {
  return {
    kind: 'canvas',
    element: canvas,
    identity: () => '', // a canvas is redrawn in place; it stays the same picture for the overlay
    pagePixels: () => canvasTarget(canvas).source(),
    layout: () => replacedLayout(canvas, { width: canvas.width, height: canvas.height }),
    source: async () => {
      if (!canvas.width || !canvas.height) throw new TargetError('the canvas is empty (0×0)');
      let dataUrl: string | null = null;
      try {
        dataUrl = canvas.toDataURL('image/png');
      } catch {
        dataUrl = null; // tainted by cross-origin drawing
      }
      // A WebGL canvas without preserveDrawingBuffer reads back blank: what the user sees is only on screen.
      if (!dataUrl || (await isBlank(dataUrl))) return { kind: 'screenshot' };
      return { kind: 'dataUrl', dataUrl, originalUrl: 'canvas' };
    },
  };
}

async function isBlank(dataUrl: string): Promise<boolean> {
  const img = new Image();
  img.src = dataUrl;
  await img.decode().catch(() => undefined);
  const probe = document.createElement('canvas');
  probe.width = probe.height = 32;
  const ctx = probe.getContext('2d');
  if (!ctx) return false;
  ctx.drawImage(img, 0, 0, 32, 32);
  const data = ctx.getImageData(0, 0, 32, 32).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return false;
  return true;
}

function svgImageTarget(image: SVGImageElement): ExplainTarget {
  const href = () => image.href.baseVal || image.getAttribute('xlink:href') || '';
  return {
    kind: 'svg-image',
    element: image,
    identity: () => href(),
    pagePixels: () => rasterizeUrl(absoluteUrl(href(), image.ownerDocument.baseURI), borderBox(image)),
    // The SVG element's box is the area the picture is fitted into (preserveAspectRatio is not modelled).
    layout: () => {
      const host = borderBox(image);
      return { host, picture: { x: 0, y: 0, width: host.width, height: host.height }, clip: visibleArea(image) };
    },
    source: async () => {
      if (!href()) throw new TargetError('the SVG image has no href');
      return urlSource(absoluteUrl(href(), image.ownerDocument.baseURI), borderBox(image));
    },
  };
}

/** The first url(...) of a computed background-image, if any. */
function backgroundUrl(el: Element): string | null {
  const match = getComputedStyle(el).backgroundImage.match(/url\(\s*(['"]?)(.*?)\1\s*\)/);
  return match ? match[2] : null;
}

function backgroundTarget(el: Element, url: string): ExplainTarget {
  const natural: Size = { width: 0, height: 0 };
  const probe = new Image();
  probe.onload = () => Object.assign(natural, { width: probe.naturalWidth, height: probe.naturalHeight });
  probe.src = url;
  return {
    kind: 'background',
    element: el,
    identity: () => backgroundUrl(el) ?? '',
    pagePixels: () => rasterizeUrl(absoluteUrl(url), borderBox(el)),
    layout: () => {
      const cs = getComputedStyle(el);
      const position = parseObjectPosition(`${cs.backgroundPositionX.split(',')[0]} ${cs.backgroundPositionY.split(',')[0]}`);
      // The background positioning area: the padding box (background-origin's default).
      return withTransform(el, cs, boxModel(cs, false), (host) => backgroundImageRect(host, natural, cs.backgroundSize, position));
    },
    source: () => urlSource(absoluteUrl(url), borderBox(el)),
  };
}

/** The explainable target an element is, if it is one. */
function asTarget(el: Element): ExplainTarget | null {
  if (el instanceof HTMLImageElement) return imgTarget(el);
  if (el instanceof HTMLVideoElement) return videoTarget(el);
  if (el instanceof HTMLCanvasElement) return canvasTarget(el);
  if (el instanceof SVGImageElement) return svgImageTarget(el);
  if (el instanceof HTMLPictureElement) {
    const img = el.querySelector('img');
    return img ? imgTarget(img) : null;
  }
  const url = backgroundUrl(el);
  return url ? backgroundTarget(el, absoluteUrl(url)) : null;
}

/** A focused element as a picture target: itself, or the picture a focused link or button wraps. */
export function focusedTarget(el: Element): ExplainTarget | null {
  return asTarget(el) ?? (el.querySelector('img, picture, video, canvas') ? asTarget(el.querySelector('img, picture, video, canvas')!) : null);
}

/** Elements at a point, looking into open shadow roots (document.elementsFromPoint stops at their hosts). */
function deepElementsFromPoint(root: Document | ShadowRoot, x: number, y: number, seen = new Set<Element>()): Element[] {
  const out: Element[] = [];
  for (const el of root.elementsFromPoint(x, y)) {
    if (seen.has(el)) continue;
    seen.add(el);
    if (el.shadowRoot) out.push(...deepElementsFromPoint(el.shadowRoot, x, y, seen));
    out.push(el);
  }
  return out;
}

/** Our own overlay hosts are never targets (an earlier overlay's panel may sit over the image). */
const isOverlayHost = (el: Element) => el.hasAttribute('data-cam-lens');

/**
 * The right-clicked picture: the element the contextmenu event hit when it is one, else the first
 * explainable element under the pointer (images under transparent links or overlays), else an
 * image whose source matches the menu's srcUrl.
 */
export function resolveTarget(click: ContextClick | null, srcUrl: string | undefined): ExplainTarget {
  if (click) {
    if (click.target instanceof Element && !isOverlayHost(click.target)) {
      const direct = asTarget(click.target);
      if (direct) return direct;
    }
    for (const el of deepElementsFromPoint(document, click.x, click.y)) {
      if (isOverlayHost(el) || el === document.documentElement || el === document.body) continue;
      const target = asTarget(el);
      if (target) return target;
    }
  }
  if (srcUrl) {
    const img = Array.from(document.images).find((i) => i.currentSrc === srcUrl || i.src === srcUrl);
    if (img) return imgTarget(img);
  }
  throw new TargetError('could not find the image that was right-clicked');
}

/** The frame's images worth explaining in bulk: displayed at least MIN_EXPLAIN_ALL_SIZE on each side, with a source. */
export function explainableImages(doc: Document): ExplainTarget[] {
  return Array.from(doc.images)
    .filter((img) => {
      if (!(img.currentSrc || img.src)) return false;
      const rect = img.getBoundingClientRect();
      if (rect.width < MIN_EXPLAIN_ALL_SIZE || rect.height < MIN_EXPLAIN_ALL_SIZE) return false;
      const style = getComputedStyle(img);
      return style.visibility !== 'hidden' && style.display !== 'none';
    })
    .map(imgTarget);
}
