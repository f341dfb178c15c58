// The words for the check figures, one rule for the panel and the exported PNG's footer.
import type { Translate } from '../i18n';
import { INSENSITIVE_RHO, type Faithfulness, type SanityCheck } from './results';

export const formatAuc = (auc: number): string => (Number.isFinite(auc) ? auc.toFixed(2) : '–');
const formatRho = (rho: number | null): string => (rho === null ? '–' : rho.toFixed(2));

/** "Deletion 0.12 (random 0.41) · Insertion 0.71 (random 0.38)". */
export function faithfulnessLine(f: Faithfulness, t: Translate): string {
  const { random } = f.baselines;
  return t('checkSummary', [formatAuc(f.deletion.auc), formatAuc(random.deletion.auc), formatAuc(f.insertion.auc), formatAuc(random.insertion.auc)]);
}

/** The centred baseline, and which way is better. */
export function centreLine(f: Faithfulness, t: Translate): string {
  return t('checkCentre', [formatAuc(f.baselines.centre.deletion.auc), formatAuc(f.baselines.centre.insertion.auc)]);
}

/** Whether the map beats the random map on each figure (lower deletion, higher insertion). */
export function beatsRandom(f: Faithfulness): { deletion: boolean; insertion: boolean } {
  return { deletion: f.deletion.auc < f.baselines.random.deletion.auc, insertion: f.insertion.auc > f.baselines.random.insertion.auc };
}

/** "head 0.12 · Conv_1 0.05 · …": ρ after each level (each level adds the named block). */
export function sanityLevels(s: SanityCheck): string {
  return s.levels.map((l, i) => `${i === 0 ? l.randomised[0] : `+${l.randomised[l.randomised.length - 1]}`} ${formatRho(l.rho)}`).join(' · ');
}

/** ρ once the head and the last block are random: the figure the flag is raised on. */
export function sanityVerdict(s: SanityCheck, t: Translate): string {
  const level = s.levels[Math.min(1, s.levels.length - 1)];
  return s.insensitive ? t('sanityInsensitive', [formatRho(level?.rho ?? null), String(INSENSITIVE_RHO)]) : t('sanitySensitive', formatRho(level?.rho ?? null));
}

/** The export footer's line: ρ with the head and the last block random, and the flag when raised. */
export function sanityFooter(s: SanityCheck, t: Translate): string {
  const level = s.levels[Math.min(1, s.levels.length - 1)];
  const line = t('exportFooterSanity', formatRho(level?.rho ?? null));
  return s.insensitive ? `${line} — ${t('sanityInsensitiveShort')}` : line;
}
