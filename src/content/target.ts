// What the user right-clicked, and where its pixels are: <img> (srcset, lazy), <picture>, <video>
// frames, <canvas>, SVG <image>, CSS background images; inside open shadow roots too. Each kind
// says where its picture is drawn (for the overlay) and how the worker can read it.
import {
  backgroundImageRect, contentBox, imageRectInContentBox, parseObjectPosition, svgAspectAsObjectFit, type Box, type BoxModel, type ObjectFit, type Size,
} from '../core/geometry';
import { t } from '../core/i18nBrowser';
import type { ImageSource } from '../core/messages';
import { IDENTITY, compose, isIdentity, toViewport, untransformedOrigin, type Linear2D } from '../core/transform2d';
import { isOverlayHost } from './dom';

export interface ContextClick {
  target: EventTarget | null;
  x: number;
  y: number;
  /** When it happened, in epoch ms (performance.timeOrigin + the event's timeStamp): the benchmark's start. */
  at?: number;
}

export class TargetError extends Error {}

export interface PictureLayout {
  /**
   * The box the overlay covers (content box, or padding box for backgrounds): where its top-left
   * corner is on screen (viewport CSS px) and its size before any transform.
   */
  host: Box;
  /** Where the whole picture is drawn, in the host's own coordinates (may overflow it: cover, none). */
  picture: Box;
  /** The element's and its ancestors' transforms composed, applied about the host's top-left corner; absent when none. */
  transform?: Linear2D;
  /**
   * What ancestors that clip (overflow other than visible) leave visible, in viewport CSS px;
   * absent when none does. Not bounded by the viewport: the overlay scrolls with the page, and
   * need not be laid out again when only the page scrolls.
   */
  clip?: Box;
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
  /** Whether the element shows the picture at this URL (what the browser's menu reported). */
  shows(url: string): boolean;
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

/** The linear part of an element's own transform: the individual rotate and scale properties, then `transform`. */
function ownLinear(cs: CSSStyleDeclaration): Linear2D {
  let m = IDENTITY;
  const rotate = cs.rotate && cs.rotate !== 'none' ? cs.rotate.split(' ') : [];
  if (rotate.length === 1) m = compose(m, linearOf(`rotate(${rotate[0]})`));
  else if (rotate.length === 2) m = compose(m, linearOf(`rotate${rotate[0].toUpperCase()}(${rotate[1]})`));
  else if (rotate.length === 4) m = compose(m, linearOf(`rotate3d(${rotate.join(', ')})`));
  const scale = cs.scale && cs.scale !== 'none' ? cs.scale.split(' ') : [];
  if (scale.length) m = compose(m, linearOf(`scale(${scale[0]}, ${scale[1] ?? scale[0]})`));
  if (cs.transform && cs.transform !== 'none') m = compose(m, linearOf(cs.transform));
  return m;
}

/** The 2-D part of any CSS transform list (3-D ones are flattened, perspective ignored). */
function linearOf(transformList: string): Linear2D {
  try {
    const d = new DOMMatrixReadOnly(transformList);
    return { a: d.a, b: d.b, c: d.c, d: d.d };
  } catch {
    return IDENTITY;
  }
}

/** The parent in the rendered (flat) tree: a slotted element's slot, else the parent or the shadow host. */
function parentOf(el: Element): Element | null {
  return el.assignedSlot ?? el.parentElement ?? ((el.getRootNode() as ShadowRoot).host || null);
}

/**
 * One walk up the rendered tree: the transform of the element and all its ancestors, and the
 * area left visible by ancestors that clip (overflow hidden, auto, scroll, clip).
 */
function onScreen(el: Element, cs: CSSStyleDeclaration): { m: Linear2D; clip?: Box } {
  let m = ownLinear(cs);
  const FAR = 1e9; // an unclipped side
  let [left, top, right, bottom] = [-FAR, -FAR, FAR, FAR];
  // Above a fixed box, ancestors' overflow does not clip it, until one of them contains it.
  let contained = cs.position !== 'fixed';
  let clipped = false;
  for (let node: Element | null = parentOf(el); node; node = parentOf(node)) {
    const style = getComputedStyle(node);
    m = compose(ownLinear(style), m);
    if (!contained && containsFixedBoxes(style)) contained = true;
    const clips = contained && node !== document.documentElement && !(style.overflowX === 'visible' && style.overflowY === 'visible');
    if (style.position === 'fixed') contained = false; // for the ancestors of this one
    if (!clips) continue;
    clipped = true;
    const r = node.getBoundingClientRect();
    // The padding box: inside the borders, without the scrollbars.
    const x = r.left + node.clientLeft;
    const y = r.top + node.clientTop;
    if (style.overflowX !== 'visible') {
      left = Math.max(left, x);
      right = Math.min(right, x + node.clientWidth);
    }
    if (style.overflowY !== 'visible') {
      top = Math.max(top, y);
      bottom = Math.min(bottom, y + node.clientHeight);
    }
  }
  return clipped ? { m, clip: { x: left, y: top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) } } : { m };
}

/** Whether a box is the containing block of its position: fixed descendants (CSS Transforms, Filter Effects, Containment). */
function containsFixedBoxes(style: CSSStyleDeclaration): boolean {
  return (
    style.transform !== 'none' || style.perspective !== 'none' || style.filter !== 'none' || style.backdropFilter !== 'none' ||
    (!!style.rotate && style.rotate !== 'none') || (!!style.scale && style.scale !== 'none') || (!!style.translate && style.translate !== 'none') ||
    /\b(paint|layout|strict|content)\b/.test(style.contain) || /\b(transform|perspective|filter)\b/.test(style.willChange)
  );
}

/** The border box's untransformed size: the used width and height, exact where offsetWidth rounds. */
function layoutSize(el: HTMLElement, cs: CSSStyleDeclaration): Size {
  const width = parseFloat(cs.width);
  const height = parseFloat(cs.height);
  if (!Number.isFinite(width) || !Number.isFinite(height)) return { width: el.offsetWidth, height: el.offsetHeight };
  if (cs.boxSizing === 'border-box') return { width, height };
  const m = boxModel(cs, true);
  return {
    width: width + m.borderLeft + m.borderRight + m.paddingLeft + m.paddingRight,
    height: height + m.borderTop + m.borderBottom + m.paddingTop + m.paddingBottom,
  };
}

/**
 * Places a picture inside a box (inset from the border box), under the transforms of the element
 * and its ancestors. getBoundingClientRect of a transformed element is only the bounding box of
 * its transformed shape; with the layout size and the composed matrix it says where the box sits.
 */
function withTransform(el: Element, cs: CSSStyleDeclaration, inset: BoxModel, picture: (host: Size) => Box): PictureLayout {
  const rect = borderBox(el);
  const { m, clip } = onScreen(el, cs);
  if (isIdentity(m) || !(el instanceof HTMLElement)) {
    const host = contentBox(rect, inset);
    return { host, picture: picture(host), clip };
  }
  const size = layoutSize(el, cs);
  const local = contentBox({ x: 0, y: 0, ...size }, inset);
  const corner = toViewport({ origin: untransformedOrigin(rect, size.width, size.height, m), m }, local);
  return { host: { ...corner, width: local.width, height: local.height }, picture: picture(local), clip, transform: m };
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
    throw new TargetError(t('errPageCannotLoad'));
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
      throw new TargetError(t('errBlobUnreadable'));
    });
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new TargetError(t('errBlobUnreadable')));
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
    shows: (url) => url === img.currentSrc || url === img.src,
    pagePixels: async () => {
      if (!img.complete || !img.naturalWidth) throw new TargetError(t('errImageNotLoaded'));
      const dataUrl = rasterize((ctx) => ctx.drawImage(img, 0, 0, img.naturalWidth, img.naturalHeight), img.naturalWidth, img.naturalHeight);
      return dataUrl ? { kind: 'dataUrl', dataUrl, originalUrl: img.currentSrc || img.src } : { kind: 'screenshot' };
    },
    layout: () => replacedLayout(img, { width: img.naturalWidth, height: img.naturalHeight }),
    source: async () => {
      // currentSrc honours srcset/<picture>. A right-clicked lazy image may still show its placeholder:
      // its real source is what the user means (the page named it; fetched under the same policy as any URL).
      const lazy = LAZY_SOURCES.map((a) => img.getAttribute(a)).find((v) => v && !v.includes(' '));
      // A placeholder (nothing loaded, or a 1×1 spacer) stands in until the lazy source loads.
      const placeholder = !img.currentSrc || (img.complete && img.naturalWidth <= 1 && img.naturalHeight <= 1);
      const url = lazy && placeholder ? lazy : img.currentSrc || img.getAttribute('src') || lazy;
      if (!url) throw new TargetError(t('errNoImageSource'));
      return urlSource(absoluteUrl(url), borderBox(img));
    },
  };
}

function videoTarget(video: HTMLVideoElement): ExplainTarget {
  return {
    kind: 'video',
    element: video,
    identity: () => video.currentSrc,
    shows: (url) => url === video.currentSrc || url === video.src,
    pagePixels: () => videoTarget(video).source(),
    layout: () => replacedLayout(video, { width: video.videoWidth, height: video.videoHeight }),
    source: async () => {
      if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !video.videoWidth) throw new TargetError(t('errVideoNoFrame'));
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
    shows: () => false, // the browser's menu reports no URL for a canvas
    pagePixels: () => canvasTarget(canvas).source(),
    layout: () => replacedLayout(canvas, { width: canvas.width, height: canvas.height }),
    source: async () => {
      if (!canvas.width || !canvas.height) throw new TargetError(t('errCanvasEmpty'));
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
  const natural = naturalSizeOf(() => absoluteUrl(href(), image.ownerDocument.baseURI));
  return {
    kind: 'svg-image',
    element: image,
    identity: () => href(),
    shows: (url) => url === absoluteUrl(href(), image.ownerDocument.baseURI),
    pagePixels: () => rasterizeUrl(absoluteUrl(href(), image.ownerDocument.baseURI), borderBox(image)),
    layout: () => {
      const { clip } = onScreen(image, getComputedStyle(image));
      // The screen CTM maps the image's user units to the viewport: viewBox scaling, SVG and CSS transforms.
      const ctm = image.getScreenCTM();
      const [width, height] = [image.width.animVal.value, image.height.animVal.value];
      if (!ctm || !(width > 0 && height > 0)) {
        const host = borderBox(image);
        return { host, picture: { x: 0, y: 0, width: host.width, height: host.height }, clip };
      }
      const corner = new DOMPoint(image.x.animVal.value, image.y.animVal.value).matrixTransform(ctm);
      const { align, meetOrSlice } = image.preserveAspectRatio.animVal;
      const { fit, position } = svgAspectAsObjectFit(align, meetOrSlice);
      const box = { width, height };
      const picture = natural.width > 0 ? imageRectInContentBox(box, natural, fit, position) : { x: 0, y: 0, ...box };
      const m = { a: ctm.a, b: ctm.b, c: ctm.c, d: ctm.d };
      return { host: { x: corner.x, y: corner.y, ...box }, picture, clip, ...(isIdentity(m) ? {} : { transform: m }) };
    },
    source: async () => {
      if (!href()) throw new TargetError(t('errSvgNoHref'));
      return urlSource(absoluteUrl(href(), image.ownerDocument.baseURI), borderBox(image));
    },
  };
}

/** The natural size of the picture at a URL, filled in once the page has loaded it (0×0 until then). */
function naturalSizeOf(url: () => string): Size {
  const natural: Size = { width: 0, height: 0 };
  const probe = new Image();
  probe.onload = () => Object.assign(natural, { width: probe.naturalWidth, height: probe.naturalHeight });
  probe.src = url();
  return natural;
}

/** The first url(...) of a computed background-image, if any. */
function backgroundUrl(el: Element): string | null {
  const match = getComputedStyle(el).backgroundImage.match(/url\(\s*(['"]?)(.*?)\1\s*\)/);
  return match ? match[2] : null;
}

function backgroundTarget(el: Element, url: string): ExplainTarget {
  const natural = naturalSizeOf(() => url);
  return {
    kind: 'background',
    element: el,
    identity: () => backgroundUrl(el) ?? '',
    shows: () => false, // nor for a CSS background
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

/**
 * The right-clicked picture. Only a trusted right-click counts (see input.ts). When the browser's
 * menu reported the picture's URL (`srcUrl`: images, videos), the element must show that URL: the one
 * the click hit, one under the pointer (images under transparent links or overlays), else any image
 * of the frame showing it. Without a URL (canvases, CSS backgrounds), the first explainable element
 * under the trusted click.
 */
export function resolveTarget(click: ContextClick | null, srcUrl: string | undefined): ExplainTarget {
  const hit = click?.target instanceof Element && !isOverlayHost(click.target) ? [click.target] : [];
  const under = click ? deepElementsFromPoint(document, click.x, click.y).filter((el) => !isOverlayHost(el) && el !== document.documentElement && el !== document.body) : [];
  function* candidates(): Generator<ExplainTarget> {
    for (const el of [...hit, ...under]) {
      const target = asTarget(el);
      if (target) yield target;
    }
  }
  if (srcUrl) {
    for (const target of candidates()) if (target.shows(srcUrl)) return target;
    const img = Array.from(document.images).find((i) => i.currentSrc === srcUrl || i.src === srcUrl);
    if (img) return imgTarget(img);
    const video = Array.from(document.querySelectorAll('video')).find((v) => v.currentSrc === srcUrl || v.src === srcUrl);
    if (video) return videoTarget(video);
    throw new TargetError(t('errTargetNotFound'));
  }
  for (const target of candidates()) return target;
  throw new TargetError(t('errTargetNotFound'));
}

/** An image for "explain all": the picture the page shows, or null when the page could not load it. */
export interface ShownImage {
  target: ExplainTarget;
  /** The address the page gave the picture (for notes only: a broken one is never fetched). */
  address: string;
  source: (() => Promise<ImageSource>) | null;
}

/** Smaller than this natural size (either side), a loaded image is a spacer or a lazy placeholder, not a picture. */
const MIN_NATURAL_SIDE = 8;

/**
 * The frame's images worth explaining in bulk: displayed at least MIN_EXPLAIN_ALL_SIZE on each side,
 * and what the page actually shows — the loaded candidate (currentSrc), never a lazy source the page
 * has not loaded. A broken image is listed (it is on the page) but not fetched.
 */
export function explainableImages(doc: Document): ShownImage[] {
  return Array.from(doc.images)
    .filter((img) => {
      if (!img.complete || !(img.currentSrc || img.src)) return false;
      if (img.naturalWidth > 0 && (img.naturalWidth < MIN_NATURAL_SIDE || img.naturalHeight < MIN_NATURAL_SIDE)) return false;
      const rect = img.getBoundingClientRect();
      if (rect.width < MIN_EXPLAIN_ALL_SIZE || rect.height < MIN_EXPLAIN_ALL_SIZE) return false;
      const style = getComputedStyle(img);
      return style.visibility !== 'hidden' && style.display !== 'none';
    })
    .map((img) => ({
      target: imgTarget(img),
      address: img.currentSrc || img.src,
      source: img.naturalWidth > 0 ? () => urlSource(img.currentSrc || img.src, borderBox(img)) : null,
    }));
}
