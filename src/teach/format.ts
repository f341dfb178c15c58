// The Teach page's texts about training, pure (tested with the real English and German messages).
import type { Translate } from '../core/i18n';
import type { TeachProgress } from '../core/teachMessages';

export const percent = (x: number) => `${Math.round(x * 100)} %`;

export function exampleCount(n: number, t: Translate): string {
  return n === 1 ? t('teachOneExample') : t('teachExamples', String(n));
}

/** The status line for training as it stands. */
export function describeProgress(p: TeachProgress, t: Translate): string {
  const last = p.history[p.history.length - 1];
  switch (p.phase) {
    case 'idle':
      return '';
    case 'training':
      if (!last) return t('teachStarting');
      return last.heldOutAccuracy === null
        ? t('teachEpoch', [String(last.epoch), last.loss.toFixed(3), percent(last.accuracy)])
        : t('teachEpochHeldOut', [String(last.epoch), last.loss.toFixed(3), percent(last.accuracy), percent(last.heldOutAccuracy)]);
    case 'saving':
      return t('teachSaving');
    case 'cancelled':
      return t('teachCancelled');
    case 'failed':
      return p.error ?? t('errUnknown');
    case 'done':
      return t('teachDone', p.modelName ?? '');
  }
}

/** How well the saved model did, and on what (done only). */
export function describeOutcome(p: TeachProgress, t: Translate): string {
  if (p.phase !== 'done') return '';
  const seconds = `${p.seconds.toFixed(1)} s`;
  return p.heldOutAccuracy === null
    ? t('teachOutcomeAll', [String(p.trainCount), String(p.history.length), seconds])
    : t('teachOutcomeHeldOut', [String(p.heldOutCount), percent(p.heldOutAccuracy), String(p.trainCount), String(p.history.length), seconds]);
}

/** The curve's description for screen readers. */
export function describeCurve(p: TeachProgress, t: Translate): string {
  const last = p.history[p.history.length - 1];
  if (!last) return '';
  return last.heldOutAccuracy === null
    ? t('teachEpoch', [String(last.epoch), last.loss.toFixed(3), percent(last.accuracy)])
    : t('teachEpochHeldOut', [String(last.epoch), last.loss.toFixed(3), percent(last.accuracy), percent(last.heldOutAccuracy)]);
}
