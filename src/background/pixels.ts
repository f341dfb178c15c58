// Gets an image's pixels in the service worker: fetch the bytes itself (host permissions make
// cross-origin images without CORS readable), decode with createImageBitmap, and squash the whole
// image to the model's input size so the map covers the whole displayed image.
import type { ImageSource } from '../core/messages';

export class ImageLoadError extends Error {}

export const FETCH_TIMEOUT_MS = 20_000;
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
const FETCHABLE = new Set(['http:', 'https:', 'data:']);

export interface DecodedImage {
  bitmap: ImageBitmap;
  /** Bytes fetched and their declared type, for messages and caching. */
  byteLength: number;
  contentType: string;
}

export async function loadImage(source: ImageSource, timeoutMs = FETCH_TIMEOUT_MS): Promise<DecodedImage> {
  const blob = await fetchImageBlob(source.kind === 'url' ? source.url : source.dataUrl, timeoutMs);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    const type = blob.type || 'unknown type';
    const hint = type.includes('svg') ? 'SVG images are not supported yet' : `not a decodable image (${type}, ${blob.size} bytes)`;
    throw new ImageLoadError(`could not decode image: ${hint}`);
  }
  if (bitmap.width === 0 || bitmap.height === 0) {
    bitmap.close();
    throw new ImageLoadError('could not decode image: it has no pixels');
  }
  return { bitmap, byteLength: blob.size, contentType: blob.type };
}

async function fetchImageBlob(url: string, timeoutMs: number): Promise<Blob> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImageLoadError(`could not load image: "${url.slice(0, 80)}" is not a URL`);
  }
  if (!FETCHABLE.has(parsed.protocol)) throw new ImageLoadError(`could not load image: ${parsed.protocol} URLs cannot be read`);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(url, { signal: abort.signal, credentials: 'include' }).catch((e: unknown) => {
      if (abort.signal.aborted) throw new ImageLoadError(`could not load image: no answer after ${Math.round(timeoutMs / 1000)} s`);
      throw new ImageLoadError(`could not load image: ${(e as Error).message || 'network error'}`);
    });
    if (!response.ok) throw new ImageLoadError(`could not load image: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    const declared = Number(response.headers.get('content-length'));
    if (declared > MAX_IMAGE_BYTES) throw new ImageLoadError(`image is too large (${mib(declared)}; the limit is ${mib(MAX_IMAGE_BYTES)})`);
    const blob = await response.blob().catch(() => {
      throw new ImageLoadError(abort.signal.aborted ? `could not load image: no answer after ${Math.round(timeoutMs / 1000)} s` : 'could not load image: the download broke off');
    });
    if (blob.size > MAX_IMAGE_BYTES) throw new ImageLoadError(`image is too large (${mib(blob.size)}; the limit is ${mib(MAX_IMAGE_BYTES)})`);
    return blob;
  } finally {
    clearTimeout(timer);
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The whole image resized (aspect squashed) to width×height RGBA. */
export function resizeToRgba(bitmap: ImageBitmap, width: number, height: number): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ImageLoadError('could not get a 2D canvas to resize the image');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  // Transparent pixels are composited on white, as the page shows them over a typical background.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height).data;
}
