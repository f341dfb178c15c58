// Follow: a playing video's newest frame explained over and over — one request at a time, never a
// queue, never the same frame twice. Pure: the Lab's live view and the overlay on a web page give it
// the video's frame counter, how to grab a frame and ask for its map, and how to draw the answer.
import { FrameRate } from './lab/frameRate';

export interface FollowedVideo<Frame, Result> {
  /** The user wants Follow: a result that arrives after it was turned off is not shown (see settle). */
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
  /**
   * The answer that came back after Follow was turned off (not counted, no next frame). Without it,
   * that answer is dropped; the overlay draws it, as it is the worker's latest result for the overlay.
   */
  settle?(result: Result): void;
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
  /** That time by stage: grabbing the frame, waiting for the worker's answer, drawing it. */
  stagesMs: { grab: number; answer: number; draw: number };
}

export class FrameFollower<Frame, Result> {
  private readonly rate: FrameRate;
  private maps = 0;
  private requests = 0;
  private latencyMs = 0;
  private stagesMs = { grab: 0, answer: 0, draw: 0 };
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
    return { maps: this.maps, requests: this.requests, mapsPerSecond: this.rate.perSecond(this.video.now()), latencyMs: this.latencyMs, stagesMs: { ...this.stagesMs } };
  }

  /** Starts following if it may work and is not already: call on Follow on, play, and the tab shown again. */
  kick(): Promise<void> | null {
    if (!this.loop && this.video.canWork()) this.loop = this.run().finally(() => (this.loop = null));
    return this.loop;
  }

  /**
   * The newest frame not yet sent, grabbed and sent; null: the video shows no new frame yet;
   * 'unreadable': its frame cannot be read (Follow stops).
   */
  private ask(): Request<Result> | null | 'unreadable' {
    const v = this.video;
    const key = v.frameKey();
    if (key === this.explained) return null;
    this.explained = key;
    const grabbed = v.now();
    const frame = v.grab();
    if (frame === null) return 'unreadable';
    this.requests++;
    return { grabbed, asked: v.now(), answer: v.explain(frame) };
  }

  private async run(): Promise<void> {
    const v = this.video;
    let request: Request<Result> | null = null;
    for (;;) {
      if (!request) {
        if (!v.canWork()) return;
        const asked = this.ask();
        if (asked === 'unreadable') return;
        if (asked === null) {
          await v.nextFrame();
          continue;
        }
        request = asked;
      }
      const result = await request.answer;
      if (!v.following()) return v.settle?.(result);
      const answered = v.now();
      // The next frame goes to the worker before this map is drawn, so the worker is not idle while
      // the page draws. Still one request in flight: this one has been answered.
      const next = v.canWork() ? this.ask() : null;
      if (next === 'unreadable') return;
      const drawing = v.now();
      const shown = v.show(result);
      if (shown === 'failed') return;
      if (shown === 'drawn') {
        this.maps++;
        const drawn = v.now();
        this.latencyMs = drawn - request.grabbed;
        this.stagesMs = { grab: request.asked - request.grabbed, answer: answered - request.asked, draw: drawn - drawing };
        this.rate.tick(drawn);
        v.report(this.stats());
      }
      request = next;
    }
  }
}

/** A frame sent to be explained: when it was grabbed, when sent, and its answer to come. */
interface Request<Result> {
  grabbed: number;
  asked: number;
  answer: Promise<Result>;
}
