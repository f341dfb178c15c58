import { describe, expect, it } from 'vitest';
import { LruMap } from '../../src/core/lru';

function recording<V>() {
  const evicted: [V, string][] = [];
  return { evicted, onEvict: (v: V, k: string) => void evicted.push([v, k]) };
}

describe('LruMap', () => {
  it('stores and returns values, undefined for missing keys', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    expect(m.get('a')).toBe(1);
    expect(m.get('b')).toBeUndefined();
    expect(m.size).toBe(1);
  });

  it('evicts the least recently inserted entry when over capacity', () => {
    const r = recording<number>();
    const m = new LruMap<string, number>(2, r.onEvict);
    m.set('a', 1);
    m.set('b', 2);
    expect(r.evicted).toEqual([]);
    m.set('c', 3);
    expect(r.evicted).toEqual([[1, 'a']]);
    m.set('d', 4);
    expect(r.evicted).toEqual([[1, 'a'], [2, 'b']]);
    expect(m.size).toBe(2);
    expect(m.get('a')).toBeUndefined();
    expect(m.get('b')).toBeUndefined();
    expect(m.get('c')).toBe(3);
    expect(m.get('d')).toBe(4);
  });

  it('get() refreshes recency so the entry survives the next eviction', () => {
    const r = recording<number>();
    const m = new LruMap<string, number>(2, r.onEvict);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1);
    m.set('c', 3);
    expect(r.evicted).toEqual([[2, 'b']]);
    expect(m.get('a')).toBe(1);
    expect(m.get('b')).toBeUndefined();
  });

  it('get() of a missing key does not disturb the order', () => {
    const r = recording<number>();
    const m = new LruMap<string, number>(2, r.onEvict);
    m.set('a', 1);
    m.set('b', 2);
    m.get('zzz');
    m.set('c', 3);
    expect(r.evicted).toEqual([[1, 'a']]);
  });

  it('re-setting a key refreshes its recency', () => {
    const r = recording<object>();
    const m = new LruMap<string, object>(2, r.onEvict);
    const a = { n: 1 };
    const b = { n: 2 };
    m.set('a', a);
    m.set('b', b);
    m.set('a', a);
    m.set('c', { n: 3 });
    expect(r.evicted).toEqual([[b, 'b']]);
  });

  it('calls onEvict for a replaced value without growing', () => {
    const r = recording<object>();
    const m = new LruMap<string, object>(3, r.onEvict);
    const old = { v: 'old' };
    const fresh = { v: 'new' };
    m.set('k', old);
    m.set('k', fresh);
    expect(r.evicted).toHaveLength(1);
    expect(r.evicted[0][0]).toBe(old);
    expect(r.evicted[0][1]).toBe('k');
    expect(m.get('k')).toBe(fresh);
    expect(m.size).toBe(1);
  });

  it('does not call onEvict when setting the same value object again', () => {
    const r = recording<object>();
    const m = new LruMap<string, object>(3, r.onEvict);
    const v = { v: 1 };
    m.set('k', v);
    m.set('k', v);
    expect(r.evicted).toEqual([]);
    expect(m.get('k')).toBe(v);
    expect(m.size).toBe(1);
  });

  it('clear() evicts every entry and empties the map', () => {
    const r = recording<number>();
    const m = new LruMap<string, number>(3, r.onEvict);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    m.clear();
    expect(r.evicted.slice().sort((x, y) => x[0] - y[0])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    expect(m.size).toBe(0);
    expect(m.get('a')).toBeUndefined();
  });

  it('clear() on an empty map calls nothing', () => {
    const r = recording<number>();
    new LruMap<string, number>(1, r.onEvict).clear();
    expect(r.evicted).toEqual([]);
  });

  it('works with capacity 1', () => {
    const r = recording<number>();
    const m = new LruMap<string, number>(1, r.onEvict);
    m.set('a', 1);
    m.set('b', 2);
    expect(r.evicted).toEqual([[1, 'a']]);
    expect(m.size).toBe(1);
    expect(m.get('b')).toBe(2);
  });

  it('throws RangeError for capacity < 1', () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
    expect(() => new LruMap(-3)).toThrow(RangeError);
    expect(() => new LruMap(1)).not.toThrow();
  });

  it('works without an onEvict callback', () => {
    const m = new LruMap<string, number>(1);
    m.set('a', 1);
    expect(() => m.set('b', 2)).not.toThrow();
    expect(m.get('b')).toBe(2);
  });

  it('take removes an entry and returns it, without calling the eviction callback', () => {
    const evicted: string[] = [];
    const lru = new LruMap<string, string>(2, (v) => evicted.push(v));
    lru.set('a', 'A');
    expect(lru.take('a')).toBe('A');
    expect(lru.take('a')).toBeUndefined();
    expect(lru.size).toBe(0);
    expect(evicted).toEqual([]);
  });
});
