// The hosts models come from, in words: which addresses may be used at all (https, or http on this
// computer only), what a host's answer means when it is not the file (TF Hub's redirect to a signed
// Kaggle link refused with SignatureDoesNotMatch, an HTTP error, no answer), and trying a model's
// sources in order until one works. Pure: the answers come in as data, texts from the Translate.
import type { Translate } from './i18n';

export class ModelSourceError extends Error {
  /** The reason without the "could not download the model: " frame, to list several sources' reasons in one sentence. */
  constructor(message: string, readonly detail: string = message) {
    super(message);
  }
}

/** Loopback hosts: a model served from this computer cannot be swapped on the way. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Whether a model may be downloaded from this address: https, or http on this computer only. */
export function isSecureModelUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
}

/** The host as people know it: "TF Hub", "Kaggle", "Google's tfjs-models bucket", else its name. */
export function hostLabel(address: string, t: Translate): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return address;
  }
  const host = url.hostname.toLowerCase();
  if (host === 'tfhub.dev' || host.endsWith('.tfhub.dev')) return 'TF Hub';
  if (host === 'kaggle.com' || host.endsWith('.kaggle.com')) return 'Kaggle';
  if ((host === 'storage.googleapis.com' && url.pathname.startsWith('/tfjs-models/')) || host === 'tfjs-models.storage.googleapis.com') return t('hostTfjsModelsBucket');
  return url.host;
}

/** Cloud storage refusing a signed link it cannot verify (TF Hub → Kaggle → storage.googleapis.com since 2025). */
export function isSignedLinkRefusal(status: number, body: string): boolean {
  return status === 403 && /<Code>\s*SignatureDoesNotMatch\s*<\/Code>/.test(body);
}

/** What a host's error answer amounts to. `body` is the start of the answer's text (a signed-URL refusal says why in XML). */
export function describeHttpFailure(requested: string, answer: { status: number; statusText: string; url?: string; redirected?: boolean }, body: string, t: Translate): string {
  const status = `${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  const who = hostLabel(requested, t);
  if (isSignedLinkRefusal(answer.status, body)) return t('modelHostSignedLink', [who, String(answer.status)]);
  const finalHost = answer.url ? safeHost(answer.url) : null;
  if (answer.redirected && finalHost && finalHost !== safeHost(requested)) return t('modelHostRedirectedHttp', [who, finalHost, status]);
  return t('modelHostHttp', [who === safeHost(requested) ? requested : who, status]);
}

function safeHost(address: string): string | null {
  try {
    return new URL(address).host;
  } catch {
    return null;
  }
}

/** One of several places a model can be downloaded from. */
export interface Attempt<S> {
  source: S;
  /** Where it is, for messages. */
  url: string;
}

export interface Tried<S, T> {
  value: T;
  source: S;
  url: string;
  /** What the sources tried before answered, in words (empty when the first one worked). */
  failures: string[];
}

/**
 * Tries the sources in order until one works; the others' failures are kept in words. When all fail,
 * throws one ModelSourceError that says what each host answered. Cancellation (an abort) is not a
 * failure of the source: it ends the attempts.
 */
export async function tryInOrder<S, T>(name: string, sources: Attempt<S>[], attempt: (source: S) => Promise<T>, t: Translate, signal?: AbortSignal): Promise<Tried<S, T>> {
  const failures: string[] = [];
  for (const { source, url } of sources) {
    try {
      return { value: await attempt(source), source, url, failures };
    } catch (e) {
      if (signal?.aborted || !(e instanceof ModelSourceError)) throw e;
      failures.push(e.detail);
    }
  }
  const reasons = failures.join('; ');
  throw new ModelSourceError(t('modelErrAllSources', [name, reasons]), reasons);
}

/** "TF Hub's download link was refused (…); downloaded from Google's tfjs-models bucket instead." — or nothing when the first source worked. */
export function fallbackNote(tried: { url: string; failures: string[] }, t: Translate): string | null {
  return tried.failures.length === 0 ? null : t('modelNoteFallback', [tried.failures.join('; '), hostLabel(tried.url, t)]);
}
