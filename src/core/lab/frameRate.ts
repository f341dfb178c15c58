// Events per second over a sliding window (the Lab's live maps per second).
export class FrameRate {
  private readonly times: number[] = [];

  constructor(private readonly windowMs: number) {}

  tick(now: number): void {
    this.times.push(now);
    this.prune(now);
  }

  /** Intervals in the window per second, measured up to `now` (so that a stall lowers it); 0 until there are two events. */
  perSecond(now: number): number {
    this.prune(now);
    if (this.times.length < 2) return 0;
    const span = now - this.times[0];
    return span > 0 ? ((this.times.length - 1) * 1000) / span : 0;
  }

  private prune(now: number): void {
    while (this.times.length > 0 && now - this.times[0] > this.windowMs) this.times.shift();
  }
}
