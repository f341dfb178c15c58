// The insertion curve's starting image: a Gaussian blur of the model input (RISE uses σ = 5 px at
// 224 px). Separable, the kernel truncated at 3σ and normalised to sum 1, edge pixels repeated
// (no dark frame). Blurring is linear and each channel's normalisation affine, so blurring the model
// input equals normalising the blurred pixels.

/** σ in pixels per axis for an input of width × height: 5 px at 224 px, scaled with the side. */
export function blurSigma(width: number, height: number): { x: number; y: number } {
  return { x: (5 * width) / 224, y: (5 * height) / 224 };
}

function kernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Blurs an interleaved image (row-major, `channels` values a pixel) into a new array. */
export function gaussianBlur(image: ArrayLike<number>, width: number, height: number, channels: number, sigma: { x: number; y: number }): Float32Array {
  if (image.length !== width * height * channels) throw new RangeError(`expected ${width * height * channels} values, got ${image.length}`);
  const horizontal = new Float32Array(image.length);
  pass(image, horizontal, kernel(sigma.x), width, height, channels, 'x');
  const out = new Float32Array(image.length);
  pass(horizontal, out, kernel(sigma.y), width, height, channels, 'y');
  return out;
}

function pass(src: ArrayLike<number>, dst: Float32Array, k: Float64Array, width: number, height: number, channels: number, axis: 'x' | 'y'): void {
  const radius = (k.length - 1) / 2;
  const along = axis === 'x' ? width : height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = axis === 'x' ? x : y;
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let i = -radius; i <= radius; i++) {
          const j = Math.min(along - 1, Math.max(0, at + i));
          s += k[i + radius] * src[((axis === 'x' ? y * width + j : j * width + x) * channels) + c];
        }
        dst[(y * width + x) * channels + c] = s;
      }
    }
  }
}
