// The shortcut alarm's words, one rule for the panel and the page-level line: where the region is,
// how much of the evidence it holds, and what the causal test measured.
import type { Translate } from '../i18n';
import { formatProbability } from '../scores';
import type { RegionPlace, Shortcut } from './shortcut';
import type { WatermarkProbe } from './watermark';

const percent = (share: number) => `${Math.round(share * 100)} %`;

/** "the bottom-right corner", "the bottom strip", "overlaid marks or text". */
export function placeWords(place: RegionPlace, t: Translate): string {
  switch (place) {
    case 'top': return t('shortcutPlaceTop');
    case 'bottom': return t('shortcutPlaceBottom');
    case 'left': return t('shortcutPlaceLeft');
    case 'right': return t('shortcutPlaceRight');
    case 'all': return t('shortcutPlaceBorder');
    case 'top-left': return t('shortcutPlaceTopLeft');
    case 'top-right': return t('shortcutPlaceTopRight');
    case 'bottom-left': return t('shortcutPlaceBottomLeft');
    case 'bottom-right': return t('shortcutPlaceBottomRight');
    case 'marks': return t('shortcutPlaceMarks');
  }
}

/**
 * "Shortcut? 48 % of the evidence for Drawing lies in the bottom-right corner (6 % of the image).
 * Covering it drops Drawing from 72 % to 9 %." — and, when the region alone keeps the class on top,
 * "With only that region left, the model still says Drawing (64 %)."
 */
export function shortcutLine(s: Shortcut, className: string, t: Translate): string {
  const parts = [t('shortcutWhere', [percent(s.massShare), className, placeWords(s.place, t), percent(s.areaShare)])];
  const drop = [className, formatProbability(s.drop.before), formatProbability(s.drop.after)];
  parts.push(s.necessary ? t('shortcutDrop', drop) : t('shortcutNoDrop', drop));
  if (s.sufficient) parts.push(t('shortcutKeptOnly', [className, formatProbability(s.keptOnly.probability)]));
  return parts.join(' ');
}

/** "With a watermark the model says Plain (70.0 %) instead of Stamped (89.4 %)." or "… still says Neutral: 97.0 % → 95.1 %." */
export function watermarkLine(p: WatermarkProbe, t: Translate): string {
  if (p.flipped) return t('watermarkFlipped', [p.after.top.label, formatProbability(p.after.top.probability), p.before.top.label, formatProbability(p.before.top.probability)]);
  return t('watermarkKept', [p.before.top.label, formatProbability(p.before.top.probability), formatProbability(p.after.top.probability)]);
}

/** Several alarms at one place across a page: "Shortcut? On 7 of 12 images the model relies on the bottom strip." (null below two). */
export function pageShortcutLine(places: (RegionPlace | null)[], t: Translate): string | null {
  const counts = new Map<RegionPlace, number>();
  for (const place of places) if (place) counts.set(place, (counts.get(place) ?? 0) + 1);
  const [place, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
  return place && count >= 2 ? t('shortcutPage', [String(count), String(places.length), placeWords(place, t)]) : null;
}
