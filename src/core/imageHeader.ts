// Reads an image's format and pixel size from its first bytes, without decoding it: the worker
// refuses images that are too large before the browser allocates their pixels, and says plainly
// when the "image" is really an HTML page. Pure code: no browser API.

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif' | 'ico' | 'svg' | 'html' | 'unknown';

export interface ImageHeader {
  /** Pixel size; 0×0 when it could not be read (unknown format, or a header cut short). */
  width: number;
  height: number;
  format: ImageFormat;
  /** More than one frame (GIF, APNG, animated WebP/AVIF): browsers decode the first one. */
  animated?: boolean;
  /**
   * The file ends early (no PNG IEND, no JPEG EOI, a GIF cut inside its first frame): it will decode partly or not
   * at all. A GIF cut in a later frame is not truncated here: its first frame, the one decoded, is whole.
   */
  truncated?: boolean;
}

/** Display names of the formats, for messages. */
export const FORMAT_NAMES: Record<ImageFormat, string> = {
  png: 'PNG', jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', bmp: 'BMP', avif: 'AVIF', ico: 'ICO', svg: 'SVG', html: 'HTML', unknown: 'unknown',
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function readImageSize(bytes: Uint8Array | readonly Uint8Array[]): ImageHeader {
  const b = new Reader(bytes);
  if (b.startsWith(PNG_SIGNATURE)) return png(b);
  if (b.u8(0) === 0xff && b.u8(1) === 0xd8 && b.u8(2) === 0xff) return jpeg(b);
  if (b.ascii(0, 6) === 'GIF87a' || b.ascii(0, 6) === 'GIF89a') return gif(b);
  if (b.ascii(0, 4) === 'RIFF' && b.ascii(8, 4) === 'WEBP') return webp(b);
  if (b.ascii(0, 2) === 'BM' && b.length >= 18) return bmp(b);
  if (b.ascii(4, 4) === 'ftyp') {
    const avifHeader = avif(b);
    if (avifHeader) return avifHeader;
  }
  if (b.u16le(0) === 0 && (b.u16le(2) === 1 || b.u16le(2) === 2) && b.u16le(4) > 0 && b.u8(9) === 0 && b.length >= 6 + 16 * b.u16le(4)) return ico(b);
  return markup(b) ?? { width: 0, height: 0, format: 'unknown' };
}

/** Width × height, 0 when unknown. */
export function pixelCount(header: ImageHeader): number {
  return header.width * header.height;
}

function png(b: Reader): ImageHeader {
  const header: ImageHeader = { width: 0, height: 0, format: 'png' };
  if (b.ascii(12, 4) !== 'IHDR' || b.length < 24) return { ...header, truncated: true };
  header.width = b.u32be(16);
  header.height = b.u32be(20);
  // acTL before the first IDAT makes an APNG; its frame count says whether it really animates.
  let at = 8;
  while (at + 8 <= b.length) {
    const length = b.u32be(at);
    const type = b.ascii(at + 4, 4);
    if (type === 'acTL' && at + 12 <= b.length) {
      if (b.u32be(at + 8) > 1) header.animated = true;
    }
    if (type === 'IDAT') break;
    at += 12 + length;
  }
  header.truncated = !endsWithIend(b);
  return header;
}

/** The last chunk is IEND (allowing a little trailing junk, which decoders ignore). */
function endsWithIend(b: Reader): boolean {
  const from = Math.max(8, b.length - 64);
  for (let at = b.length - 8; at >= from; at--) if (b.ascii(at, 4) === 'IEND') return true;
  return false;
}

/** SOFn markers carry the frame size: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpeg(b: Reader): ImageHeader {
  const header: ImageHeader = { width: 0, height: 0, format: 'jpeg' };
  let at = 2;
  while (at < b.length) {
    if (b.u8(at) !== 0xff) break; // not a marker: the stream is damaged
    while (b.u8(at) === 0xff && at < b.length) at++; // fill bytes
    const marker = b.u8(at);
    at++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data without a frame header first
    if (at + 2 > b.length) break;
    const length = b.u16be(at);
    if (length < 2) break;
    if (isStartOfFrame(marker)) {
      if (at + 7 <= b.length) {
        header.height = b.u16be(at + 3);
        header.width = b.u16be(at + 5);
      }
      break;
    }
    at += length; // APPn, DQT, DHT, COM…
  }
  header.truncated = !endsWithEoi(b);
  return header;
}

function endsWithEoi(b: Reader): boolean {
  const from = Math.max(2, b.length - 64);
  for (let at = b.length - 2; at >= from; at--) if (b.u8(at) === 0xff && b.u8(at + 1) === 0xd9) return true;
  return false;
}

function gif(b: Reader): ImageHeader {
  let width = b.u16le(6);
  let height = b.u16le(8);
  if (b.length < 13) return { width: 0, height: 0, format: 'gif', truncated: true };
  const flags = b.u8(10);
  let at = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  let frames = 0;
  /** The data ran out inside a block (a missing trailer alone is common and harmless). */
  let cut = false;
  // Walk the blocks: extensions and image descriptors, each followed by data sub-blocks.
  while (at < b.length && !cut) {
    const introducer = b.u8(at);
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      at = skipSubBlocks(b, at + 2);
    } else if (introducer === 0x2c) {
      if (at + 11 > b.length) {
        cut = true;
        break;
      }
      frames++;
      if (frames === 1) {
        // A first frame outside the logical screen enlarges the canvas (as Chromium's decoder does).
        width = Math.max(width, b.u16le(at + 1) + b.u16le(at + 5));
        height = Math.max(height, b.u16le(at + 3) + b.u16le(at + 7));
      }
      const local = b.u8(at + 9);
      at += 10 + (local & 0x80 ? 3 * 2 ** ((local & 7) + 1) : 0);
      at = skipSubBlocks(b, at + 1); // after the LZW minimum code size
    } else {
      break; // garbage: decoders stop here too
    }
    if (at < 0) cut = true;
  }
  // Only the first frame is decoded: an animation cut in a later frame loses nothing of it.
  if (cut && frames > 1) cut = false;
  const header: ImageHeader = { width, height, format: 'gif' };
  if (frames > 1) header.animated = true;
  header.truncated = cut || (frames === 0 && at >= b.length);
  return header;
}

/** Index just after a chain of sub-blocks (size byte, data…, 0 terminator); -1 when the data ends first. */
function skipSubBlocks(b: Reader, at: number): number {
  while (at < b.length) {
    const size = b.u8(at);
    at += 1 + size;
    if (size === 0) return at;
  }
  return -1;
}

function webp(b: Reader): ImageHeader {
  const header: ImageHeader = { width: 0, height: 0, format: 'webp' };
  const chunk = b.ascii(12, 4);
  if (chunk === 'VP8 ' && b.length >= 30 && b.u8(23) === 0x9d && b.u8(24) === 0x01 && b.u8(25) === 0x2a) {
    header.width = b.u16le(26) & 0x3fff;
    header.height = b.u16le(28) & 0x3fff;
  } else if (chunk === 'VP8L' && b.length >= 25 && b.u8(20) === 0x2f) {
    const bits = b.u32le(21);
    header.width = (bits & 0x3fff) + 1;
    header.height = ((bits >>> 14) & 0x3fff) + 1;
  } else if (chunk === 'VP8X' && b.length >= 30) {
    if (b.u8(20) & 0x02) header.animated = true;
    header.width = b.u24le(24) + 1;
    header.height = b.u24le(27) + 1;
  }
  return header;
}

function bmp(b: Reader): ImageHeader {
  const dibSize = b.u32le(14);
  if (dibSize === 12) return { width: b.u16le(18), height: b.u16le(20), format: 'bmp' };
  if (b.length < 26) return { width: 0, height: 0, format: 'bmp', truncated: true };
  // Negative height: rows stored top-down.
  return { width: Math.abs(b.i32le(18)), height: Math.abs(b.i32le(22)), format: 'bmp' };
}

/** AVIF: an ISO-BMFF file; the size is in the 'ispe' property(ies) of meta → iprp → ipco. */
function avif(b: Reader): ImageHeader | null {
  const ftypSize = b.u32be(0);
  const brands: string[] = [b.ascii(8, 4)];
  for (let at = 16; at + 4 <= Math.min(ftypSize, b.length); at += 4) brands.push(b.ascii(at, 4));
  if (!brands.some((brand) => brand === 'avif' || brand === 'avis')) return null;
  const header: ImageHeader = { width: 0, height: 0, format: 'avif' };
  if (b.ascii(8, 4) === 'avis') header.animated = true;
  const meta = findBox(b, 0, b.length, 'meta');
  const iprp = meta && findBox(b, meta.start + 4, meta.end, 'iprp'); // meta is a full box: version and flags first
  const ipco = iprp && findBox(b, iprp.start, iprp.end, 'ipco');
  if (!ipco) return header;
  // Several ispe (primary image, alpha, thumbnails, grid tiles): the largest bounds what will be decoded.
  for (let at = ipco.start; at + 8 <= ipco.end; ) {
    const size = b.u32be(at);
    if (size < 8) break;
    if (b.ascii(at + 4, 4) === 'ispe' && at + 20 <= b.length) {
      const width = b.u32be(at + 12);
      const height = b.u32be(at + 16);
      if (width * height > header.width * header.height) Object.assign(header, { width, height });
    }
    at += size;
  }
  return header;
}

function findBox(b: Reader, from: number, to: number, type: string): { start: number; end: number } | null {
  for (let at = from; at + 8 <= Math.min(to, b.length); ) {
    let size = b.u32be(at);
    let headerSize = 8;
    if (size === 1) {
      size = b.u32be(at + 8) * 2 ** 32 + b.u32be(at + 12);
      headerSize = 16;
    } else if (size === 0) {
      size = to - at; // to the end
    }
    if (size < headerSize) return null;
    if (b.ascii(at + 4, 4) === type) return { start: at + headerSize, end: Math.min(at + size, to) };
    at += size;
  }
  return null;
}

/** ICO/CUR: a directory of images (BMP or PNG); 0 in the directory means 256, embedded PNGs say their own size. */
function ico(b: Reader): ImageHeader {
  const header: ImageHeader = { width: 0, height: 0, format: 'ico' };
  const count = b.u16le(4);
  for (let i = 0; i < count; i++) {
    const entry = 6 + 16 * i;
    let width = b.u8(entry) || 256;
    let height = b.u8(entry + 1) || 256;
    const offset = b.u32le(entry + 12);
    if (offset + 24 <= b.length && PNG_SIGNATURE.every((v, k) => b.u8(offset + k) === v)) {
      width = b.u32be(offset + 16);
      height = b.u32be(offset + 20);
    }
    if (width * height > header.width * header.height) Object.assign(header, { width, height });
  }
  return header;
}

/** Text formats: an SVG document, or an HTML page (an error or login page served in place of the image). */
function markup(b: Reader): ImageHeader | null {
  const text = b.ascii(0, Math.min(b.length, 4096))
    .replace(/^\u00ef\u00bb\u00bf/, '').trimStart().toLowerCase(); // UTF-8 BOM, as Latin-1
  if (!text.startsWith('<')) return null;
  // Skip an XML declaration, comments and processing instructions before the root element.
  const head = text.replace(/^(\s*(<\?[\s\S]*?\?>|<!--[\s\S]*?-->))*\s*/, '');
  if (head.startsWith('<svg') || head.startsWith('<!doctype svg')) return { width: 0, height: 0, format: 'svg' };
  if (/^<!doctype html|^<html|^<head|^<body/.test(head)) return { width: 0, height: 0, format: 'html' };
  if (text.startsWith('<?xml') && text.includes('<svg')) return { width: 0, height: 0, format: 'svg' };
  // Tag soup that a browser would render as a page (error pages often have no doctype).
  if (/<(html|head|body|title|div|p|h1|script|meta)[\s>]/.test(head)) return { width: 0, height: 0, format: 'html' };
  return null;
}

/** Bounds-checked reads: past the end reads as 0, never throws. */
class Reader {
  /** The bytes in the parts they were downloaded in (joining them would copy the whole file once more). */
  private readonly parts: readonly Uint8Array[];
  private readonly starts: number[] = [];
  readonly length: number;
  /** The part read last: the formats are read front to back, so the next read is mostly in it. */
  private current = 0;

  constructor(bytes: Uint8Array | readonly Uint8Array[]) {
    this.parts = bytes instanceof Uint8Array ? [bytes] : bytes;
    let at = 0;
    for (const part of this.parts) {
      this.starts.push(at);
      at += part.length;
    }
    this.length = at;
  }

  u8(at: number): number {
    if (!(at >= 0 && at < this.length)) return 0;
    let i = this.current;
    if (at < this.starts[i] || at >= this.starts[i] + this.parts[i].length) {
      // Binary search for the last part starting at or before `at` (empty parts are skipped by it).
      let low = 0;
      let high = this.parts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (this.starts[mid] <= at) low = mid;
        else high = mid - 1;
      }
      this.current = i = low;
    }
    return this.parts[i][at - this.starts[i]];
  }
  u16le(at: number): number {
    return this.u8(at) | (this.u8(at + 1) << 8);
  }
  u16be(at: number): number {
    return (this.u8(at) << 8) | this.u8(at + 1);
  }
  u24le(at: number): number {
    return this.u8(at) | (this.u8(at + 1) << 8) | (this.u8(at + 2) << 16);
  }
  u32le(at: number): number {
    return (this.u24le(at) + this.u8(at + 3) * 2 ** 24) >>> 0;
  }
  i32le(at: number): number {
    return this.u32le(at) | 0;
  }
  u32be(at: number): number {
    return this.u8(at) * 2 ** 24 + ((this.u8(at + 1) << 16) | (this.u8(at + 2) << 8) | this.u8(at + 3));
  }
  ascii(at: number, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(this.u8(at + i));
    return s;
  }
  startsWith(values: number[]): boolean {
    return values.every((v, i) => this.u8(i) === v);
  }
}
