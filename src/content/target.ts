// Finds the image the user right-clicked and where its pixels can be read.
import type { ImageSource } from '../core/messages';

export interface ContextClick {
  target: EventTarget | null;
  x: number;
  y: number;
}

export class TargetError extends Error {}

/**
 * The right-clicked <img>: the element under the remembered contextmenu event when it is one,
 * else the first image at that point (images under transparent links/overlays), else an image
 * whose source matches the menu's srcUrl.
 */
export function resolveImage(click: ContextClick | null, srcUrl: string | undefined): HTMLImageElement {
  if (click) {
    if (click.target instanceof HTMLImageElement) return click.target;
    const underPointer = document.elementsFromPoint(click.x, click.y).find((el): el is HTMLImageElement => el instanceof HTMLImageElement);
    if (underPointer) return underPointer;
  }
  if (srcUrl) {
    const bySource = Array.from(document.images).find((img) => img.currentSrc === srcUrl || img.src === srcUrl);
    if (bySource) return bySource;
  }
  throw new TargetError('could not find the image that was right-clicked');
}

/** "Explain all" skips images displayed smaller than this (icons, avatars, spacers), in CSS px. */
export const MIN_EXPLAIN_ALL_SIZE = 64;

/** The frame's images worth explaining in bulk: displayed at least MIN_EXPLAIN_ALL_SIZE on each side, with a source. */
export function explainableImages(doc: Document): HTMLImageElement[] {
  return Array.from(doc.images).filter((img) => {
    if (!(img.currentSrc || img.src)) return false;
    const rect = img.getBoundingClientRect();
    if (rect.width < MIN_EXPLAIN_ALL_SIZE || rect.height < MIN_EXPLAIN_ALL_SIZE) return false;
    const style = getComputedStyle(img);
    return style.visibility !== 'hidden' && style.display !== 'none';
  });
}

/** Where the worker reads the pixels shown: the URL actually displayed (currentSrc honours srcset), or the bytes for blob: URLs. */
export async function imageSource(img: HTMLImageElement): Promise<ImageSource> {
  // A broken or not-yet-loaded image is still fetched by the worker: it says precisely what is wrong (HTTP 404…).
  const url = img.currentSrc || img.src;
  if (!url) throw new TargetError('the image has no source');
  if (!url.startsWith('blob:')) return { kind: 'url', url };
  // A blob: URL belongs to the page; only this frame can read it.
  const blob = await fetch(url).then((r) => r.blob()).catch(() => {
    throw new TargetError('could not read the page-owned blob: image');
  });
  return { kind: 'dataUrl', dataUrl: await blobToDataUrl(blob), originalUrl: url };
}

function blobToDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new TargetError('could not read the blob: image'));
    reader.readAsDataURL(blob);
  });
}
