// Gets an image's pixels in the service worker: fetch the bytes itself (host permissions make
// cross-origin images without CORS readable), check them, decode with createImageBitmap within a
// global pixel budget, and squash the whole image to the model's input size right away, so a
// full-size bitmap never waits anywhere.
import { t } from '../core/i18nBrowser';
import { fetchVerdict, type ShownIn } from '../core/fetchPolicy';
import { FORMAT_NAMES, pixelCount, readImageSize, type ImageHeader } from '../core/imageHeader';
import { concatBytes } from '../core/bytes';
import { centerSquare, type Box } from '../core/geometry';
import { PixelBudget } from '../core/pixelBudget';
import { LruMap } from '../core/lru';

/** Where else the pixels may be read when the worker cannot: drawn by the page, or from a screenshot. */
export type PixelFallback = 'page' | 'screenshot';

export class ImageLoadError extends Error {
  constructor(
    message: string,
    readonly fallback?: PixelFallback,
  ) {
    super(message);
  }
}

/**
 * What the worker reads: a URL it fetches (with the user's cookies only when the fetch policy
 * allows; `shownIn` is where the picture is shown, to check where redirects lead), or bytes a
 * frame read itself.
 */
export type Pixels =
  | { kind: 'url'; url: string; withCookies: boolean; shownIn: ShownIn }
  | { kind: 'dataUrl'; dataUrl: string; originalUrl: string };

/** No response headers, or no body bytes, for this long: give up (well within the service worker's 30 s idle limit). */
export const FETCH_TIMEOUT_MS = 15_000;
/** A download still unfinished after this long is abandoned even if bytes trickle in. */
export const DOWNLOAD_DEADLINE_MS = 25_000;
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** Images of this many pixels or more are refused before decoding: a decoded 100 MP image is 400 MB of RGBA. */
export const MAX_IMAGE_PIXELS = 100_000_000;
/**
 * Pixels decoding at once, across every tab and frame (a larger image decodes alone): "explain all"
 * on a page of iframes full of huge images waits in line instead of holding gigabytes.
 */
export const DECODE_BUDGET_PIXELS = 64_000_000;
const FETCHABLE = new Set(['http:', 'https:', 'data:']);

export const decodeBudget = new PixelBudget(DECODE_BUDGET_PIXELS);

/** Fetched, checked bytes, not decoded yet. */
export interface FetchedImage {
  /**
   * The bytes in the chunks they were read in: the decoder's Blob and the header reader take them as
   * they are (joining them into one array was a copy of the whole file for nothing).
   */
  chunks: Uint8Array<ArrayBuffer>[];
  size: number;
  /** The chunks joined, for who needs one array (made on first use). */
  readonly bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  header: ImageHeader;
}

/** An image read for the model: RGBA at its input size, and what the model saw of it. */
export interface ModelPixels {
  rgba: Uint8ClampedArray;
  /** The image's natural size. */
  image: { width: number; height: number };
  /** The part of the image the model saw, when the model frames pictures (in image pixels). */
  crop?: Box;
  /** What the user should know about how the image was read (e.g. only the first frame of an animation). */
  notes: string[];
}

/** Fetches (or unpacks) the bytes and refuses, with the real reason, what must not or cannot be decoded. */
export async function fetchImage(source: Pixels, timeoutMs = FETCH_TIMEOUT_MS): Promise<FetchedImage> {
  const fromServer = source.kind === 'url';
  const { chunks, size, contentType } = source.kind === 'url' ? await fetchImageBytes(source, timeoutMs) : await fetchImageBytes({ url: source.dataUrl, withCookies: false }, timeoutMs);
  if (size === 0) throw new ImageLoadError(fromServer ? t('errServerNoData') : t('errPageNoData'));
  const header = readImageSize(chunks);
  if (header.format === 'html') throw new ImageLoadError(fromServer ? t('errServerSentHtml') : t('errPageSentHtml'));
  // The content script draws SVGs it recognises by their URL; one that reaches the worker cannot be drawn here.
  if (header.format === 'svg') throw new ImageLoadError(t('errSvg'), 'page');
  if (pixelCount(header) >= MAX_IMAGE_PIXELS) throw tooManyPixels(header.width, header.height);
  let joined: Uint8Array<ArrayBuffer> | undefined;
  return {
    chunks, size, contentType, header,
    get bytes() {
      return (joined ??= concatBytes(chunks));
    },
  };
}

/**
 * Decodes within the global budget and hands the bitmap to `use`; the bitmap is closed (and its
 * pixels given back to the budget) as soon as `use` is done.
 */
export async function withDecoded<T>(image: FetchedImage, use: (bitmap: ImageBitmap, notes: string[]) => T | Promise<T>): Promise<T> {
  const { chunks, size, contentType, header } = image;
  // A format whose size the header reader does not know counts as the largest allowed (it decodes alone).
  const cost = pixelCount(header) || MAX_IMAGE_PIXELS;
  return decodeBudget.run(cost, async () => {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(new Blob(chunks, { type: contentType }));
    } catch {
      // A format the worker cannot decode may still be shown by the page (e.g. an SVG served without its type).
      const type = contentType || t('unknownType');
      if (header.format === 'unknown') throw new ImageLoadError(t('errNotDecodable', [type, String(size)]), 'page');
      const details = [FORMAT_NAMES[header.format], String(size)];
      throw new ImageLoadError(header.truncated ? t('errFileIncomplete', details) : t('errFileDamaged', details));
    }
    try {
      if (bitmap.width === 0 || bitmap.height === 0) throw new ImageLoadError(t('errNoPixels'));
      // Formats whose size the header reader does not know are checked once decoded.
      if (bitmap.width * bitmap.height >= MAX_IMAGE_PIXELS) throw tooManyPixels(bitmap.width, bitmap.height);
      const notes: string[] = [];
      if (header.animated) notes.push(t('noteAnimated', FORMAT_NAMES[header.format]));
      if (header.truncated) notes.push(t('noteEndsEarly', FORMAT_NAMES[header.format]));
      return await use(bitmap, notes);
    } finally {
      bitmap.close();
    }
  });
}

/** The image as the model sees it: the whole picture (or its central square) squashed to width×height. */
export async function loadForModel(source: Pixels, input: { width: number; height: number }, framing?: 'center'): Promise<ModelPixels> {
  return withDecoded(await fetchImage(source), (bitmap, notes) => {
    const image = { width: bitmap.width, height: bitmap.height };
    const crop = framing === 'center' ? centerSquare(image.width, image.height) : undefined;
    return { rgba: resizeToRgba(bitmap, input.width, input.height, crop), image, crop, notes };
  });
}

function tooManyPixels(width: number, height: number): ImageLoadError {
  return new ImageLoadError(t('errTooManyPixels', [String(width), String(height), String(MAX_IMAGE_PIXELS / 1e6)]));
}

type StopReason = 'no answer' | 'stalled' | 'too slow' | 'too large';

/**
 * Fetches the bytes with a timeout for the answer, one for a stalled body, an overall deadline and a
 * size cap. Cookies go only to the very URL allowed: never along a redirect (the request is then
 * made again without them), and a redirect may not lead to a more private network than the page.
 */
async function fetchImageBytes(
  { url, withCookies, shownIn }: { url: string; withCookies: boolean; shownIn?: ShownIn },
  timeoutMs: number,
): Promise<{ chunks: Uint8Array<ArrayBuffer>[]; size: number; contentType: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImageLoadError(t('errNotUrl', url.slice(0, 80)));
  }
  if (!FETCHABLE.has(parsed.protocol)) throw new ImageLoadError(t('errProtocol', parsed.protocol));
  const abort = new AbortController();
  let stopped: StopReason | null = null;
  const stop = (reason: StopReason) => {
    stopped ??= reason;
    abort.abort();
  };
  let idle = setTimeout(() => stop('no answer'), timeoutMs);
  const deadline = setTimeout(() => stop('too slow'), Math.max(timeoutMs, DOWNLOAD_DEADLINE_MS));
  const seconds = Math.round(timeoutMs / 1000);
  const stoppedError = (reason: StopReason) =>
    new ImageLoadError(
      reason === 'no answer' ? t('errNoAnswer', String(seconds))
        : reason === 'stalled' ? t('errStalled')
          : reason === 'too slow' ? t('errTooSlow')
            : t('errTooLargeOver', mib(MAX_IMAGE_BYTES)),
    );
  try {
    let response: Response;
    try {
      response = withCookies
        ? await fetch(url, { signal: abort.signal, credentials: 'include', redirect: 'error' }).catch(() =>
            // A redirect (or a failure): again without cookies, following redirects.
            fetch(url, { signal: abort.signal, credentials: 'omit' }),
          )
        : await fetch(url, { signal: abort.signal, credentials: 'omit' });
      // Nobody reads the worker's resource timings; left alone they fill a 250-entry buffer.
      performance.clearResourceTimings();
    } catch (e) {
      if (stopped) throw stoppedError(stopped);
      const error = await networkError(parsed, abort.signal);
      throw stopped ? stoppedError(stopped) : error;
    }
    if (shownIn && response.redirected && !fetchVerdict(response.url, shownIn).ok) {
      void response.body?.cancel().catch(() => undefined);
      throw new ImageLoadError(t('errPrivateAddress', new URL(response.url).host));
    }
    if (!response.ok) {
      void response.body?.cancel().catch(() => undefined);
      // 401/403: an image only the page may load (login, referrer check): the page can draw what it shows, or it is on screen.
      const denied = response.status === 401 || response.status === 403;
      throw new ImageLoadError(t('errHttp', `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`), denied ? 'page' : undefined);
    }
    const declared = Number(response.headers.get('content-length'));
    if (declared > MAX_IMAGE_BYTES) {
      void response.body?.cancel().catch(() => undefined);
      throw new ImageLoadError(t('errTooLargeSize', [mib(declared), mib(MAX_IMAGE_BYTES)]));
    }
    const contentType = response.headers.get('content-type') ?? '';
    // The body: every chunk re-arms the stall timer; the size cap is enforced while reading.
    clearTimeout(idle);
    idle = setTimeout(() => stop('stalled'), timeoutMs);
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let total = 0;
    const reader = response.body?.getReader();
    if (reader) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.length;
          if (total > MAX_IMAGE_BYTES) {
            stop('too large');
            break;
          }
          chunks.push(value);
          clearTimeout(idle);
          idle = setTimeout(() => stop('stalled'), timeoutMs);
        }
      } catch {
        if (!stopped) throw new ImageLoadError(t('errBrokeOff'));
      }
      if (stopped) {
        void reader.cancel().catch(() => undefined);
        throw stoppedError(stopped);
      }
    }
    return { chunks, size: total, contentType };
  } finally {
    clearTimeout(idle);
    clearTimeout(deadline);
  }
}

/**
 * fetch() only says "Failed to fetch". A redirect loop is the common hostile case: ask once more without
 * following redirects; an answer that is a redirect means the chain of redirects is what failed.
 */
async function networkError(url: URL, signal: AbortSignal): Promise<ImageLoadError> {
  if (url.protocol === 'data:') return new ImageLoadError(t('errDataUrlMalformed'));
  const firstHop = await fetch(url, { signal, credentials: 'omit', redirect: 'manual' }).catch(() => null);
  if (firstHop?.type === 'opaqueredirect') return new ImageLoadError(t('errRedirects'));
  void firstHop?.body?.cancel().catch(() => undefined);
  if (firstHop) return new ImageLoadError(t('errNetwork'));
  return new ImageLoadError(t('errUnreachable', url.host));
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * One canvas per input size, kept: a fresh canvas allocates its pixels on the first draw (measured
 * 2.8 → 0.9 ms a picture for 224×224 when reused). Drawing is synchronous, so one at a time.
 */
const canvases = new LruMap<string, OffscreenCanvasRenderingContext2D>(4);

/** The image (or its `crop`, in its pixels) resized, aspect squashed, to width×height RGBA. */
export function resizeToRgba(bitmap: ImageBitmap, width: number, height: number, crop?: Box): Uint8ClampedArray {
  const key = `${width}x${height}`;
  let ctx = canvases.get(key);
  if (!ctx) {
    const made = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!made) throw new ImageLoadError(t('errNoCanvas'));
    canvases.set(key, (ctx = made));
  }
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  // Transparent pixels are composited on white, as the page shows them over a typical background.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  if (crop) ctx.drawImage(bitmap, crop.x, crop.y, crop.width, crop.height, 0, 0, width, height);
  else ctx.drawImage(bitmap, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height).data;
}
