// When may the page have moved an overlay's picture? Overlays follow their pictures every frame only
// while something happens (a scroll anywhere, a resize, a DOM change, a transition or animation
// starting, the picture's own box changing) and for a second after; a still page is looked at a few
// times a second instead. Following every frame forever kept the renderer producing frames on a page
// where nothing moved (measured: 16 ms of script and 52–76 ms of main-thread tasks a second with two
// overlays open, against 0 and 8 ms without). An overlay's own changes (its host's style, its
// insertion) move no picture and wake nothing: each of its layouts made every overlay follow its
// picture every frame for a second, for nothing.
import { isOverlayHost } from './dom';

/** Time without movement (or a wake) before an overlay stops looking every frame. */
export const STILL_MS = 1000;
/** How often a still overlay looks anyway (what no event tells of, e.g. a running animation's next frame). */
export const IDLE_POLL_MS = 250;

const DOCUMENT_EVENTS = ['transitionrun', 'animationstart', 'load', 'pointerdown', 'keydown'];

/** One set of listeners for every overlay of the frame, kept while any overlay watches. */
export class MotionWatch {
  private readonly resize = new ResizeObserver(() => this.wake());
  private readonly mutations = new MutationObserver((records) => records.some((r) => !byOverlay(r)) && this.wake());
  /** Pictures watched, with how many overlays watch each (a new overlay may come before the old one goes). */
  private readonly watched = new Map<Element, number>();

  constructor(private readonly wake: () => void) {}

  watch(element: Element): void {
    if (this.watched.size === 0) this.listen(true);
    const count = this.watched.get(element) ?? 0;
    if (count === 0) this.resize.observe(element);
    this.watched.set(element, count + 1);
  }

  unwatch(element: Element): void {
    const count = this.watched.get(element);
    if (count === undefined) return;
    if (count > 1) {
      this.watched.set(element, count - 1);
      return;
    }
    this.watched.delete(element);
    this.resize.unobserve(element);
    if (this.watched.size === 0) this.listen(false);
  }

  private readonly onEvent = (): void => this.wake();

  private listen(on: boolean): void {
    // Capture: scrolls of any scroller, loads of any picture (they do not bubble).
    const method = on ? 'addEventListener' : 'removeEventListener';
    window[method]('scroll', this.onEvent, { capture: true, passive: true } as AddEventListenerOptions);
    window[method]('resize', this.onEvent, { passive: true } as AddEventListenerOptions);
    for (const type of DOCUMENT_EVENTS) document[method](type, this.onEvent, { capture: true, passive: true } as AddEventListenerOptions);
    if (on) this.mutations.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    else this.mutations.disconnect();
  }
}

/** A change of an overlay's host, or the insertion or removal of hosts only. */
function byOverlay(record: MutationRecord): boolean {
  if (record.type !== 'childList') return isOverlayHost(record.target as Element);
  return [...record.addedNodes, ...record.removedNodes].every((node) => node instanceof Element && isOverlayHost(node));
}

/** What one look at the picture found. */
export type Look = 'moved' | 'still' | 'gone';

/**
 * Follows one overlay's picture: `look` every frame while the page moves (and STILL_MS after), every
 * IDLE_POLL_MS while it is still, until it says the picture is gone or `stop` is called.
 */
export class PictureTracker {
  private static readonly active = new Set<PictureTracker>();
  private static readonly motion = new MotionWatch(() => PictureTracker.active.forEach((tracker) => tracker.wake()));
  private raf = 0;
  private idlePoll: ReturnType<typeof setTimeout> | undefined;
  /**
   * When the picture last moved (or the page last did something). A new tracker starts still: its
   * overlay was just laid out, and whatever moves the page from now on wakes it.
   */
  private lastMotion = -Infinity;
  private stopped = false;

  constructor(
    private readonly element: Element,
    private readonly look: () => Look,
  ) {}

  start(): void {
    PictureTracker.active.add(this);
    PictureTracker.motion.watch(this.element);
    this.tick();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    cancelAnimationFrame(this.raf);
    clearTimeout(this.idlePoll);
    PictureTracker.active.delete(this);
    PictureTracker.motion.unwatch(this.element);
  }

  private tick = (): void => {
    this.idlePoll = undefined;
    if (this.stopped) return;
    const seen = this.look();
    if (seen === 'gone') return this.stop();
    if (seen === 'moved') this.lastMotion = performance.now();
    if (performance.now() - this.lastMotion < STILL_MS) this.raf = requestAnimationFrame(this.tick);
    else this.idlePoll = setTimeout(this.tick, IDLE_POLL_MS);
  };

  /** Something happened that may move the picture: follow it every frame again. */
  private wake(): void {
    this.lastMotion = performance.now();
    if (this.idlePoll === undefined) return; // following every frame already
    clearTimeout(this.idlePoll);
    this.idlePoll = undefined;
    this.raf = requestAnimationFrame(this.tick);
  }
}
