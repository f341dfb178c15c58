// A map is drawn as soon as its result comes; its panel (its DOM, then a layout of every panel) is
// built in the frame after, so building it does not hold back the frame that shows the map. At most
// one panel waits (a newer result or request drops the older one), whoever needs the panel can wait
// for it, and a page that draws no frames (a hidden tab) still gets it after a short wait.

/** A map's panel waits for the frame after the map's at most this long. */
export const PANEL_WAIT_MS = 100;

/** How the schedule waits (the page's frames and timers; tests pass their own). */
export interface FrameClock {
  nextFrame(run: () => void): void;
  after(ms: number, run: () => void): void;
}

const pageClock: FrameClock = {
  nextFrame: (run) => requestAnimationFrame(() => run()),
  after: (ms, run) => setTimeout(run, ms),
};

export class PanelSchedule {
  /** The schedule whose panel waits (0: none). */
  private due = 0;
  private count = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly clock: FrameClock = pageClock) {}

  /** A panel waits for its frame. */
  get waiting(): boolean {
    return this.due !== 0;
  }

  /**
   * Runs `build` once the map is painted (two frames on: `painted` is told then, whatever became of
   * the panel) or after PANEL_WAIT_MS, whichever comes first; once, and not at all when dropped first.
   */
  schedule(build: () => void, painted?: () => void): void {
    const due = (this.due = ++this.count);
    const run = () => {
      if (this.due !== due) return;
      build();
      this.drop();
    };
    this.clock.nextFrame(() =>
      this.clock.nextFrame(() => {
        painted?.();
        run();
      }),
    );
    this.clock.after(PANEL_WAIT_MS, run);
  }

  /** Resolves once no panel waits (at once when none does). */
  ready(): Promise<void> {
    return this.due ? new Promise((resolve) => this.waiters.push(resolve)) : Promise.resolve();
  }

  /** No panel waits any more (built, or dropped for a newer result or request, or closed): its waiters go on. */
  drop(): void {
    this.due = 0;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
