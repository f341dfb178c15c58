import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { deflateSync, inflateSync } from 'node:zlib';
import { PngShrinker, readPngLayout, shrunkSize } from '../../src/core/pngShrink';

/** Deterministic pseudo-random bytes. */
function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The reference: box-average RGBA (premultiplied) of a fully decoded image. */
function boxShrink(rgba: Uint8Array, w: number, h: number, ow: number, oh: number): Uint8ClampedArray {
  const sums = new Float64Array(ow * oh * 4);
  const counts = new Uint32Array(ow * oh);
  for (let y = 0; y < h; y++) {
    const oy = Math.min(oh - 1, Math.floor((y * oh) / h));
    for (let x = 0; x < w; x++) {
      const o = oy * ow + Math.min(ow - 1, Math.floor((x * ow) / w));
      const i = (y * w + x) * 4;
      const a = rgba[i + 3];
      sums[o * 4] += rgba[i] * a;
      sums[o * 4 + 1] += rgba[i + 1] * a;
      sums[o * 4 + 2] += rgba[i + 2] * a;
      sums[o * 4 + 3] += a;
      counts[o]++;
    }
  }
  const out = new Uint8ClampedArray(ow * oh * 4);
  for (let o = 0; o < ow * oh; o++) {
    const a = sums[o * 4 + 3];
    if (a > 0) for (let c = 0; c < 3; c++) out[o * 4 + c] = Math.round(sums[o * 4 + c] / a);
    out[o * 4 + 3] = Math.round(a / counts[o]);
  }
  return out;
}

/** Shrinks PNG bytes as the worker does, feeding the inflated data in uneven pieces. */
function shrink(bytes: Uint8Array, ow: number, oh: number): Uint8ClampedArray {
  const parsed = readPngLayout(bytes);
  if (!parsed) throw new Error('not shrinkable');
  const shrinker = new PngShrinker(parsed.layout, ow, oh);
  const inflated = inflateSync(Buffer.concat(parsed.data));
  for (let at = 0, step = 1; at < inflated.length; at += step, step = (step * 7 + 3) % 997 + 1) shrinker.push(inflated.subarray(at, at + step));
  return shrinker.finish();
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, Buffer.from(data), Buffer.alloc(4)]); // CRC not checked here
}

/** A hand-built PNG (palette or low bit depth grey, which pngjs does not write), rows filtered with type `filter`. */
function handPng(w: number, h: number, bitDepth: number, colorType: number, rows: Uint8Array[], extra: Buffer[] = []): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const raw = Buffer.concat(rows.map((r) => Buffer.concat([Buffer.from([0]), Buffer.from(r)])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...extra, chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

describe('PngShrinker', () => {
  it.each([
    { colorType: 6, bitDepth: 8, name: 'RGBA 8-bit' },
    { colorType: 2, bitDepth: 8, name: 'RGB 8-bit' },
    { colorType: 0, bitDepth: 8, name: 'grey 8-bit' },
    { colorType: 4, bitDepth: 8, name: 'grey + alpha 8-bit' },
    { colorType: 6, bitDepth: 16, name: 'RGBA 16-bit' },
    { colorType: 2, bitDepth: 16, name: 'RGB 16-bit' },
  ])('$name, every filter type: the same as decoding fully and averaging', ({ colorType, bitDepth }) => {
    const [w, h] = [97, 61];
    const png = new PNG({ width: w, height: h });
    png.data = Buffer.from(noise(w * h * 4, 7 + colorType));
    // Smooth regions too, so that pngjs picks every filter somewhere.
    for (let y = 0; y < h; y++) for (let x = 0; x < 40; x++) png.data.set([x * 6, y * 4, 128, 255], (y * w + x) * 4);
    const bytes = PNG.sync.write(png, { colorType, bitDepth, inputColorType: 6, inputHasAlpha: true } as never);
    // What a full decoder gives: 8-bit RGBA; 16-bit samples by their high byte, as browsers strip them.
    const decoded = PNG.sync.read(Buffer.from(bytes), { skipRescale: true } as never);
    const full = bitDepth === 16 ? Uint8Array.from(new Uint16Array(decoded.data.buffer, decoded.data.byteOffset, w * h * 4), (v) => v >> 8) : decoded.data;
    const [ow, oh] = [13, 9];
    expect(Array.from(shrink(bytes, ow, oh))).toEqual(Array.from(boxShrink(full, w, h, ow, oh)));
  });

  it('palette with transparency, and 1-, 2- and 4-bit grey', () => {
    const [w, h] = [10, 4];
    const palette = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const alpha = new Uint8Array([255, 128, 0]);
    const rows = Array.from({ length: h }, (_, y) => Uint8Array.from({ length: w }, (_, x) => (x + y) % 4));
    const pal = handPng(w, h, 8, 3, rows, [chunk('PLTE', palette), chunk('tRNS', alpha)]);
    const rgba = new Uint8Array(w * h * 4);
    rows.forEach((row, y) => row.forEach((v, x) => rgba.set([palette[v * 3], palette[v * 3 + 1], palette[v * 3 + 2], v < 3 ? alpha[v] : 255], (y * w + x) * 4)));
    expect(Array.from(shrink(pal, 5, 2))).toEqual(Array.from(boxShrink(rgba, w, h, 5, 2)));

    for (const depth of [1, 2, 4]) {
      const max = (1 << depth) - 1;
      const values = Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => (x * 3 + y) % (max + 1)));
      const packed = values.map((row) => {
        const bytes = new Uint8Array(Math.ceil((w * depth) / 8));
        row.forEach((v, x) => (bytes[Math.floor((x * depth) / 8)] |= v << (8 - depth - ((x * depth) % 8))));
        return bytes;
      });
      const grey = new Uint8Array(w * h * 4);
      values.forEach((row, y) => row.forEach((v, x) => grey.set([Math.round((v * 255) / max), Math.round((v * 255) / max), Math.round((v * 255) / max), 255], (y * w + x) * 4)));
      expect(Array.from(shrink(handPng(w, h, depth, 0, packed), 5, 2)), `${depth}-bit`).toEqual(Array.from(boxShrink(grey, w, h, 5, 2)));
    }
  });

  it('data cut short: the rows it has, the rest transparent', () => {
    const w = 8;
    const rows = Array.from({ length: 8 }, () => new Uint8Array(w * 3).fill(200));
    const parsed = readPngLayout(handPng(w, 8, 8, 2, rows))!;
    const shrinker = new PngShrinker(parsed.layout, 4, 4);
    shrinker.push(inflateSync(Buffer.concat(parsed.data)).subarray(0, (w * 3 + 1) * 4));
    expect(shrinker.rows).toBe(4);
    const out = shrinker.finish();
    expect(Array.from(out.subarray(0, 4))).toEqual([200, 200, 200, 255]);
    expect(Array.from(out.subarray(out.length - 4))).toEqual([0, 0, 0, 0]);
  });

  it('refuses what it does not handle: interlaced, not a PNG, bad depth; and only shrinks', () => {
    const rows = [new Uint8Array(6)];
    const interlaced = Buffer.from(handPng(2, 1, 8, 2, rows));
    interlaced[8 + 8 + 12] = 1;
    expect(readPngLayout(interlaced)).toBeNull();
    expect(readPngLayout(new Uint8Array(100))).toBeNull();
    expect(readPngLayout(handPng(2, 1, 4, 2, rows))).toBeNull();
    expect(() => new PngShrinker(readPngLayout(handPng(2, 1, 8, 2, rows))!.layout, 3, 1)).toThrow(RangeError);
  });

  it('shrunkSize keeps the aspect within the longest side', () => {
    expect(shrunkSize(9990, 9990, 1024)).toEqual({ width: 1024, height: 1024 });
    expect(shrunkSize(20000, 5000, 1024)).toEqual({ width: 1024, height: 256 });
    expect(shrunkSize(800, 600, 1024)).toEqual({ width: 800, height: 600 });
  });
});
