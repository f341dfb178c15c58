// @vitest-environment happy-dom
// MotionWatch: what wakes the overlays to follow their pictures every frame, and that nothing is
// listened to once no overlay watches.
import { beforeEach, describe, expect, it } from 'vitest';
import { MotionWatch } from '../../src/content/motionWatch';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0)); // mutation records are delivered as a microtask

describe('MotionWatch', () => {
  let wakes = 0;
  let watch: MotionWatch;
  const picture = document.createElement('img');
  beforeEach(() => {
    wakes = 0;
    watch = new MotionWatch(() => wakes++);
  });

  it('wakes on a DOM change anywhere, a scroll of any scroller, a resize, and a transition starting', async () => {
    document.body.append(picture);
    watch.watch(picture);
    document.body.append(document.createElement('p'));
    await settle();
    expect(wakes).toBe(1);
    const scroller = document.createElement('div');
    document.body.append(scroller);
    await settle();
    wakes = 0;
    scroller.dispatchEvent(new Event('scroll')); // does not bubble: seen by the capturing listener
    window.dispatchEvent(new Event('resize'));
    document.body.dispatchEvent(new Event('transitionrun', { bubbles: true }));
    expect(wakes).toBe(3);
    watch.unwatch(picture);
  });

  it('listens to nothing once the last overlay stops watching, counting overlays per picture', async () => {
    watch.watch(picture);
    watch.watch(picture); // a new overlay on the same picture before the old one closes
    watch.unwatch(picture);
    window.dispatchEvent(new Event('resize'));
    expect(wakes).toBe(1);
    watch.unwatch(picture);
    wakes = 0;
    window.dispatchEvent(new Event('resize'));
    document.body.append(document.createElement('p'));
    await settle();
    expect(wakes).toBe(0);
  });
});
