// The panel's shortcut alarm (one file per panel feature): one line of words when the worker's
// causal test fired (result.shortcut), and the tested region outlined over the picture. No alarm:
// nothing is shown. The words are generated content (dom.ts), like every word of the panel.
import { t } from '../core/i18nBrowser';
import { WatermarkReply, type ExplanationSuccess, type Message } from '../core/messages';
import type { Box } from '../core/geometry';
import { shortcutLine, watermarkLine } from '../core/metrics/shortcutWords';
import { el, markUnavailable, onTrustedClick } from './dom';
import type { Overlay } from './overlay';

const CSS = `
.watermark { margin-top: 4px; }
.watermark button { all: unset; cursor: pointer; padding: 1px 8px; border-radius: 4px; border: 1px solid rgba(255,255,255,0.3); color: #eef1f6; font-size: 11px; }
.watermark button:hover, .watermark button:focus-visible { background: rgba(255,255,255,0.14); }
.watermark button:focus-visible { outline: 2px solid #7fb2ff; outline-offset: 1px; }
.watermark button[aria-disabled="true"] { opacity: 0.5; cursor: default; }
.watermark .line { margin-top: 3px; }
.panel.compact:not(:hover):not(:focus-within):not(.open) .watermark { display: none; }
.shortcut { margin-top: 6px; padding: 4px 6px; border-radius: 4px; background: rgba(255,170,60,0.16); border-left: 3px solid #ffb44a; color: #ffe2b8; }
`;

const style = () => Object.assign(document.createElement('style'), { textContent: CSS });

/** The alarm line for a result, or null when the alarm did not fire. */
export function shortcutSection(result: ExplanationSuccess): HTMLElement | null {
  if (!result.shortcut) return null;
  return el('div', { class: 'shortcut', role: 'note' }, style(), shortcutLine(result.shortcut, result.target.label, t));
}

/** Each overlay's watermark probe: for which map, and its words once answered (null: running). */
const probes = new WeakMap<Overlay, { key: string; words: string | null }>();
/** The section an overlay shows now (its panel is redrawn with each result): where a late answer goes. */
const latest = new WeakMap<Overlay, () => void>();
const keyOf = (r: ExplanationSuccess) => `${r.explanationId}|${r.target.index}|${r.method}`;

/** "Try a watermark": a button, then one line with what the watermark did to the top class. */
export function watermarkSection(overlay: Overlay, result: ExplanationSuccess, send: (message: Message) => Promise<unknown>): HTMLElement {
  const section = el('div', { class: 'watermark' });
  // A probe needs one fixed map: Follow's frames change it, so one running is forgotten (its answer dropped).
  const following = overlay.follow?.following ?? false;
  if (following && probes.get(overlay)?.words === null) probes.delete(overlay);
  const fill = () => {
    const probe = probes.get(overlay);
    const mine = probe?.key === keyOf(result) ? probe : null;
    const button = el('button', { type: 'button', title: t('watermarkTitle'), 'aria-label': t('watermarkButton') }, t('watermarkButton'));
    onTrustedClick(button, () => following || void run());
    if (following) markUnavailable(button, t('overlayStopFollowingFirst'));
    section.replaceChildren(style(), mine && mine.words === null ? el('div', { class: 'line' }, t('watermarkBusy')) : button);
    if (mine?.words) section.append(el('div', { class: 'line', role: 'status' }, mine.words));
  };
  const run = async () => {
    const key = keyOf(result);
    probes.set(overlay, { key, words: null });
    fill();
    overlay.panelChanged();
    const message: Message = { type: 'watermark-probe', overlayId: overlay.id, explanationId: result.explanationId, classIndex: result.target.index, method: result.method };
    const reply = WatermarkReply.safeParse(await send(message).catch((e: unknown) => ({ ok: false, error: String(e) })));
    const words = !reply.success ? t('watermarkFailed', t('errUnknown')) : reply.data.ok ? watermarkLine(reply.data.probe, t) : t('watermarkFailed', reply.data.error);
    if (probes.get(overlay)?.key !== key) return;
    probes.set(overlay, { key, words });
    latest.get(overlay)?.();
    overlay.panelChanged();
  };
  latest.set(overlay, fill);
  fill();
  return section;
}

/** The outline of the tested region (dashed, unlike the localization box); placed by placeShortcutOutline. */
export function createShortcutOutline(): HTMLDivElement {
  const outline = el('div', { class: 'shortcut-region', hidden: true, role: 'img', 'aria-label': t('shortcutRegionLabel') });
  Object.assign(outline.style, { position: 'absolute', border: '2px dashed #ffb44a', outline: '1px solid rgba(0,0,0,0.6)', pointerEvents: 'none', boxSizing: 'border-box' });
  return outline;
}

/** From the region in image pixels to the displayed image rectangle; hidden without an alarm. */
export function placeShortcutOutline(outline: HTMLElement, result: ExplanationSuccess | null, imageRect: Box): void {
  const region = result?.shortcut?.region;
  outline.hidden = !region;
  if (!region || !result) return;
  const sx = imageRect.width / result.image.width;
  const sy = imageRect.height / result.image.height;
  Object.assign(outline.style, { left: `${imageRect.x + region.x * sx}px`, top: `${imageRect.y + region.y * sy}px`, width: `${region.width * sx}px`, height: `${region.height * sy}px` });
}

/** Several panel features' sections as one node, in order. */
export function panelSections(...sections: (Node | null)[]): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const section of sections) if (section) fragment.append(section);
  return fragment;
}
