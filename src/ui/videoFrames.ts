// A video's frames for Follow (the Lab's live view, and an overlay on a page's <video>): which frame
// it shows (to never explain one twice), a promise for its next frame, and the frame now on screen
// as a small JPEG.
import type { FollowedVideo } from '../core/followFrames';

/** Frames are sent at most this large (longer side): the model sees 224 px, and encoding is per frame. */
export const FOLLOW_FRAME_SIDE = 320;
/** A paused or hidden video presents no frame: its follower looks again this often, and ends. */
const NEXT_FRAME_AT_MOST_MS = 250;
/** Without requestVideoFrameCallback, the video's time is looked at this often (a 30 fps video's frames). */
const POLL_MS = 1000 / 30;

export type VideoFrames = Pick<FollowedVideo<string, unknown>, 'frameKey' | 'grab' | 'nextFrame'> & {
  /** Stops watching the video (the overlay closed). */
  stop(): void;
};

export function watchVideoFrames(video: HTMLVideoElement): VideoFrames {
  const canvas = document.createElement('canvas');
  const grab = () => {
    const scale = Math.min(1, FOLLOW_FRAME_SIDE / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.max(1, Math.round(video.videoWidth * scale));
    canvas.height = Math.max(1, Math.round(video.videoHeight * scale));
    canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL('image/jpeg', 0.9);
  };
  const soon = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  if (!('requestVideoFrameCallback' in HTMLVideoElement.prototype)) {
    // Older browsers: a new time is a new frame (a still stream's time moves on too: at worst a frame is explained again).
    return { frameKey: () => video.currentTime, grab, nextFrame: () => soon(POLL_MS), stop: () => undefined };
  }
  /** Frames presented so far, counted by the browser; and who waits for the next. */
  let presented = 0;
  let waiting: (() => void)[] = [];
  let handle = 0;
  const watch = () => {
    handle = video.requestVideoFrameCallback((_, metadata) => {
      presented = metadata.presentedFrames;
      const resolved = waiting;
      waiting = [];
      resolved.forEach((resolve) => resolve());
      watch();
    });
  };
  watch();
  return {
    frameKey: () => presented,
    grab,
    nextFrame: () => Promise.race([new Promise<void>((resolve) => waiting.push(resolve)), soon(NEXT_FRAME_AT_MOST_MS)]),
    stop: () => video.cancelVideoFrameCallback(handle),
  };
}
