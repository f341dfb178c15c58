// Live maps in the Lab: a webcam or a video file, re-explained while it plays when Follow is on —
// always the newest frame, never a queue, never the same frame twice; nothing while paused or while
// the tab is hidden. Shows maps per second and the latency from grabbing a frame to its map drawn.
import { t } from '../core/i18nBrowser';
import { colormapLut } from '../core/colormap';
import { FrameFollower } from '../core/followFrames';
import { heatmapRgba } from '../core/heatmap';
import type { MethodId } from '../core/methods';
import type { ExplanationResult, ExplanationSuccess } from '../core/messages';
import { prepareDisplayMap, upsampleDisplayMap } from '../core/postprocess';
import { watchVideoFrames } from '../ui/videoFrames';
import * as api from './api';

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
  let lastError: string | null = null;
  let workerMs: Record<string, number> = {};
  let lastLabel = '';

  const say = (message: string | null) => {
    lastError = message;
    error.textContent = message ?? '';
    error.hidden = message === null;
  };

  function draw(result: ExplanationSuccess): void {
    overlay.width = result.image.width;
    overlay.height = result.image.height;
    const ctx = overlay.getContext('2d')!;
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    const display = prepareDisplayMap(result.map, { relu: true });
    if (display.noPositiveEvidence) return;
    ctx.putImageData(new ImageData(heatmapRgba(upsampleDisplayMap(display, overlay.width, overlay.height), TURBO, 0.5), overlay.width, overlay.height), 0, 0);
  }

  const follower = new FrameFollower<string, ExplanationResult>({
    ...watchVideoFrames(video),
    following: () => follow.checked,
    canWork: () => follow.checked && !video.paused && !video.ended && video.readyState >= 2 && document.visibilityState === 'visible',
    explain: (frame) => api.explain({ type: 'lab-explain', image: { kind: 'dataUrl', dataUrl: frame }, modelId: options.modelId(), method: method.value as MethodId }),
    show(result) {
      if (!result.ok) {
        say(result.error);
        follow.checked = false;
        return 'failed';
      }
      say(null);
      workerMs = result.timingsMs;
      lastLabel = `${result.target.label} ${(result.target.probability * 100).toFixed(0)} %`;
      draw(result);
      return 'drawn';
    },
    report: (stats) => (status.textContent = t('labLiveStats', [stats.mapsPerSecond.toFixed(1), String(Math.round(stats.latencyMs)), lastLabel])),
    now: () => performance.now(),
  });

  const kick = () => {
    // Off: the map goes once the request in flight has come back (its answer is dropped).
    void follower.kick()?.then(() => follow.checked || overlay.getContext('2d')!.clearRect(0, 0, overlay.width, overlay.height));
  };
  follow.addEventListener('change', () => {
    if (!follow.checked) status.textContent = t('labLiveOff');
    if (!follow.checked && !follower.running) overlay.getContext('2d')!.clearRect(0, 0, overlay.width, overlay.height);
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

  return { stats: () => ({ ...follower.stats(), following: follower.running, lastError, workerMs }) };
}

function stopCamera(video: HTMLVideoElement): void {
  const stream = video.srcObject as MediaStream | null;
  stream?.getTracks().forEach((track) => track.stop());
  video.srcObject = null;
}
