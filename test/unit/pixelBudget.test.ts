import { describe, expect, it } from 'vitest';
import { PixelBudget } from '../../src/core/pixelBudget';

/** Jobs whose end the test controls; records which are running. */
function jobs() {
  const running = new Set<string>();
  const enders = new Map<string, () => void>();
  const job = (name: string) => () =>
    new Promise<string>((resolve) => {
      running.add(name);
      enders.set(name, () => {
        running.delete(name);
        resolve(name);
      });
    });
  const end = async (name: string) => {
    enders.get(name)!();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { running, job, end, settle };
}

describe('PixelBudget', () => {
  it('runs jobs side by side while they fit, and queues the rest in order', async () => {
    const budget = new PixelBudget(100);
    const j = jobs();
    const a = budget.run(60, j.job('a'));
    const b = budget.run(30, j.job('b'));
    const c = budget.run(50, j.job('c'));
    const d = budget.run(5, j.job('d'));
    await j.settle();
    // d would fit, but waits behind c: no overtaking.
    expect([...j.running].sort()).toEqual(['a', 'b']);
    expect(budget.pixelsInUse).toBe(90);
    expect(budget.waiting).toBe(2);
    await j.end('a');
    expect([...j.running].sort()).toEqual(['b', 'c', 'd']);
    await j.end('b');
    await j.end('c');
    await j.end('d');
    expect(await Promise.all([a, b, c, d])).toEqual(['a', 'b', 'c', 'd']);
    expect(budget.pixelsInUse).toBe(0);
    expect(budget.peak).toBe(90);
  });

  it('a job larger than the budget runs alone', async () => {
    const budget = new PixelBudget(100);
    const j = jobs();
    void budget.run(10, j.job('small'));
    const big = budget.run(250, j.job('big'));
    void budget.run(10, j.job('after'));
    await j.settle();
    expect([...j.running]).toEqual(['small']);
    await j.end('small');
    expect([...j.running]).toEqual(['big']);
    await j.end('big');
    expect(await big).toBe('big');
    expect([...j.running]).toEqual(['after']);
    await j.end('after');
    expect(budget.peak).toBe(250);
  });

  it('a failing job gives its pixels back', async () => {
    const budget = new PixelBudget(100);
    await expect(budget.run(80, async () => Promise.reject(new Error('bad image')))).rejects.toThrow('bad image');
    expect(budget.pixelsInUse).toBe(0);
    await expect(budget.run(90, async () => 'ok')).resolves.toBe('ok');
  });
});
