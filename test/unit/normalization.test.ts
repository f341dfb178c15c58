import { describe, expect, it } from 'vitest';
import { IMAGENET_NORMALIZATION, parseNormalization, parseTriple } from '../../src/core/normalization';
import { InstallForm } from '../../src/core/messages';

describe('mean/std from the install form', () => {
  it('reads three numbers separated by commas, spaces or semicolons', () => {
    expect(parseTriple('0.485, 0.456, 0.406')).toEqual([0.485, 0.456, 0.406]);
    expect(parseTriple('1 2;3')).toEqual([1, 2, 3]);
    expect(parseTriple('1, 2')).toBeNull();
    expect(parseTriple('1, 2, x')).toBeNull();
  });

  it('accepts ImageNet statistics and refuses a zero or negative std', () => {
    expect(parseNormalization('0.485, 0.456, 0.406', '0.229, 0.224, 0.225')).toEqual(IMAGENET_NORMALIZATION);
    expect(parseNormalization('0.5, 0.5, 0.5', '0.5, 0, 0.5')).toBeNull();
    expect(parseNormalization('0.5, 0.5, 0.5', '0.5, -1, 0.5')).toBeNull();
    expect(parseNormalization('0.5, 0.5', '0.5, 0.5, 0.5')).toBeNull();
  });

  it('an install request with mean/std scaling must carry the statistics', () => {
    expect(InstallForm.safeParse({ pixelScaling: 'meanStd' }).success).toBe(false);
    expect(InstallForm.safeParse({ pixelScaling: 'meanStd', normalization: IMAGENET_NORMALIZATION }).success).toBe(true);
    expect(InstallForm.safeParse({ pixelScaling: 'meanStd', normalization: { mean: [0, 0, 0], std: [1, 0, 1] } }).success).toBe(false);
  });
});
