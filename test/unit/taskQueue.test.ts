import { describe, expect, it } from 'vitest';
import { TaskQueue, type QueueProgress } from '../../src/core/taskQueue';

/** A task per item whose completion the test controls. */
function controlled<T>() {
  const waiting = new Map<T, (ok: boolean) => void>();
  const started: T[] = [];
  const run = (item: T) =>
    new Promise<boolean>((resolve, reject) => {
      started.push(item);
      waiting.set(item, (ok) => (ok === undefined ? reject(new Error('x')) : resolve(ok)));
    });
  const finish = async (item: T, ok: boolean) => {
    waiting.get(item)!(ok);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { run, started, finish, waiting };
}

describe('TaskQueue', () => {
  it('never runs more than the concurrency limit, and starts the next task as one ends', async () => {
    const c = controlled<number>();
    const queue = new TaskQueue([1, 2, 3, 4, 5], c.run, 2).start();
    expect(c.started).toEqual([1, 2]);
    await c.finish(1, true);
    expect(c.started).toEqual([1, 2, 3]);
    await c.finish(3, false);
    expect(c.started).toEqual([1, 2, 3, 4]);
    for (const i of [2, 4]) await c.finish(i, true);
    await c.finish(5, true);
    expect(await queue.finished).toEqual({ done: 4, failed: 1, total: 5, cancelled: false });
  });

  it('counts a rejected task as failed and goes on', async () => {
    let calls = 0;
    const queue = new TaskQueue(['a', 'b'], async (item) => {
      calls++;
      if (item === 'a') throw new Error('boom');
      return true;
    }, 1).start();
    expect(await queue.finished).toEqual({ done: 1, failed: 1, total: 2, cancelled: false });
    expect(calls).toBe(2);
  });

  it('reports progress after every task', async () => {
    const seen: QueueProgress[] = [];
    const queue = new TaskQueue([1, 2, 3], async () => true, 3, (p) => seen.push(p)).start();
    await queue.finished;
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3]);
  });

  it('cancel settles at once, starts nothing more and leaves the rest pending', async () => {
    const c = controlled<number>();
    const queue = new TaskQueue([1, 2, 3, 4], c.run, 2).start();
    queue.cancel();
    expect(await queue.finished).toEqual({ done: 0, failed: 0, total: 4, cancelled: true });
    expect(queue.pending).toEqual([3, 4]);
    await c.finish(1, true);
    expect(c.started).toEqual([1, 2]);
  });

  it('an empty queue finishes immediately; concurrency below 1 is refused', async () => {
    expect(await new TaskQueue([], async () => true, 2).start().finished).toEqual({ done: 0, failed: 0, total: 0, cancelled: false });
    expect(() => new TaskQueue([1], async () => true, 0)).toThrow(RangeError);
  });
});
