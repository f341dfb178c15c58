// A global budget for decoding: at most `capacity` pixels being decoded at once across every tab and
// frame, the rest waiting in line. A decoded image is 4 bytes a pixel for as long as it exists, and
// "explain all" in a page of iframes could otherwise decode dozens of huge images side by side.

export class PixelBudget {
  private inUse = 0;
  private running = 0;
  private highest = 0;
  private readonly line: { pixels: number; start: () => void }[] = [];

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError('capacity must be positive');
  }

  /**
   * Runs `work` once `pixels` fit beside the work already running, in order of arrival (a big image
   * is not overtaken for ever by small ones). A job larger than the whole budget runs alone.
   */
  async run<T>(pixels: number, work: () => Promise<T>): Promise<T> {
    const cost = Math.max(0, pixels);
    if (this.line.length > 0 || !this.fits(cost)) await new Promise<void>((start) => this.line.push({ pixels: cost, start }));
    else this.take(cost);
    try {
      return await work();
    } finally {
      this.inUse -= cost;
      this.running--;
      this.admit();
    }
  }

  /** Pixels being decoded now. */
  get pixelsInUse(): number {
    return this.inUse;
  }

  /** The most pixels ever decoding at once (benchmarks and tests watch it). */
  get peak(): number {
    return this.highest;
  }

  get waiting(): number {
    return this.line.length;
  }

  private fits(cost: number): boolean {
    return this.running === 0 || this.inUse + cost <= this.capacity;
  }

  private take(cost: number): void {
    this.inUse += cost;
    this.running++;
    this.highest = Math.max(this.highest, this.inUse);
  }

  private admit(): void {
    while (this.line.length > 0 && this.fits(this.line[0].pixels)) {
      const next = this.line.shift()!;
      this.take(next.pixels);
      next.start();
    }
  }
}
