import { describe, expect, it } from 'vitest';
import { formatProbability, topClasses } from '../../src/core/scores';

describe('topClasses', () => {
  const labels = ['cat', 'dog', 'bird', 'fish', 'frog'];
  const probs = [0.1, 0.4, 0.05, 0.3, 0.15];

  it('returns classes sorted by probability, descending, with index and label', () => {
    expect(topClasses(probs, labels, 5)).toEqual([
      { index: 1, label: 'dog', probability: 0.4 },
      { index: 3, label: 'fish', probability: 0.3 },
      { index: 4, label: 'frog', probability: 0.15 },
      { index: 0, label: 'cat', probability: 0.1 },
      { index: 2, label: 'bird', probability: 0.05 },
    ]);
  });

  it('limits the result to k entries', () => {
    expect(topClasses(probs, labels, 2).map((c) => c.index)).toEqual([1, 3]);
    expect(topClasses(probs, labels, 1).map((c) => c.index)).toEqual([1]);
    expect(topClasses(probs, labels, 0)).toEqual([]);
  });

  it('returns every class when k exceeds the count', () => {
    expect(topClasses(probs, labels, 100)).toHaveLength(5);
  });

  it('calls unlabelled classes "class N"', () => {
    const r = topClasses([0.2, 0.5, 0.3], ['zero'], 3);
    expect(r).toEqual([
      { index: 1, label: 'class 1', probability: 0.5 },
      { index: 2, label: 'class 2', probability: 0.3 },
      { index: 0, label: 'zero', probability: 0.2 },
    ]);
  });

  it('accepts a Float32Array', () => {
    const f = new Float32Array([0.25, 0.75]);
    const r = topClasses(f, ['a', 'b'], 2);
    expect(r.map((c) => c.label)).toEqual(['b', 'a']);
    expect(r[0].probability).toBe(Math.fround(0.75));
  });

  it('places negative scores below positive ones', () => {
    expect(topClasses([-1, 2, 0], [], 3).map((c) => c.index)).toEqual([1, 2, 0]);
  });

  it('returns an empty list for no probabilities', () => {
    expect(topClasses([], labels, 3)).toEqual([]);
  });

  it('does not mutate its inputs', () => {
    const p = [0.1, 0.9, 0.5];
    const l = ['a', 'b', 'c'];
    topClasses(p, l, 2);
    expect(p).toEqual([0.1, 0.9, 0.5]);
    expect(l).toEqual(['a', 'b', 'c']);
  });
});

describe('formatProbability', () => {
  it('one decimal in the middle of the range', () => {
    expect(formatProbability(0.7534)).toBe('75.3 %');
    expect(formatProbability(0.0012)).toBe('0.1 %');
    expect(formatProbability(0.9994)).toBe('99.9 %');
  });

  it('no decimal where one would print 100.0 or 0.0', () => {
    expect(formatProbability(1)).toBe('100 %');
    expect(formatProbability(0.99951)).toBe('100 %');
    expect(formatProbability(0.0004)).toBe('0 %');
    expect(formatProbability(0)).toBe('0 %');
  });

  it('a dash for a score that is not a number', () => {
    expect(formatProbability(Number.NaN)).toBe('– %');
  });
});
