// A concurrency-limited queue of async tasks with progress and cancel: "explain all images" runs
// through it so a page of 200 images neither floods the worker nor holds every result in flight.

export interface QueueProgress {
  done: number;
  failed: number;
  total: number;
  cancelled: boolean;
}

export class TaskQueue<T> {
  private next = 0;
  private settled = false;
  private done = 0;
  private failed = 0;
  private cancelled = false;
  private resolveAll!: (progress: QueueProgress) => void;
  /** Settles when every task has finished, or at once when cancelled (running tasks are abandoned). */
  readonly finished: Promise<QueueProgress>;

  constructor(
    private readonly items: readonly T[],
    private readonly run: (item: T) => Promise<boolean>,
    private readonly concurrency: number,
    private readonly onProgress: (progress: QueueProgress) => void = () => {},
  ) {
    if (concurrency < 1) throw new RangeError('concurrency must be at least 1');
    this.finished = new Promise((resolve) => (this.resolveAll = resolve));
  }

  start(): this {
    if (this.items.length === 0) this.finish();
    else for (let i = 0; i < this.concurrency; i++) this.pump();
    return this;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.finish();
  }

  /** Items not started yet (a cancel leaves these to the caller to clean up). */
  get pending(): readonly T[] {
    return this.items.slice(this.next);
  }

  get progress(): QueueProgress {
    return { done: this.done, failed: this.failed, total: this.items.length, cancelled: this.cancelled };
  }

  private pump(): void {
    if (this.cancelled || this.next >= this.items.length) return;
    const item = this.items[this.next++];
    this.run(item)
      .then(
        (ok) => ok,
        () => false,
      )
      .then((ok) => {
        if (this.cancelled) return;
        if (ok) this.done++;
        else this.failed++;
        if (this.done + this.failed === this.items.length) this.finish();
        else {
          this.onProgress(this.progress);
          this.pump();
        }
      });
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.onProgress(this.progress);
    this.resolveAll(this.progress);
  }
}
