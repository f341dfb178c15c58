// The panel's shortcut alarm (one file per panel feature): one line of words when the worker's
// causal test fired (result.shortcut), and the tested region outlined over the picture. No alarm:
// nothing is shown. The words are generated content (dom.ts), like every word of the panel.
import { t } from '../core/i18nBrowser';
import type { ExplanationSuccess } from '../core/messages';
import type { Box } from '../core/geometry';
import { shortcutLine } from '../core/metrics/shortcutWords';
import { el } from './dom';

const CSS = `
.shortcut { margin-top: 6px; padding: 4px 6px; border-radius: 4px; background: rgba(255,170,60,0.16); border-left: 3px solid #ffb44a; color: #ffe2b8; }
`;

/** The alarm line for a result, or null when the alarm did not fire. */
export function shortcutSection(result: ExplanationSuccess): HTMLElement | null {
  if (!result.shortcut) return null;
  const style = document.createElement('style');
  style.textContent = CSS;
  return el('div', { class: 'shortcut', role: 'note' }, style, shortcutLine(result.shortcut, result.target.label, t));
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
