// Where the worker's image stage goes, per step, and whether decoding straight to the model's size
// (createImageBitmap's resizeWidth/resizeHeight) saves anything over decoding full size and drawing
// the picture small, as src/background/pixels.ts does. Called by bench.mjs (`BENCH_ONLY=pixels` runs
// only these rows).
import os from 'node:os';

const RUNS = 15;

/** Prints the rows through `out`; `seam` evaluates a function in the extension's service worker. */
export async function benchPixels({ seam, pageOrigin, out }) {
  const rows = await seam(
    async ({ origin, runs }) => {
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const side = 224;
      /** As pixels.ts reads the model's input: drawn onto a white 224×224 canvas, read back. */
      const drawAndRead = (bitmap) => {
        const ctx = new OffscreenCanvas(side, side).getContext('2d', { willReadFrequently: true });
        ctx.imageSmoothingQuality = 'high';
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, side, side);
        ctx.drawImage(bitmap, 0, 0, side, side);
        return ctx.getImageData(0, 0, side, side).data;
      };
      async function generatedPhoto(width, height) {
        const canvas = new OffscreenCanvas(width, height);
        const ctx = canvas.getContext('2d');
        for (let i = 0; i < 200; i++) {
          ctx.fillStyle = `hsl(${i * 7},70%,50%)`;
          ctx.fillRect((i * 97) % width, (i * 53) % height, width / 10, height / 10);
        }
        return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
      }
      const fetched = async (file) => new Uint8Array(await (await fetch(`${origin}/fixtures/${file}`)).arrayBuffer());
      const pictures = [
        ['chelsea.png, 451×300 PNG', await fetched('chelsea.png'), 'image/png'],
        ['rocket.jpg, 640×427 JPEG', await fetched('rocket.jpg'), 'image/jpeg'],
        ['a 4000×3000 JPEG (generated)', await generatedPhoto(4000, 3000), 'image/jpeg'],
      ];
      const tiny = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0));
      const result = [];
      for (const [name, bytes, type] of pictures) {
        const t = { fixed: [], full: [], fullDraw: [], small: [], smallDraw: [] };
        for (let i = 0; i < runs; i++) {
          let start = performance.now();
          (await createImageBitmap(new Blob([tiny], { type: 'image/png' }))).close();
          t.fixed.push(performance.now() - start);
          start = performance.now();
          const full = await createImageBitmap(new Blob([bytes], { type }));
          t.full.push(performance.now() - start);
          start = performance.now();
          drawAndRead(full);
          t.fullDraw.push(performance.now() - start);
          full.close();
          start = performance.now();
          const small = await createImageBitmap(new Blob([bytes], { type }), { resizeWidth: side, resizeHeight: side, resizeQuality: 'high' });
          t.small.push(performance.now() - start);
          start = performance.now();
          drawAndRead(small);
          t.smallDraw.push(performance.now() - start);
          small.close();
        }
        result.push({ name, bytes: bytes.length, ...Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) });
      }
      return { result, imageDecoder: typeof ImageDecoder !== 'undefined' };
    },
    { origin: pageOrigin, runs: RUNS },
  );
  const ms = (x) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
  out(`## Pixels: decoding to the model's size`);
  out();
  out(`In the service worker, medians of ${RUNS} runs; bytes already in memory (fetching is the network's). "Full size" is what \`pixels.ts\` does: decode the picture, draw it onto a 224×224 canvas, read it back. "At 224×224" asks createImageBitmap to decode straight to that size (\`resizeWidth/resizeHeight\`, quality high). A 1×1 PNG's decode (the fixed cost of a decode's round trip to the decoder thread): ${ms(rows.result[0].fixed)}.`);
  out();
  out(`| picture | decode full size | draw at 224 + read | total | decode at 224×224 | draw + read | total |`);
  out(`| --- | --- | --- | --- | --- | --- | --- |`);
  for (const r of rows.result) {
    out(`| ${r.name} (${Math.round(r.bytes / 1024)} KB) | ${ms(r.full)} | ${ms(r.fullDraw)} | ${ms(r.full + r.fullDraw)} | ${ms(r.small)} | ${ms(r.smallDraw)} | ${ms(r.small + r.smallDraw)} |`);
  }
  out();
  // The verdict follows the figures: pixels.ts decodes full size, and should change if this ever says otherwise.
  const saved = rows.result.map((r) => r.full + r.fullDraw - (r.small + r.smallDraw));
  const pays = rows.result.map((r, i) => saved[i] > 0.1 * (r.full + r.fullDraw));
  const each = rows.result.map((r, i) => `${r.name.split(',')[0]} ${saved[i] >= 0 ? '−' : '+'}${ms(Math.abs(saved[i]))}`).join(', ');
  out(
    pays.every(Boolean)
      ? `Decoding at the model's size saves on every picture here (${each}): \`pixels.ts\` should use it.`
      : pays.some(Boolean)
        ? `Decoding at the model's size pays only for some pictures here (${each}): it would need a rule by size, which one run cannot set. \`pixels.ts\` decodes full size.`
        : `Decoding at the model's size saves nothing here (${each}): the decoder reads the whole picture before scaling, so the decode costs as much either way, and the smaller bitmap's cheaper drawing is eaten by it. \`pixels.ts\` keeps decoding full size (needed for exports anyway).`,
  );
  out();
  out(`WebCodecs' ImageDecoder in the worker: ${rows.imageDecoder ? 'available' : 'not available'}. Load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores${process.env.BENCH_ONLY ? `; measured ${new Date().toISOString().slice(0, 10)} on their own (\`BENCH_ONLY=pixels\`), the other rows are from the last full run` : ''}.`);
  out();
}
