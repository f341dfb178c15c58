// @vitest-environment happy-dom
// MotionWatch: what wakes the overlays to follow their pictures every frame, and that nothing is
// listened to once no overlay watches; PictureTracker: every frame while things move, a few looks a
// second while they do not.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { overlayHost } from '../../src/content/dom';
import { IDLE_POLL_MS, MotionWatch, PictureTracker, STILL_MS, type Look } from '../../src/content/motionWatch';

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

  it('an overlay’s own changes wake nothing: its host’s style, its insertion and removal', async () => {
    watch.watch(picture);
    const host = overlayHost('en');
    document.documentElement.append(host);
    await settle();
    host.style.left = '12px';
    host.setAttribute('popover', 'manual');
    host.remove();
    await settle();
    expect(wakes).toBe(0);
    const other = document.createElement('div'); // a page's element looks the same but is not one
    other.setAttribute('data-cam-lens', '');
    document.documentElement.append(other);
    await settle();
    expect(wakes).toBe(1);
    other.remove();
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

describe('PictureTracker', () => {
  afterEach(() => vi.useRealTimers());

  it('starts still (every IDLE_POLL_MS); a wake: every frame while things move and for STILL_MS after, then still again; gone stops it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'performance'] });
    const picture = document.createElement('img');
    document.body.append(picture);
    let looks = 0;
    let answer: Look = 'still';
    const tracker = new PictureTracker(picture, () => (looks++, answer));
    tracker.start();
    expect(looks).toBe(1); // at once: the overlay's first layout
    looks = 0;
    await vi.advanceTimersByTimeAsync(4 * IDLE_POLL_MS);
    expect(looks).toBe(4);
    document.body.append(document.createElement('p')); // the page changed: every frame
    await vi.advanceTimersByTimeAsync(STILL_MS - 100);
    expect(looks).toBeGreaterThan(4 + 40); // ≈ 60 a second
    looks = 0;
    await vi.advanceTimersByTimeAsync(200 + 4 * IDLE_POLL_MS);
    expect(looks).toBeLessThanOrEqual(12); // the last frames of the busy second, then 4 a second
    looks = 0;
    await vi.advanceTimersByTimeAsync(4 * IDLE_POLL_MS);
    expect(looks).toBe(4);
    answer = 'moved'; // the picture moving keeps it following every frame
    await vi.advanceTimersByTimeAsync(IDLE_POLL_MS + 2 * STILL_MS);
    expect(looks).toBeGreaterThan(100);
    answer = 'gone';
    await vi.advanceTimersByTimeAsync(100);
    looks = 0;
    await vi.advanceTimersByTimeAsync(2000);
    expect(looks).toBe(0);
    tracker.stop();
  });
});
