// The Lab's picture, from a file (picked, dropped or pasted) or an address the user typed: read here
// as bytes (a data: URL, the worker decodes it with its own checks), and shown as a preview.
import { t } from '../core/i18nBrowser';

export interface LabPicture {
  dataUrl: string;
  /** Where it came from: a file name or the address. */
  origin: string;
  /** Decoded, at its natural size (cells are drawn from it). */
  element: HTMLImageElement;
}

/** Larger files are refused before reading (the worker refuses larger decodes anyway). */
const MAX_BYTES = 40 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 20_000;

export class PictureError extends Error {}

function readAsDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(new PictureError(t('labErrUnreadable')));
    reader.readAsDataURL(blob);
  });
}

function decode(dataUrl: string): Promise<HTMLImageElement> {
  const element = new Image();
  element.src = dataUrl;
  return element.decode().then(
    () => element,
    () => Promise.reject(new PictureError(t('labErrNotPicture'))),
  );
}

async function fromBlob(blob: Blob, origin: string): Promise<LabPicture> {
  if (blob.size > MAX_BYTES) throw new PictureError(t('labErrTooLarge', String(Math.round(MAX_BYTES / 1024 / 1024))));
  if (blob.type && !blob.type.startsWith('image/')) throw new PictureError(t('labErrNotPicture'));
  const dataUrl = await readAsDataUrl(blob);
  return { dataUrl, origin, element: await decode(dataUrl) };
}

/** Bytes the worker read for an overlay ("Lab" in its panel). */
export async function fromDataUrl(dataUrl: string, origin: string): Promise<LabPicture> {
  return { dataUrl, origin, element: await decode(dataUrl) };
}

export function fromFile(file: File): Promise<LabPicture> {
  return fromBlob(file, file.name);
}

/** Fetched without cookies (the user typed the address; no site's session is involved). */
export async function fromAddress(text: string): Promise<LabPicture> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new PictureError(t('errNotUrl', text.slice(0, 80)));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PictureError(t('errProtocol', url.protocol));
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'omit', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (e) {
    throw new PictureError((e as Error).name === 'TimeoutError' ? t('errNoAnswer', String(FETCH_TIMEOUT_MS / 1000)) : t('labErrFetch', url.host));
  }
  if (!response.ok) throw new PictureError(t('labErrHttp', [String(response.status), url.host]));
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) throw new PictureError(t('labErrTooLarge', String(Math.round(MAX_BYTES / 1024 / 1024))));
  return fromBlob(await response.blob(), url.href);
}
