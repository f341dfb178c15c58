// Follow on an overlay over a page's <video>: while it is on and the video plays in a shown tab, the
// newest frame is explained again and again (FrameFollower: one request in flight, never a queue,
// never a frame twice) and each map is drawn over the video as it comes. The panel's Follow button
// (a trusted click or key only) turns it on and off; its line tells the maps per second and the time
// from grabbing a frame to its map drawn. Pausing or hiding stops the work; play resumes it.
import { FrameFollower, type FollowStats } from '../core/followFrames';
import { t } from '../core/i18nBrowser';
import type { ExplanationResult, ExplanationSuccess } from '../core/messages';
import { watchVideoFrames, type VideoFrames } from '../ui/videoFrames';
import { el, onTrustedClick, setWords } from './dom';

/** What Follow needs of its overlay. */
export interface FollowingOverlay {
  /** The map shown now (its class tells whether the user picked one). */
  readonly explanation: ExplanationSuccess | null;
  /** Draws a frame's map without rebuilding the panel (its controls keep focus and clicks). */
  showFrame(result: ExplanationSuccess): void;
  /** Following started, or ended (off, paused, an error): the panel is built again for the map shown. */
  followChanged(): void;
  announce(text: string): void;
}

/** Sends one frame to the worker for the overlay (the class the user picked, if any). */
export type SendFrame = (dataUrl: string, classIndex: number | undefined) => Promise<ExplanationResult>;

/** The worker's protocol values for a frame it did not explain: superseded or sent too soon; the next frame goes on. */
const SKIPPED = new Set(['busy', 'cancelled']);

export class VideoFollow {
  /** The panel's Follow button and its figures: kept across the panel's rebuilds (focus stays on it). */
  readonly button: HTMLButtonElement;
  readonly line: HTMLElement;
  private on = false;
  /** The class the user picked in the panel; undefined: each frame's top class. */
  private picked: number | undefined;
  private readonly frames: VideoFrames;
  private readonly follower: FrameFollower<string, ExplanationResult>;
  private readonly listeners: [EventTarget, string][];

  constructor(
    video: HTMLVideoElement,
    private readonly overlay: FollowingOverlay,
    send: SendFrame,
  ) {
    this.button = el('button', { class: 'follow icon', type: 'button', 'aria-pressed': 'false', 'aria-label': t('overlayFollow'), title: t('overlayFollowTitle') }, t('overlayFollow'));
    this.line = el('div', { class: 'follow-line', hidden: true });
    onTrustedClick(this.button, () => this.toggle());
    this.frames = watchVideoFrames(video);
    this.follower = new FrameFollower<string, ExplanationResult>({
      ...this.frames,
      following: () => this.on,
      canWork: () => this.on && !video.paused && !video.ended && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && document.visibilityState === 'visible',
      grab: () => this.grab(),
      explain: (frame) => send(frame, this.picked),
      show: (result) => this.show(result),
      // Drawn: it is the worker's latest result, which the map checks check (a check of an older map was refused).
      settle: (result) => result.ok && this.overlay.showFrame(result),
      report: (stats) => setWords(this.line, t('overlayFollowStats', [stats.mapsPerSecond.toFixed(1), String(Math.round(stats.latencyMs))])),
      now: () => performance.now(),
    });
    this.listeners = [[video, 'play'], [video, 'playing'], [video, 'pause'], [video, 'ended'], [document, 'visibilitychange']];
    for (const [target, type] of this.listeners) target.addEventListener(type, this.kick);
  }

  get following(): boolean {
    return this.on;
  }

  /** Frames are being explained now (following, and the video plays in a shown tab). */
  get working(): boolean {
    return this.follower.running;
  }

  stats(): FollowStats & { following: boolean; running: boolean } {
    return { ...this.follower.stats(), following: this.on, running: this.follower.running };
  }

  /** A class chosen in the panel while following: the next frames are explained for it. */
  pick(classIndex: number): void {
    this.picked = classIndex;
  }

  /** The page is going (it may come back from the back-forward cache): Follow is off. */
  turnOff(): void {
    if (this.on) this.toggle();
  }

  /** The overlay closed: no more frames, nor watching the video. */
  stop(): void {
    this.on = false;
    this.frames.stop();
    for (const [target, type] of this.listeners) target.removeEventListener(type, this.kick);
  }

  private toggle(): void {
    this.on = !this.on;
    this.button.setAttribute('aria-pressed', String(this.on));
    if (this.on) {
      // A class the user had picked stays; otherwise each frame shows its own top class.
      const shown = this.overlay.explanation;
      this.picked = shown && shown.target.index !== shown.classes[0]?.index ? shown.target.index : undefined;
      this.line.hidden = false;
      this.line.classList.remove('message');
      setWords(this.line, t('overlayFollowWaiting'));
      this.overlay.followChanged();
    } else {
      this.line.hidden = true;
      setWords(this.line, '');
      if (!this.follower.running) this.overlay.followChanged();
    }
    this.kick();
  }

  private kick = (): void => {
    const loop = this.follower.kick();
    if (this.on && !loop) setWords(this.line, t('overlayFollowWaiting'));
    // The loop ends when paused, hidden or off: the panel gets its full content for the map shown.
    void loop?.then(() => this.follower.running || this.overlay.followChanged());
  };

  /** The frame now on screen; null when the page may not read it (a cross-origin video without CORS). */
  private grab(): string | null {
    try {
      return this.frames.grab();
    } catch {
      this.fail(t('errFollowUnreadable'));
      return null;
    }
  }

  private show(result: ExplanationResult): 'drawn' | 'skipped' | 'failed' {
    if (result.ok) {
      this.overlay.showFrame(result);
      return 'drawn';
    }
    if (SKIPPED.has(result.error)) return 'skipped';
    this.fail(result.error);
    return 'failed';
  }

  /** Follow stops with the reason on its line. */
  private fail(error: string): void {
    this.on = false;
    this.button.setAttribute('aria-pressed', 'false');
    this.line.classList.add('message');
    setWords(this.line, error);
    this.overlay.announce(error);
  }
}
