import { describe, expect, it } from 'vitest';
import { randomId } from '../../src/core/randomId';

describe('randomId', () => {
  it('is 128 random bits in hex, different every time', () => {
    const ids = Array.from({ length: 1000 }, randomId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(1000);
  });
});
