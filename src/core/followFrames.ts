// Follow: a playing video's newest frame explained over and over — one request at a time, never a
// queue, never the same frame twice. Pure: the Lab's live view and the overlay on a web page give it
// the video's frame counter, how to grab a frame and ask for its map, and how to draw the answer.
import { FrameRate } from './lab/frameRate';

export interface FollowedVideo<Frame, Result> {
  /** The user wants Follow: a result that arrives after it was turned off is dropped. */
  following(): boolean;
  /** Following, and the video plays in a shown tab: only then is a frame grabbed. */
  canWork(): boolean;
  /** Changes with each frame the video presents (requestVideoFrameCallback's presentedFrames, or its time). */
  frameKey(): number;
  /** The frame on screen now, made small; null: it cannot be read (Follow stops). */
  grab(): Frame | null;
  explain(frame: Frame): Promise<Result>;
  /** Resolves when the video presents its next frame (or a little later, when it cannot say). */
  nextFrame(): Promise<void>;
  /** Draws a result; 'skipped': the worker did not explain this frame (the next goes on); 'failed': an error, Follow stops. */
  show(result: Result): 'drawn' | 'skipped' | 'failed';
  /** After each map drawn, with the figures so far. */
  report(stats: FollowStats): void;
  now(): number;
}

export interface FollowStats {
  maps: number;
  /** Frames sent to be explained (a request not yet answered included). */
  requests: number;
  mapsPerSecond: number;
  /** The last map's time from grabbing its frame to having drawn it. */
  latencyMs: number;
}

export class FrameFollower<Frame, Result> {
  private readonly rate: FrameRate;
  private maps = 0;
  private requests = 0;
  private latencyMs = 0;
  /** The frame key last sent; a frame is never sent twice. */
  private explained: number | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly video: FollowedVideo<Frame, Result>,
    rateWindowMs = 2000,
  ) {
    this.rate = new FrameRate(rateWindowMs);
  }

  /** Whether a frame is being explained or awaited now. */
  get running(): boolean {
    return this.loop !== null;
  }

  stats(): FollowStats {
    return { maps: this.maps, requests: this.requests, mapsPerSecond: this.rate.perSecond(this.video.now()), latencyMs: this.latencyMs };
  }

  /** Starts following if it may work and is not already: call on Follow on, play, and the tab shown again. */
  kick(): Promise<void> | null {
    if (!this.loop && this.video.canWork()) this.loop = this.run().finally(() => (this.loop = null));
    return this.loop;
  }

  private async run(): Promise<void> {
    const v = this.video;
    while (v.canWork()) {
      const key = v.frameKey();
      if (key === this.explained) {
        await v.nextFrame();
        continue;
      }
      this.explained = key;
      const started = v.now();
      const frame = v.grab();
      if (frame === null) return;
      this.requests++;
      const result = await v.explain(frame);
      if (!v.following()) return;
      const shown = v.show(result);
      if (shown === 'failed') return;
      if (shown === 'skipped') continue;
      this.maps++;
      const drawn = v.now();
      this.latencyMs = drawn - started;
      this.rate.tick(drawn);
      v.report(this.stats());
    }
  }
}
