// What a training set must be, and how it is split and weighted: at least two classes with at least
// two examples each; a held-out part per class when every class has enough examples; class weights
// so that a class with few examples counts as much as one with many. Pure and seeded.
import type { Translate } from '../i18n';
import { shuffle, type Random } from '../random';

export const MIN_CLASSES = 2;
export const MIN_EXAMPLES_PER_CLASS = 2;
/** Every class needs this many examples before some are held out to measure accuracy on unseen ones. */
export const HELD_OUT_MIN_PER_CLASS = 5;
/** Share of each class held out (at least one example). */
export const HELD_OUT_SHARE = 0.2;

export class DatasetError extends Error {}

/** Throws DatasetError with the user's message when these classes cannot be trained. */
export function checkTrainable(classes: readonly { name: string; count: number }[], t: Translate): void {
  if (classes.length < MIN_CLASSES) throw new DatasetError(t('teachErrFewClasses', String(classes.length)));
  const short = classes.filter((c) => c.count < MIN_EXAMPLES_PER_CLASS);
  if (short.length > 0) throw new DatasetError(t('teachErrFewExamples', short.map((c) => `${c.name} (${c.count})`).join(', ')));
}

export interface Split {
  /** Indexes into the examples. */
  train: number[];
  heldOut: number[];
}

/**
 * Holds out HELD_OUT_SHARE of each class (seeded) when every class has at least HELD_OUT_MIN_PER_CLASS
 * examples; otherwise everything is for training and nothing is measured on unseen examples.
 */
export function splitHeldOut(labels: readonly number[], classCount: number, random: Random): Split {
  const byClass = Array.from({ length: classCount }, () => [] as number[]);
  labels.forEach((label, i) => byClass[label].push(i));
  if (byClass.some((members) => members.length < HELD_OUT_MIN_PER_CLASS)) return { train: labels.map((_, i) => i), heldOut: [] };
  const train: number[] = [];
  const heldOut: number[] = [];
  for (const members of byClass) {
    const order = shuffle([...members], random);
    const held = Math.max(1, Math.round(members.length * HELD_OUT_SHARE));
    heldOut.push(...order.slice(0, held));
    train.push(...order.slice(held));
  }
  return { train: train.sort((a, b) => a - b), heldOut: heldOut.sort((a, b) => a - b) };
}

/** Weight of each class: total / (classes × its count), so every class contributes equally to the loss. */
export function classWeights(labels: readonly number[], classCount: number): number[] {
  const counts = Array.from({ length: classCount }, () => 0);
  for (const label of labels) counts[label]++;
  return counts.map((n) => (n === 0 ? 0 : labels.length / (classCount * n)));
}
