// Builds the evaluation set of `npm run eval` (test/fixtures/eval/): real photographs with known
// licences (public domain, CC0, CC-BY) as Debian packages ship them, each downscaled to at most 448 px
// on its longer side and saved as JPEG (quality 90), with their provenance. Run once by hand (root,
// apt-get, Chromium); the results are committed, so `npm run eval` needs no network.
//   node scripts/eval-set.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { CHROMIUM } from './browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test', 'fixtures', 'eval');
const MAX_SIDE = 448;

const SKIMAGE = { pkg: 'python3-skimage', dir: 'usr/lib/python3/dist-packages/skimage/data' };
const LOMIRI = { pkg: 'lomiri-wallpapers-16.04', dir: 'usr/share/backgrounds' };
const CC0 = 'CC0-1.0';
const PD = 'public domain';
const CC_BY_4 = 'CC-BY-4.0';

/**
 * id, package file, what it shows, author, licence (as the package documents it). Left out: the
 * packages' drawings, scans and microscopy phase images, the lomiri wallpapers under CC-BY-SA or of
 * abstract art (umang), and files without a stated licence (skimage's moon, page, motorcycle).
 */
export const EVAL_SET = [
  { id: 'astronaut', ...SKIMAGE, file: 'astronaut.png', what: 'astronaut Eileen Collins', author: 'NASA', licence: PD },
  { id: 'chelsea', ...SKIMAGE, file: 'chelsea.png', what: 'a cat (Chelsea)', author: 'Stefan van der Walt', licence: CC0 },
  { id: 'coffee', ...SKIMAGE, file: 'coffee.png', what: 'a cup of coffee', author: 'Rachel Michetti', licence: CC0 },
  { id: 'rocket', ...SKIMAGE, file: 'rocket.jpg', what: 'DSCOVR launch on Falcon 9', author: 'SpaceX', licence: PD },
  { id: 'hubble-deep-field', ...SKIMAGE, file: 'hubble_deep_field.jpg', what: 'Hubble eXtreme Deep Field', author: 'NASA', licence: PD },
  { id: 'retina', ...SKIMAGE, file: 'retina.jpg', what: 'fundus photograph of a normal left eye', author: 'Mikael Häggström', licence: CC0 },
  { id: 'ihc', ...SKIMAGE, file: 'ihc.png', what: 'immunohistochemistry (skin, intradermal nevus)', author: 'Kilbad', licence: PD },
  { id: 'camera', ...SKIMAGE, file: 'camera.png', what: 'a man with a camera (grey)', author: 'Lav Varshney', licence: CC0 },
  { id: 'coins', ...SKIMAGE, file: 'coins.png', what: 'Greek coins from Pompeii (grey)', author: 'Brooklyn Museum', licence: 'no known copyright restrictions' },
  { id: 'text', ...SKIMAGE, file: 'text.png', what: 'handwritten text photographed at an angle (grey)', author: 'Wikipedia (Corner.png)', licence: PD },
  { id: 'clock-motion', ...SKIMAGE, file: 'clock_motion.png', what: 'a wall clock, motion-blurred (grey)', author: 'Stefan van der Walt', licence: PD },
  { id: 'microaneurysms', ...SKIMAGE, file: 'microaneurysms.png', what: 'retina with microaneurysms (grey)', author: 'Andreas Maier', licence: CC0 },
  { id: 'brick', ...SKIMAGE, file: 'brick.png', what: 'a brick wall (grey)', author: 'CC0Textures (Bricks25)', licence: CC0 },
  { id: 'grass', ...SKIMAGE, file: 'grass.png', what: 'grass (grey)', author: 'linolafett (DeviantArt)', licence: CC0 },
  { id: 'gravel', ...SKIMAGE, file: 'gravel.png', what: 'gravel (grey)', author: 'CC0Textures (Gravel04)', licence: CC0 },
  { id: 'cincinnati-bridge', pkg: 'palapeli-data', dir: 'usr/share/palapeli/collection', file: 'cincinnati-bridge.jpg', what: 'Roebling suspension bridge, Cincinnati', author: 'Derek Jensen', licence: PD },
  { id: 'citrus-fruits', pkg: 'palapeli-data', dir: 'usr/share/palapeli/collection', file: 'citrus-fruits.jpg', what: 'citrus fruits', author: 'US Department of Agriculture', licence: PD },
  { id: 'honey-bee', pkg: 'palapeli-data', dir: 'usr/share/palapeli/collection', file: 'european-honey-bee.jpg', what: 'a European honey bee on a flower', author: 'John Severns', licence: PD },
  { id: 'china', pkg: 'python3-sklearn', dir: 'usr/lib/python3/dist-packages/sklearn/datasets/images', file: 'china.jpg', what: 'Summer Palace, Beijing', author: 'danielbuechele (Flickr)', licence: 'CC-BY-2.0' },
  { id: 'flower', pkg: 'python3-sklearn', dir: 'usr/lib/python3/dist-packages/sklearn/datasets/images', file: 'flower.jpg', what: 'a flower', author: 'vultilion (Flickr)', licence: 'CC-BY-2.0' },
  { id: 'grace-hopper', pkg: 'python-matplotlib-data', dir: 'usr/share/matplotlib/mpl-data/sample_data', file: 'grace_hopper.jpg', what: 'Grace Hopper, portrait', author: 'US Navy', licence: PD },
  { id: 'raccoon', pkg: 'python3-scipy', dir: 'usr/lib/python3/dist-packages/scipy/misc', file: 'face.dat', what: 'a raccoon’s face (scipy.misc.face)', author: 'public-domain-image.com', licence: PD },
  { id: 'aitzgorri', ...LOMIRI, file: 'aitzgorri_by_Aitzol_Berasategi.jpg', what: 'mountain landscape (Aitzgorri)', author: 'Aitzol Berasategi', licence: CC_BY_4 },
  { id: 'friends', ...LOMIRI, file: 'friends_by_Aitzol_Berasategi.jpg', what: 'two spaniels looking out of a window', author: 'Aitzol Berasategi', licence: CC_BY_4 },
  { id: 'life', ...LOMIRI, file: 'life_by_Aitzol_Berasategi.jpg', what: 'a stream in a forest', author: 'Aitzol Berasategi', licence: CC_BY_4 },
  { id: 'picos-de-europa', ...LOMIRI, file: 'picosdeeuropa_by_Aitzol_Berasategi.jpg', what: 'mountains (Picos de Europa)', author: 'Aitzol Berasategi', licence: CC_BY_4 },
  { id: 'picture-0b', ...LOMIRI, file: 'Picture_0B_by_freespace.jpg', what: 'half a fig in a red bowl', author: 'Trevor "Freespace"', licence: CC_BY_4 },
  { id: 'picture-1a', ...LOMIRI, file: 'Picture_1A_by_freespace.jpg', what: 'paint brushes', author: 'Trevor "Freespace"', licence: CC_BY_4 },
  { id: 'seeding', ...LOMIRI, file: 'seeding_by_Clements_Engelhardt.jpg', what: 'dandelion clocks in a meadow at dusk', author: 'Clemens Engelhardt', licence: CC0 },
  { id: 'sunset', ...LOMIRI, file: 'sunset_by_Aitzol_Berasategi.jpg', what: 'sunset over hills', author: 'Aitzol Berasategi', licence: CC_BY_4 },
  { id: 'wine', ...LOMIRI, file: 'Wine_by_Jakkub_Mede.jpg', what: 'a room with wine, a drum and a bean bag', author: 'Jakub Mede', licence: CC_BY_4 },
];

/** The package's file as something Chromium decodes (scipy's raccoon is raw RGB, bzip2-compressed). */
function readImage(extracted, entry) {
  const file = path.join(extracted[entry.pkg], entry.dir, entry.file);
  if (!entry.file.endsWith('.dat')) return { bytes: readFileSync(file), type: entry.file.endsWith('.png') ? 'image/png' : 'image/jpeg' };
  const rgb = execFileSync('bzip2', ['-dc', file], { maxBuffer: 64 << 20 });
  const [width, height] = [1024, 768];
  if (rgb.length !== width * height * 3) throw new Error(`${entry.file}: expected ${width * height * 3} bytes, got ${rgb.length}`);
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
  return { bytes: PNG.sync.write(png), type: 'image/png' };
}

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'cam-lens-eval-set-'));
  const extracted = {};
  const versions = {};
  try {
    for (const pkg of new Set(EVAL_SET.map((e) => e.pkg))) {
      execFileSync('apt-get', ['download', pkg], { cwd: work, stdio: 'inherit' });
      const deb = execFileSync('sh', ['-c', `ls ${pkg}_*.deb`], { cwd: work }).toString().trim();
      versions[pkg] = execFileSync('dpkg-deb', ['-f', deb, 'Version'], { cwd: work }).toString().trim();
      extracted[pkg] = path.join(work, pkg);
      execFileSync('dpkg-deb', ['-x', deb, extracted[pkg]], { cwd: work });
    }
    mkdirSync(out, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage();
    const manifest = [];
    for (const entry of EVAL_SET) {
      const { bytes, type } = readImage(extracted, entry);
      // Chromium decodes and resamples (high-quality smoothing), then encodes the JPEG.
      const result = await page.evaluate(
        async ({ data, type, maxSide }) => {
          const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type }));
          const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
          const canvas = new OffscreenCanvas(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
          const ctx = canvas.getContext('2d');
          ctx.imageSmoothingQuality = 'high';
          ctx.fillStyle = '#fff';
          ctx.fillRect(0, 0, canvas.width, canvas.height);
          ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
          const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).arrayBuffer());
          let binary = '';
          for (const b of jpeg) binary += String.fromCharCode(b);
          return { original: [bitmap.width, bitmap.height], size: [canvas.width, canvas.height], jpeg: btoa(binary) };
        },
        { data: bytes.toString('base64'), type, maxSide: MAX_SIDE },
      );
      writeFileSync(path.join(out, `${entry.id}.jpg`), Buffer.from(result.jpeg, 'base64'));
      manifest.push({ id: entry.id, file: `${entry.id}.jpg`, what: entry.what, author: entry.author, licence: entry.licence, package: `${entry.pkg} ${versions[entry.pkg]}`, path: `/${entry.dir}/${entry.file}`, original: result.original, size: result.size });
      console.log(`${entry.id}: ${result.original.join('×')} → ${result.size.join('×')}`);
    }
    await browser.close();
    writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
    writeFileSync(path.join(out, 'README.md'), readme(manifest));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function readme(manifest) {
  const rows = manifest.map((m) => `| ${m.file} | ${m.what} | ${m.author} | ${m.licence} | \`${m.package}\` \`${m.path}\` | ${m.original.join('×')} → ${m.size.join('×')} |`);
  return `# Evaluation set (\`npm run eval\`)

${manifest.length} real photographs with known licences, as Debian packages ship them, made by
\`node scripts/eval-set.mjs\`: each downloaded with \`apt-get download\`, unpacked, downscaled to at most
${MAX_SIDE} px on its longer side (Chromium, high-quality smoothing; transparency on white) and saved as
JPEG, quality 90. The licences are those the packages document (scikit-image's \`skimage/data\`
docstrings, Palapeli's puzzle files, scikit-learn's \`datasets/images/README.txt\`, SciPy's
\`misc.face\` docstring, \`lomiri-wallpapers\`' \`debian/copyright\`). CC-BY works: attribution below; the
change made is the downscaling and re-encoding.

| file | what | author | licence | from (package, path) | pixels |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

\`manifest.json\` holds the same table for scripts.
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
