// Decodes a PNG straight to a smaller size, row by row: the inflated image data is unfiltered one row
// at a time and averaged (box filter, on premultiplied alpha) into the output as it arrives. Memory is
// two source rows, one output row of sums and the output itself — a 9990×9990 PNG of 300 KB costs a
// few MB instead of the 400 MB a full decode holds. Browsers cannot do this (createImageBitmap's
// resize options decode the whole image first). Pure: the caller inflates (DecompressionStream).
// Colour management (gAMA, iCCP) is not applied; interlaced PNGs are left to the browser's decoder.

export interface PngLayout {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number;
  /** RGB triples (colour type 3). */
  palette?: Uint8Array;
  /** The tRNS chunk as stored: alpha per palette entry, or the transparent grey / RGB sample. */
  transparency?: Uint8Array;
}

/** The layout and the compressed image data (IDAT chunks) of a PNG this module can shrink; null otherwise. */
export function readPngLayout(bytes: Uint8Array): { layout: PngLayout; data: Uint8Array[] } | null {
  const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let layout: PngLayout | null = null;
  const data: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length));
    if (type === 'IHDR') {
      if (body.length < 13 || body[10] !== 0 || body[11] !== 0 || body[12] !== 0) return null; // odd compression, filter or interlace
      layout = { width: view.getUint32(at + 8), height: view.getUint32(at + 12), bitDepth: body[8], colorType: body[9] };
      if (!validDepth(layout.colorType, layout.bitDepth)) return null;
    } else if (type === 'PLTE' && layout) layout.palette = body;
    else if (type === 'tRNS' && layout) layout.transparency = body;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!layout || data.length === 0 || (layout.colorType === 3 && !layout.palette)) return null;
  return { layout, data };
}

function validDepth(colorType: number, depth: number): boolean {
  switch (colorType) {
    case 0:
      return [1, 2, 4, 8, 16].includes(depth);
    case 3:
      return [1, 2, 4, 8].includes(depth);
    case 2:
    case 4:
    case 6:
      return depth === 8 || depth === 16;
    default:
      return false;
  }
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Unfilters inflated PNG data row by row and averages it into an outWidth × outHeight RGBA image. */
export class PngShrinker {
  private readonly rowBytes: number;
  private readonly pixelBytes: number;
  private previous: Uint8Array;
  private current: Uint8Array;
  /** Bytes of the current row received (-1: its filter byte is next). */
  private filled = -1;
  private filter = 0;
  private y = 0;
  private readonly columnOf: Int32Array;
  /** Sums for the output row being built: premultiplied R, G, B, then alpha, and pixel counts. */
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;
  private outRow = 0;
  private readonly out: Uint8ClampedArray;
  private readonly rgba = new Uint8Array(4);

  /** outWidth × outHeight must not be larger than the image (this only shrinks). */
  constructor(
    private readonly layout: PngLayout,
    readonly outWidth: number,
    readonly outHeight: number,
  ) {
    if (outWidth > layout.width || outHeight > layout.height) throw new RangeError('a PNG is only shrunk');
    const bitsPerPixel = CHANNELS[layout.colorType] * layout.bitDepth;
    this.rowBytes = Math.ceil((layout.width * bitsPerPixel) / 8);
    this.pixelBytes = Math.max(1, bitsPerPixel / 8);
    this.previous = new Uint8Array(this.rowBytes);
    this.current = new Uint8Array(this.rowBytes);
    this.columnOf = new Int32Array(layout.width);
    for (let x = 0; x < layout.width; x++) this.columnOf[x] = Math.min(outWidth - 1, Math.floor((x * outWidth) / layout.width));
    this.sums = new Float64Array(outWidth * 4);
    this.counts = new Uint32Array(outWidth);
    this.out = new Uint8ClampedArray(outWidth * outHeight * 4);
  }

  /** Rows of the source decoded so far. */
  get rows(): number {
    return this.y;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.y < this.layout.height) {
      if (this.filled < 0) {
        this.filter = chunk[i++];
        this.filled = 0;
        continue;
      }
      const n = Math.min(this.rowBytes - this.filled, chunk.length - i);
      this.current.set(chunk.subarray(i, i + n), this.filled);
      this.filled += n;
      i += n;
      if (this.filled === this.rowBytes) this.endRow();
    }
  }

  /** The output so far; rows the data did not reach stay transparent. */
  finish(): Uint8ClampedArray {
    if (this.y > 0) this.flush();
    return this.out;
  }

  private endRow(): void {
    this.unfilter();
    const row = Math.min(this.outHeight - 1, Math.floor((this.y * this.outHeight) / this.layout.height));
    if (row !== this.outRow) this.flush();
    this.outRow = row;
    this.accumulate();
    [this.previous, this.current] = [this.current, this.previous];
    this.filled = -1;
    this.y++;
  }

  private unfilter(): void {
    const { current: c, previous: p, pixelBytes: bpp, rowBytes } = this;
    switch (this.filter) {
      case 1:
        for (let x = bpp; x < rowBytes; x++) c[x] = (c[x] + c[x - bpp]) & 255;
        break;
      case 2:
        for (let x = 0; x < rowBytes; x++) c[x] = (c[x] + p[x]) & 255;
        break;
      case 3:
        for (let x = 0; x < rowBytes; x++) c[x] = (c[x] + (((x >= bpp ? c[x - bpp] : 0) + p[x]) >> 1)) & 255;
        break;
      case 4:
        for (let x = 0; x < rowBytes; x++) {
          const a = x >= bpp ? c[x - bpp] : 0;
          const b = p[x];
          const d = x >= bpp ? p[x - bpp] : 0;
          const pa = Math.abs(b - d);
          const pb = Math.abs(a - d);
          const pc = Math.abs(a + b - 2 * d);
          c[x] = (c[x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : d)) & 255;
        }
        break;
      default:
        break; // 0: none (other values are invalid; the row is taken as it is)
    }
  }

  /** Adds the current source row to the output row's sums. */
  private accumulate(): void {
    const { width } = this.layout;
    const { sums, counts, columnOf, rgba } = this;
    for (let x = 0; x < width; x++) {
      this.pixel(x, rgba);
      const o = columnOf[x];
      const alpha = rgba[3];
      sums[o * 4] += rgba[0] * alpha;
      sums[o * 4 + 1] += rgba[1] * alpha;
      sums[o * 4 + 2] += rgba[2] * alpha;
      sums[o * 4 + 3] += alpha;
      counts[o]++;
    }
  }

  /** Writes the finished output row (shrinking, every output row gets at least one source row). */
  private flush(): void {
    const { sums, counts, out, outWidth } = this;
    const base = this.outRow * outWidth * 4;
    for (let o = 0; o < outWidth; o++) {
      const alpha = sums[o * 4 + 3];
      const i = base + o * 4;
      if (alpha > 0) {
        out[i] = Math.round(sums[o * 4] / alpha);
        out[i + 1] = Math.round(sums[o * 4 + 1] / alpha);
        out[i + 2] = Math.round(sums[o * 4 + 2] / alpha);
      }
      out[i + 3] = counts[o] ? Math.round(alpha / counts[o]) : 0;
    }
    sums.fill(0);
    counts.fill(0);
  }

  /** Pixel x of the current row as 8-bit RGBA. */
  private pixel(x: number, rgba: Uint8Array): void {
    const { bitDepth, colorType, palette, transparency } = this.layout;
    const row = this.current;
    if (colorType === 0 || colorType === 3) {
      let v: number;
      if (bitDepth === 8) v = row[x];
      else if (bitDepth === 16) v = (row[x * 2] << 8) | row[x * 2 + 1];
      else {
        const perByte = 8 / bitDepth;
        const shift = 8 - bitDepth * ((x % perByte) + 1);
        v = (row[Math.floor(x / perByte)] >> shift) & ((1 << bitDepth) - 1);
      }
      if (colorType === 3) {
        rgba[0] = palette![v * 3] ?? 0;
        rgba[1] = palette![v * 3 + 1] ?? 0;
        rgba[2] = palette![v * 3 + 2] ?? 0;
        rgba[3] = transparency && v < transparency.length ? transparency[v] : 255;
        return;
      }
      const grey = bitDepth === 16 ? v >> 8 : Math.round((v * 255) / ((1 << bitDepth) - 1));
      rgba[0] = rgba[1] = rgba[2] = grey;
      rgba[3] = transparency && transparency.length >= 2 && ((transparency[0] << 8) | transparency[1]) === v ? 0 : 255;
      return;
    }
    const channels = CHANNELS[colorType];
    const step = bitDepth / 8; // 1 or 2: the high byte of 16-bit samples
    const at = x * channels * step;
    const sample = (c: number) => row[at + c * step];
    if (colorType === 2) {
      rgba[0] = sample(0);
      rgba[1] = sample(1);
      rgba[2] = sample(2);
      rgba[3] = 255;
      if (transparency && transparency.length >= 6) {
        const full = (c: number) => (step === 2 ? (row[at + c * 2] << 8) | row[at + c * 2 + 1] : row[at + c]);
        const key = (c: number) => (transparency[c * 2] << 8) | transparency[c * 2 + 1];
        if (full(0) === key(0) && full(1) === key(1) && full(2) === key(2)) rgba[3] = 0;
      }
    } else if (colorType === 4) {
      rgba[0] = rgba[1] = rgba[2] = sample(0);
      rgba[3] = sample(1);
    } else {
      rgba[0] = sample(0);
      rgba[1] = sample(1);
      rgba[2] = sample(2);
      rgba[3] = sample(3);
    }
  }
}

/** The size to shrink width × height to so its longer side is at most maxSide (aspect kept). */
export function shrunkSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
