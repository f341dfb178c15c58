// The header reader on real files (the fixtures, and the server's generated PNG/GIF) and on tiny
// hand-built headers for every format and its traps (APPn before SOF, DHT, fill bytes, scale bits…).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pixelCount, readImageSize } from '../../src/core/imageHeader';
import { makeGif, makePng } from '../../scripts/servers.mjs';

const fixture = (name: string) => new Uint8Array(readFileSync(path.join(__dirname, '../fixtures', name)));
const bytes = (...parts: (number[] | string | Uint8Array)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : [...p])));
const u16le = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const u16be = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const u24le = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
const u32le = (v: number) => [...u16le(v & 0xffff), ...u16le(v >>> 16)];
const u32be = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const pngChunk = (type: string, data: number[]) => bytes(u32be(data.length), type, data, [0, 0, 0, 0]); // CRC is not checked
const ihdr = (w: number, h: number) => pngChunk('IHDR', [...u32be(w), ...u32be(h), 8, 6, 0, 0, 0]);
const IEND = pngChunk('IEND', []);

describe('readImageSize: PNG', () => {
  it('reads the fixtures', () => {
    expect(readImageSize(fixture('chelsea.png'))).toEqual({ width: 451, height: 300, format: 'png', truncated: false });
    expect(readImageSize(fixture('coffee.png'))).toMatchObject({ width: 600, height: 400, format: 'png', truncated: false });
    expect(readImageSize(fixture('astronaut.png'))).toMatchObject({ width: 512, height: 512, format: 'png' });
    expect(readImageSize(fixture('logo.png'))).toMatchObject({ width: 500, height: 500, format: 'png' });
  });

  it('reads the server-made 1×1 and 30000×30000 PNGs', () => {
    expect(readImageSize(new Uint8Array(makePng(1, 1, [[1, 2, 3]])))).toEqual({ width: 1, height: 1, format: 'png', truncated: false });
    const huge = readImageSize(new Uint8Array(makePng(30000, 30000, null)));
    expect(huge).toMatchObject({ width: 30000, height: 30000, format: 'png' });
    expect(pixelCount(huge)).toBe(900_000_000);
  });

  it('reads sizes above 2^31 without going negative', () => {
    expect(readImageSize(bytes(PNG_SIG, ihdr(0x80000001, 3), IEND))).toMatchObject({ width: 2147483649, height: 3 });
  });

  it('says when the file stops before IEND, and keeps the size', () => {
    const cut = fixture('chelsea.png').subarray(0, 96_000);
    expect(readImageSize(cut)).toEqual({ width: 451, height: 300, format: 'png', truncated: true });
    expect(readImageSize(bytes(PNG_SIG, [0, 0, 0, 13]))).toEqual({ width: 0, height: 0, format: 'png', truncated: true });
  });

  it('an acTL with more than one frame before IDAT is an animated PNG', () => {
    const actl = (frames: number) => pngChunk('acTL', [...u32be(frames), ...u32be(0)]);
    const idat = pngChunk('IDAT', [1, 2, 3]);
    expect(readImageSize(bytes(PNG_SIG, ihdr(10, 20), actl(2), idat, IEND))).toEqual({ width: 10, height: 20, format: 'png', animated: true, truncated: false });
    expect(readImageSize(bytes(PNG_SIG, ihdr(10, 20), actl(1), idat, IEND)).animated).toBeUndefined();
    expect(readImageSize(bytes(PNG_SIG, ihdr(10, 20), idat, actl(2), IEND)).animated).toBeUndefined();
  });
});

describe('readImageSize: JPEG', () => {
  it('reads the fixture (APP segments before the frame header)', () => {
    expect(readImageSize(fixture('rocket.jpg'))).toEqual({ width: 640, height: 427, format: 'jpeg', truncated: false });
  });

  it('reads the size of a truncated JPEG and says it is truncated', () => {
    const jpg = fixture('rocket.jpg');
    expect(readImageSize(jpg.subarray(0, Math.floor(jpg.length * 0.4)))).toEqual({ width: 640, height: 427, format: 'jpeg', truncated: true });
  });

  const SOI = [0xff, 0xd8];
  const EOI = [0xff, 0xd9];
  const segment = (marker: number, payload: number[]) => [0xff, marker, ...u16be(payload.length + 2), ...payload];
  const sof = (marker: number, w: number, h: number) => segment(marker, [8, ...u16be(h), ...u16be(w), 1, 1, 0x11, 0]);

  it('skips APPn, COM, DQT and DHT by their lengths, even when their data looks like a frame header', () => {
    const decoy = [0xff, 0xc0, 0x00, 0x11, 8, 0x00, 0x01, 0x00, 0x01]; // an SOF0 saying 1×1, inside other segments
    const jpeg = bytes(
      SOI,
      segment(0xe0, [...bytes('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
      segment(0xe1, [...bytes('Exif\0\0'), ...decoy]),
      segment(0xfe, decoy),
      segment(0xdb, [0, ...decoy]),
      segment(0xc4, [0, ...decoy]), // DHT is C4: not a frame header
      [0xff, 0xff, 0xff], // fill bytes before a marker
      sof(0xc2, 456, 123), // progressive
      EOI,
    );
    expect(readImageSize(jpeg)).toEqual({ width: 456, height: 123, format: 'jpeg', truncated: false });
  });

  it.each([0xc0, 0xc1, 0xc3, 0xc5, 0xc9, 0xcf])('SOF marker %s carries the size', (marker) => {
    expect(readImageSize(bytes(SOI, sof(marker, 77, 66), EOI))).toMatchObject({ width: 77, height: 66 });
  });

  it('no frame header before the scan, or a broken marker chain: size unknown', () => {
    expect(readImageSize(bytes(SOI, [0xff, 0xda, 0, 2], sof(0xc0, 9, 9), EOI))).toMatchObject({ width: 0, height: 0, format: 'jpeg' });
    expect(readImageSize(bytes(SOI, segment(0xe0, [1, 2]), [0x12, 0x34], sof(0xc0, 9, 9), EOI))).toMatchObject({ width: 0, height: 0 });
    expect(readImageSize(bytes(SOI, [0xff]))).toEqual({ width: 0, height: 0, format: 'jpeg', truncated: true });
  });
});

describe('readImageSize: GIF', () => {
  const header = (w: number, h: number, gct = true) => bytes('GIF89a', u16le(w), u16le(h), [gct ? 0x80 : 0, 0, 0], gct ? [0, 0, 0, 255, 255, 255] : []);
  const frame = (x: number, y: number, w: number, h: number) => [0x2c, ...u16le(x), ...u16le(y), ...u16le(w), ...u16le(h), 0, 2, 2, 0x4c, 0x01, 0];
  const gce = [0x21, 0xf9, 4, 0, 10, 0, 0, 0];
  const netscape = [0x21, 0xff, 11, ...bytes('NETSCAPE2.0'), 3, 1, 0, 0, 0];

  it('one frame: a still image', () => {
    expect(readImageSize(bytes(header(40, 30), gce, frame(0, 0, 40, 30), [0x3b]))).toEqual({ width: 40, height: 30, format: 'gif', truncated: false });
  });

  it('two image descriptors: animated (extensions and data sub-blocks are skipped)', () => {
    const gif = bytes(header(40, 30), netscape, gce, frame(0, 0, 40, 30), gce, frame(5, 5, 10, 10), [0x3b]);
    expect(readImageSize(gif)).toEqual({ width: 40, height: 30, format: 'gif', animated: true, truncated: false });
  });

  it('a loop extension with a single frame is not animated', () => {
    expect(readImageSize(bytes(header(8, 8), netscape, frame(0, 0, 8, 8), [0x3b])).animated).toBeUndefined();
  });

  it('a first frame outside the logical screen enlarges the size', () => {
    expect(readImageSize(bytes(header(10, 10, false), frame(100, 50, 30000, 30000), [0x3b]))).toMatchObject({ width: 30100, height: 30050 });
    // Only the first frame does: later frames are clipped to the canvas.
    expect(readImageSize(bytes(header(10, 10, false), frame(0, 0, 10, 10), frame(60000, 60000, 5000, 5000), [0x3b]))).toMatchObject({ width: 10, height: 10 });
  });

  it('a file cut inside its first frame is truncated; cut in a later frame, or only lacking the trailer, it is not', () => {
    const gif = bytes(header(40, 30), gce, frame(0, 0, 40, 30), gce, frame(0, 0, 40, 30));
    expect(readImageSize(gif.subarray(0, gif.length - 3))).toEqual({ width: 40, height: 30, format: 'gif', animated: true, truncated: false });
    expect(readImageSize(gif)).toEqual({ width: 40, height: 30, format: 'gif', animated: true, truncated: false });
    expect(readImageSize(gif.subarray(0, 6 + 7 + 6 + gce.length + 5))).toEqual({ width: 40, height: 30, format: 'gif', truncated: true });
    expect(readImageSize(header(40, 30))).toEqual({ width: 40, height: 30, format: 'gif', truncated: true });
  });

  it('reads the server-made GIFs (real LZW data: 2 frames, then 1)', () => {
    const frame1 = new Array(64 * 48).fill(0);
    const two = readImageSize(new Uint8Array(makeGif(64, 48, [[255, 0, 0], [0, 0, 255]], [frame1, new Array(64 * 48).fill(1)])));
    expect(two).toEqual({ width: 64, height: 48, format: 'gif', animated: true, truncated: false });
    expect(readImageSize(new Uint8Array(makeGif(64, 48, [[255, 0, 0]], [frame1]))).animated).toBeUndefined();
  });
});

describe('readImageSize: WebP', () => {
  const riff = (chunk: string, payload: number[]) => bytes('RIFF', u32le(4 + 8 + payload.length), 'WEBP', chunk, u32le(payload.length), payload);

  it('lossy VP8 (the 2 scale bits are not part of the size)', () => {
    const vp8 = riff('VP8 ', [0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...u16le(0xc000 | 640), ...u16le(0x4000 | 427), 0, 0]);
    expect(readImageSize(vp8)).toEqual({ width: 640, height: 427, format: 'webp' });
  });

  it('lossless VP8L (14-bit width-1 and height-1)', () => {
    const bits = (640 - 1) | ((427 - 1) << 14);
    expect(readImageSize(riff('VP8L', [0x2f, ...u32le(bits), 0]))).toEqual({ width: 640, height: 427, format: 'webp' });
  });

  it('extended VP8X: 24-bit canvas size and the animation flag', () => {
    const vp8x = (flags: number, w: number, h: number) => riff('VP8X', [flags, 0, 0, 0, ...u24le(w - 1), ...u24le(h - 1)]);
    expect(readImageSize(vp8x(0x02, 30000, 30000))).toEqual({ width: 30000, height: 30000, format: 'webp', animated: true });
    expect(readImageSize(vp8x(0x10, 3, 2))).toEqual({ width: 3, height: 2, format: 'webp' });
  });

  it('a bad VP8 start code gives no size', () => {
    expect(readImageSize(riff('VP8 ', [0, 0, 0, 1, 2, 3, 0, 1, 0, 1]))).toEqual({ width: 0, height: 0, format: 'webp' });
  });
});

describe('readImageSize: BMP, AVIF, ICO', () => {
  it('BMP with a BITMAPINFOHEADER (negative height: top-down rows)', () => {
    const bmp = bytes('BM', u32le(1000), u32le(0), u32le(54), u32le(40), u32le(300), u32le(-200 >>> 0), u16le(1), u16le(24));
    expect(readImageSize(bmp)).toEqual({ width: 300, height: 200, format: 'bmp' });
  });

  it('BMP with an OS/2 core header (16-bit sizes)', () => {
    expect(readImageSize(bytes('BM', u32le(100), u32le(0), u32le(26), u32le(12), u16le(31), u16le(17), u16le(1), u16le(24)))).toEqual({ width: 31, height: 17, format: 'bmp' });
  });

  const box = (type: string, ...content: (number[] | Uint8Array)[]) => {
    const body = bytes(...content);
    return bytes(u32be(8 + body.length), type, body);
  };
  const ispe = (w: number, h: number) => box('ispe', [0, 0, 0, 0], u32be(w), u32be(h));

  it('AVIF: the largest ispe inside meta → iprp → ipco', () => {
    const avif = bytes(
      box('ftyp', bytes('avif'), u32be(0), bytes('mif1miaf')),
      box('meta', [0, 0, 0, 0], box('hdlr', [0, 0, 0, 0, 0, 0, 0, 0], bytes('pict')), box('iprp', box('ipco', ispe(64, 64), ispe(20000, 10000)))),
      box('mdat', [1, 2, 3]),
    );
    expect(readImageSize(avif)).toEqual({ width: 20000, height: 10000, format: 'avif' });
  });

  it('an ISO-BMFF file that is not AVIF (an MP4) is unknown', () => {
    expect(readImageSize(bytes(box('ftyp', bytes('isom'), u32be(0), bytes('mp41')), box('moov', [1])))).toMatchObject({ format: 'unknown' });
  });

  it('ICO: directory sizes (0 means 256), and the IHDR of an embedded PNG', () => {
    const png = bytes(PNG_SIG, ihdr(1000, 800), IEND);
    const entry = (w: number, h: number, size: number, offset: number) => [w, h, 0, 0, ...u16le(1), ...u16le(32), ...u32le(size), ...u32le(offset)];
    const dir = bytes(u16le(0), u16le(1), u16le(2), entry(32, 32, 100, 38), entry(0, 0, png.length, 38));
    expect(readImageSize(bytes(dir, png))).toEqual({ width: 1000, height: 800, format: 'ico' });
    const small = bytes(u16le(0), u16le(1), u16le(1), entry(0, 0, 4, 22), [1, 2, 3, 4]);
    expect(readImageSize(small)).toEqual({ width: 256, height: 256, format: 'ico' });
  });
});

describe('readImageSize: markup and garbage', () => {
  it.each([
    '<!DOCTYPE html>\n<html><body>Not found</body></html>',
    '\ufeff  <!doctype HTML><title>x</title>',
    '<!-- generated -->\n<html lang="en">',
    '<html>',
    '<head><title>403 Forbidden</title></head>',
    '<title>Error</title><h1>Oops</h1>',
  ])('HTML page: %j', (text) => {
    expect(readImageSize(new TextEncoder().encode(text))).toEqual({ width: 0, height: 0, format: 'html' });
  });

  it.each([
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd"><svg></svg>',
  ])('SVG: %j', (text) => {
    expect(readImageSize(new TextEncoder().encode(text))).toEqual({ width: 0, height: 0, format: 'svg' });
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['plain text', new TextEncoder().encode('hello, this is not an image')],
    ['other XML', new TextEncoder().encode('<?xml version="1.0"?><rss version="2.0"></rss>')],
    ['JSON', new TextEncoder().encode('{"error":"not found"}')],
    ['a PDF', new TextEncoder().encode('%PDF-1.7\n')],
  ])('%s is unknown', (_name, data) => {
    expect(readImageSize(data)).toEqual({ width: 0, height: 0, format: 'unknown' });
  });

  it('never throws, and sizes are whole numbers ≥ 0, on every prefix and on random bytes', () => {
    const files = [fixture('chelsea.png').subarray(0, 600), fixture('rocket.jpg').subarray(0, 2000), new Uint8Array(makeGif(8, 8, [[0, 0, 0]], [new Array(64).fill(0), new Array(64).fill(0)]))];
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
    const inputs: Uint8Array[] = [];
    for (const file of files) for (let n = 0; n <= file.length; n++) inputs.push(file.subarray(0, n));
    for (let i = 0; i < 300; i++) {
      const prefix = [PNG_SIG, [0xff, 0xd8, 0xff], [...bytes('GIF89a')], [...bytes('RIFF\0\0\0\0WEBPVP8X')], [...bytes('BM')], []][i % 6];
      inputs.push(bytes(prefix, Array.from({ length: random() }, random)));
    }
    for (const input of inputs) {
      const header = readImageSize(input);
      for (const v of [header.width, header.height]) {
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

describe('readImageSize on the chunks a download came in', () => {
  /** `file` cut at `cuts` (and an empty chunk or two, as a stream may give). */
  const split = (file: Uint8Array, cuts: number[]) => {
    const at = [0, ...cuts.filter((c) => c > 0 && c < file.length), file.length];
    return at.slice(1).flatMap((end, i): Uint8Array[] => [...(i === 1 ? [new Uint8Array(0)] : []), file.subarray(at[i], end)]);
  };

  it('reads every file as from one array, however it is cut', () => {
    const files = [
      fixture('chelsea.png'), fixture('rocket.jpg'), fixture('logo.png'), fixture('chelsea.png').subarray(0, 96_000),
      new Uint8Array(makeGif(8, 8, [[0, 0, 0]], [new Array(64).fill(0), new Array(64).fill(0)])),
      new Uint8Array(makePng(30000, 30000, null)),
      new TextEncoder().encode('<!doctype html><title>404</title>'),
    ];
    for (const file of files) {
      const whole = readImageSize(file);
      for (const cuts of [[1], [7, 8, 9], [23], [file.length >> 1], [65_536, 131_072], Array.from({ length: 40 }, (_, i) => i * 997)]) {
        expect(readImageSize(split(file, cuts))).toEqual(whole);
      }
      expect(readImageSize([file])).toEqual(whole);
    }
    expect(readImageSize([])).toEqual({ width: 0, height: 0, format: 'unknown' });
  });
});
