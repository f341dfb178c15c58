// Live maps in the Lab: a webcam or a video file, re-explained while it plays when Follow is on —
// always the newest frame, never a queue, never the same frame twice; nothing while paused or while
// the tab is hidden. Shows maps per second and the latency from grabbing a frame to its map drawn.
import { t } from '../core/i18nBrowser';
import { colormapLut } from '../core/colormap';
import { heatmapRgba } from '../core/heatmap';
import type { MethodId } from '../core/methods';
import type { ExplanationSuccess } from '../core/messages';
import { prepareDisplayMap, upsampleDisplayMap } from '../core/postprocess';
import { FrameRate } from '../core/lab/frameRate';
import * as api from './api';

/** Frames are sent at most this large (longer side): the model sees 224 px, and encoding is per frame. */
const FRAME_SIDE = 320;
const TURBO = colormapLut('turbo');

export interface LiveStats {
  maps: number;
  mapsPerSecond: number;
  latencyMs: number;
  following: boolean;
  lastError: string | null;
  /** The worker's stages for the last map (image, preprocess, inference, method, total). */
  workerMs: Record<string, number>;
}

export function setupLive(options: { modelId: () => string }): { stats(): LiveStats } {
  const video = document.getElementById('live-video') as HTMLVideoElement;
  const overlay = document.getElementById('live-map') as HTMLCanvasElement;
  const follow = document.getElementById('live-follow') as HTMLInputElement;
  const method = document.getElementById('live-method') as HTMLSelectElement;
  const status = document.getElementById('live-status') as HTMLElement;
  const error = document.getElementById('live-error') as HTMLElement;
  const grab = document.createElement('canvas');
  const rate = new FrameRate(2000);
  let maps = 0;
  let latencyMs = 0;
  let lastError: string | null = null;
  let workerMs: Record<string, number> = {};
  /** Frames the video has presented, and the one last explained (requestVideoFrameCallback counts them). */
  let presented = 0;
  let explained = -1;
  let loop: Promise<void> | null = null;

  const say = (message: string | null) => {
    lastError = message;
    error.textContent = message ?? '';
    error.hidden = message === null;
  };

  const canWork = () => follow.checked && !video.paused && !video.ended && video.readyState >= 2 && document.visibilityState === 'visible';

  const watchFrames = () =>
    video.requestVideoFrameCallback((_, metadata) => {
      presented = metadata.presentedFrames;
      watchFrames();
    });
  watchFrames();

  /** The newest frame not yet explained, as a small JPEG; null when the video has not shown a new one. */
  function newestFrame(): string | null {
    if (presented === explained) return null;
    explained = presented;
    const scale = Math.min(1, FRAME_SIDE / Math.max(video.videoWidth, video.videoHeight));
    grab.width = Math.max(1, Math.round(video.videoWidth * scale));
    grab.height = Math.max(1, Math.round(video.videoHeight * scale));
    grab.getContext('2d')!.drawImage(video, 0, 0, grab.width, grab.height);
    return grab.toDataURL('image/jpeg', 0.9);
  }

  /** Resolves at the next frame the video presents. */
  const nextFrame = () => new Promise<void>((resolve) => video.requestVideoFrameCallback(() => resolve()));

  function draw(result: ExplanationSuccess): void {
    overlay.width = result.image.width;
    overlay.height = result.image.height;
    const ctx = overlay.getContext('2d')!;
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    const display = prepareDisplayMap(result.map, { relu: true });
    if (display.noPositiveEvidence) return;
    ctx.putImageData(new ImageData(heatmapRgba(upsampleDisplayMap(display, overlay.width, overlay.height), TURBO, 0.5), overlay.width, overlay.height), 0, 0);
  }

  async function run(): Promise<void> {
    while (canWork()) {
      const started = performance.now();
      const frame = newestFrame();
      if (frame === null) {
        await nextFrame();
        continue;
      }
      const result = await api.explain({ type: 'lab-explain', image: { kind: 'dataUrl', dataUrl: frame }, modelId: options.modelId(), method: method.value as MethodId });
      if (!follow.checked) break;
      if (!result.ok) {
        say(result.error);
        follow.checked = false;
        break;
      }
      say(null);
      workerMs = result.timingsMs;
      draw(result);
      maps++;
      latencyMs = performance.now() - started;
      rate.tick(performance.now());
      status.textContent = t('labLiveStats', [rate.perSecond(performance.now()).toFixed(1), String(Math.round(latencyMs)), `${result.target.label} ${(result.target.probability * 100).toFixed(0)} %`]);
    }
    loop = null;
    if (!follow.checked) overlay.getContext('2d')!.clearRect(0, 0, overlay.width, overlay.height);
  }

  const kick = () => {
    if (canWork() && !loop) loop = run();
  };
  follow.addEventListener('change', () => {
    if (!follow.checked) status.textContent = t('labLiveOff');
    kick();
  });
  video.addEventListener('play', kick);
  video.addEventListener('playing', kick);
  document.addEventListener('visibilitychange', kick);

  document.getElementById('live-webcam')!.addEventListener('click', async () => {
    say(null);
    try {
      video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
      video.removeAttribute('src');
      await video.play();
    } catch (e) {
      say(t('labLiveNoCamera', (e as Error).message || String(e)));
    }
  });
  (document.getElementById('live-file') as HTMLInputElement).addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    say(null);
    stopCamera(video);
    video.src = URL.createObjectURL(file);
    await video.play().catch(() => say(t('labLiveNotVideo')));
  });
  video.addEventListener('error', () => say(t('labLiveNotVideo')));

  return { stats: () => ({ maps, mapsPerSecond: rate.perSecond(performance.now()), latencyMs, following: loop !== null, lastError, workerMs }) };
}

function stopCamera(video: HTMLVideoElement): void {
  const stream = video.srcObject as MediaStream | null;
  stream?.getTracks().forEach((track) => track.stop());
  video.srcObject = null;
}
