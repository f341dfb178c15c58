// The content script's part in Teach: the picture of the last trusted right-click (resolved as for
// "Explain this image", but no overlay is opened), the frame's pictures for "Add all images", and the
// note about what was added.
import { t } from '../core/i18nBrowser';
import type { ImageSource } from '../core/messages';
import { explainableImages, resolveTarget, TargetError, type ContextClick } from './target';
import { showTeachToast } from './teachToast';

export async function pickForTeach(click: ContextClick | null, srcUrl: string | undefined): Promise<{ ok: true; source: ImageSource } | { ok: false; error: string }> {
  try {
    return { ok: true, source: await resolveTarget(click, srcUrl).source() };
  } catch (e) {
    return { ok: false, error: e instanceof TargetError ? e.message : t('errUnexpected', (e as Error).message) };
  }
}

/**
 * The sources of the frame's pictures large enough to explain, and the addresses of those the page
 * could not load (named in the note as skipped; never fetched).
 */
export async function listForTeach(): Promise<{ sources: ImageSource[]; unloaded: string[] }> {
  // Only loaded pictures (as "Explain all" takes them): never a URL the page named but did not show.
  const shown = explainableImages(document);
  const sources = await Promise.all(shown.map((image) => image.source?.().catch(() => null) ?? null));
  return {
    sources: sources.filter((s): s is ImageSource => s !== null),
    unloaded: shown.filter((image) => image.source === null).map((image) => image.address),
  };
}

export { showTeachToast };
