// Draws the shortcut demo's pictures (src/core/teach/shortcutDemo.ts) from the bundled photos: a
// square of a photo, maybe mirrored, its brightness and light (red/blue tint) applied per pixel, and
// the stamp — a red disc with a white ring and bar — in the bottom-right corner.
import { DEMO_PHOTOS, DEMO_SIZE, lightFactors, sourceSquare, stampCircle, type DemoPicture } from '../core/teach/shortcutDemo';

export async function loadDemoPhotos(): Promise<ImageBitmap[]> {
  return Promise.all(
    DEMO_PHOTOS.map(async (name) => {
      const response = await fetch(`teach-demo/${name}`);
      if (!response.ok) throw new Error(`teach-demo/${name}: HTTP ${response.status}`);
      return createImageBitmap(await response.blob());
    }),
  );
}

export function drawDemoPicture(photo: ImageBitmap, p: DemoPicture): HTMLCanvasElement {
  const size = DEMO_SIZE;
  const canvas = Object.assign(document.createElement('canvas'), { width: size, height: size });
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const square = sourceSquare(p, photo.width, photo.height);
  ctx.save();
  if (p.flip) {
    ctx.translate(size, 0);
    ctx.scale(-1, 1);
  }
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(photo, square.x, square.y, square.side, square.side, 0, 0, size, size);
  ctx.restore();
  const image = ctx.getImageData(0, 0, size, size);
  const [r, g, b] = lightFactors(p.light).map((f) => f * p.brightness);
  for (let i = 0; i < image.data.length; i += 4) {
    image.data[i] *= r;
    image.data[i + 1] *= g;
    image.data[i + 2] *= b;
  }
  ctx.putImageData(image, 0, 0);
  if (p.stamp) {
    const { cx, cy, r: radius } = stampCircle(size);
    ctx.fillStyle = '#dc1e28';
    ctx.beginPath();
    ctx.arc(cx, cy, radius, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 4;
    ctx.beginPath();
    ctx.arc(cx, cy, radius - 2, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.fillStyle = '#fff';
    ctx.fillRect(cx - 3, cy - radius + 4, 6, 2 * radius - 8);
  }
  return canvas;
}
